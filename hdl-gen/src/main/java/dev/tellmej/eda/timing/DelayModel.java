package dev.tellmej.eda.timing;

/**
 * The delays a {@link TimingAnalysis} adds up along a path, in nanoseconds: a proxy for register-to-register
 * timing on a mapped but unplaced netlist, not timing. Every figure is a round, typical value of the kind Vivado's
 * timing reports show for a -2 UltraScale+ device; placement, routing congestion, clock skew and the part's
 * actual speed file (the KV260's XCK26 is a -2LV part) move real delays by tens of percent either way.
 *
 * <p>A path's figure is the clock period it needs: the start's clock-to-out, each cell's delay and each net's
 * between them, the end's setup time, and {@link #clockMargin} for clock skew and uncertainty. With these
 * values a path from a flip-flop through six LUTs to a flip-flop, each net of fanout 4 and the last LUT the
 * flip-flop's alone, needs 0.10 + 6 x (0.38 + 0.10) + 0.05 + 0.05 + 0.15 = 3.23 ns (fits 300 MHz, 3.33 ns);
 * seven LUTs need 3.71 ns (fits 250 MHz, 4 ns, not 300); eight need 4.19 ns.
 *
 * @param clockToQ                 flip-flop clock to Q
 * @param ffSetup                  flip-flop setup, D pin
 * @param ffControlSetup           flip-flop setup, CE and set/reset pins
 * @param clockMargin              clock skew and uncertainty, added once per path
 * @param netBase                  a net through general routing with one load
 * @param netPerFanoutDoubling     added to a net for each doubling of its loads ({@code log2(fanout)} times)
 * @param netLocal                 a LUT, MUXF or carry output into the flip-flop beside it (its only load)
 * @param lut                      a LUT2 to LUT6 (INV and LUT1 count nothing: Vivado folds them into their
 *                                 neighbours)
 * @param muxf                     a MUXF7, MUXF8 or MUXF9 (fed by its LUTs without routing)
 * @param carryEntry               a carry chain entered at a bit's S or DI pin, to that bit's outputs
 * @param carryPerBit              each further bit a carry ripples through (CARRY4 or CARRY8 alike)
 * @param lutramClockToOut         distributed RAM (RAM32M, RAM64M, ...), write clock to data out
 * @param lutramRead               distributed RAM, read address to data out (the LUT it is)
 * @param lutramSetup              distributed RAM setup: data, write enable, address
 * @param srlClockToOut            shift register (SRL16E, SRLC32E), clock to Q
 * @param srlSetup                 shift register setup: D and CE (its address to Q counts as {@link #lutramRead})
 * @param bramClockToOut           block RAM (RAMB18E2, RAMB36E2) clock to data out without its output register
 *                                 ({@code DOA_REG}/{@code DOB_REG} = 0)
 * @param bramClockToOutRegistered block RAM clock to data out through its output register
 * @param bramSetup                block RAM setup: address, data, enables
 * @param uramClockToOut           URAM288 clock to data out without its output register ({@code OREG_A}/{@code _B})
 * @param uramClockToOutRegistered URAM288 clock to data out through its output register
 * @param uramSetup                URAM288 setup
 * @param dspClockToOut            DSP48E2 clock to P through its P register ({@code PREG})
 * @param dspInternalClockToOut    clock to out of a DSP48E2's inner register (A, B, C, D, AD, M)
 * @param dspSetup                 DSP48E2 setup at a register, at its pins or inside
 * @param dspPreAdder              DSP48E2 pre-adder (when the multiplier takes {@code AD})
 * @param dspMultiplier            DSP48E2 multiplier
 * @param dspAlu                   DSP48E2 ALU, to P
 */
public record DelayModel(double clockToQ, double ffSetup, double ffControlSetup, double clockMargin, double netBase,
        double netPerFanoutDoubling, double netLocal, double lut, double muxf, double carryEntry, double carryPerBit,
        double lutramClockToOut, double lutramRead, double lutramSetup, double srlClockToOut, double srlSetup,
        double bramClockToOut, double bramClockToOutRegistered, double bramSetup, double uramClockToOut,
        double uramClockToOutRegistered, double uramSetup, double dspClockToOut, double dspInternalClockToOut,
        double dspSetup, double dspPreAdder, double dspMultiplier, double dspAlu) {

    /** Typical -2 UltraScale+ figures (the values in the class comment's arithmetic). */
    public static final DelayModel ULTRASCALE_PLUS = new DelayModel(
            0.10, 0.05, 0.10, 0.15, 0.30,
            0.04, 0.05, 0.10, 0.10, 0.12, 0.006,
            0.90, 0.15, 0.30, 0.80, 0.15,
            0.90, 0.35, 0.45, 1.30,
            0.50, 0.50, 0.35, 0.25,
            0.25, 0.60, 1.50, 0.90);

    /** A net through general routing to {@code fanout} loads: {@code netBase + netPerFanoutDoubling * log2(fanout)}. */
    public double net(int fanout) {
        return netBase + netPerFanoutDoubling * (Math.log(Math.max(1, fanout)) / Math.log(2));
    }

    /** The clock period of {@code mhz}, in nanoseconds. */
    public static double periodNs(double mhz) {
        return 1000.0 / mhz;
    }
}
