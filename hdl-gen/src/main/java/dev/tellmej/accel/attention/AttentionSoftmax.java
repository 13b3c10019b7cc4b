package dev.tellmej.accel.attention;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.HwEnum;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.Vec;
import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.hdl.ir.Locations;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.Pipeline;
import dev.tellmej.hdl.lib.Stream;
import dev.tellmej.hdl.lib.Timed;
import dev.tellmej.hdl.lib.fp.Fp32Add;
import dev.tellmej.hdl.lib.fp.Fp32SerialTree;
import dev.tellmej.hdl.lib.fp.FpExp;
import dev.tellmej.hdl.lib.fp.FpFormat;
import dev.tellmej.hdl.lib.fp.FpReciprocal;
import dev.tellmej.hdl.lib.fp.FpSchedule;
import java.util.ArrayList;
import java.util.List;

/**
 * The second pass of decode attention (NUMERICS.md N15.3-4) for one query head: from the scores s_t (in
 * position order) and their maximum M, the weights {@code e_t = exp(s_t - M)} (one RNE subtraction, then N9's
 * exp) and {@code rz = reciprocal(Z)}, where Z is N5's sum of the weights with L lanes (lane j takes positions
 * j, j + L, ..., from +0.0) and the pairwise tree.
 *
 * <p>A head starts with {@link #setup} (positions n, the maximum M as binary32 bits); the n scores follow on
 * {@link #scores}. {@link #weights} carries each e_t with its position, in order, for the value pass; after
 * the last, {@link #reciprocal} pulses with rz. A lane's next weight arrives L positions later, so a score is
 * taken every {@link #scoreInterval} cycles (one per cycle when L is at least the adder's latency plus one).
 *
 * <p>Processes: the {@link Sequencer}, the {@link Exponentials}, the {@link LaneSums} and the
 * {@link Normalizer}. Named {@code AttentionSoftmax_l<L>}.
 */
public final class AttentionSoftmax extends Module {
    /** One head: positions n and the maximum score M (binary32 bits). */
    public record Setup(UInt positions, Bits max) {}

    /** A weight and its position. */
    public record Weight(UInt position, Bits value) {}

    enum Phase { IDLE, SCORES, DRAIN }

    public final Stream<Setup> setup;
    public final Stream<Bits> scores;
    public final Flow<Weight> weights;
    public final Flow<Bits> reciprocal;
    public final Bool idle;
    /** Cycles between scores. */
    public final int scoreInterval;

    /** The softmax pass of build {@code config}: N5's L of its element-wise units, its context. */
    public static AttentionSoftmax of(AcceleratorConfig config) {
        return new AttentionSoftmax(config.elementwise().sumLanes(), config.limits().context());
    }

    public AttentionSoftmax(int lanes, int maxPositions) {
        if (lanes < 1 || Integer.bitCount(lanes) != 1 || maxPositions < 1) {
            throw new InvalidParameterException(Locations.capture(), "AttentionSoftmax needs L a power of two and"
                    + " at least one position, got L = " + lanes + ", " + maxPositions);
        }
        param("l", lanes);
        int positionBits = bitsFor(maxPositions);
        setup = in("setup", Stream.of(new Setup(uint(positionBits), bits(32))));
        scores = in("scores", Stream.of(bits(32)));
        weights = out("weights", Flow.of(new Weight(uint(positionBits), bits(32))));
        reciprocal = out("reciprocal", Flow.of(bits(32)));
        idle = out("idle", bool());
        scoreInterval = (Fp32Add.LATENCY + 1 + lanes - 1) / lanes;

        Bool headDone = wire("head_done", bool());
        Sequencer sequencer = area(new Sequencer(positionBits, scoreInterval, setup, scores, headDone));
        Exponentials exponentials = area(new Exponentials(lanes, sequencer, scores, weights));
        LaneSums sums = area(new LaneSums(lanes, sequencer, exponentials));
        Normalizer normalizer = area(new Normalizer(lanes, sums, reciprocal));
        headDone.set(normalizer.done);
        idle.set(sequencer.phase.is(Phase.IDLE));
    }

    /** The phase, the head's parameters, the position of the next score, and the pacing. */
    static final class Sequencer extends Area {
        final HwEnum<Phase> phase;
        final UInt positions;
        final Bits max;
        final UInt position;
        final Bool scoreFire;
        final Bool lastPosition;

        Sequencer(int positionBits, int interval, Stream<Setup> setup, Stream<Bits> scores, Bool headDone) {
            super("sequencer", "the head's phase, n and M, the position of the next score, and the pacing");
            phase = reg("phase", enumOf(Phase.class), Phase.IDLE);
            positions = reg("positions", uint(positionBits), 0);
            max = reg("max", bits(32), 0);
            position = reg("position", uint(positionBits), 0);
            UInt cooldown = reg("cooldown", uint(bitsFor(interval)), 0);
            setup.ready.set(phase.is(Phase.IDLE));
            scores.ready.set(phase.is(Phase.SCORES).and(cooldown.eq(0)));
            scoreFire = scores.fire().named("score_fire");
            lastPosition = position.eq(positions.sub(1).trunc(positionBits)).named("last_position");
            when(cooldown.ne(0), () -> cooldown.set(cooldown.sub(1)));
            when(setup.fire(), () -> {
                positions.set(setup.payload.positions());
                max.set(setup.payload.max());
                position.set(0);
                phase.set(Phase.SCORES);
            });
            when(scoreFire, () -> {
                if (interval > 1) {
                    cooldown.set(interval - 1);
                }
                position.set(position.add(1).trunc(positionBits));
                when(lastPosition, () -> phase.set(Phase.DRAIN));
            });
            when(headDone, () -> phase.set(Phase.IDLE));
        }
    }

    /** {@code e_t = exp(s_t + (-M))}: an adder and the exp unit, the position alongside. */
    static final class Exponentials extends Area {
        final Timed<Bits> weight;
        final Timed<UInt> position;
        final Timed<Bool> last;

        Exponentials(int lanes, Sequencer sequencer, Stream<Bits> scores, Flow<Weight> weights) {
            super("exponentials", "e_t = exp(s_t - M) for every score, in order");
            Pipeline pipe = new Pipeline("score_fire", sequencer.scoreFire);
            Timed<Bits> shifted = Fp32Add.apply("shifted", pipe.input("score", scores.payload),
                    pipe.steady(FpFormat.FP32.negate(sequencer.max)));
            weight = FpExp.apply("weight", shifted);
            position = pipe.input("score_position", sequencer.position).named("score_position");
            last = pipe.input("score_last", sequencer.lastPosition).named("score_last");
            weights.valid.set(pipe.valid(weight.cycle()));
            weights.payload.position().set(position.at(weight.cycle()));
            weights.payload.value().set(weight.value());
        }
    }

    /** Z's L lanes: lane {@code t mod L} adds e_t, from +0.0 at the head's start; the last sum ends the pass. */
    static final class LaneSums extends Area {
        /** The lanes once the last weight is added, and that moment. */
        final Flow<Vec<Bits>> complete;

        LaneSums(int lanes, Sequencer sequencer, Exponentials exponentials) {
            super("lane_sums", "Z's partial sums, lane t mod L for position t (N5)");
            Pipeline pipe = exponentials.weight.pipeline();
            int in = exponentials.weight.cycle();
            int laneBits = Math.max(1, log2Up(lanes));
            List<Bits> partials = new ArrayList<>();
            for (int j = 0; j < lanes; j++) {
                partials.add(reg("z_partial_" + j, bits(32), 0));
            }
            UInt lane = lanes == 1 ? U(0, 1) : exponentials.position.at(in).resize(laneBits).named("z_lane");
            Bits current = lanes == 1 ? partials.getFirst() : new Vec<>(partials).get("z_current", lane);
            Timed<Bits> sum = Fp32Add.apply("z_sum", pipe.at(in, "z_current", current), exponentials.weight);
            int out = sum.cycle();
            Bool valid = pipe.valid(out);
            UInt sumLane = lanes == 1 ? U(0, 1) : pipe.at(in, "z_lane", lane).at(out);
            Bool last = valid.and(exponentials.last.at(out)).named("z_last");
            List<Bits> snapshot = new ArrayList<>();
            for (int j = 0; j < lanes; j++) {
                Bits partial = partials.get(j);
                Bool mine = valid.and(sumLane.eq(j));
                when(sequencer.phase.is(Phase.IDLE), () -> partial.set(B(0, 32)));
                when(mine, () -> partial.set(sum.value()));
                snapshot.add(mux(mine, sum.value(), partial));
            }
            complete = new Flow<>(last, new Vec<>(snapshot));
        }
    }

    /** N5.2's tree over Z's lanes, then the reciprocal (N10). */
    static final class Normalizer extends Area {
        /** Event: rz is out; the head is done. */
        final Bool done;

        Normalizer(int lanes, LaneSums sums, Flow<Bits> reciprocal) {
            super("normalizer", "Z = the pairwise tree over the lanes, then rz = reciprocal(Z)");
            Timed<Bits> z;
            if (lanes == 1) {
                z = new Pipeline("z_complete", sums.complete.valid).input("z", sums.complete.payload.getFirst());
            } else {
                // A head's Z is summed once, after its last weight, and the next head starts only once rz is out:
                // one adder a level does (Fp32SerialTree), and its queue never holds more than that one head.
                Fp32SerialTree tree = Hdl.instance("z_tree", new Fp32SerialTree(lanes, 1, 2));
                tree.in.valid.set(sums.complete.valid);
                for (int j = 0; j < lanes; j++) {
                    tree.in.payload.values().get(j).set(sums.complete.payload.get(j));
                }
                tree.in.payload.tag().set(B(0, 1));
                z = new Pipeline("z_summed", tree.out.valid).input("z", tree.out.payload.sum());
            }
            Pipeline pipe = z.pipeline();
            Timed<Bits> rz = FpReciprocal.apply("rz", z, FpSchedule.SHARED);   // one head at a time
            done = pipe.valid(rz.cycle());
            reciprocal.valid.set(done);
            reciprocal.payload.set(rz.value());
        }
    }
}
