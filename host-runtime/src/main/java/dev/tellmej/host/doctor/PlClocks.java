package dev.tellmej.host.doctor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The programmable logic's clocks as Linux's common clock framework reports them in debugfs
 * ({@code /sys/kernel/debug/clk}, readable by root only): on a Zynq UltraScale+ the PS's reference clocks into the
 * PL, {@code pl0_ref} to {@code pl3_ref}, and the outputs of any clocking wizard of the loaded overlay.
 */
public final class PlClocks {
    /** Where debugfs lists the clocks. */
    public static final String DEBUG_DIR = "/sys/kernel/debug/clk";

    private static final Pattern PL_REF = Pattern.compile("pl[0-3]_ref");
    private static final Pattern NUMBER = Pattern.compile("-?\\d+");

    private PlClocks() {}

    /**
     * One clock.
     *
     * @param name its name in the clock tree
     * @param hz   its rate
     */
    public record Clock(String name, long hz) {
        /** The rate in MHz. */
        public double mhz() {
            return hz / 1e6;
        }

        /** True for a PS reference clock into the PL ({@code pl0_ref} .. {@code pl3_ref}), false for a wizard's. */
        public boolean reference() {
            return PL_REF.matcher(name).matches();
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s %.3f MHz", name, mhz());
        }
    }

    /**
     * What could be read: the PL's clocks, or why none could be.
     *
     * @param clocks     the PL's clocks (empty when unreadable)
     * @param unreadable null, or why debugfs could not be read
     */
    public record Readout(List<Clock> clocks, String unreadable) {
        public Readout {
            clocks = List.copyOf(clocks);
        }
    }

    /** True for a clock of the PL: a reference clock, or a clocking wizard's output. */
    static boolean ofThePl(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return PL_REF.matcher(n).matches() || n.contains("clk_wiz") || n.contains("clk_out") || n.contains("clocking");
    }

    /**
     * The PL's clocks in the text of debugfs's {@code clk_summary}: each clock is a line of its name (indented
     * by its depth in the tree) followed by the enable, prepare and protect counts and the rate in Hz (later
     * kernels add columns after the rate, and lines naming a clock's consumers, which have no counts).
     */
    public static List<Clock> parseSummary(String summary) {
        List<Clock> out = new ArrayList<>();
        for (String line : summary.lines().toList()) {
            String[] t = line.trim().split("\\s+");
            if (t.length < 5 || !ofThePl(t[0])) {
                continue;
            }
            boolean counts = NUMBER.matcher(t[1]).matches() && NUMBER.matcher(t[2]).matches()
                    && NUMBER.matcher(t[3]).matches() && NUMBER.matcher(t[4]).matches();
            if (counts) {
                out.add(new Clock(t[0], Long.parseLong(t[4])));
            }
        }
        return out;
    }

    /**
     * Reads the PL's clocks under {@code files}: debugfs's {@code clk_summary}, or else each clock folder's
     * {@code clk_rate}.
     */
    public static Readout read(SystemFiles files) {
        Path dir = files.resolve(DEBUG_DIR);
        Path summary = dir.resolve("clk_summary");
        try {
            if (Files.isReadable(summary)) {
                List<Clock> clocks = parseSummary(Files.readString(summary, StandardCharsets.UTF_8));
                if (!clocks.isEmpty()) {
                    return new Readout(clocks, null);
                }
            }
            if (!Files.isDirectory(dir)) {
                return new Readout(List.of(), DEBUG_DIR + " is not there (debugfs is not mounted, or only root sees"
                        + " it)");
            }
            List<Clock> clocks = new ArrayList<>();
            try (Stream<Path> entries = Files.list(dir)) {
                for (Path clock : entries.sorted().toList()) {
                    String name = clock.getFileName().toString();
                    Path rate = clock.resolve("clk_rate");
                    if (ofThePl(name) && Files.isRegularFile(rate)) {
                        clocks.add(new Clock(name, Long.parseLong(Files.readString(rate).trim())));
                    }
                }
            }
            return clocks.isEmpty()
                    ? new Readout(List.of(), "no PL clock (pl0_ref .. pl3_ref, a clocking wizard's) in " + DEBUG_DIR)
                    : new Readout(clocks, null);
        } catch (IOException | SecurityException | NumberFormatException e) {
            return new Readout(List.of(), "cannot read " + DEBUG_DIR + " (" + e.getMessage() + ")");
        }
    }
}
