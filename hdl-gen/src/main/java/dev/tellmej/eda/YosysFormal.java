package dev.tellmej.eda;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Model checking with Yosys and the ABC it ships ({@code yosys-abc}), no other solver: reads Verilog with
 * {@code read_verilog -formal} (so {@code assert}/{@code assume} statements become properties), flattens the
 * design, maps it to an AIGER model and runs ABC's bounded model checker {@code bmc3} and, when asked, its
 * unbounded {@code pdr}. A counterexample is replayed by Yosys {@code sim} into a VCD, which also names the
 * violated assertion and its source line.
 *
 * <p>The design must have an active-high clock input {@code clk}; assumptions constrain the other inputs.
 * Every flip-flop without an initial value starts free, so only reset (assumed by the property set) makes the
 * state known.
 */
public final class YosysFormal {
    private static final Pattern BMC_FAIL = Pattern.compile("Output (\\d+) of miter .* was asserted in frame (\\d+)");
    private static final Pattern BMC_PASS = Pattern.compile("No output asserted in (\\d+) frames");
    private static final Pattern FAILED_ASSERT = Pattern.compile("Assert (\\S+) \\(([^)]*)\\) failed");
    private static final Pattern LOCATION = Pattern.compile("([^|:\\s]+):(\\d+)\\.\\d+-\\d+\\.\\d+$");

    private YosysFormal() {}

    /** What a check established. */
    public enum Outcome {
        /** No property fails in any trace of up to {@code depth} cycles. */
        BOUNDED_PASS,
        /** No property fails in any trace (PDR found an inductive invariant). */
        PROVEN,
        /** A trace violates a property; see {@link Result#failure()}. */
        FAILED
    }

    /**
     * The violated property of a counterexample.
     *
     * @param property the assertion's hierarchical name, for example {@code check_m_axi.a3_2_1_arvalid_held}
     * @param file     the source file of the assertion
     * @param line     its line in that file (1-based)
     * @param cycle    the cycle (0 = the first, in reset) at which it fails
     * @param vcd      the replayed trace, every signal of the design
     */
    public record Failure(String property, String file, int line, int cycle, Path vcd) {
        @Override
        public String toString() {
            return property + " (" + file + ":" + line + ") fails at cycle " + cycle + "; trace " + vcd;
        }
    }

    /**
     * The outcome of one check.
     *
     * @param top          the checked top module
     * @param outcome      bounded pass, proof, or failure
     * @param depth        cycles covered by the bounded check (for a failure: the failing trace's length)
     * @param bmcTime      time of the bounded check
     * @param proofTime    time of the PDR run (zero when none was asked for or the bounded check failed)
     * @param proofMessage why there is no proof when one was asked for and the check passed only to its depth
     * @param failure      the violated property, when the outcome is {@link Outcome#FAILED}
     */
    public record Result(String top, Outcome outcome, int depth, Duration bmcTime, Duration proofTime,
            String proofMessage, Optional<Failure> failure) {}

    /**
     * Checks {@code top} in {@code files} (Verilog or SystemVerilog, read with {@code -formal -sv}) for
     * {@code depth} cycles, then, if {@code prove}, tries an unbounded proof for at most {@code proofLimit}.
     * Works in {@code dir}: {@code formal-<top>.log}, the model {@code <top>.aig} with its map, and
     * {@code <top>-failure.vcd} for a counterexample.
     *
     * @throws ToolFailedException when Yosys or ABC fails to run
     */
    public static Result check(Path dir, List<Path> files, String top, int depth, boolean prove, Duration proofLimit,
            Duration timeout) {
        if (depth < 1) {
            throw new IllegalArgumentException("the bounded check needs a depth of at least 1 cycle, got " + depth);
        }
        String yosys = EdaTool.YOSYS.require().toString();
        String abc = abcCommand(yosys);
        Path rtlil = dir.resolve(top + ".il");
        Path aig = dir.resolve(top + ".aig");
        Path map = dir.resolve(top + ".aim");
        Path witness = dir.resolve(top + ".aiw");
        List<String> reads = new ArrayList<>();
        for (Path file : files) {
            // SYNTHESIS hides the simulation-only $display/$stop checks, which Yosys cannot model.
            reads.add("read_verilog -formal -sv -DSYNTHESIS " + file.toAbsolutePath());
        }
        // Flatten, keep a readable copy for the replay, then lower everything to AND gates and latches.
        String script = String.join("; ", reads) + "; prep -top " + top + "; flatten; memory_map; opt_clean"
                + "; async2sync; write_rtlil " + rtlil.toAbsolutePath()
                + "; dffunmap; techmap; opt -fast; dffunmap; setundef -undriven -anyseq; setundef -zero; aigmap"
                + "; opt_clean; write_aiger -zinit -map " + map.toAbsolutePath() + " " + aig.toAbsolutePath();
        ExternalCommand.of(yosys, "-q", "-l", dir.resolve("formal-" + top + ".log").toAbsolutePath().toString(),
                "-p", script).directory(dir).timeout(timeout).run().requireSuccess("build the formal model of " + top);

        // The assumptions are constraint outputs; "fold" turns them into part of the transition relation.
        ExternalCommand.Result bmc = ExternalCommand.of(abc, "-c", "read_aiger " + aig.toAbsolutePath()
                + "; fold; bmc3 -F " + depth + "; write_cex -a " + witness.toAbsolutePath())
                .directory(dir).timeout(timeout).run().requireSuccess("run ABC bmc3 on " + top);
        Matcher failed = BMC_FAIL.matcher(bmc.output());
        if (failed.find()) {
            int frame = Integer.parseInt(failed.group(2));
            Failure failure = replay(dir, yosys, top, rtlil, map, witness, frame);
            return new Result(top, Outcome.FAILED, frame + 1, bmc.elapsed(), Duration.ZERO, "", Optional.of(failure));
        }
        if (!BMC_PASS.matcher(bmc.output()).find() && !bmc.output().contains("No output asserted")) {
            throw new ToolFailedException("ABC bmc3 on " + top + " gave no verdict", bmc.command(), bmc.exitCode(),
                    bmc.output());
        }
        if (!prove) {
            return new Result(top, Outcome.BOUNDED_PASS, depth, bmc.elapsed(), Duration.ZERO, "", Optional.empty());
        }
        long seconds = Math.max(1, proofLimit.toSeconds());
        ExternalCommand.Result pdr = ExternalCommand.of(abc, "-c", "read_aiger " + aig.toAbsolutePath()
                + "; fold; pdr -T " + seconds + "; write_cex -a " + witness.toAbsolutePath())
                .directory(dir).timeout(timeout.plus(proofLimit)).run().requireSuccess("run ABC pdr on " + top);
        if (pdr.output().contains("Property proved")) {
            return new Result(top, Outcome.PROVEN, depth, bmc.elapsed(), pdr.elapsed(), "", Optional.empty());
        }
        Matcher pdrFailed = BMC_FAIL.matcher(pdr.output());
        if (pdrFailed.find()) {
            int frame = Integer.parseInt(pdrFailed.group(2));
            Failure failure = replay(dir, yosys, top, rtlil, map, witness, frame);
            return new Result(top, Outcome.FAILED, frame + 1, bmc.elapsed(), pdr.elapsed(), "", Optional.of(failure));
        }
        String last = pdr.output().lines().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse("no output");
        return new Result(top, Outcome.BOUNDED_PASS, depth, bmc.elapsed(), pdr.elapsed(),
                "pdr did not converge within " + seconds + " s: " + last.strip(), Optional.empty());
    }

    /** Replays the witness in Yosys' simulator: the VCD, and the first assertion it reports failed. */
    private static Failure replay(Path dir, String yosys, String top, Path rtlil, Path map, Path witness, int frame) {
        Path vcd = dir.resolve(top + "-failure.vcd");
        ExternalCommand.Result sim = ExternalCommand.of(yosys, "-p", "read_rtlil " + rtlil.toAbsolutePath()
                + "; sim -r " + witness.toAbsolutePath() + " -map " + map.toAbsolutePath() + " -clock clk -vcd "
                + vcd.toAbsolutePath()).directory(dir).run().requireSuccess("replay the counterexample of " + top);
        Matcher assertion = FAILED_ASSERT.matcher(sim.output());
        if (!assertion.find()) {
            throw new ToolFailedException("ABC found a counterexample for " + top + " at cycle " + frame
                    + " but its replay reports no failed assertion", sim.command(), sim.exitCode(), sim.output());
        }
        String property = assertion.group(1).replaceFirst("^" + Pattern.quote(top) + "\\.", "");
        // The location is "file:line.col-line.col", with "|"-separated alternatives, innermost last.
        String[] places = assertion.group(2).split("\\|");
        Matcher where = LOCATION.matcher(places[places.length - 1].strip());
        String file = where.find() ? Path.of(where.group(1)).getFileName().toString() : places[0];
        int line = where.find(0) ? Integer.parseInt(where.group(2)) : 0;
        return new Failure(property, file, line, frame, vcd);
    }

    /** ABC as Yosys installs it: {@code yosys-abc} beside {@code yosys}, else on {@code PATH}. */
    private static String abcCommand(String yosys) {
        Path beside = Path.of(yosys).resolveSibling("yosys-abc");
        if (java.nio.file.Files.isExecutable(beside)) {
            return beside.toString();
        }
        // yosys-abc comes in the same Debian package as yosys: a missing one means a broken install.
        throw new ToolNotFoundException(EdaTool.YOSYS);
    }
}
