package dev.tellmej.sim.fp;

import dev.tellmej.hdl.Data;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.sim.Port;
import dev.tellmej.sim.SimModel;
import java.util.List;

/**
 * Drives a pipelined unit of fixed latency (an input flow of operands, an output flow of one result):
 * one operand set per cycle (or every so many cycles), every result read exactly {@code latency} cycles later, with {@code out_valid}
 * checked high then and low in the cycles around the burst. Ports are taken once; a cycle costs a few port
 * writes, one native step and one read.
 */
final class FixedLatencyDriver {
    private final SimModel sim;
    private final Port inValid;
    private final Port[] operands;
    private final Port outValid;
    private final Port result;
    private final int latency;

    /** The unit's ports: the operands are the input payload's fields in declaration order. */
    FixedLatencyDriver(SimModel sim, Flow<?> in, Flow<? extends Data> out, int latency) {
        this.sim = sim;
        this.inValid = sim.port(in.valid);
        List<Data> fields = Hdl.leaves(in.payload);
        this.operands = new Port[fields.size()];
        for (int i = 0; i < fields.size(); i++) {
            this.operands[i] = sim.port(fields.get(i));
        }
        this.outValid = sim.port(out.valid);
        this.result = sim.port(out.payload);
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
        return runSpaced(1, values);
    }

    /**
     * Results for {@code values[k][i]} with input i given at cycle {@code i * interval} (a unit with shared
     * arithmetic takes an input at most every so many cycles), in input order.
     */
    long[] runSpaced(int interval, long[][] values) {
        int n = values[0].length;
        long[] out = new long[n];
        if (outValid.get() != 0) {
            throw new AssertionError("out_valid is high before any input");
        }
        int span = (n - 1) * interval + 1;
        for (int cycle = 0; cycle < span + latency; cycle++) {
            if (cycle < span && cycle % interval == 0) {
                for (int k = 0; k < operands.length; k++) {
                    operands[k].set(values[k][cycle / interval]);
                }
                inValid.set(1);
            } else {
                inValid.set(0);
            }
            sim.step();
            int issued = cycle + 1 - latency;
            boolean expected = issued >= 0 && issued < span && issued % interval == 0;
            if ((outValid.get() != 0) != expected) {
                throw new AssertionError("out_valid is " + outValid.get() + " after " + (cycle + 1)
                        + " cycles of a burst of " + n + " (latency " + latency + ", an input every " + interval
                        + " cycles)");
            }
            if (expected) {
                out[issued / interval] = result.get();
            }
        }
        sim.step();
        if (outValid.get() != 0) {
            throw new AssertionError("out_valid stays high after the burst");
        }
        return out;
    }
}
