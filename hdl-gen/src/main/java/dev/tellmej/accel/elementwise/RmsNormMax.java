package dev.tellmej.accel.elementwise;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Mem;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.RamStyle;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.Vec;
import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.hdl.ir.Locations;
import dev.tellmej.hdl.lib.CreditBuffer;
import dev.tellmej.hdl.lib.Delay;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.Pipeline;
import dev.tellmej.hdl.lib.Stream;
import dev.tellmej.hdl.lib.Timed;
import dev.tellmej.hdl.lib.fp.Fp32Add;
import dev.tellmej.hdl.lib.fp.Fp32Mul;
import dev.tellmej.hdl.lib.fp.FpConvert;
import dev.tellmej.hdl.lib.fp.FpFormat;
import dev.tellmej.hdl.lib.fp.FpRsqrt;
import dev.tellmej.model.numerics.StorageFormat;
import java.util.ArrayList;
import java.util.List;

/**
 * RMS-MAX: RMSNorm of NUMERICS.md N13 fused with the per-token absmax its output's quantization needs (N6.1,
 * N13.5), for vectors of n stored values arriving W per beat.
 *
 * <p>Two widths: {@code lanes} is N5's L, the number of partial sums of squares whose order the contract fixes
 * (partial j takes elements j, j + L, j + 2L, ... in increasing order, from +0.0; then N5.2's pairwise tree);
 * {@code width} W (a power of two dividing L) is how many values a beat carries and how many multipliers and
 * adders the unit has. Physical lane p serves the partials p, p + W, p + 2W, ... in rotation, so a partial
 * comes round again every L/W beats; the input takes a beat every {@code ceil(6 / (L/W))} cycles (the adder's
 * latency is 6), so W = L/8 or less runs at a beat per cycle with an eighth of the arithmetic of W = L.
 *
 * <p>A token goes through three passes over an on-chip copy of its vector (n/W words of W stored values, in
 * block RAM when large):
 * <ol>
 *   <li><b>accumulate</b>: the input beats are written to the buffer; their squares ({@code x * x}, RNE) are
 *       added to the partials; then the L partials are added by the pairwise tree, one addition per cycle on
 *       lane 0's adder, level by level;
 *   <li><b>normalize</b>: {@code mean = ss * INV_N} ({@code INV_N = (float) (1.0 / n)}), {@code v = mean + eps},
 *       {@code r = rsqrt(v)} (N11), once; then every buffered value becomes {@code y = st((x * r) * gamma)}
 *       (two RNE multiplies, storage rounding), consuming one beat of the {@code gamma} stream per buffer word;
 *       y is written back in place and its magnitude enters the running absmax;
 *   <li><b>emit</b>: the stored y stream out with the token's absmax (binary32) on every beat, so a
 *       {@link Quantizer} can scale from the first beat on.
 * </ol>
 * The next token's first pass starts once the last beat has been emitted. {@code eps} is an input (the
 * model's value, binary32 bits), held steady.
 *
 * <p>Cost: per physical lane one {@code Fp32Mul} (squares), one {@code Fp32Add} (partials), two {@code Fp32Mul}
 * (scaling); once one {@code Fp32Mul}, one {@code Fp32Add}, one {@link FpRsqrt}; L partial registers; the
 * buffer. Named {@code RmsNormMax_l<L>_w<W>_n<n>_<format>}.
 */
public final class RmsNormMax extends Module {
    /** One output beat: W stored outputs and the token's absmax (binary32, on every beat). */
    public record Out(Vec<Bits> y, Bits absMax, Bool last) {}

    /** The stored input values, W per beat, n/W beats per token. */
    public final Stream<Vec<Bits>> in;
    /** The stored gains, W per beat, n/W beats per token, read during the second pass. */
    public final Stream<Vec<Bits>> gamma;
    /** The model's epsilon (binary32 bits), held steady while the unit runs. */
    public final Bits eps;
    public final Stream<Out> out;
    /** Buffer words (beats) per token: n / W. */
    public final int beats;
    /** Cycles from one input beat to the next in the accumulation pass. */
    public final int beatInterval;
    private enum Phase { ACCUMULATE, REDUCE, NORMALIZE, SCALE, EMIT }

    private final int lanes;
    /** Cycles from an input beat to its squares (read back, x * x). */
    private final int squareToAdd;
    /** Cycles from the rsqrt's launch to r (the multiply by INV_N, the add of eps, rsqrt, the register). */
    private final int normalizeLatency;
    /** Cycles from a gamma beat to its stored y (the buffer read, read back, two multiplies, storage rounding). */
    private final int scaleLatency;

    /** W = L: one physical lane per partial sum. */
    public RmsNormMax(int lanes, int n, StorageFormat storage) {
        this(lanes, lanes, n, storage);
    }

    public RmsNormMax(int lanes, int width, int n, StorageFormat storage) {
        if (lanes < 1 || Integer.bitCount(lanes) != 1 || lanes > 1024) {
            throw new InvalidParameterException(Locations.capture(), "RmsNormMax lanes (N5's L) must be a power of"
                    + " two up to 1024, got " + lanes);
        }
        if (width < 1 || Integer.bitCount(width) != 1 || width > lanes) {
            throw new InvalidParameterException(Locations.capture(), "RmsNormMax width must be a power of two"
                    + " dividing L = " + lanes + ", got " + width);
        }
        if (n < width || n % width != 0) {
            throw new InvalidParameterException(Locations.capture(), "RmsNormMax needs n a multiple of the width "
                    + width + ", got n = " + n);
        }
        FpFormat format = Storage.format(storage);
        param("l", lanes);
        param("w", width);
        param("n", n);
        param("", format.name());
        this.lanes = lanes;
        in = in("in", Stream.of(vec(width, bits(16))));
        gamma = in("gamma", Stream.of(vec(width, bits(16))));
        eps = in("eps", bits(32));
        out = out("out", Stream.of(new Out(vec(width, bits(16)), bits(32), bool())));
        beats = n / width;
        int rotations = lanes / width;
        // A partial is fed again every rotations beats; its previous sum must be out of the adder by then.
        beatInterval = (Fp32Add.LATENCY + rotations - 1) / rotations;
        int indexBits = log2Up(beats);
        int rotationBits = log2Up(rotations);

        Mem<Bits> buffer = mem("buffer", bits(16 * width), beats)
                .style(beats >= 64 || 16 * width * beats > 8192 ? RamStyle.BLOCK : RamStyle.DISTRIBUTED);
        UInt phase = reg("phase", uint(3), Phase.ACCUMULATE.ordinal());
        Bool accumulating = phase.eq(Phase.ACCUMULATE.ordinal());
        Bool reducing = phase.eq(Phase.REDUCE.ordinal());
        Bool normalizing = phase.eq(Phase.NORMALIZE.ordinal());
        Bool scaling = phase.eq(Phase.SCALE.ordinal());
        Bool emitting = phase.eq(Phase.EMIT.ordinal());
        UInt index = reg("index", uint(indexBits), 0);
        UInt timer = reg("timer", uint(8), 0);
        Bool timerDone = timer.eq(0);
        when(timerDone.not(), () -> timer.set(timer.sub(1)));
        Bool lastIndex = index.eq(beats - 1);

        // ---- Pass 1: squares into the partials, partial (rotation * W + p) on physical lane p. ----
        UInt cooldown = reg("cooldown", uint(bitsFor(Fp32Add.LATENCY)), 0);
        when(cooldown.ne(0), () -> cooldown.set(cooldown.sub(1)));
        in.ready.set(accumulating.and(cooldown.eq(0)).and(timerDone));
        Bool inFire = in.fire();
        Pipeline squaring = new Pipeline("in_fire", inFire);
        List<Timed<Bits>> squares = new ArrayList<>();
        for (int lane = 0; lane < width; lane++) {
            Timed<Bits> wide = FpConvert.toFp32("lane" + lane + "_x", format,
                    squaring.input("lane" + lane + "_x", in.payload.get(lane)));
            squares.add(Fp32Mul.apply("lane" + lane + "_square", wide, wide));
        }
        squareToAdd = squares.getFirst().cycle();
        UInt rotation = reg("rotation", uint(rotationBits), 0);
        when(inFire, () -> {
            if (beatInterval > 1) {
                cooldown.set(beatInterval - 1);
            }
            rotation.set(rotations == 1 ? U(0, rotationBits) : rotation.add(1));
            index.set(index.add(1));
            when(lastIndex, () -> {
                index.set(0);
                rotation.set(0);
                // Wait for the last square to pass through the multiplier and the adder.
                timer.set(squareToAdd + Fp32Add.LATENCY + 1);
                phase.set(Phase.REDUCE.ordinal());
            });
        });
        UInt feedRotation = squaring.input("feed_rotation", rotation).at(squareToAdd);
        UInt sumRotation = Delay.of("sum_rotation", feedRotation, Fp32Add.LATENCY);

        List<Bits> partials = new ArrayList<>();
        for (int j = 0; j < lanes; j++) {
            partials.add(reg("partial_" + j, bits(32), 0));
        }
        Vec<Bits> partialVec = new Vec<>(partials);

        // The tree (N5.2): level by level, p[k] = p[2k] + p[2k+1] for k < width/2, one addition per cycle
        // through lane 0's adder; a level starts once the previous one's sums are back.
        int treeBits = bitsFor(lanes);
        Bool treeFeed = FALSE;
        Bool treeOut = FALSE;
        UInt treeKOut = U(0, treeBits);
        UInt twoK = U(0, treeBits);
        if (lanes > 1) {
            UInt treeWidth = reg("tree_width", uint(treeBits), lanes);
            UInt treeK = reg("tree_k", uint(treeBits), 0);
            Bool feed = reducing.and(timerDone).and(treeWidth.gt(1));
            treeFeed = feed;
            treeKOut = Delay.of("tree_k_out", treeK, Fp32Add.LATENCY);
            treeOut = Delay.valid("tree_out", feed, Fp32Add.LATENCY);
            UInt half = treeWidth.shr(1).zext(treeBits);
            when(feed, () -> {
                when(treeK.add(1).eq(half), () -> {
                    treeK.set(0);
                    treeWidth.set(half);
                    timer.set(Fp32Add.LATENCY + 1);
                }).otherwise(() -> treeK.set(treeK.add(1)));
            });
            when(reducing.and(timerDone).and(treeWidth.le(1)), () -> {
                treeWidth.set(lanes);
                phase.set(Phase.NORMALIZE.ordinal());
            });
            twoK = treeK.shl(1).resize(treeBits);
        } else {
            when(reducing.and(timerDone), () -> phase.set(Phase.NORMALIZE.ordinal()));
        }

        for (int lane = 0; lane < width; lane++) {
            Flow<Bits> square = squares.get(lane).flow();
            Fp32Add adder = instance("lane" + lane + "_acc", new Fp32Add());
            // This lane's partials, by rotation.
            List<Bits> mine = new ArrayList<>();
            for (int r = 0; r < rotations; r++) {
                mine.add(partials.get(r * width + lane));
            }
            Vec<Bits> mineVec = new Vec<>(mine);
            Bits registered = rotations == 1 ? mine.getFirst() : mineVec.get(feedRotation);
            // The previous sum of this partial is the adder's own output in the cycle it appears.
            Bool bypass = adder.out.valid.and(treeOut.not())
                    .and(rotations == 1 ? TRUE : sumRotation.eq(feedRotation));
            Bits current = mux(bypass, adder.out.payload, registered);
            if (lane == 0 && lanes > 1) {
                adder.in.valid.set(square.valid.or(treeFeed));
                adder.in.payload.a().set(mux(treeFeed, partialVec.get(twoK), current));
                adder.in.payload.b().set(mux(treeFeed, partialVec.get(twoK.add(1)), square.payload));
            } else {
                adder.in.valid.set(square.valid);
                adder.in.payload.a().set(current);
                adder.in.payload.b().set(square.payload);
            }
            for (int r = 0; r < rotations; r++) {
                int j = r * width + lane;
                Bits partial = partials.get(j);
                Bool accumulated = adder.out.valid.and(treeOut.not())
                        .and(rotations == 1 ? TRUE : sumRotation.eq(r));
                Bool reduced = lane == 0 ? treeOut.and(treeKOut.eq(j)) : FALSE;
                when(accumulated.or(reduced), () -> partial.set(adder.out.payload));
            }
            // Tree results land on lane 0's adder; partials other than lane 0's are written from it too.
            if (lane == 0 && lanes > 1) {
                for (int j = 0; j < lanes; j++) {
                    if (j % width == 0) {
                        continue;
                    }
                    Bits partial = partials.get(j);
                    when(treeOut.and(treeKOut.eq(j)), () -> partial.set(adder.out.payload));
                }
            }
        }

        // ---- Between the passes: r = rsqrt(ss * INV_N + eps), once. ----
        Bool busy = reg("normalize_busy", bool(), 0);
        Bool launch = normalizing.and(busy.not());
        when(launch, () -> busy.set(true));
        Pipeline normalize = new Pipeline("launch", launch);
        Timed<Bits> mean = Fp32Mul.apply("mean_mul", normalize.input("ss", partials.getFirst()),
                normalize.steady(FpFormat.fp32((float) (1.0 / n))));
        Timed<Bits> root = FpRsqrt.apply("rsqrt", Fp32Add.apply("eps_add", mean, normalize.steady(eps)));
        Flow<Bits> rsqrt = root.flow();
        normalizeLatency = root.cycle() + 1;
        Bits r = reg("r", bits(32));
        when(rsqrt.valid, () -> {
            r.set(rsqrt.payload);
            busy.set(false);
            phase.set(Phase.SCALE.ordinal());
        });

        // One read port serves passes 2 and 3 (block RAM has two ports: this one and the write port).
        CreditBuffer<Out> results = new CreditBuffer<>("result", new Out(vec(width, bits(16)), bits(32), bool()),
                CreditBuffer.depthFor(1));
        gamma.ready.set(scaling.and(timerDone));
        Bool gammaFire = gamma.fire();
        Bool emit = emitting.and(timerDone).and(results.available());
        Bits word = buffer.readSync("read_word", index, gammaFire.or(emit), 1);

        // ---- Pass 2: y = st((x * r) * gamma), written back; the running absmax. ----
        Pipeline scalePipe = new Pipeline("gamma_fire", gammaFire);
        Timed<Bits> buffered = scalePipe.at(1, "read_word", word);   // the buffer's read, one cycle after gamma
        Timed<Vec<Bits>> gammaWord = scalePipe.at(1, "gamma_word", regNext("gamma_word", gamma.payload));
        Timed<Bits> steadyR = scalePipe.steady(r);
        List<Timed<Bits>> scaledLanes = new ArrayList<>();
        for (int lane = 0; lane < width; lane++) {
            String l = "lane" + lane;
            int at = lane;
            Timed<Bits> x = FpConvert.toFp32(l + "_xs", format, buffered.map(w -> w.slice(16 * at + 15, 16 * at)));
            Timed<Bits> g = FpConvert.toFp32(l + "_gamma", format, gammaWord.map(v -> v.get(at))).named(l + "_g");
            Timed<Bits> xr = Fp32Mul.apply(l + "_xr", x, steadyR);
            scaledLanes.add(FpConvert.fromFp32(l + "_y", format, Fp32Mul.apply(l + "_xrg", xr, g)));
        }
        Timed<List<Bits>> scaledBeat = Timed.all(scaledLanes);
        scaleLatency = scaledBeat.cycle();
        List<Bits> ys = scaledBeat.value();
        when(gammaFire, () -> {
            index.set(index.add(1));
            when(lastIndex, () -> {
                index.set(0);
                timer.set(scaleLatency + 2);
                phase.set(Phase.EMIT.ordinal());
            });
        });
        Bool writeBack = scaledBeat.flow().valid;
        UInt writeIndex = reg("write_index", uint(indexBits), 0);
        UInt beatMax = format.maxMagnitude(ys);
        UInt running = reg("running_max", uint(15), 0);
        when(writeBack, () -> {
            running.set(mux(beatMax.gt(running), beatMax, running));
            writeIndex.set(mux(writeIndex.eq(beats - 1), U(0, indexBits), writeIndex.add(1)));
        });

        // ---- Pass 3: the stored y with the absmax. ----
        Bits absMax = FpConvert.toFp32(format, cat(FALSE, running));
        results.issue(emit);
        Bool emitValid = regNext("emit_valid", emit, 0);
        Bool emitLast = regNext("emit_last", emit.and(lastIndex), 0);
        when(emit, () -> {
            index.set(index.add(1));
            when(lastIndex, () -> {
                index.set(0);
                phase.set(Phase.ACCUMULATE.ordinal());
                for (Bits partial : partials) {
                    partial.set(B(0, 32));
                }
            });
        });
        // The running maximum restarts once the token's last beat has been read out.
        when(emitLast, () -> running.set(0));
        List<Bits> emitted = new ArrayList<>();
        for (int lane = 0; lane < width; lane++) {
            emitted.add(word.slice(16 * lane + 15, 16 * lane));
        }
        results.connect(new Flow<>(emitValid, new Out(new Vec<>(emitted), absMax, emitLast))).connectTo(out);

        // One write port: pass 1 writes the input, pass 2 writes y back (never in the same cycle).
        UInt writeAddress = mux(inFire, index, writeIndex);
        Bits writeData = mux(inFire, asBits(in.payload), asBits(new Vec<>(ys)));
        when(inFire.or(writeBack), () -> buffer.write(writeAddress, writeData));
    }

    /**
     * The cycles a token spends in each pass without stalls: the accumulation (n/W beats, one per
     * {@link #beatInterval} cycles, and the last add), the tree and r, the scaling pass, the emission.
     */
    public String passes() {
        int accumulate = (beats - 1) * beatInterval + squareToAdd + Fp32Add.LATENCY + 2;
        int tree = 0;
        for (int w = lanes; w > 1; w >>= 1) {
            tree += w / 2 + Fp32Add.LATENCY + 1;
        }
        return String.format(java.util.Locale.ROOT, "per token about %d + %d + %d + %d (accumulate, tree and rsqrt,"
                + " scale, emit)", accumulate, tree + 1 + normalizeLatency, beats + scaleLatency + 3, beats + 1);
    }
}
