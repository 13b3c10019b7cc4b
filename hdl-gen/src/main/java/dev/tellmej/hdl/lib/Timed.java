package dev.tellmej.hdl.lib;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.ElaborationHelper;
import dev.tellmej.hdl.check.HdlUsageException;
import dev.tellmej.hdl.check.LatencyMismatchException;
import dev.tellmej.hdl.ir.Locations;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A value of a {@link Pipeline} and the cycle, counted from the pipeline's input, at which it is valid. Reading it
 * at a later cycle ({@link #at}) delays it through registers {@code <name>_d1, _d2, ...} that every later reader
 * shares; combining values ({@link #zip}) aligns them to the latest; a unit ({@link #through}) advances the
 * cycle by its latency. A steady value ({@link Pipeline#steady}) is valid at every cycle.
 *
 * @param <T> the value's shape (a Data, record, Vec or list)
 */
@ElaborationHelper
public final class Timed<T> {
    private final Pipeline pipeline;
    private final String name;
    private final T value;
    private final int cycle;
    private final boolean steady;
    private Delay.Line<T> line;

    Timed(Pipeline pipeline, String name, T value, int cycle, boolean steady) {
        this.pipeline = pipeline;
        this.name = name;
        this.value = value;
        this.cycle = cycle;
        this.steady = steady;
    }

    /** The pipeline this value belongs to. */
    public Pipeline pipeline() {
        return pipeline;
    }

    /** The value in its own cycle. */
    public T value() {
        return value;
    }

    /** The cycle at which {@link #value()} is valid (0 for a steady value). */
    public int cycle() {
        return cycle;
    }

    /** True for a value valid at every cycle (a constant or a register held steady). */
    public boolean isSteady() {
        return steady;
    }

    /** The name of its delay registers, or null for a value not named yet (a {@link #map} or {@link #zip}). */
    public String name() {
        return name;
    }

    /**
     * The value as it is at {@code later} (at least {@link #cycle()}): delayed by {@code later - cycle()}
     * registers, the line shared with every other read of this value. A steady value is returned as it is.
     */
    public T at(int later) {
        if (steady || later == cycle) {
            return value;
        }
        if (later < cycle) {
            throw new HdlUsageException("pipeline " + pipeline.name() + ": " + describe() + " is valid at cycle "
                    + cycle + " and cannot be read at cycle " + later + ", before it exists");
        }
        if (name == null) {
            throw new HdlUsageException("pipeline " + pipeline.name() + ": a value valid at cycle " + cycle
                    + " is read at cycle " + later + ", which needs delay registers: give it a name with named(...)");
        }
        if (line == null) {
            line = Delay.line(name, value);
        }
        return line.tap(later - cycle);
    }

    /** The same value and cycle under {@code name}, which its delay registers take ({@code name_d1, ...}). */
    public Timed<T> named(String name) {
        return new Timed<>(pipeline, name, value, cycle, steady);
    }

    /** A combinational function of the value, valid in the same cycle (no registers; unnamed). */
    public <R> Timed<R> map(Function<? super T, ? extends R> f) {
        return new Timed<>(pipeline, null, f.apply(value), cycle, steady);
    }

    /** The value registered once ({@code name}, no reset): valid one cycle later, named {@code name}. */
    public Timed<T> stage(String name) {
        return new Timed<>(pipeline, name, regNext(name, value), cycle + 1, steady);
    }

    /**
     * This value into a fixed-latency unit: {@code unit} places the unit, named {@code name}, in the module under
     * construction, fed by a flow of this value and the pipeline's valid of this cycle ({@code Fp32Mul::apply},
     * say), and returns the unit's result flow, which is valid {@code latency} cycles later. The result is
     * named {@code name}; its valid becomes the pipeline's valid of that cycle. A steady value enters at cycle 0.
     */
    public <R> Timed<R> through(String name, int latency, BiFunction<String, Flow<T>, Flow<R>> unit) {
        if (latency < 0) {
            throw new HdlUsageException("unit " + name + ": latency " + latency);
        }
        int start = steady ? 0 : cycle;
        Flow<R> result = unit.apply(name, new Flow<>(pipeline.valid(start), value));
        pipeline.arrive(start + latency, name + "_valid", result.valid);
        return new Timed<>(pipeline, name, result.payload, start + latency, false);
    }

    /** The value as a flow: valid with the pipeline's valid of its cycle. */
    public Flow<T> flow() {
        return new Flow<>(pipeline.valid(steady ? 0 : cycle), value);
    }

    /**
     * {@link #flow()}, checking that the value is valid exactly {@code documented} cycles after the input: a
     * unit whose {@code LATENCY} constant is documented calls this with it, so the constant can never drift
     * from the structure that derives it.
     *
     * @throws LatencyMismatchException when the value is valid at another cycle
     */
    public Flow<T> flow(int documented) {
        if (cycle != documented) {
            throw new LatencyMismatchException(Locations.capture(), "pipeline " + pipeline.name() + ": "
                    + describe() + " is valid " + cycle + " cycles after the input, but the documented latency is "
                    + documented + "; correct the documented figure (and the docs that quote it) or the pipeline");
        }
        return flow();
    }

    /** Two values combined in the cycle of the later one (the earlier one delayed). */
    public static <A, B, R> Timed<R> zip(Timed<A> a, Timed<B> b, BiFunction<? super A, ? super B, ? extends R> f) {
        Pipeline pipeline = common(a, b);
        int cycle = latest(a, b);
        return new Timed<>(pipeline, null, f.apply(a.at(cycle), b.at(cycle)), Math.max(cycle, 0), cycle < 0);
    }

    /** A function of three values. */
    @FunctionalInterface
    public interface Function3<A, B, C, R> {
        R apply(A a, B b, C c);
    }

    /** Three values combined in the cycle of the latest. */
    public static <A, B, C, R> Timed<R> zip(Timed<A> a, Timed<B> b, Timed<C> c,
            Function3<? super A, ? super B, ? super C, ? extends R> f) {
        Pipeline pipeline = common(a, b, c);
        int cycle = latest(a, b, c);
        return new Timed<>(pipeline, null, f.apply(a.at(cycle), b.at(cycle), c.at(cycle)), Math.max(cycle, 0),
                cycle < 0);
    }

    /** Values of one shape (lanes, say) aligned to the latest, as a list. */
    public static <T> Timed<List<T>> all(List<Timed<T>> values) {
        if (values.isEmpty()) {
            throw new HdlUsageException("Timed.all of no values");
        }
        Pipeline pipeline = common(values.toArray(Timed<?>[]::new));
        int cycle = latest(values.toArray(Timed<?>[]::new));
        List<T> aligned = new ArrayList<>();
        for (Timed<T> v : values) {
            aligned.add(v.at(cycle));
        }
        return new Timed<>(pipeline, null, aligned, Math.max(cycle, 0), cycle < 0);
    }

    private String describe() {
        return name == null ? "a value" : "value " + name;
    }

    private static Pipeline common(Timed<?>... values) {
        Pipeline pipeline = values[0].pipeline;
        for (Timed<?> v : values) {
            if (v.pipeline != pipeline) {
                throw new HdlUsageException("values of pipelines " + pipeline.name() + " and " + v.pipeline.name()
                        + " combined; their cycles count from different inputs");
            }
        }
        return pipeline;
    }

    /** The latest cycle among values that are not steady; -1 when all are. */
    private static int latest(Timed<?>... values) {
        int cycle = -1;
        for (Timed<?> v : values) {
            if (!v.steady) {
                cycle = Math.max(cycle, v.cycle);
            }
        }
        return cycle;
    }
}
