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
import dev.tellmej.hdl.lib.LaneSerial;
import dev.tellmej.hdl.lib.Stream;
import dev.tellmej.hdl.lib.Timed;
import dev.tellmej.hdl.lib.fp.Fp32Mul;
import dev.tellmej.hdl.lib.fp.FpConvert;
import dev.tellmej.hdl.lib.fp.FpFormat;
import dev.tellmej.hdl.lib.fp.FpRelu2;
import dev.tellmej.hdl.lib.fp.FpSilu;
import dev.tellmej.model.numerics.StorageFormat;
import java.util.ArrayList;
import java.util.Collections;
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
 *
 * <p><b>Several activations</b> ({@link #Gating(List, int, int, StorageFormat)}): one unit computes each of them
 * on every lane and keeps the one the {@link #select} input names for the beat, so the multiply by u, the
 * storage rounding, the absmax and the queue are shared (the kernel has one unit for SiLU and ReLU², which never
 * run at once). Named {@code Gating_<act>_<act>..._l<L>_<format>[_p<P>]}.
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
    /** The activations, in the order {@link #select} counts them. */
    public final List<Activation> activations;
    private final UInt select;

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
        this(List.of(activation), lanes, physicalLanes, storage);
    }

    /**
     * A unit of L lanes a beat, P physical, that applies any of {@code activations}: the one {@link #select}
     * names, sampled with each beat.
     *
     * @throws InvalidParameterException when no activation or one twice is given, L < 1, or P does not divide L
     */
    public Gating(List<Activation> activations, int lanes, int physicalLanes, StorageFormat storage) {
        if (activations.isEmpty() || activations.stream().distinct().count() != activations.size()) {
            throw new InvalidParameterException(Locations.capture(), "Gating needs one or more distinct"
                    + " activations, got " + activations);
        }
        if (lanes < 1) {
            throw new InvalidParameterException(Locations.capture(), "Gating needs at least one lane, got " + lanes);
        }
        if (physicalLanes < 1 || lanes % physicalLanes != 0) {
            throw new InvalidParameterException(Locations.capture(), "Gating's physical lanes must divide its " + lanes
                    + " lanes, got " + physicalLanes);
        }
        FpFormat format = Storage.format(storage);
        this.activations = List.copyOf(activations);
        baseName("Gating_" + String.join("_", activations.stream().map(Activation::label).toList()));
        param("l", lanes);
        param("", format.name());
        if (physicalLanes < lanes) {
            param("p", physicalLanes);
        }
        in = in("in", Stream.of(new In(vec(lanes, bits(32)), vec(lanes, bits(32)), bool())));
        out = out("out", Stream.of(new Out(vec(lanes, bits(16)), bits(32), bool())));
        // f = st(act(g) * u) on every lane, P physical lanes taking the beat's slices one a cycle; the select goes
        // along with each lane's operands.
        select = activations.size() == 1 ? null : in("activation", uint(bitsFor(activations.size() - 1)));
        List<List<Bits>> operands = new ArrayList<>(List.of(in.payload.g(), in.payload.u()));
        if (select != null) {
            operands.add(Collections.nCopies(lanes, select.asBits()));
        }
        LaneSerial.Beat beats = LaneSerial.apply("f", in.fire(), operands, in.payload.last(), physicalLanes,
                (lane, values) -> product(this.activations, format, lane, values));

        // The absmax: the beat's largest magnitude (registered), folded into the vector's running maximum; two
        // registers after the beat's products.
        Vec<Bits> storedR = regNext("stored_r", new Vec<>(beats.values()));
        UInt beatMax = regNext("beat_max", format.maxMagnitude(beats.values()));
        Bool lastR = regNext("last_r", beats.last());
        Bool validR = regNext("valid_r", beats.valid(), 0);
        UInt running = reg("running_max", uint(15), 0);
        UInt vectorMax = mux(beatMax.gt(running), beatMax, running);
        when(validR, () -> running.set(mux(lastR, U(0, 15), vectorMax)));
        // The maximum is registered in the storage format and widened after the register, on its way into the
        // result buffer: the compare and the widening in one cycle were the unit's longest path.
        UInt absMaxOut = regNext("abs_max_out", vectorMax);
        Bits absMax = FpConvert.toFp32(format, cat(FALSE, absMaxOut));
        Out result = new Out(regNext("stored_out", storedR), absMax, regNext("last_out", lastR));
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
     * The activation a beat's {@code activation} input names, an index into {@link #activations}: {@code
     * bitsFor(activations - 1)} bits, sampled with each beat (other values give the last activation).
     *
     * @throws IllegalStateException for a unit of one activation, which has no such input
     */
    public UInt select() {
        if (select == null) {
            throw new IllegalStateException("this Gating applies " + activations.getFirst() + " only and has no"
                    + " activation input; build it with Gating(List.of(...), lanes, physicalLanes, storage)");
        }
        return select;
    }

    /** One lane's stored product, {@code st(act(g) * u)}: operands g, u and, with several activations, the select. */
    private static Timed<Bits> product(List<Activation> activations, FpFormat format, String lane,
            List<Timed<Bits>> operands) {
        Timed<Bits> g = operands.get(0);
        Timed<Bits> u = operands.get(1);
        Timed<Bits> act;
        if (activations.size() == 1) {
            act = activate(activations.getFirst(), lane + "_act", g);
        } else {
            List<Timed<Bits>> each = new ArrayList<>();
            for (Activation a : activations) {
                each.add(activate(a, lane + "_" + a.label(), g));
            }
            // Every activation computes; the shorter ones wait for the longest, and the select picks one, into a
            // register (for timing: the select lay in front of the multiplier's leading-zero count).
            act = Timed.zip(Timed.all(each), operands.get(2), (values, chosen) -> {
                Bits picked = values.getLast();
                for (int i = values.size() - 2; i >= 0; i--) {
                    picked = mux(chosen.asUInt().eq(i), values.get(i), picked);
                }
                return picked;
            }).named(lane + "_act").stage(lane + "_act_q");
        }
        return FpConvert.fromFp32(lane + "_store", format, Fp32Mul.apply(lane + "_mul", act, u));
    }

    private static Timed<Bits> activate(Activation activation, String name, Timed<Bits> x) {
        return activation == Activation.SILU ? FpSilu.apply(name, x) : FpRelu2.apply(name, x);
    }
}
