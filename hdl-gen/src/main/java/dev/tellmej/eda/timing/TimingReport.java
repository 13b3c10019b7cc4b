package dev.tellmej.eda.timing;

import java.util.List;

/**
 * What a {@link TimingAnalysis} found in a mapped netlist: per module its deepest register-to-register path as the
 * clock period it needs by the {@link DelayModel} (a proxy, not timing), against each clock; the worst paths of
 * the design in source terms; and the DSP and RAM outputs read without their output register. All delays and
 * periods are in nanoseconds, clocks in MHz.
 *
 * @param top                  the analysed top module
 * @param model                the delays the figures add up
 * @param clocks               each clock the design was held against, fastest first
 * @param modules              every module under the top with a register-to-register path, worst first
 * @param worstPaths           the worst paths of the whole design, at most as many as asked for (ten by default),
 *                             worst first, none sharing its module and start or end signal with a worse one (names
 *                             that differ only in digits, the bits of a register or one register in several lanes,
 *                             count as one signal)
 * @param unregistered         DSP48E2, block RAM and URAM outputs without their output register, grouped per module,
 *                             cell type and missing register, worst first
 * @param dspRegistersAbsorbed DSP48E2 cells whose neighbouring flip-flops the analysis counted as the DSP's own
 *                             pipeline registers, as Vivado packs them (Yosys 0.23 packs none into DSP48E2)
 * @param warnings             what the analysis could not model (unknown cell types, combinational loops)
 */
public record TimingReport(String top, DelayModel model, List<Clock> clocks, List<ModuleResult> modules,
        List<TimingPath> worstPaths, List<UnregisteredOutput> unregistered, int dspRegistersAbsorbed,
        List<String> warnings) {

    public TimingReport {
        clocks = List.copyOf(clocks);
        modules = List.copyOf(modules);
        worstPaths = List.copyOf(worstPaths);
        unregistered = List.copyOf(unregistered);
        warnings = List.copyOf(warnings);
    }

    /** A path or module against one clock. */
    public enum Verdict {
        /** The path needs at most the clock's period. */
        PASS,
        /** The path needs more than the clock's period. */
        OVER
    }

    /**
     * One clock the design is held against.
     *
     * @param mhz         its frequency
     * @param periodNs    its period, the budget of every path
     * @param verdict     {@code PASS} when every module's worst path fits the period
     * @param modulesOver how many modules have a path over the period
     */
    public record Clock(double mhz, double periodNs, Verdict verdict, int modulesOver) {}

    /**
     * One module definition (synthesized once however often it is instantiated) and its worst path: a path from
     * one of its registers, RAMs or DSPs to another, or through its instances of other modules (counted here,
     * where both ends are under it).
     *
     * @param module    the module
     * @param instances how many times it occurs under the top (1 for the top)
     * @param cells     its own cells (primitives and instances)
     * @param periodNs  the clock period its worst path needs
     * @param fmaxMHz   {@code 1000 / periodNs}
     * @param lutLevels LUTs along the worst path (LUT2 to LUT6, and distributed RAM and shift-register reads)
     * @param carryBits carry-chain bits the worst path ripples through
     * @param hardCells DSP and RAM stages without registers along the worst path
     * @param start     where the worst path starts
     * @param end       where it ends
     * @param verdicts  the worst path against each clock of {@link TimingReport#clocks}, in that order
     */
    public record ModuleResult(String module, int instances, int cells, double periodNs, double fmaxMHz, int lutLevels,
            int carryBits, List<String> hardCells, PathPoint start, PathPoint end, List<Verdict> verdicts) {
        public ModuleResult {
            hardCells = List.copyOf(hardCells);
            verdicts = List.copyOf(verdicts);
        }
    }

    /**
     * A register-to-register path in source terms.
     *
     * @param module      the module it is counted in: the lowest one holding both its ends
     * @param periodNs    the clock period it needs (its delays plus the model's clock margin)
     * @param fmaxMHz     {@code 1000 / periodNs}
     * @param lutLevels   LUTs along it (LUT2 to LUT6, and distributed RAM and shift-register reads)
     * @param muxes       MUXF7, MUXF8 and MUXF9 along it (not counted as LUT levels)
     * @param carryBits   carry-chain bits it ripples through
     * @param hardCells   DSP and RAM stages without registers along it
     * @param start       where it starts
     * @param end         where it ends
     * @param steps       the cells in between, in order
     * @param javaSources the Java lines along it, from the generated Verilog's comments, in order, each once
     * @param verdicts    against each clock of {@link TimingReport#clocks}, in that order
     */
    public record TimingPath(String module, double periodNs, double fmaxMHz, int lutLevels, int muxes, int carryBits,
            List<String> hardCells, PathPoint start, PathPoint end, List<PathStep> steps, List<String> javaSources,
            List<Verdict> verdicts) {
        public TimingPath {
            hardCells = List.copyOf(hardCells);
            steps = List.copyOf(steps);
            javaSources = List.copyOf(javaSources);
            verdicts = List.copyOf(verdicts);
        }
    }

    /**
     * A path's start or end.
     *
     * @param instance the instance path below the path's module ({@code lane0/add}), empty for the module itself
     * @param cell     the primitive ({@code FDRE}, {@code RAMB36E2}, {@code DSP48E2}, ...), or {@code port}
     * @param signal   the register, memory or port in the Verilog's names, with the bit ({@code exp_5[8]})
     * @param source   the Java line of its declaration ({@code Fp32Add.java:98}), else the Verilog line, else empty
     */
    public record PathPoint(String instance, String cell, String signal, String source) {}

    /**
     * A cell along a path.
     *
     * @param instance  the instance path below the path's module, empty for the module itself
     * @param cell      the primitive ({@code LUT6}, {@code CARRY4}, {@code MUXF7}, {@code DSP48E2}, ...)
     * @param signal    the Verilog name of its output where Yosys kept one, else empty
     * @param source    the Java or Verilog line it comes from, where known, else empty
     * @param arrivalNs when its output settles after the clock edge
     */
    public record PathStep(String instance, String cell, String signal, String source, double arrivalNs) {}

    /**
     * DSP48E2, block RAM or URAM cells of one module whose output register is off.
     *
     * @param module        the module
     * @param cellType      {@code DSP48E2}, {@code RAMB36E2}, {@code RAMB18E2} or {@code URAM288}
     * @param missing       the registers that are off ({@code "MREG, PREG"}, {@code "DOA_REG"}, {@code "OREG_A"})
     * @param count         how many such cells the module has
     * @param feedsLogic    true when an output feeds anything but a flip-flop's D pin (logic, another block, a port)
     * @param example       the name of one of them
     * @param worstPeriodNs the clock period the worst path through one of them needs, or null when none is
     *                      complete within the module's hierarchy
     */
    public record UnregisteredOutput(String module, String cellType, String missing, int count, boolean feedsLogic,
            String example, double worstPeriodNs) {}
}
