package dev.tellmej.hdl.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.eda.EdaTool;
import dev.tellmej.eda.ResourceReport;
import dev.tellmej.eda.VerilatorLint;
import dev.tellmej.eda.YosysSynth;
import dev.tellmej.hdl.Design;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every design a test emits goes through here: its Verilog is written under {@code target/hdl-tests},
 * linted with {@code verilator --lint-only -Wall} (zero warnings) and synthesized with Yosys
 * {@code synth_xilinx -family xcup}. Identical Verilog is synthesized once per JVM.
 */
public final class DesignVerifier {
    private static final Path ROOT = Path.of("target", "hdl-tests").toAbsolutePath();
    private static final Map<String, ResourceReport> SYNTH_CACHE = new ConcurrentHashMap<>();

    private DesignVerifier() {}

    /** Writes the design to {@code target/hdl-tests/<label>} and returns the files (the file list last). */
    public static List<Path> write(Design<?> design, String label) {
        Path dir = ROOT.resolve(label);
        try {
            if (Files.isDirectory(dir)) {
                try (var old = Files.walk(dir)) {
                    for (Path file : old.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.delete(file);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return design.writeVerilog(dir);
    }

    /** Longest line the emitter may write. */
    public static final int MAX_LINE = 120;

    /**
     * Lints the design; fails the test with Verilator's messages unless it is clean, or when a line of its
     * Verilog is longer than {@value #MAX_LINE} characters.
     */
    public static List<Path> lint(Design<?> design, String label) {
        assertLinesFit(design, label);
        List<Path> files = write(design, label);
        List<Path> sources = sources(design, files);
        VerilatorLint.Result result = VerilatorLint.run(files.getFirst().getParent(), sources, design.topName());
        assertTrue(result.clean(), () -> "verilator --lint-only -Wall on " + label + ":\n" + result.output());
        return files;
    }

    /** Lints and synthesizes the design; returns Yosys's cell counts. */
    public static ResourceReport verify(Design<?> design, String label) {
        List<Path> files = lint(design, label);
        EdaTool.YOSYS.require();
        String key = hash(design);
        return SYNTH_CACHE.computeIfAbsent(key, k -> YosysSynth.run(files.getFirst().getParent(), sources(design, files),
                design.topName(), Duration.ofMinutes(10)));
    }

    /** Fails when a line of the design's Verilog is longer than {@value #MAX_LINE} characters. */
    public static void assertLinesFit(Design<?> design, String label) {
        design.definitions().forEach((name, text) -> {
            int number = 0;
            for (String line : text.split("\n", -1)) {
                number++;
                int lineNumber = number;
                assertTrue(line.length() <= MAX_LINE, () -> label + ": " + name + ".v line " + lineNumber + " has "
                        + line.length() + " characters (at most " + MAX_LINE + "): " + line);
            }
        });
    }

    /** Emitting the design twice gives byte-identical text (checked by re-emitting from the same design). */
    public static void assertDeterministic(Design<?> first, Design<?> second) {
        assertEquals(first.definitions(), second.definitions());
    }

    /** The written modules and the black boxes' own files (the file list is not a source). */
    private static List<Path> sources(Design<?> design, List<Path> files) {
        List<Path> sources = new ArrayList<>(files);
        sources.removeLast();
        design.blackBoxSources().forEach(source -> sources.add(Path.of(source).toAbsolutePath()));
        return sources;
    }

    private static String hash(Design<?> design) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            design.definitions().forEach((name, text) -> {
                digest.update(name.getBytes(StandardCharsets.UTF_8));
                digest.update(text.getBytes(StandardCharsets.UTF_8));
            });
            design.blackBoxSources().forEach(source -> digest.update(source.getBytes(StandardCharsets.UTF_8)));
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
