package dev.tellmej.sim.fp;

import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Data;
import dev.tellmej.sim.Port;
import dev.tellmej.sim.SimModel;

/**
 * Drives a fully pipelined unit of fixed latency (an {@code in_valid} and operands in, {@code out_valid} and a
 * result out): one operand set per cycle, every result read exactly {@code latency} cycles later, with
 * {@code out_valid} checked high then and low in the cycles around the burst. Ports are taken once; a cycle
 * costs a few port writes, one native step and one read.
 */
final class FixedLatencyDriver {
    private final SimModel sim;
    private final Port inValid;
    private final Port[] operands;
    private final Port outValid;
    private final Port result;
    private final int latency;

    FixedLatencyDriver(SimModel sim, Bool inValid, Data[] operands, Bool outValid, Data result, int latency) {
        this.sim = sim;
        this.inValid = sim.port(inValid);
        this.operands = new Port[operands.length];
        for (int i = 0; i < operands.length; i++) {
            this.operands[i] = sim.port(operands[i]);
        }
        this.outValid = sim.port(outValid);
        this.result = sim.port(result);
        this.latency = latency;
    }

    /** Results of a one-operand unit for {@code x}, as bit patterns. */
    long[] run(long[] x) {
        return run(new long[][] {x});
    }

    /** Results of a two-operand unit. */
    long[] run(long[] a, long[] b) {
        return run(new long[][] {a, b});
    }

    /**
     * Results for {@code values[k][i]}, operand k of input i (bit patterns; negative values fit SInt ports),
     * in input order.
     */
    long[] run(long[][] values) {
        int n = values[0].length;
        long[] out = new long[n];
        if (outValid.get() != 0) {
            throw new AssertionError("out_valid is high before any input");
        }
        for (int cycle = 0; cycle < n + latency; cycle++) {
            if (cycle < n) {
                for (int k = 0; k < operands.length; k++) {
                    operands[k].set(values[k][cycle]);
                }
                inValid.set(1);
            } else {
                inValid.set(0);
            }
            sim.step();
            int index = cycle + 1 - latency;
            boolean expected = index >= 0 && index < n;
            if ((outValid.get() != 0) != expected) {
                throw new AssertionError("out_valid is " + outValid.get() + " after " + (cycle + 1)
                        + " cycles of a burst of " + n + " (latency " + latency + ")");
            }
            if (expected) {
                out[index] = result.get();
            }
        }
        sim.step();
        if (outValid.get() != 0) {
            throw new AssertionError("out_valid stays high after the burst");
        }
        return out;
    }
}
