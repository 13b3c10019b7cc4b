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
import dev.tellmej.hdl.lib.Stream;
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
 * N13.5), for vectors of n stored values arriving L per beat.
 *
 * <p>A token goes through three passes over an on-chip copy of its vector (n/L words of L stored values, in
 * block RAM when large):
 * <ol>
 *   <li><b>accumulate</b>: the input beats are written to the buffer; lane j squares its values
 *       ({@code x * x}, RNE) and adds them to its partial sum in index order, starting from +0.0 (N5.1). The
 *       partial sum is a loop through an {@code Fp32Add} of {@value Fp32Add#LATENCY} cycles, so the input
 *       accepts one beat every {@value Fp32Add#LATENCY} cycles (the order N5 fixes leaves no other way at this
 *       adder latency; the matmul that feeds this unit produces far slower). Then the L partials are added by
 *       the balanced tree of N5.2, level by level on the lane adders;
 *   <li><b>normalize</b>: {@code mean = ss * INV_N} ({@code INV_N = (float) (1.0 / n)}), {@code v = mean + eps},
 *       {@code r = rsqrt(v)} (N11), once; then every buffered value becomes
 *       {@code y = st((x * r) * gamma)} (two RNE multiplies, storage rounding), consuming one beat of the
 *       {@code gamma} stream per buffer word; y is written back in place and its magnitude enters the running
 *       absmax;
 *   <li><b>emit</b>: the stored y stream out with the token's absmax (binary32) on every beat, so a
 *       {@link Quantizer} can scale from the first beat on.
 * </ol>
 * The next token's first pass starts once the last beat has been emitted. {@code eps} is an input (the
 * model's value, binary32 bits), held steady.
 *
 * <p>Cost: per lane one {@code Fp32Mul} (squares), one {@code Fp32Add} (partials), two {@code Fp32Mul}
 * (scaling); once one {@code Fp32Mul}, one {@code Fp32Add}, one {@link FpRsqrt}; the buffer. Named
 * {@code RmsNormMax_l<L>_n<n>_<format>}.
 */
public final class RmsNormMax extends Module {
    /** One output beat: L stored outputs and the token's absmax (binary32, on every beat). */
    public record Out(Vec<Bits> y, Bits absMax, Bool last) {}

    /** The stored input values, L per beat, n/L beats per token. */
    public final Stream<Vec<Bits>> in;
    /** The stored gains, L per beat, n/L beats per token, read during the second pass. */
    public final Stream<Vec<Bits>> gamma;
    /** The model's epsilon (binary32 bits), held steady while the unit runs. */
    public final Bits eps;
    public final Stream<Out> out;
    /** Buffer words per token: n / L. */
    public final int beats;
    /** Cycles from the rsqrt's launch to r (the multiply by INV_N, the add of eps, rsqrt, the register). */
    public static final int NORMALIZE_LATENCY = Fp32Mul.LATENCY + Fp32Add.LATENCY + FpRsqrt.LATENCY + 1;

    private enum Phase { ACCUMULATE, REDUCE, NORMALIZE, SCALE, EMIT }

    private int levels;
    private int scaleLatency;

    /**
     * The cycles a token spends in each pass without stalls: the accumulation ({@code n/L} beats, one per
     * {@value Fp32Add#LATENCY} cycles, and the last add), the tree and r, the scaling pass, the emission.
     */
    public String passes() {
        int accumulate = beats * Fp32Add.LATENCY + Units.toFp32Latency(FpFormat.FP16) + Fp32Mul.LATENCY + Fp32Add.LATENCY + 2;
        int reduce = levels * (Fp32Add.LATENCY + 2) + 1 + NORMALIZE_LATENCY;
        return String.format(java.util.Locale.ROOT, "per token about %d + %d + %d + %d (accumulate, tree and rsqrt, scale,"
                + " emit)", accumulate, reduce, beats + scaleLatency + 3, beats + 1);
    }

    public RmsNormMax(int lanes, int n, StorageFormat storage) {
        if (lanes < 1 || Integer.bitCount(lanes) != 1 || lanes > 1024) {
            throw new InvalidParameterException(Locations.capture(), "RmsNormMax lanes must be a power of two, got " + lanes);
        }
        if (n < lanes || n % lanes != 0) {
            throw new InvalidParameterException(Locations.capture(), "RmsNormMax needs n a multiple of L = " + lanes
                    + ", got n = " + n);
        }
        FpFormat format = Units.format(storage);
        param("l", lanes);
        param("n", n);
        param("", format.name());
        in = in("in", Stream.of(vec(lanes, bits(16))));
        gamma = in("gamma", Stream.of(vec(lanes, bits(16))));
        eps = in("eps", bits(32));
        out = out("out", Stream.of(new Out(vec(lanes, bits(16)), bits(32), bool())));
        beats = n / lanes;
        int indexBits = log2Up(beats);
        levels = Integer.numberOfTrailingZeros(lanes);

        Mem<Bits> buffer = mem("buffer", bits(16 * lanes), beats)
                .style(beats >= 64 || 16 * lanes * beats > 8192 ? RamStyle.BLOCK : RamStyle.DISTRIBUTED);
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

        // ---- Pass 1: squares into the lane partials, one beat per Fp32Add latency. ----
        int toFp32 = Units.toFp32Latency(format);
        int squareToAdd = toFp32 + Fp32Mul.LATENCY;
        UInt cooldown = reg("cooldown", uint(bitsFor(Fp32Add.LATENCY)), 0);
        when(cooldown.ne(0), () -> cooldown.set(cooldown.sub(1)));
        in.ready.set(accumulating.and(cooldown.eq(0)).and(timerDone));
        Bool inFire = in.fire();
        when(inFire, () -> {
            cooldown.set(Fp32Add.LATENCY - 1);
            index.set(index.add(1));
            when(lastIndex, () -> {
                index.set(0);
                // Wait for the last square to pass through the multiplier and the adder.
                timer.set(squareToAdd + Fp32Add.LATENCY + 1);
                phase.set(Phase.REDUCE.ordinal());
            });
        });

        // Pass 1's wait, then tree levels 1..log2(L): level holds the levels done so far.
        UInt level = reg("level", uint(bitsFor(levels + 1)), 0);
        Bool levelStart = reducing.and(timerDone);
        Bool treeStep = levelStart.and(level.ne(levels));
        // Adders active at the next level: lane < (L / 2) >> level.
        UInt activeLanes = U(lanes >> 1, bitsFor(lanes)).shrKeep(level.zext(bitsFor(lanes)));
        List<Bits> partials = new ArrayList<>();
        for (int lane = 0; lane < lanes; lane++) {
            partials.add(reg("partial_" + lane, bits(32), 0));
        }
        for (int lane = 0; lane < lanes; lane++) {
            Bits x = in.payload.get(lane);
            Flow<Bits> wide = Units.toFp32("lane" + lane + "_x", format, inFire, x);
            Flow<Bits> square = Units.mul("lane" + lane + "_square", wide.valid, wide.payload, wide.payload);
            Fp32Add adder = instance("lane" + lane + "_acc", new Fp32Add());
            Bits partial = partials.get(lane);
            // The previous sum is the adder's own output in the cycle it appears (no wait for the register).
            Bits current = mux(adder.outValid, adder.y, partial);
            if (lane < lanes / 2) {
                // Tree level: p[lane] = p[2 lane] + p[2 lane + 1] (N5.2), fed when the level starts.
                Bool treeFeed = treeStep.and(activeLanes.gt(lane));
                adder.inValid.set(square.valid.or(treeFeed));
                adder.a.set(mux(treeFeed, partials.get(2 * lane), current));
                adder.b.set(mux(treeFeed, partials.get(2 * lane + 1), square.payload));
            } else {
                adder.inValid.set(square.valid);
                adder.a.set(current);
                adder.b.set(square.payload);
            }
            when(adder.outValid, () -> partial.set(adder.y));
        }
        when(levelStart, () -> {
            when(level.eq(levels), () -> {
                level.set(0);
                phase.set(Phase.NORMALIZE.ordinal());
            }).otherwise(() -> {
                level.set(level.add(1));
                timer.set(Fp32Add.LATENCY + 1);
            });
        });

        // ---- Between the passes: r = rsqrt(ss * INV_N + eps), once. ----
        Bool busy = reg("normalize_busy", bool(), 0);
        Bool launch = normalizing.and(busy.not());
        when(launch, () -> busy.set(true));
        Flow<Bits> mean = Units.mul("mean_mul", launch, partials.getFirst(), Units.constant((float) (1.0 / n)));
        Flow<Bits> shifted = Units.add("eps_add", mean.valid, mean.payload, eps);
        FpRsqrt rsqrt = instance("rsqrt", new FpRsqrt());
        rsqrt.inValid.set(shifted.valid);
        rsqrt.x.set(shifted.payload);
        Bits r = reg("r", bits(32));
        when(rsqrt.outValid, () -> {
            r.set(rsqrt.y);
            busy.set(false);
            phase.set(Phase.SCALE.ordinal());
        });

        // One read port serves passes 2 and 3 (block RAM has two ports: this one and the write port).
        CreditBuffer<Out> results = new CreditBuffer<>("result", new Out(vec(lanes, bits(16)), bits(32), bool()),
                CreditBuffer.depthFor(1));
        gamma.ready.set(scaling.and(timerDone));
        Bool gammaFire = gamma.fire();
        Bool emit = emitting.and(timerDone).and(results.available());
        Bits word = buffer.readSync("read_word", index, gammaFire.or(emit), 1);

        // ---- Pass 2: y = st((x * r) * gamma), written back; the running absmax. ----
        Bool scaleValid = regNext("scale_valid", gammaFire, 0);
        Vec<Bits> gammaWord = regNext("gamma_word", gamma.payload);
        scaleLatency = 1 + toFp32 + 2 * Fp32Mul.LATENCY + Units.storeLatency(format);
        when(gammaFire, () -> {
            index.set(index.add(1));
            when(lastIndex, () -> {
                index.set(0);
                timer.set(scaleLatency + 2);
                phase.set(Phase.EMIT.ordinal());
            });
        });
        List<Bits> ys = new ArrayList<>();
        Bool yValid = null;
        for (int lane = 0; lane < lanes; lane++) {
            Bits x = word.slice(16 * lane + 15, 16 * lane);
            Flow<Bits> wide = Units.toFp32("lane" + lane + "_xs", format, scaleValid, x);
            Flow<Bits> g = Units.toFp32("lane" + lane + "_gamma", format, scaleValid, gammaWord.get(lane));
            Flow<Bits> xr = Units.mul("lane" + lane + "_xr", wide.valid, wide.payload, r);
            Flow<Bits> scaled = Units.mul("lane" + lane + "_xrg", xr.valid, xr.payload,
                    Delay.of("lane" + lane + "_g", g.payload, Fp32Mul.LATENCY));
            Flow<Bits> y = Units.store("lane" + lane + "_y", format, scaled.valid, scaled.payload);
            ys.add(y.payload);
            yValid = lane == 0 ? y.valid : yValid;
        }
        Bool writeBack = yValid;
        UInt writeIndex = reg("write_index", uint(indexBits), 0);
        UInt beatMax = Units.maxMagnitude(ys);
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
        for (int lane = 0; lane < lanes; lane++) {
            emitted.add(word.slice(16 * lane + 15, 16 * lane));
        }
        results.connect(new Flow<>(emitValid, new Out(new Vec<>(emitted), absMax, emitLast))).connectTo(out);

        // One write port: pass 1 writes the input, pass 2 writes y back (never in the same cycle).
        UInt writeAddress = mux(inFire, index, writeIndex);
        Bits writeData = mux(inFire, asBits(in.payload), asBits(new Vec<>(ys)));
        when(inFire.or(writeBack), () -> buffer.write(writeAddress, writeData));
    }
}
