package dev.tellmej.hdl.lib;

import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.ElaborationHelper;
import dev.tellmej.hdl.check.HdlUsageException;
import java.util.Map;
import java.util.TreeMap;

/**
 * A fixed-latency pipeline without stalls, in the module under construction: it counts cycles from its input
 * (cycle 0, the cycle its {@code valid} is true) and tags every value with the cycle at which it is valid
 * ({@link Timed}). Passing values through a unit of latency n gives a result valid n cycles after its latest
 * operand; reading a value at a later cycle than its own inserts the delay registers ({@link Delay}, named
 * {@code <name>_d1, _d2, ...}, shared by every later reader); the pipeline's latency is the cycle of its
 * result. No latency is ever added up by hand.
 *
 * <pre>{@code
 * Pipeline pipe = new Pipeline("valid", in.valid);
 * Timed<Bits> a = pipe.input("a", in.payload.a());
 * Timed<Bits> c = pipe.input("c", in.payload.c());
 * Timed<Bits> product = Fp32Mul.apply("mul", a, pipe.input("b", in.payload.b()));   // cycle 7
 * Timed<Bits> sum = Fp32Add.apply("add", product, c);     // c delayed by c_d1 .. c_d7; cycle 13
 * sum.flow().connectTo(out);                             // out.valid: the adder's own valid
 * }</pre>
 *
 * <p>Valid bits follow the data: a unit's input valid is the pipeline's valid at its input cycle, and its
 * output valid becomes the pipeline's valid at its output cycle, so the valid of a cycle costs nothing where
 * a unit ends and is delayed from the closest earlier one elsewhere (registers reset to 0,
 * {@code <name>_valid_d1, ...}). Build a pipeline outside {@code when} blocks: its registers load every cycle.
 */
@ElaborationHelper
public final class Pipeline {
    private final String name;
    /** Valid lines by the cycle they start at: the input's and every unit's output valid. */
    private final TreeMap<Integer, Delay.Line<Bool>> valids = new TreeMap<>();

    /**
     * A pipeline whose input is valid when {@code valid} is true; delayed copies of that valid are named
     * {@code name_d1, name_d2, ...}.
     */
    public Pipeline(String name, Bool valid) {
        this.name = name;
        valids.put(0, Delay.validLine(name, valid));
    }

    /** The name given at construction. */
    public String name() {
        return name;
    }

    /** A value valid at the input (cycle 0); {@code name} names its delay registers. */
    public <T> Timed<T> input(String name, T value) {
        return at(0, name, value);
    }

    /**
     * A value valid at {@code cycle}, made by stages written by hand (registers the caller counted, such as a
     * memory's synchronous read one cycle after the input).
     */
    public <T> Timed<T> at(int cycle, String name, T value) {
        if (cycle < 0) {
            throw new HdlUsageException("pipeline " + this.name + ": value " + name + " at cycle " + cycle
                    + "; cycles count from the input, 0");
        }
        return new Timed<>(this, name, value, cycle, false);
    }

    /**
     * A value that does not change while the pipeline needs it: a constant, or a register the surrounding
     * logic holds steady. It is valid at every cycle and never delayed.
     */
    public <T> Timed<T> steady(T value) {
        return new Timed<>(this, null, value, 0, true);
    }

    /** The valid of {@code cycle}: true when the value the input took in {@code cycle} cycles ago is there. */
    public Bool valid(int cycle) {
        if (cycle < 0) {
            throw new HdlUsageException("pipeline " + name + ": no valid at cycle " + cycle);
        }
        Map.Entry<Integer, Delay.Line<Bool>> closest = valids.floorEntry(cycle);
        return closest.getValue().tap(cycle - closest.getKey());
    }

    /**
     * Records {@code valid} (a unit's output valid, {@code name} its line's name) as the valid of {@code cycle},
     * unless a valid of that cycle exists already.
     */
    void arrive(int cycle, String name, Bool valid) {
        Map.Entry<Integer, Delay.Line<Bool>> closest = valids.floorEntry(cycle);
        if (closest.getKey() + closest.getValue().length() >= cycle) {
            return;
        }
        valids.put(cycle, Delay.validLine(name, valid));
    }
}
