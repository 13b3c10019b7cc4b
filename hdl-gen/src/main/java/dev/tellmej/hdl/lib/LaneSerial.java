package dev.tellmej.hdl.lib;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.ElaborationHelper;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.Vec;
import dev.tellmej.hdl.check.HdlUsageException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * A beat of L lanes through P physical copies of a per-lane pipeline (P divides L), in the module under
 * construction: the beat's L / P slices go in one a cycle (the first straight from the input in the cycle the
 * beat is taken, the others from registers), the results of the earlier slices wait in registers, and the beat
 * is complete with its last slice. For a unit fed more slowly than a beat a cycle (an epilogue that reads an
 * operand from a buffer first): P / L of the logic for the same results.
 *
 * <pre>{@code
 * LaneSerial.Beat beat = LaneSerial.apply("add", in.fire(), List.of(hs, ys), in.payload.last(), 1,
 *         (lane, operands) -> Fp32Add.apply(lane + "_add", operands.get(0), operands.get(1)));
 * in.ready.set(room.and(beat.idle()));    // the next beat waits until the last slice has gone in
 * }</pre>
 *
 * <p>Registers: {@code <name>_busy}, {@code <name>_slice}, the held inputs {@code <name>_held_<field>_<lane>},
 * a physical lane's chosen operands {@code <name>_lane<p>_in<field>_q} (so a lane's pipeline starts a cycle after
 * the beat is taken), the kept results {@code <name>_slice<s>_<p>} (slice s of physical lane p); each physical
 * lane's pipeline is built by the caller with the name it is given ({@code <name>_lane<p>}).
 */
@ElaborationHelper
public final class LaneSerial {
    private LaneSerial() {}

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

    /**
     * A beat's results as they leave the lanes.
     *
     * @param valid   true in the cycle the beat's results are complete
     * @param values  the L results, in lane order
     * @param last    the beat's {@code last} flag, alongside
     * @param latency cycles from the beat being taken to {@code valid}
     * @param idle    true when a beat may be taken this cycle
     */
    public record Beat(Bool valid, List<Bits> values, Bool last, int latency, Bool idle) {}

    /**
     * Builds the lanes.
     *
     * @param name     prefix of every register and of the physical lanes' names
     * @param take     true in the cycle a beat is taken (only while {@link Beat#idle})
     * @param inputs   the beat's operands, by field then lane ({@code inputs.get(f).get(lane)}), L lanes each
     * @param last     the beat's {@code last} flag
     * @param physical P, the physical lanes: a divisor of L
     * @param lane     builds one physical lane from its name and its operands (one Timed per field, cycle 0)
     */
    public static Beat apply(String name, Bool take, List<List<Bits>> inputs, Bool last, int physical,
            BiFunction<String, List<Timed<Bits>>, Timed<Bits>> lane) {
        int lanes = inputs.getFirst().size();
        if (physical < 1 || lanes % physical != 0) {
            throw new HdlUsageException("LaneSerial " + name + ": the physical lanes must divide"
                    + " the " + lanes + " lanes, got " + physical);
        }
        int slices = lanes / physical;
        int sliceBits = Math.max(1, log2Up(slices));

        if (slices == 1) {
            // Every lane has its own pipeline: a beat a cycle.
            Pipeline pipe = new Pipeline(name + "_issue", take);
            List<Timed<Bits>> results = new ArrayList<>();
            for (int p = 0; p < physical; p++) {
                List<Timed<Bits>> operands = new ArrayList<>();
                for (int f = 0; f < inputs.size(); f++) {
                    operands.add(pipe.input(name + "_lane" + p + "_in" + f + "_t", inputs.get(f).get(p)));
                }
                results.add(lane.apply(name + "_lane" + p, operands));
            }
            Timed<List<Bits>> all = Timed.all(results);
            return new Beat(pipe.valid(all.cycle()), all.value(), pipe.input(name + "_last_t", last).at(all.cycle()),
                    all.cycle(), TRUE);
        }

        // The held beat: slices 1 and up, taken with the beat.
        List<List<Bits>> held = new ArrayList<>();
        for (int f = 0; f < inputs.size(); f++) {
            List<Bits> field = new ArrayList<>();
            for (int i = physical; i < lanes; i++) {
                Bits value = inputs.get(f).get(i);
                field.add(regNextWhen(name + "_held_" + f + "_" + i, value, take, 0));
            }
            held.add(field);
        }
        Bool lastHeld = regNextWhen(name + "_last_held", last, take, 0);
        Bool busy = reg(name + "_busy", bool(), 0);
        UInt slice = reg(name + "_slice", uint(sliceBits), 0);
        when(take, () -> {
            busy.set(true);
            slice.set(1);
        }).elseWhen(busy, () -> {
            slice.set(slice.add(1).trunc(sliceBits));
            when(slice.eq(slices - 1), () -> busy.set(false));
        });
        UInt sliceNow = mux(busy, slice, U(0, sliceBits)).named(name + "_slice_now");
        Bool lastNow = mux(busy, lastHeld, last).named(name + "_last_now");

        Pipeline pipe = new Pipeline(name + "_issue", take.or(busy));
        List<Timed<Bits>> results = new ArrayList<>();
        for (int p = 0; p < physical; p++) {
            String l = name + "_lane" + p;
            List<Timed<Bits>> operands = new ArrayList<>();
            for (int f = 0; f < inputs.size(); f++) {
                List<Bits> bySlice = new ArrayList<>();
                bySlice.add(inputs.get(f).get(p));   // slice 0: only ever taken while not busy
                for (int s = 1; s < slices; s++) {
                    bySlice.add(held.get(f).get((s - 1) * physical + p));
                }
                Bits chosen = new Vec<>(bySlice).get(l + "_in" + f, sliceNow);
                // The slice's operand is registered before the lane: the slice select and the caller's own
                // selects in front of a unit's first stage were one path.
                operands.add(pipe.input(l + "_in" + f + "_t", chosen).stage(l + "_in" + f + "_q"));
            }
            results.add(lane.apply(l, operands));
        }
        Timed<List<Bits>> all = Timed.all(results);
        int out = all.cycle();
        UInt sliceOut = pipe.input(name + "_slice_t", sliceNow).at(out);
        Bool lastOut = pipe.input(name + "_last_t", lastNow).at(out);
        Bool sliceValid = pipe.valid(out);

        // Earlier slices' results wait in registers; the last slice completes the beat as it arrives.
        List<Bits> values = new ArrayList<>();
        for (int s = 0; s < slices; s++) {
            for (int p = 0; p < physical; p++) {
                Bits value = all.value().get(p);
                if (s == slices - 1) {
                    values.add(value);
                } else {
                    values.add(regNextWhen(name + "_slice" + s + "_" + p, value, sliceValid.and(sliceOut.eq(s)), 0));
                }
            }
        }
        Bool complete = sliceValid.and(sliceOut.eq(slices - 1)).named(name + "_complete");
        return new Beat(complete, values, lastOut, out + slices - 1, busy.not());
    }
}
