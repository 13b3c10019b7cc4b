package dev.tellmej.accel.elementwise;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.HwEnum;
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
import dev.tellmej.hdl.lib.fp.Fp16Square;
import dev.tellmej.hdl.lib.fp.Fp32Add;
import dev.tellmej.hdl.lib.fp.Fp32Mul;
import dev.tellmej.hdl.lib.fp.Fp32SharedOps;
import dev.tellmej.hdl.lib.fp.FpConvert;
import dev.tellmej.hdl.lib.fp.FpFormat;
import dev.tellmej.hdl.lib.fp.FpRsqrt;
import dev.tellmej.model.numerics.StorageFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

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
 * Two tokens overlap: the buffer has two banks, and the <b>front</b> (accumulate, tree, r) takes the next token
 * into one bank while the <b>back</b> (scale, emit) works on the token before it in the other; a token moves from
 * the front to the back once its r is known and the back is free (the hand-off), so a stream of tokens takes about
 * the longer of the two halves a token, not their sum. r is computed only while the back is not scaling (the
 * scaling pass reads it). {@code eps} is an input (the model's value, binary32 bits), held steady.
 *
 * <p>The unit is seven processes ({@link dev.tellmej.hdl.Area}s): the {@link Sequencer} (the front's and the
 * back's phase, beat index, wait timer and bank) drives a view of its state that the others read
 * ({@link Control}); the {@link TokenBuffer} holds the two vectors; the {@link SquarePass} takes the input beats
 * and squares them; the {@link PartialSums} accumulate the squares and add them up by the tree;
 * {@link Normalize} computes r; the {@link ScalePass} writes y back with the running absmax; the {@link EmitPass}
 * sends the result (the run-time variant has an eighth, {@link BypassMax}). Each raises events the owners of the
 * affected registers act on.
 *
 * <p><b>Run-time length.</b> The unit built by the constructors has one n, a generator parameter. The one built
 * by {@link #runtime(int, int, int, StorageFormat)} serves every n that is a multiple of W up to a maximum (the
 * QUANTIZE instruction's {@code length}: a hidden size, an attention output's or an FFN size) and may skip the
 * RMSNorm; it has three more inputs ({@link RunTime}), held steady while a token is in the unit:
 * {@code length_beats} (n/W), {@code inv_n} ({@code (float) (1.0 / n)}, which
 * {@link dev.tellmej.hdl.lib.fp.InverseOfCount} computes once per instruction) and {@code bypass}. A bypassed
 * token takes no gamma beat and touches no sum: its beats are buffered (one per cycle) while the maximum of
 * their magnitudes is taken ({@link BypassMax}), then they leave unchanged with that absmax, so it takes two
 * passes of n/W beats instead of three.
 *
 * <p>Cost: per physical lane one {@code Fp32Mul} (squares; with binary16 storage an {@link Fp16Square}, exact and
 * a tenth of the size), one {@code Fp32Add} (partials), two {@code Fp32Mul} (scaling); once one {@code Fp32Mul},
 * one {@code Fp32Add} for the mean, the epsilon and {@link FpRsqrt}'s six steps together
 * ({@link Fp32SharedOps}: one token at a time); L partial registers; the buffer. Named
 * {@code RmsNormMax_l<L>_w<W>_n<n>_<format>}; the run-time variant
 * {@code RmsNormMax_l<L>_w<W>_maxn<max>_<format>_runtime}, which adds a comparator tree of W magnitudes (the
 * bypassed beats' maximum) and a comparison of the index with the length.
 */
public final class RmsNormMax extends Module {
    /** One output beat: W stored outputs and the token's absmax (binary32, on every beat). */
    public record Out(Vec<Bits> y, Bits absMax, Bool last) {}

    /**
     * The run-time variant's extra inputs, held steady while any token is in the unit, from the first input beat
     * of a stream of tokens to the last output beat (the unit reads them throughout a token, and two tokens
     * overlap); they may change once the unit is empty.
     *
     * @param lengthBeats {@code length_beats}, n/W: the token's beats, 1 to maxN/W ({@code bitsFor(maxN/W)}
     *                    bits; other values are refused by a simulation assertion and undefined in hardware)
     * @param invN        {@code inv_n}, 32 bits: {@code (float) (1.0 / n)} as binary32 (computed by
     *                    {@link dev.tellmej.hdl.lib.fp.InverseOfCount}); unused by a bypassed token
     * @param bypass      {@code bypass}: no RMSNorm; the token's stored values leave unchanged with the absmax
     *                    of their magnitudes (N6.1: NaN, the canonical 0x7FC00000, if any is NaN; -0 counts as
     *                    +0; no clamp: the quantizer applies N6.2's)
     */
    public record RunTime(UInt lengthBeats, Bits invN, Bool bypass) {}

    /** The stored input values, W per beat, n/W beats per token. */
    public final Stream<Vec<Bits>> in;
    /** The stored gains, W per beat, n/W beats per token, read during the second pass. */
    public final Stream<Vec<Bits>> gamma;
    /** The model's epsilon (binary32 bits), held steady while the unit runs. */
    public final Bits eps;
    public final Stream<Out> out;
    /** Buffer words (beats) per token: n / W (the run-time variant: its most, maxN / W). */
    public final int beats;
    /** Cycles from one input beat to the next in the accumulation pass. */
    public final int beatInterval;

    /**
     * Cycles from a partial's operands being chosen to its sum: a register (the operand selects and the adder's
     * first stage were one path), then the {@link Fp32Add}.
     */
    static final int ACCUMULATOR_LATENCY = 1 + Fp32Add.LATENCY;

    /** What the front does with its token: takes it in, adds up the partials, computes r, waits for the back. */
    enum FrontPhase { ACCUMULATE, REDUCE, NORMALIZE, HANDOFF }

    /** What the back does with its token: nothing (free), the scaling pass, the emission. */
    enum BackPhase { IDLE, SCALE, EMIT }

    /**
     * The sequencer's state as the passes read it: wires the {@link Sequencer} drives, declared before the
     * passes so that each pass can be built from what it reads.
     *
     * @param accumulating   input beats are taken (front phase ACCUMULATE)
     * @param reducing       the tree adds the partials (REDUCE)
     * @param normalizing    r may be computed (NORMALIZE)
     * @param frontTimerDone no wait of the front is pending
     * @param frontIndex     the buffer word the front is at
     * @param frontLast      it is the token's last
     * @param frontBank      the bank the front writes
     * @param scaling        gamma beats are taken and y written back (back phase SCALE)
     * @param emitting       the stored y leave (EMIT)
     * @param backTimerDone  no wait of the back is pending
     * @param backIndex      the buffer word the back is at
     * @param backLast       it is the token's last
     * @param backBank       the bank the back reads and writes back
     * @param handoff        event: the front's token moves to the back (its partials are free again)
     */
    record Control(Bool accumulating, Bool reducing, Bool normalizing, Bool frontTimerDone, UInt frontIndex,
            Bool frontLast, Bool frontBank, Bool scaling, Bool emitting, Bool backTimerDone, UInt backIndex,
            Bool backLast, Bool backBank, Bool handoff) {}

    private final RunTime runTime;
    private final int lanes;
    private final int squareToAdd;
    private final int normalizeLatency;
    private final int scaleLatency;

    /** W = L: one physical lane per partial sum. */
    public RmsNormMax(int lanes, int n, StorageFormat storage) {
        this(lanes, lanes, n, storage);
    }

    public RmsNormMax(int lanes, int width, int n, StorageFormat storage) {
        this(lanes, width, n, storage, false);
    }

    /**
     * The run-time variant: vectors of any multiple of {@code width} up to {@code maxN} values, the length and
     * the mode read from its {@link RunTime} inputs. Otherwise as {@link #RmsNormMax(int, int, int, StorageFormat)}
     * (timing, one token after another, the ports).
     *
     * @param lanes   N5's L, a power of two up to 1024
     * @param width   W, values per beat, a power of two dividing L
     * @param maxN    the longest vector, a multiple of W; the buffer holds maxN/W words
     * @param storage the stored format of x, gamma and y
     */
    public static RmsNormMax runtime(int lanes, int width, int maxN, StorageFormat storage) {
        return new RmsNormMax(lanes, width, maxN, storage, true);
    }

    private RmsNormMax(int lanes, int width, int n, StorageFormat storage, boolean runTimeLength) {
        if (lanes < 1 || Integer.bitCount(lanes) != 1 || lanes > 1024) {
            throw new InvalidParameterException(Locations.capture(), "RmsNormMax lanes (N5's L) must be a power of"
                    + " two up to 1024, got " + lanes);
        }
        if (width < 1 || Integer.bitCount(width) != 1 || width > lanes) {
            throw new InvalidParameterException(Locations.capture(), "RmsNormMax width must be a power of two"
                    + " dividing L = " + lanes + ", got " + width);
        }
        String length = runTimeLength ? "maxN" : "n";
        if (n < width || n % width != 0) {
            throw new InvalidParameterException(Locations.capture(), "RmsNormMax needs " + length + " a multiple of"
                    + " the width " + width + ", got " + length + " = " + n);
        }
        FpFormat format = Storage.format(storage);
        param("l", lanes);
        param("w", width);
        param(runTimeLength ? "maxn" : "n", n);
        param("", runTimeLength ? format.name() + "_runtime" : format.name());
        this.lanes = lanes;
        beats = n / width;
        in = in("in", Stream.of(vec(width, bits(16))));
        gamma = in("gamma", Stream.of(vec(width, bits(16))));
        eps = in("eps", bits(32));
        TokenLength tokenLength;
        if (runTimeLength) {
            runTime = new RunTime(in("length_beats", uint(bitsFor(beats))), in("inv_n", bits(32)),
                    in("bypass", bool()));
            tokenLength = new RunTimeLength(runTime.lengthBeats().sub(1).named("last_beat"), runTime.invN(),
                    runTime.bypass());
            UInt lengthBeats = runTime.lengthBeats();
            Bool inRange = lengthBeats.ne(0);
            if (beats < (1L << lengthBeats.width()) - 1) {   // else every non-zero value is in range
                inRange = inRange.and(lengthBeats.le(beats));
            }
            assertAlways(in.fire().not().or(inRange),
                    "length_beats is 1 to " + beats + " while a token's beats come in");
        } else {
            runTime = null;
            tokenLength = new FixedLength(beats, n);
        }
        out = out("out", Stream.of(new Out(vec(width, bits(16)), bits(32), bool())));
        // A partial is fed again every L/W beats; its previous sum must be out of the adder by then.
        int rotations = lanes / width;
        beatInterval = (ACCUMULATOR_LATENCY + rotations - 1) / rotations;

        Control control = wire("state", new Control(bool(), bool(), bool(), bool(), uint(log2Up(beats)), bool(),
                bool(), bool(), bool(), bool(), uint(log2Up(beats)), bool(), bool(), bool()));
        TokenBuffer buffer = area(new TokenBuffer(width, beats, control));
        SquarePass squares = area(new SquarePass(format, lanes, width, beatInterval, in, control, buffer,
                tokenLength));
        Optional<BypassMax> bypassMax = tokenLength.bypass()
                .map(bypass -> area(new BypassMax(format, in, squares.beatTaken, bypass, control)));
        PartialSums sums = area(new PartialSums(lanes, width, squares, control));
        Normalize normalize = area(new Normalize(tokenLength.inverse(), sums.sumOfSquares, eps, control));
        ScalePass scale = area(new ScalePass(format, width, tokenLength, buffer.word, normalize.r, gamma, control,
                buffer, bypassMax));
        EmitPass emit = area(new EmitPass(format, width, buffer.word, scale.absMax, out, control, scale));
        buffer.readEnable.set(scale.gammaTaken.or(emit.emit));
        area(new Sequencer(tokenLength, control, squares.beatTaken, sums.levelDone, sums.reduced, normalize.done,
                scale.gammaTaken, emit.emit, new Waits(squares.latency + sums.adderLatency + 1,
                        sums.adderLatency + 1, scale.latency + 3)));
        squareToAdd = squares.latency;
        normalizeLatency = normalize.latency;
        scaleLatency = scale.latency;
    }

    /**
     * The run-time variant's inputs ({@code length_beats}, {@code inv_n}, {@code bypass}).
     *
     * @throws IllegalStateException for a unit of one fixed n, which has none
     */
    public RunTime runTime() {
        if (runTime == null) {
            throw new IllegalStateException("this RmsNormMax has a fixed n = " + beats * in.payload.size()
                    + " and no run-time inputs; build it with RmsNormMax.runtime(lanes, width, maxN, storage)");
        }
        return runTime;
    }

    /**
     * Where a token's length and mode come from: the generator's constants in the fixed unit (n/W beats,
     * {@code INV_N}, never bypassed), the inputs in the run-time variant.
     */
    private sealed interface TokenLength permits FixedLength, RunTimeLength {
        /** {@code index} is at the token's last buffer word. */
        Bool isLast(UInt index);

        /** {@code INV_N = (float) (1.0 / n)}, binary32. */
        Bits inverse();

        /** High for a token without RMSNorm; none in the fixed unit. */
        Optional<Bool> bypass();
    }

    /** n values in n/W beats, fixed. */
    private record FixedLength(int beats, int n) implements TokenLength {
        @Override
        public Bool isLast(UInt index) {
            return index.eq(beats - 1);
        }

        @Override
        public Bits inverse() {
            return FpFormat.fp32((float) (1.0 / n));
        }

        @Override
        public Optional<Bool> bypass() {
            return Optional.empty();
        }
    }

    /** The run-time variant's inputs: the last beat's index ({@code length_beats - 1}), inv_n, bypass. */
    private record RunTimeLength(UInt lastBeat, Bits inverse, Bool bypassed) implements TokenLength {
        @Override
        public Bool isLast(UInt index) {
            return index.eq(lastBeat);
        }

        @Override
        public Optional<Bool> bypass() {
            return Optional.of(bypassed);
        }
    }

    /**
     * The sequencer's waits, in cycles: after the last input beat (its square through the multiplier and the
     * adder), after each level of the tree (its sums back through the adder), after the last gamma beat (its y
     * through the scaling pipeline and written back).
     */
    record Waits(int afterInput, int afterLevel, int afterScale) {}

    /**
     * The front's and the back's phase, buffer index, wait timer and bank, advanced by the passes' events; the
     * hand-off moves the front's token to the back.
     */
    static final class Sequencer extends Area {
        /** Cycles a bypassed token waits after its last beat, for its absmax to be in the front's register. */
        static final int BYPASS_SETTLE = 2;

        Sequencer(TokenLength length, Control control, Bool beatTaken, Bool levelDone, Bool reduced,
                Bool normalized, Bool gammaTaken, Bool emitted, Waits waits) {
            super("sequencer", "the front's phase (accumulate, reduce, normalize, hand-off) and the back's (scale,"
                    + " emit), the buffer index each walks, the waits for the pipelines to drain, the banks");
            HwEnum<FrontPhase> front = reg("front_phase", enumOf(FrontPhase.class), FrontPhase.ACCUMULATE);
            HwEnum<BackPhase> back = reg("back_phase", enumOf(BackPhase.class), BackPhase.IDLE);
            UInt frontIndex = reg("front_index", uint(control.frontIndex().width()), 0);
            UInt backIndex = reg("back_index", uint(control.backIndex().width()), 0);
            UInt frontTimer = reg("front_timer", uint(8), 0);
            UInt backTimer = reg("back_timer", uint(8), 0);
            Bool frontBank = reg("front_bank", bool(), 0);
            Bool backBank = reg("back_bank", bool(), 1);
            Bool frontTimerDone = frontTimer.eq(0).named("front_timer_done");
            Bool backTimerDone = backTimer.eq(0).named("back_timer_done");
            Bool frontLast = length.isLast(frontIndex).named("front_last");
            Bool backLast = length.isLast(backIndex).named("back_last");
            Bool handoff = front.is(FrontPhase.HANDOFF).and(frontTimerDone).and(back.is(BackPhase.IDLE))
                    .named("handoff");
            assign(control, new Control(front.is(FrontPhase.ACCUMULATE), front.is(FrontPhase.REDUCE),
                    front.is(FrontPhase.NORMALIZE), frontTimerDone, frontIndex, frontLast, frontBank,
                    back.is(BackPhase.SCALE), back.is(BackPhase.EMIT), backTimerDone, backIndex, backLast, backBank,
                    handoff));
            assertAlways(frontBank.ne(backBank), "RmsNormMax: the front and the back use different banks");
            when(frontTimerDone.not(), () -> frontTimer.set(frontTimer.sub(1)));
            when(backTimerDone.not(), () -> backTimer.set(backTimer.sub(1)));
            when(beatTaken, () -> {
                frontIndex.set(frontIndex.add(1));
                when(frontLast, () -> {
                    frontIndex.set(0);
                    frontTimer.set(waits.afterInput());
                    front.set(FrontPhase.REDUCE);
                    // Without RMSNorm no sums and no r: the token is ready once its absmax is.
                    length.bypass().ifPresent(bypass -> when(bypass, () -> {
                        frontTimer.set(BYPASS_SETTLE);
                        front.set(FrontPhase.HANDOFF);
                    }));
                });
            });
            when(levelDone, () -> frontTimer.set(waits.afterLevel()));
            when(reduced, () -> front.set(FrontPhase.NORMALIZE));
            when(normalized, () -> front.set(FrontPhase.HANDOFF));
            when(handoff, () -> {
                front.set(FrontPhase.ACCUMULATE);
                frontBank.set(frontBank.not());
                backBank.set(frontBank);
                back.set(BackPhase.SCALE);
                length.bypass().ifPresent(bypass -> when(bypass, () -> back.set(BackPhase.EMIT)));
            });
            when(gammaTaken, () -> {
                backIndex.set(backIndex.add(1));
                when(backLast, () -> {
                    backIndex.set(0);
                    backTimer.set(waits.afterScale());
                    back.set(BackPhase.EMIT);
                });
            });
            when(emitted, () -> {
                backIndex.set(backIndex.add(1));
                when(backLast, () -> {
                    backIndex.set(0);
                    back.set(BackPhase.IDLE);
                });
            });
        }
    }

    /**
     * The two tokens' vectors: two banks of n/W words of W stored values, in block RAM when large. The front writes
     * the input into its bank (pass 1); the back reads its bank (passes 2 and 3) and writes y back into it (pass 2).
     */
    static final class TokenBuffer extends Area {
        /** Event: write the input beat at the front's index (pass 1). */
        final Bool writeInput;
        /** The input beat. */
        final Bits inputWord;
        /** Event: write y back at {@link #writeBackIndex} (pass 2). */
        final Bool writeBack;
        final UInt writeBackIndex;
        final Bits yWord;
        /** Event: read the word at the back's index. */
        final Bool readEnable;
        /** The word read, {@link #READ_LATENCY} cycles after {@link #readEnable}. */
        final Bits word;
        /**
         * Cycles from a read to its word: the block RAM's read and its output register (for timing: the RAM's
         * clock-to-out without it lay in front of the bank select and the widening of the values).
         */
        static final int READ_LATENCY = 2;

        TokenBuffer(int width, int beats, Control control) {
            super("token_buffer", "the two tokens' vectors, written by the input and by the scaling pass, read by"
                    + " the scaling and the emit passes");
            int indexBits = control.backIndex().width();
            writeInput = wire("buffer_write_input", bool());
            inputWord = wire("buffer_input_word", bits(16 * width));
            writeBack = wire("buffer_write_back", bool());
            writeBackIndex = wire("buffer_write_back_index", uint(indexBits));
            yWord = wire("buffer_y_word", bits(16 * width));
            readEnable = wire("buffer_read", bool());
            RamStyle style = beats >= 64 || 16 * width * beats > 8192 ? RamStyle.BLOCK : RamStyle.DISTRIBUTED;
            // An input beat is written a cycle after it is taken, from registers (for timing: the take, from the
            // client's valid through the input's ready, lay on the path into the block RAM's write enable). The
            // hand-off comes at least BYPASS_SETTLE cycles after a token's last beat, so the write lands in the
            // front's bank before the back reads it (an assertion).
            Bool inputQ = regNext("buffer_input_q", writeInput, 0);
            Bits inputWordQ = regNext("buffer_input_word_q", inputWord);
            UInt inputIndexQ = regNext("buffer_input_index_q", control.frontIndex());
            Bool inputBankQ = regNext("buffer_input_bank_q", control.frontBank());
            assertAlways(inputQ.not().or(inputBankQ.eq(control.frontBank())), "RmsNormMax: an input beat is written"
                    + " before its token is handed off");
            List<Bits> words = new ArrayList<>();
            for (int b = 0; b < 2; b++) {
                Mem<Bits> bank = mem("buffer" + b, bits(16 * width), beats).style(style);
                Bool frontHere = b == 1 ? inputBankQ : inputBankQ.not();
                Bool backHere = b == 1 ? control.backBank() : control.backBank().not();
                Bool input = inputQ.and(frontHere).named("buffer" + b + "_write_input");
                Bool back = writeBack.and(backHere).named("buffer" + b + "_write_back");
                UInt writeAddress = mux(input, inputIndexQ, writeBackIndex);
                Bits writeData = mux(input, inputWordQ, yWord);
                when(input.or(back), () -> bank.write(writeAddress, writeData));
                words.add(bank.readSync("read_word" + b, control.backIndex(), readEnable.and(backHere),
                        READ_LATENCY));
            }
            Bool readBank = Delay.of("read_bank", control.backBank(), READ_LATENCY);
            word = mux(readBank, words.get(1), words.get(0)).named("read_word");
        }
    }

    /**
     * Pass 1's input: takes a beat every {@link #beatInterval} cycles while accumulating, writes it to the
     * buffer, and squares its W values ({@code x * x}, RNE); partial {@code rotation * W + p} goes to physical
     * lane p.
     */
    static final class SquarePass extends Area {
        /** Event: an input beat was taken. */
        final Bool beatTaken;
        /** Each lane's square, and its cycle after the beat. */
        final List<Timed<Bits>> squares;
        final int latency;
        /** The rotation a square belongs to, when it reaches the adder and when the adder's sum leaves. */
        final UInt feedRotation;
        final UInt sumRotation;

        SquarePass(FpFormat format, int lanes, int width, int beatInterval, Stream<Vec<Bits>> in, Control control,
                TokenBuffer buffer, TokenLength length) {
            super("square_pass", "takes the input beats while accumulating, writes them to the buffer and squares"
                    + " their values");
            int rotations = lanes / width;
            int rotationBits = log2Up(rotations);
            UInt cooldown = reg("cooldown", uint(bitsFor(ACCUMULATOR_LATENCY)), 0);
            when(cooldown.ne(0), () -> cooldown.set(cooldown.sub(1)));
            in.ready.set(control.accumulating().and(cooldown.eq(0)).and(control.frontTimerDone()));
            beatTaken = in.fire().named("in_fire");
            buffer.writeInput.set(beatTaken);
            buffer.inputWord.set(asBits(in.payload));
            // A bypassed token's beats are buffered only: no square enters the sums.
            Pipeline squaring = length.bypass()
                    .map(bypass -> new Pipeline("square_fire", beatTaken.and(bypass.not()).named("square_fire")))
                    .orElseGet(() -> new Pipeline("in_fire", beatTaken));
            squares = new ArrayList<>();
            for (int lane = 0; lane < width; lane++) {
                Timed<Bits> x = squaring.input("lane" + lane + "_x", in.payload.get(lane));
                if (format.equals(FpFormat.FP16)) {
                    // A binary16 value's square is exact in binary32: no general multiplier needed.
                    squares.add(Fp16Square.apply("lane" + lane + "_square", x));
                } else {
                    Timed<Bits> wide = FpConvert.toFp32("lane" + lane + "_x", format, x);
                    squares.add(Fp32Mul.apply("lane" + lane + "_square", wide, wide));
                }
            }
            latency = squares.getFirst().cycle();
            UInt rotation = reg("rotation", uint(rotationBits), 0);
            when(beatTaken, () -> {
                if (beatInterval > 1) {
                    cooldown.set(beatInterval - 1);
                }
                rotation.set(rotations == 1 ? U(0, rotationBits) : rotation.add(1));
                when(control.frontLast(), () -> rotation.set(0));
            });
            // A bypassed token has no sums to wait for: it takes a beat per cycle.
            length.bypass().ifPresent(bypass -> when(bypass, () -> cooldown.set(0)));
            feedRotation = squaring.input("feed_rotation", rotation).at(latency);
            sumRotation = Delay.of("sum_rotation", feedRotation, ACCUMULATOR_LATENCY);
        }
    }

    /**
     * The L partial sums of squares (N5): each physical lane's adder adds its squares to the partials of its
     * rotation; then the tree (N5.2), level by level, {@code p[k] = p[2k] + p[2k+1]}, one addition per cycle
     * through lane 0's adder, each level once the previous one's sums are back.
     */
    static final class PartialSums extends Area {
        /** The adder's latency with its operand register: the accumulation's and every tree level's wait. */
        final int adderLatency = ACCUMULATOR_LATENCY;
        /** Event: a tree level's last addition was issued (wait for its sums). */
        final Bool levelDone;
        /** Event: the partials are added up; partial 0 holds the sum of squares. */
        final Bool reduced;
        /** Event: the token moved to the back (r is known), the partials restart from +0.0. */
        final Bool clear;
        final Bits sumOfSquares;

        PartialSums(int lanes, int width, SquarePass input, Control control) {
            super("partial_sums", "the L partial sums of squares, then the pairwise tree on lane 0's adder");
            int rotations = lanes / width;
            clear = control.handoff();
            List<Bits> partials = new ArrayList<>();
            for (int j = 0; j < lanes; j++) {
                partials.add(reg("partial_" + j, bits(32), 0));
            }
            Vec<Bits> partialVec = new Vec<>(partials);
            sumOfSquares = partials.getFirst();

            int treeBits = bitsFor(lanes);
            Bool treeFeed = FALSE;
            Bool treeOut = FALSE;
            UInt treeKOut = U(0, treeBits);
            UInt twoK = U(0, treeBits);
            Bool lastLevel;
            Bool levelEnd = FALSE;
            if (lanes > 1) {
                UInt treeWidth = reg("tree_width", uint(treeBits), lanes);
                UInt treeK = reg("tree_k", uint(treeBits), 0);
                Bool feed = control.reducing().and(control.frontTimerDone()).and(treeWidth.gt(1)).named("tree_feed");
                treeFeed = feed;
                treeKOut = Delay.of("tree_k_out", treeK, ACCUMULATOR_LATENCY);
                treeOut = Delay.valid("tree_out", feed, ACCUMULATOR_LATENCY);
                UInt half = treeWidth.shr(1).zext(treeBits);
                Bool levelLast = treeK.add(1).eq(half);
                levelEnd = feed.and(levelLast);
                when(feed, () -> when(levelLast, () -> {
                    treeK.set(0);
                    treeWidth.set(half);
                }).otherwise(() -> treeK.set(treeK.add(1))));
                lastLevel = control.reducing().and(control.frontTimerDone()).and(treeWidth.le(1));
                when(lastLevel, () -> treeWidth.set(lanes));
                twoK = treeK.shl(1).resize(treeBits);
            } else {
                lastLevel = control.reducing().and(control.frontTimerDone());
            }
            levelDone = levelEnd.named("tree_level_done");
            reduced = lastLevel.named("tree_done");

            for (int lane = 0; lane < width; lane++) {
                Flow<Bits> square = input.squares.get(lane).flow();
                Fp32Add adder = Hdl.instance("lane" + lane + "_acc", new Fp32Add());
                List<Bits> mine = new ArrayList<>();
                for (int r = 0; r < rotations; r++) {
                    mine.add(partials.get(r * width + lane));
                }
                Bits registered = rotations == 1 ? mine.getFirst() : new Vec<>(mine).get(input.feedRotation);
                // The previous sum of this partial is the adder's own output in the cycle it appears.
                Bool bypass = adder.out.valid.and(treeOut.not())
                        .and(rotations == 1 ? TRUE : input.sumRotation.eq(input.feedRotation));
                Bits current = mux(bypass, adder.out.payload, registered);
                String operands = "lane" + lane + "_acc_operand";
                if (lane == 0 && lanes > 1) {
                    adder.in.valid.set(regNext(operands + "_valid", square.valid.or(treeFeed), 0));
                    adder.in.payload.a().set(regNext(operands + "_a", mux(treeFeed, partialVec.get(twoK), current)));
                    adder.in.payload.b().set(regNext(operands + "_b",
                            mux(treeFeed, partialVec.get(twoK.add(1)), square.payload)));
                } else {
                    adder.in.valid.set(regNext(operands + "_valid", square.valid, 0));
                    adder.in.payload.a().set(regNext(operands + "_a", current));
                    adder.in.payload.b().set(regNext(operands + "_b", square.payload));
                }
                for (int r = 0; r < rotations; r++) {
                    int j = r * width + lane;
                    Bits partial = partials.get(j);
                    Bool accumulated = adder.out.valid.and(treeOut.not())
                            .and(rotations == 1 ? TRUE : input.sumRotation.eq(r));
                    Bool sum = lane == 0 ? treeOut.and(treeKOut.eq(j)) : FALSE;
                    when(accumulated.or(sum), () -> partial.set(adder.out.payload));
                }
                // Tree results land on lane 0's adder; partials other than lane 0's are written from it too.
                if (lane == 0 && lanes > 1) {
                    for (int j = 0; j < lanes; j++) {
                        if (j % width == 0) {
                            continue;
                        }
                        Bits partial = partials.get(j);
                        Bool treeSum = treeOut.and(treeKOut.eq(j));
                        when(treeSum, () -> partial.set(adder.out.payload));
                    }
                }
            }
            when(clear, () -> {
                for (Bits partial : partials) {
                    partial.set(B(0, 32));
                }
            });
        }
    }

    /** Between the passes, once per token: {@code r = rsqrt(ss * INV_N + eps)}. */
    static final class Normalize extends Area {
        /** r, held for the scaling pass. */
        final Bits r;
        /** Event: r is there. */
        final Bool done;
        /** Cycles from the launch to r (the multiply, the add, rsqrt, the register). */
        final int latency;

        Normalize(Bits inverse, Bits sumOfSquares, Bits eps, Control control) {
            super("normalize", "r = rsqrt(ss * INV_N + eps), once per token");
            Bool busy = reg("normalize_busy", bool(), 0);
            // Not while the back scales: that pass reads r.
            Bool launch = control.normalizing().and(control.scaling().not()).and(busy.not())
                    .named("normalize_launch");
            when(launch, () -> busy.set(true));
            Pipeline pipe = new Pipeline("launch", launch);
            // One token at a time: the mean, the epsilon and N11's six steps share one multiplier and one adder.
            Fp32SharedOps ops = new Fp32SharedOps(pipe, "normalize");
            Timed<Bits> mean = ops.mul("mean_mul", pipe.input("ss", sumOfSquares), pipe.steady(inverse));
            Timed<Bits> root = FpRsqrt.build("rsqrt_", ops.add("eps_add", mean, pipe.steady(eps)), ops);
            Flow<Bits> rsqrt = root.flow();
            latency = root.cycle() + 1;
            r = reg("r", bits(32));
            done = rsqrt.valid;
            when(rsqrt.valid, () -> {
                r.set(rsqrt.payload);
                busy.set(false);
            });
        }
    }

    /**
     * Pass 2: one gamma beat per buffer word; {@code y = st((x * r) * gamma)} written back in place; the running
     * maximum of |y| (the absmax of N6.1), or of a bypassed token's |x| as {@link BypassMax} hands it over.
     */
    static final class ScalePass extends Area {
        /** Event: a gamma beat was taken (the buffer word at the index is read). */
        final Bool gammaTaken;
        /** Cycles from a gamma beat to its stored y. */
        final int latency;
        /** The token's absmax so far, binary32. */
        final Bits absMax;
        /** Event, raised by the emit pass: the token's last beat has left, the maximum restarts. */
        final Bool restart;

        ScalePass(FpFormat format, int width, TokenLength length, Bits word, Bits r, Stream<Vec<Bits>> gamma,
                Control control, TokenBuffer buffer, Optional<BypassMax> bypassMax) {
            super("scale_pass", "y = st((x * r) * gamma) for each buffer word, written back, and the running absmax");
            int indexBits = control.backIndex().width();
            restart = wire("absmax_restart", bool());
            gamma.ready.set(control.scaling().and(control.backTimerDone()));
            gammaTaken = gamma.fire().named("gamma_fire");
            Pipeline pipe = new Pipeline("gamma_fire", gammaTaken);
            // The buffer's read, TokenBuffer.READ_LATENCY cycles after gamma; gamma waits as long.
            int read = TokenBuffer.READ_LATENCY;
            Timed<Bits> buffered = pipe.at(read, "read_word", word);
            Timed<Vec<Bits>> gammaWord = pipe.at(read, "gamma_word", Delay.of("gamma_word", gamma.payload, read));
            Timed<Bits> steadyR = pipe.steady(r);
            List<Timed<Bits>> lanes = new ArrayList<>();
            for (int lane = 0; lane < width; lane++) {
                String l = "lane" + lane;
                int at = lane;
                Timed<Bits> x = FpConvert.toFp32(l + "_xs", format, buffered.map(w -> w.slice(16 * at + 15, 16 * at)));
                Timed<Bits> g = FpConvert.toFp32(l + "_gamma", format, gammaWord.map(v -> v.get(at))).named(l + "_g");
                // x and gamma are stored values widened: multipliers for a binary16 operand where they are one.
                Timed<Bits> xr = Fp32Mul.apply(l + "_xr", steadyR, x, format);
                lanes.add(FpConvert.fromFp32(l + "_y", format, Fp32Mul.apply(l + "_xrg", xr, g, format)));
            }
            Timed<List<Bits>> scaled = Timed.all(lanes);
            latency = scaled.cycle();
            List<Bits> ys = scaled.value();
            Bool written = scaled.flow().valid;
            UInt writeIndex = reg("write_index", uint(indexBits), 0);
            buffer.writeBack.set(written);
            buffer.writeBackIndex.set(writeIndex);
            buffer.yWord.set(asBits(new Vec<>(ys)));
            // A beat's largest magnitude is registered before it joins the running maximum (for timing: the storage
            // rounding, the lanes' compares and the maximum's were one path). The maximum is a cycle later for it;
            // the back's wait after the last gamma beat (scale latency + 3) and the buffer's read latency leave the
            // emission's first absmax well after it.
            Bool beatMaxValid = regNext("beat_max_valid", written, 0);
            UInt beatMax = regNext("beat_max", format.maxMagnitude(ys));
            UInt running = reg("running_max", uint(15), 0);
            when(written, () -> writeIndex.set(mux(length.isLast(writeIndex), U(0, indexBits), writeIndex.add(1))));
            when(beatMaxValid, () -> running.set(mux(beatMax.gt(running), beatMax, running)));
            when(restart, () -> running.set(0));
            // A bypassed token's maximum comes with it from the front (after the restart: both may fall in one cycle).
            bypassMax.ifPresent(bypassed -> when(control.handoff().and(bypassed.bypass), () ->
                    running.set(bypassed.running)));
            Bits widened = FpConvert.toFp32(format, cat(FALSE, running));
            // A bypassed token's NaNs are the producer's, of any payload; N6.1's absmax of them is the canonical
            // NaN. (The unit's own y are stored by the storage rounding, whose only NaN is the canonical one.)
            // Registered once more (the compare, the widening and the result buffer's write were one path): it
            // follows the running maximum a cycle late, and the emission starts later than that (after the
            // back's wait, or, for a bypassed token, after its hand-off cycle).
            absMax = regNext("abs_max_widened", bypassMax.isEmpty() ? widened : mux(running.gt(format.infinity()),
                    FpFormat.FP32.constant(FpFormat.FP32.canonicalNaN()), widened));
        }
    }

    /**
     * A bypassed token's absmax (run-time variant): the largest magnitude of each input beat, registered a cycle
     * after the beat, folded into the front's running maximum, which the {@link ScalePass} takes over at the
     * hand-off (the back may still be emitting the token before).
     */
    static final class BypassMax extends Area {
        /** The token is bypassed (the run-time input). */
        final Bool bypass;
        /** The front's token's largest magnitude so far (the low 15 bits of a stored pattern). */
        final UInt running;

        BypassMax(FpFormat format, Stream<Vec<Bits>> in, Bool beatTaken, Bool bypass, Control control) {
            super("bypass_max", "the largest magnitude of the input beats of a token without RMSNorm");
            this.bypass = bypass;
            Bool taken = regNext("bypass_beat", beatTaken.and(bypass), 0);
            UInt beatMax = regNext("bypass_beat_max", format.maxMagnitude(in.payload));
            running = reg("bypass_running_max", uint(15), 0);
            when(taken, () -> running.set(mux(beatMax.gt(running), beatMax, running)));
            when(control.handoff(), () -> running.set(0));
        }
    }

    /** Pass 3: the stored y with the token's absmax on every beat, through a credit buffer. */
    static final class EmitPass extends Area {
        /** Event: a word is read out (a credit was taken). */
        final Bool emit;

        EmitPass(FpFormat format, int width, Bits word, Bits absMax, Stream<Out> out, Control control,
                ScalePass scale) {
            super("emit_pass", "the stored y with the token's absmax on every beat");
            CreditBuffer<Out> results = new CreditBuffer<>("result", new Out(vec(width, bits(16)), bits(32), bool()),
                    CreditBuffer.depthFor(TokenBuffer.READ_LATENCY));
            emit = control.emitting().and(control.backTimerDone()).and(results.available()).named("emit");
            results.issue(emit);
            Bool emitValid = Delay.valid("emit_valid", emit, TokenBuffer.READ_LATENCY);
            Delay.Line<Bool> lastRead = Delay.validLine("emit_last", emit.and(control.backLast()));
            Bool emitLast = lastRead.tap(TokenBuffer.READ_LATENCY);
            // The maximum restarts a cycle before the last word leaves: the absmax it carries is registered once
            // more (abs_max_widened), and a bypassed token's hand-off may fall in the cycle after the restart.
            scale.restart.set(lastRead.tap(TokenBuffer.READ_LATENCY - 1));
            List<Bits> emitted = new ArrayList<>();
            for (int lane = 0; lane < width; lane++) {
                emitted.add(word.slice(16 * lane + 15, 16 * lane));
            }
            results.connect(new Flow<>(emitValid, new Out(new Vec<>(emitted), absMax, emitLast))).connectTo(out);
        }
    }

    /**
     * The cycles a token spends in each pass without stalls: the accumulation (n/W beats, one per
     * {@link #beatInterval} cycles, and the last add), the tree and r, the scaling pass, the emission. The
     * run-time variant: at its longest n, and a bypassed token's two passes (a beat per cycle in, then out).
     */
    public String passes() {
        int accumulate = (beats - 1) * beatInterval + squareToAdd + ACCUMULATOR_LATENCY + 2;
        int tree = 0;
        for (int w = lanes; w > 1; w >>= 1) {
            tree += w / 2 + ACCUMULATOR_LATENCY + 1;
        }
        int front = accumulate + tree + 1 + normalizeLatency;
        int back = beats + scaleLatency + 4 + beats + 1;
        String normalized = String.format(java.util.Locale.ROOT, "per token about %d + %d + %d + %d (accumulate,"
                + " tree and rsqrt, scale, emit); in a stream about %d each (the front's and the back's halves"
                + " overlap)", accumulate, tree + 1 + normalizeLatency, beats + scaleLatency + 4, beats + 1,
                Math.max(front, back));
        return runTime == null ? normalized : normalized + String.format(java.util.Locale.ROOT, " at the longest"
                + " n; bypassed %d + %d (buffer, emit)", beats, beats);
    }
}
