package dev.tellmej.accel.elementwise;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.Vec;
import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.hdl.ir.Locations;
import dev.tellmej.hdl.lib.CreditBuffer;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.Pipeline;
import dev.tellmej.hdl.lib.Stream;
import dev.tellmej.hdl.lib.Timed;
import dev.tellmej.hdl.lib.fp.Fp32Mul;
import dev.tellmej.hdl.lib.fp.FpConvert;
import dev.tellmej.hdl.lib.fp.FpFormat;
import dev.tellmej.hdl.lib.fp.FpRelu2;
import dev.tellmej.hdl.lib.fp.FpSilu;
import dev.tellmej.model.numerics.StorageFormat;
import java.util.ArrayList;
import java.util.List;

/**
 * The gated FFN product of NUMERICS.md N17.3.3, L lanes per beat: {@code f = st(act(g) * u)} with g and u the
 * dequantized binary32 gate and up projections (N8), act SiLU (N12.1) or ReLU² (N12.2), one RNE multiply and
 * storage rounding (N4). The unit also finds the per-vector absmax of the stored f (N6.1), which the
 * quantization of the down projection's input needs, and delivers it with the vector's last beat.
 *
 * <p>Streams: {@code in} carries L (g, u) pairs per beat, {@code last} on a vector's final beat (vectors of
 * other lengths are padded with zeros, which change neither f's kept elements nor the absmax); {@code out}
 * carries L stored f per beat, and on the last beat {@code absMax}, the binary32 value of max |f| (NaN when any
 * f is NaN). Backpressure through a {@link CreditBuffer}; latency {@link #latency} cycles.
 *
 * <p>The unit computes with P physical lanes (P divides L): with P = L it takes a beat every cycle; with P < L it
 * holds a beat and passes it through its P lanes in L / P cycles, taking the next beat after them, for 1 / (L / P)
 * of the cost. The kernel's epilogue feeds it a beat every four cycles at most (it reads the other operand from an
 * activation buffer first), so there L = 4 values need only one lane. Cost per physical lane: one {@link FpSilu}
 * (12 DSP48E2) or {@link FpRelu2} (2), one {@code Fp32Mul} (2), a conversion. Named
 * {@code Gating_<act>_l<L>_<format>}, with {@code _p<P>} when P < L.
 */
public final class Gating extends Module {
    /** One input beat: L gate and L up values (binary32). */
    public record In(Vec<Bits> g, Vec<Bits> u, Bool last) {}

    /** One output beat: L stored products; on the last beat the vector's absmax (binary32). */
    public record Out(Vec<Bits> f, Bits absMax, Bool last) {}

    public final Stream<In> in;
    public final Stream<Out> out;
    /** Cycles from an input beat to its output beat (without stalls). */
    public final int latency;

    /** A unit of L physical lanes: a beat every cycle. */
    public Gating(Activation activation, int lanes, StorageFormat storage) {
        this(activation, lanes, lanes, storage);
    }

    /**
     * A unit of L lanes a beat computed by P physical lanes: a beat every L / P cycles.
     *
     * @throws InvalidParameterException when L < 1, or P does not divide L
     */
    public Gating(Activation activation, int lanes, int physicalLanes, StorageFormat storage) {
        if (lanes < 1) {
            throw new InvalidParameterException(Locations.capture(), "Gating needs at least one lane, got " + lanes);
        }
        if (physicalLanes < 1 || lanes % physicalLanes != 0) {
            throw new InvalidParameterException(Locations.capture(), "Gating's physical lanes must divide its " + lanes
                    + " lanes, got " + physicalLanes);
        }
        FpFormat format = Storage.format(storage);
        baseName("Gating_" + activation.label());
        param("l", lanes);
        param("", format.name());
        if (physicalLanes < lanes) {
            param("p", physicalLanes);
        }
        in = in("in", Stream.of(new In(vec(lanes, bits(32)), vec(lanes, bits(32)), bool())));
        out = out("out", Stream.of(new Out(vec(lanes, bits(16)), bits(32), bool())));
        Beats beats = physicalLanes == lanes ? parallel(activation, lanes, format) : serial(activation, lanes,
                physicalLanes, format);

        // The absmax: the beat's largest magnitude (registered), folded into the vector's running maximum; two
        // registers after the beat's products.
        Vec<Bits> storedR = regNext("stored_r", new Vec<>(beats.f()));
        UInt beatMax = regNext("beat_max", format.maxMagnitude(beats.f()));
        Bool lastR = regNext("last_r", beats.last());
        Bool validR = regNext("valid_r", beats.valid(), 0);
        UInt running = reg("running_max", uint(15), 0);
        UInt vectorMax = mux(beatMax.gt(running), beatMax, running);
        when(validR, () -> running.set(mux(lastR, U(0, 15), vectorMax)));
        Bits absMax = FpConvert.toFp32(format, cat(FALSE, vectorMax));
        Out result = new Out(regNext("stored_out", storedR), regNext("abs_max_out", absMax), regNext("last_out", lastR));
        Bool resultValid = regNext("result_valid", validR, 0);
        latency = beats.latency() + 2;

        // A beat every L / P cycles: at most latency / (L / P) of them are in flight.
        int cyclesPerBeat = lanes / physicalLanes;
        CreditBuffer<Out> buffer = new CreditBuffer<>("result", new Out(vec(lanes, bits(16)), bits(32), bool()),
                CreditBuffer.depthFor((latency + cyclesPerBeat - 1) / cyclesPerBeat));
        in.ready.set(buffer.available().and(beats.idle()));
        buffer.issue(in.fire());
        buffer.connect(new Flow<>(resultValid, result)).connectTo(out);
    }

    /**
     * A beat's stored products as they leave the lanes.
     *
     * @param valid    true in the cycle they are complete
     * @param f        the L stored products
     * @param last     the beat's last flag
     * @param latency  cycles from the input beat's fire to {@code valid}
     * @param idle     true when the lanes can take a beat
     */
    private record Beats(Bool valid, List<Bits> f, Bool last, int latency, Bool idle) {}

    /** f = st(act(g) * u) on every lane of the beat at once. */
    private Beats parallel(Activation activation, int lanes, FpFormat format) {
        Pipeline pipe = new Pipeline("fire", in.fire());
        List<Timed<Bits>> stored = new ArrayList<>();
        for (int lane = 0; lane < lanes; lane++) {
            stored.add(product(activation, format, "lane" + lane, pipe.input("lane" + lane + "_g",
                    in.payload.g().get(lane)), pipe.input("lane" + lane + "_u", in.payload.u().get(lane))));
        }
        Timed<List<Bits>> f = Timed.all(stored);
        int products = f.cycle();
        return new Beats(pipe.valid(products), f.value(), pipe.input("last", in.payload.last()).at(products), products,
                TRUE);
    }

    /**
     * f on P lanes, the beat's L / P slices one a cycle from the cycle it is taken (the first from the input, the
     * others from the held beat); the slices' results are collected and the beat is complete with its last slice.
     * The next beat is taken in the cycle after the last slice goes in.
     */
    private Beats serial(Activation activation, int lanes, int physical, FpFormat format) {
        int slices = lanes / physical;
        int sliceBits = log2Up(slices);
        int heldLanes = lanes - physical;   // slices 1 and up
        Vec<Bits> gHeld = reg("g_held", vec(heldLanes, bits(32)), 0);
        Vec<Bits> uHeld = reg("u_held", vec(heldLanes, bits(32)), 0);
        Bool lastHeld = reg("last_held", bool(), 0);
        // Slice 0 goes in with the beat, straight from the input; the held beat gives the others.
        Bool busy = reg("busy", bool(), 0);
        UInt slice = reg("slice", uint(sliceBits), 0);
        when(in.fire(), () -> {
            for (int i = 0; i < heldLanes; i++) {
                gHeld.get(i).set(in.payload.g().get(physical + i));
                uHeld.get(i).set(in.payload.u().get(physical + i));
            }
            lastHeld.set(in.payload.last());
            busy.set(true);
            slice.set(1);
        }).elseWhen(busy, () -> {
            slice.set(slice.add(1).trunc(sliceBits));
            when(slice.eq(slices - 1), () -> busy.set(false));
        });
        UInt sliceNow = mux(busy, slice, U(0, sliceBits)).named("slice_now");
        Bool lastNow = mux(busy, lastHeld, in.payload.last()).named("last_now");

        Pipeline pipe = new Pipeline("issue", in.fire().or(busy));
        List<Timed<Bits>> stored = new ArrayList<>();
        for (int lane = 0; lane < physical; lane++) {
            List<Bits> gs = new ArrayList<>();
            List<Bits> us = new ArrayList<>();
            gs.add(in.payload.g().get(lane));   // slice 0: only ever taken while not busy
            us.add(in.payload.u().get(lane));
            for (int s = 1; s < slices; s++) {
                gs.add(gHeld.get((s - 1) * physical + lane));
                us.add(uHeld.get((s - 1) * physical + lane));
            }
            String l = "lane" + lane;
            stored.add(product(activation, format, l, pipe.input(l + "_g", select(l + "_g_slice", sliceNow, gs)),
                    pipe.input(l + "_u", select(l + "_u_slice", sliceNow, us))));
        }
        Timed<List<Bits>> f = Timed.all(stored);
        int products = f.cycle();
        UInt sliceOut = pipe.input("slice", sliceNow).at(products);
        Bool lastOut = pipe.input("last", lastNow).at(products);
        Bool sliceValid = pipe.valid(products);

        // Earlier slices wait in registers; the last one completes the beat as it arrives.
        List<Bits> beat = new ArrayList<>();
        for (int s = 0; s < slices; s++) {
            for (int lane = 0; lane < physical; lane++) {
                Bits value = f.value().get(lane);
                if (s == slices - 1) {
                    beat.add(value);
                } else {
                    Bits kept = reg("slice" + s + "_f" + lane, bits(widthOf(value)), 0);
                    int index = s;
                    when(sliceValid.and(sliceOut.eq(index)), () -> kept.set(value));
                    beat.add(kept);
                }
            }
        }
        Bool complete = sliceValid.and(sliceOut.eq(slices - 1)).named("beat_complete");
        return new Beats(complete, beat, lastOut, products + slices - 1, busy.not());
    }

    /**
     * The fewest physical lanes that keep up with a beat of {@code lanes} values every {@code cyclesPerBeat}
     * cycles: the smallest P dividing L with L / P at most {@code cyclesPerBeat}.
     */
    public static int physicalLanesFor(int lanes, int cyclesPerBeat) {
        for (int p = 1; p < lanes; p++) {
            if (lanes % p == 0 && lanes / p <= cyclesPerBeat) {
                return p;
            }
        }
        return lanes;
    }

    /** One lane's stored product, {@code st(act(g) * u)}. */
    private static Timed<Bits> product(Activation activation, FpFormat format, String lane, Timed<Bits> g,
            Timed<Bits> u) {
        Timed<Bits> act = activate(activation, lane + "_act", g);
        return FpConvert.fromFp32(lane + "_store", format, Fp32Mul.apply(lane + "_mul", act, u));
    }

    /** {@code values[index]}, a multiplexer named {@code name}. */
    private static Bits select(String name, UInt index, List<Bits> values) {
        Bits chosen = values.getLast();
        for (int i = values.size() - 2; i >= 0; i--) {
            chosen = mux(index.eq(i), values.get(i), chosen);
        }
        return chosen.named(name);
    }

    private static Timed<Bits> activate(Activation activation, String name, Timed<Bits> x) {
        return activation == Activation.SILU ? FpSilu.apply(name, x) : FpRelu2.apply(name, x);
    }
}
