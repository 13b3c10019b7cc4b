package dev.tellmej.hdl.lib.fp;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.Vec;
import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.hdl.ir.Locations;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.Pipeline;
import dev.tellmej.hdl.lib.Stream;
import dev.tellmej.hdl.lib.Timed;
import java.util.ArrayList;
import java.util.List;

/**
 * NUMERICS.md N5.2's pairwise tree over n binary32 values ({@code p[k] = p[2k] + p[2k+1]}, level by level, until
 * one is left), the same sum as {@link Fp32Add#tree} bit for bit, with few {@link Fp32Add}s: with f first-level
 * adders (f a power of two, 1 by default), {@code 2f - 1 + log2(n / 2f)} adders instead of n - 1, for a vector
 * every {@code n / 2f} cycles instead of every cycle. For sums taken now and then (once per head, once per row
 * of many beats), where a full tree's adders would sit idle.
 *
 * <p>Level 0 takes 2f values of the oldest waiting vector a cycle, in order: f adders add their pairs and a
 * full pairwise tree of f - 1 adders adds those, so one value of level log2(2f) leaves a cycle; every later
 * level adds its input's values two by two as they come (the first held in a register). Results leave in the
 * order the vectors came, each with the tag it came with. A vector that arrives while an earlier one is still in
 * level 0 waits in a queue of {@code depth} vectors; {@code in} has no backpressure ({@link #ready} says whether
 * the queue has room this cycle), and a simulation assertion fails when a vector arrives with the queue full.
 * {@link #idle} is true when no vector is inside. Latency from a vector's first values:
 * {@code n / 2f + log2(n) x }{@value Fp32Add#LATENCY} cycles (level 0's operands go through a register). Named
 * {@code Fp32SerialTree_n<n>_t<tag bits>_q<depth>}, with {@code _f<f>} appended when f is more than 1.
 */
public final class Fp32SerialTree extends Module {
    /** A vector of n binary32 values and its tag. */
    public record In(Vec<Bits> values, Bits tag) {}

    /** A vector's sum (binary32) and its tag. */
    public record Out(Bits sum, Bits tag) {}

    /** Vectors to add up; at most one a cycle, no backpressure. */
    public final Flow<In> in;
    /** Their sums, in order. */
    public final Flow<Out> out;
    /** True when no vector is queued or being added. */
    public final Bool idle;
    /** True when the queue can take a vector this cycle. */
    public final Bool ready;
    /** Cycles a vector takes in level 0: the least interval between vectors that the tree keeps up with. */
    public final int interval;

    /** The tree with one first-level adder: log2(n) adders, a vector every n / 2 cycles. */
    public Fp32SerialTree(int n, int tagBits, int depth) {
        this(n, tagBits, depth, 1);
    }

    /**
     * @param n           values a vector: a power of two, at least 2
     * @param tagBits     the tag's width, at least 1
     * @param depth       vectors the queue holds, at least 2
     * @param firstAdders f, the adders of level 0: a power of two, at most n / 2
     */
    public Fp32SerialTree(int n, int tagBits, int depth, int firstAdders) {
        if (n < 2 || Integer.bitCount(n) != 1 || tagBits < 1 || depth < 2 || firstAdders < 1
                || Integer.bitCount(firstAdders) != 1 || firstAdders > n / 2) {
            throw new InvalidParameterException(Locations.capture(), "Fp32SerialTree needs n a power of two of at"
                    + " least 2, a tag of at least 1 bit, a queue of at least 2 vectors and a power of two of"
                    + " first-level adders up to n / 2, got n = " + n + ", " + tagBits + " tag bits, depth " + depth
                    + ", " + firstAdders + " first-level adders");
        }
        param("n", n);
        param("t", tagBits);
        param("q", depth);
        if (firstAdders > 1) {
            param("f", firstAdders);
        }
        in = in("in", Flow.of(new In(vec(n, bits(32)), bits(tagBits))));
        out = out("out", Flow.of(new Out(bits(32), bits(tagBits))));
        idle = out("idle", bool());
        ready = out("ready", bool());
        interval = n / (2 * firstAdders);

        // The queue: vectors wait while level 0 works on an earlier one.
        Stream<In> arriving = wire("arriving", Stream.of(new In(vec(n, bits(32)), bits(tagBits))));
        arriving.valid.set(in.valid);
        assign(arriving.payload, in.payload);
        assertAlways(in.valid.not().or(arriving.ready), "Fp32SerialTree: a vector arrived with the queue full");
        Stream<In> head = arriving.queue("waiting", depth);
        ready.set(arriving.ready);

        // Level 0: the head's values, 2f a cycle; the vector leaves the queue with its last group.
        int groups = interval;
        int groupBits = Math.max(1, log2Up(groups));
        UInt group = reg("pair", uint(groupBits), 0);   // "pair": with f = 1 a group is a pair; names stay
        Bool lastGroup = group.eq(groups - 1).named("last_pair");
        head.ready.set(lastGroup);
        when(head.valid, () -> group.set(mux(lastGroup, U(0, groupBits), group.add(1).trunc(groupBits))));
        Pipeline issue = new Pipeline("level0_issue", head.valid);
        List<Timed<Bits>> firstSums = new ArrayList<>();
        for (int i = 0; i < firstAdders; i++) {
            String suffix = firstAdders == 1 ? "" : "_" + i;
            List<Bits> firsts = new ArrayList<>();
            List<Bits> seconds = new ArrayList<>();
            for (int g = 0; g < groups; g++) {
                firsts.add(head.payload.values().get(2 * (firstAdders * g + i)));
                seconds.add(head.payload.values().get(2 * (firstAdders * g + i) + 1));
            }
            // A group's operands are registered before the adder: the queue's read (distributed RAM) and the group
            // select in front of the adder's first stage were one path.
            firstSums.add(Fp32Add.apply("level0_add" + suffix,
                    issue.input("level0_a" + suffix,
                            groups == 1 ? firsts.getFirst() : new Vec<>(firsts).get("level0_first" + suffix, group))
                            .stage("level0_a" + suffix + "_q"),
                    issue.input("level0_b" + suffix,
                            groups == 1 ? seconds.getFirst() : new Vec<>(seconds).get("level0_second" + suffix, group))
                            .stage("level0_b" + suffix + "_q")));
        }
        Timed<Bits> sum = Fp32Add.tree("level0_tree", firstSums);
        Bits tag = issue.input("level0_tag", head.payload.tag()).at(sum.cycle());
        Bool valid = issue.valid(sum.cycle());

        // Every later level: its input's values two by two, the first held until the second comes.
        for (int level = log2Up(2 * firstAdders); (1 << level) < n; level++) {
            String l = "level" + level;
            Bits value = sum.value();
            Bool arrived = valid;
            Bits held = reg(l + "_held", bits(32), 0);
            Bool second = reg(l + "_second", bool(), 0);
            when(arrived, () -> {
                second.set(second.not());
                when(second.not(), () -> held.set(value));
            });
            Pipeline adds = new Pipeline(l + "_issue", arrived.and(second).named(l + "_pair"));
            sum = Fp32Add.apply(l + "_add", adds.input(l + "_a", held), adds.input(l + "_b", value));
            tag = adds.input(l + "_tag", tag).at(sum.cycle());
            valid = adds.valid(sum.cycle());
        }
        out.valid.set(valid);
        out.payload.sum().set(sum.value());
        out.payload.tag().set(tag);

        // Vectors inside: in the queue or in the levels.
        int insideBits = bitsFor(depth + log2Up(n) * (Fp32Add.LATENCY + 1) + n);
        UInt inside = reg("vectors_inside", uint(insideBits), 0);
        inside.set(inside.add(in.valid.asUInt().resize(insideBits)).trunc(insideBits)
                .sub(valid.asUInt().resize(insideBits)).trunc(insideBits));
        idle.set(inside.eq(0));
    }
}
