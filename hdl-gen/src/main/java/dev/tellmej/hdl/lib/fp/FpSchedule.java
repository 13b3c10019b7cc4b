package dev.tellmej.hdl.lib.fp;

/** How a multi-step binary32 unit ({@link FpReciprocal}, {@link FpRsqrt}) lays out its arithmetic. */
public enum FpSchedule {
    /** A multiplier or an adder for every step: one input per cycle. */
    PIPELINED,
    /**
     * One multiplier and one adder for all the steps ({@link Fp32SharedOps}): the same results bit for bit, a cycle
     * later a step (the shared units' operand register), with two units where the pipelined schedule has five or
     * six; inputs must come at least the unit's latency apart (a simulation assertion stops a run where two collide). For units used once per
     * vector or head.
     */
    SHARED
}
