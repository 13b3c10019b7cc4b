package dev.tellmej.accel.lmhead;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.protocol.ErrorCode;
import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.HwEnum;
import dev.tellmej.hdl.Mem;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.RamStyle;
import dev.tellmej.hdl.SInt;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.Vec;
import dev.tellmej.hdl.lib.AdderTree;
import dev.tellmej.hdl.lib.Delay;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.Pipeline;
import dev.tellmej.hdl.lib.Stream;
import dev.tellmej.hdl.lib.Timed;
import dev.tellmej.hdl.lib.axi.Axi4;
import dev.tellmej.hdl.lib.axi.AxiBurstReader;
import dev.tellmej.hdl.lib.fp.Fp32Compare;
import dev.tellmej.hdl.lib.fp.Fp32Mul;
import dev.tellmej.hdl.lib.fp.FpFormat;
import dev.tellmej.hdl.lib.fp.Int32ToFp32;
import dev.tellmej.model.numerics.ActivationQuantizer;
import java.util.ArrayList;
import java.util.List;

/**
 * The int8 LM head of NUMERICS.md N16 for one token: {@code logit_j = float(acc_j) * (rowScale_j * fx)} with
 * {@code acc_j = sum_i q_ji x_i} (int32, exact) and {@code fx = mc * INV127}, for every row j of the image's LM
 * head, and the argmax of the logits (the lowest index among equal maxima; a NaN never wins unless it is row
 * 0, as Java's scan {@code if (l[i] > l[best]) best = i}).
 *
 * <p><b>A command</b> ({@link Command}) names the int8 rows (row-major, {@code cols} bytes each), their binary32
 * scales, the row count, the hidden size and the token's {@code mc}; the token's int8 activations follow on
 * {@link #activations} ({@code cols / B} beats of B bytes). The logits leave on {@link #logits} in row order,
 * then {@link #done} pulses with the argmax and an {@link ErrorCode}: BAD_FIELD (no rows, more than the build's
 * vocabulary, a hidden size of 0, above the maximum or not whole beats; nothing else happens) or DDR_ERROR (a
 * beat came back SLVERR or DECERR; the logits are then meaningless).
 *
 * <p><b>Lanes.</b> Row j is read by lane {@code j mod P} through its own AXI4 port, a beat of B int8 weights per
 * cycle multiplied with the matching beat of activations, so P ports stream the rows at the DDR's pace (the LM
 * head is the largest matrix of a token and its only DDR-bound step after the layers). The lanes' row sums meet
 * in row order, each with its scale from the scale port, and go through the logit pipeline and the argmax.
 * Named {@code LmHeadUnit_<shape>}.
 */
public final class LmHeadUnit extends Module {
    /**
     * One token's LM head.
     *
     * @param weightsAddress byte address of row 0 (beat-aligned), 64 bits
     * @param scalesAddress  byte address of row 0's scale (beat-aligned), 64 bits
     * @param rows           rows (vocabulary), 32 bits
     * @param cols           int8 inputs per row (hidden size), 16 bits
     * @param mc             the activations' N6 scale (binary32 bits)
     */
    public record Command(UInt weightsAddress, UInt scalesAddress, UInt rows, UInt cols, Bits mc) {}

    /** A command finished: the argmax and the {@link ErrorCode} value. */
    public record Done(UInt argmax, UInt errorCode) {}

    enum Phase { IDLE, CHECK, ACTIVATIONS, RUN }

    /** Cycles from an issue to the shared multiplier (fx, or a row's scale times fx) to its product. */
    static final int SHARED_LATENCY = 1 + Fp32Mul.LATENCY;

    public final Stream<Command> command;
    public final Stream<Bits> activations;
    public final Stream<Bits> logits;
    public final Flow<Done> done;
    /** Lane p's read port ({@code m_axi_lane<p>}). */
    public final List<Axi4> lanePorts = new ArrayList<>();
    /** The scales' read port. */
    public final Axi4 scalePort;
    public final Bool idle;
    public final LmHeadShape shape;

    /** Cycles from a row's sum and scale to its logit. */
    public final int logitLatency;

    public static LmHeadUnit of(AcceleratorConfig config) {
        return new LmHeadUnit(LmHeadShape.of(config));
    }

    public LmHeadUnit(LmHeadShape shape) {
        this.shape = shape;
        param("", shape.suffix());
        int beatBits = 8 * shape.beatBytes();
        command = in("command", Stream.of(new Command(uint(64), uint(64), uint(32), uint(16), bits(32))));
        activations = in("activations", Stream.of(bits(beatBits)));
        logits = out("logits", Stream.of(bits(32)));
        done = out("done", Flow.of(new Done(uint(32), uint(8))));
        idle = out("idle", bool());
        List<AxiBurstReader> readers = new ArrayList<>();
        for (int p = 0; p < shape.lanes(); p++) {
            AxiBurstReader reader = instance("lane" + p + "_reader", new AxiBurstReader(shape.bursts()));
            Axi4 port = out("m_axi_lane" + p, Axi4.master(shape.bursts().axi()));
            forward(port, reader.axi);
            readers.add(reader);
            lanePorts.add(port);
        }
        AxiBurstReader scaleReader = instance("scale_reader", new AxiBurstReader(shape.bursts()));
        scalePort = out("m_axi_scales", Axi4.master(shape.bursts().axi()));
        forward(scalePort, scaleReader.axi);

        Bool finished = wire("all_logits_out", bool());
        Bool failed = wire("read_failed", bool());
        UInt argmax = wire("argmax_index", uint(32));
        // One multiplier serves fx = mc * INV127 (once, when a command is taken, the unit idle) and each row's
        // rowScale * fx (while the rows run): the two never meet.
        Fp32Mul scaleMultiplier = instance("scale_fx", new Fp32Mul());
        Controller controller = area(new Controller(shape, command, activations, finished, failed, argmax, done,
                scaleMultiplier.out.payload));
        List<Lane> lanes = new ArrayList<>();
        for (int p = 0; p < shape.lanes(); p++) {
            lanes.add(area(new Lane(shape, p, controller, activations, readers.get(p))));
        }
        ScaleStream scales = area(new ScaleStream(shape, controller, scaleReader));
        Logits logitStage = area(new Logits(shape, controller, lanes, scales, logits, scaleMultiplier.out.payload));
        Bool fxIssue = controller.accepted;
        // The operands go through a register first (SHARED_LATENCY): the scale queue's block RAM read and the
        // operand select in front of the multiplier's first stage were the unit's longest path.
        scaleMultiplier.in.valid.set(regNext("shared_operands_valid", fxIssue.or(logitStage.take), 0));
        scaleMultiplier.in.payload.a().set(regNext("shared_operand_a",
                mux(fxIssue, command.payload.mc(), scales.scales.payload)));
        scaleMultiplier.in.payload.b().set(regNext("shared_operand_b", mux(fxIssue, FpFormat.FP32.constant(
                Float.floatToRawIntBits(ActivationQuantizer.INV127) & 0xFFFFFFFFL), controller.fx)));
        assertAlways(fxIssue.and(logitStage.take).not(), "LmHeadUnit: fx and a row's scale never share the"
                + " multiplier's cycle");
        logitLatency = logitStage.latency;
        finished.set(logitStage.finished);
        Bool anyFailure = scales.failed;
        for (Lane lane : lanes) {
            anyFailure = anyFailure.or(lane.failed);
        }
        failed.set(anyFailure);
        argmax.set(logitStage.best);
        idle.set(controller.phase.is(Phase.IDLE));
    }

    /** Takes and checks a command and the activations, starts the lanes and reports the end. */
    static final class Controller extends Area {
        final HwEnum<Phase> phase;
        final UInt scalesAddress;
        final UInt rows;
        final UInt colBeats;
        /** Each lane's first row's byte address (lane p: row p), set with the command. */
        final List<UInt> laneStarts;
        /** A lane's step from a row to its next (P rows), in bytes, set with the command. */
        final UInt laneStride;
        final Bits fx;
        /** {@link #fx} holds this command's factor. */
        final Bool fxReady;
        /** Event: the rows start streaming. */
        final Bool start;
        /** Event: a command is taken. */
        final Bool accepted;
        final UInt activationBeat;

        Controller(LmHeadShape shape, Stream<Command> command, Stream<Bits> activations, Bool finished, Bool failed,
                   UInt argmax, Flow<Done> done, Bits sharedProduct) {
            super("controller", "takes and checks a command, takes the activations, starts the lanes, reports done");
            int beatShift = Integer.numberOfTrailingZeros(shape.beatBytes());
            phase = reg("phase", enumOf(Phase.class), Phase.IDLE);
            scalesAddress = reg("scales_address", uint(64), 0);
            rows = reg("rows", uint(32), 0);
            colBeats = reg("col_beats", uint(16), 0);
            Bits mc = reg("mc", bits(32), 0);
            activationBeat = reg("activation_beat", uint(16), 0);
            Bool donePending = reg("done_pending", bool(), 0);
            UInt doneCode = reg("done_code", uint(8), 0);
            UInt doneArgmax = reg("done_argmax", uint(32), 0);

            Command c = command.payload;
            Bool unaligned = beatShift == 0 ? FALSE : c.cols().resize(beatShift).ne(0);
            Bool bad = c.rows().eq(0).or(c.rows().gt(shape.maxRows())).or(c.cols().eq(0))
                    .or(c.cols().gt(shape.maxCols())).or(unaligned).named("command_bad_field");
            command.ready.set(phase.is(Phase.IDLE));
            accepted = command.fire().named("command_accepted");
            activations.ready.set(phase.is(Phase.ACTIVATIONS));
            // Whether the next activation beat is the last, a flag kept beside the count (for timing: the count's
            // compare with the command's beats lay on the path into the lanes' row counts).
            Bool lastActivation = reg("last_activation_beat", bool(), 0);
            when(accepted, () -> lastActivation.set(c.cols().shr(beatShift).resize(16).eq(1)))
                    .elseWhen(activations.fire(), () -> lastActivation.set(activationBeat.add(2).trunc(16)
                            .eq(colBeats)));
            assertAlways(phase.is(Phase.ACTIVATIONS).not().or(lastActivation.eq(activationBeat.eq(colBeats.sub(1)
                    .trunc(16)))), "LmHeadUnit: the last-activation flag follows the beat count");
            start = activations.fire().and(lastActivation).named("rows_start");

            // fx = mc * INV127, once per command (N16.4), ready long before the first row's sum.
            // On the shared multiplier (the unit's constructor feeds it mc and INV127 while accepted).
            Bool fxOut = Delay.valid("fx_issue", accepted, SHARED_LATENCY);
            fx = regNextWhen("fx", sharedProduct, fxOut);
            Bool fxLoaded = reg("fx_ready", bool(), 0);
            when(accepted, () -> fxLoaded.set(false)).elseWhen(fxOut, () -> fxLoaded.set(true));
            fxReady = fxLoaded;

            donePending.set(false);
            // The lanes' addresses are products and sums of the command's fields, registered with them (for
            // timing: cols x p and the 64-bit sum lay on the path into a lane's row address).
            laneStarts = new ArrayList<>();
            for (int p = 0; p < shape.lanes(); p++) {
                laneStarts.add(regNextWhen("lane" + p + "_start",
                        c.weightsAddress().add(c.cols().timesConstant(p, 64)).trunc(64), accepted, 0));
            }
            laneStride = regNextWhen("lane_stride", c.cols().timesConstant(shape.lanes(), 64), accepted, 0);
            when(accepted, () -> {
                scalesAddress.set(c.scalesAddress());
                rows.set(c.rows());
                colBeats.set(c.cols().shr(beatShift).resize(16));
                mc.set(c.mc());
                activationBeat.set(0);
                phase.set(Phase.CHECK);
            });
            // The fields are checked a cycle after the command is taken (for timing: the compares lay on the path
            // into the done registers' enable).
            Bool badQ = regNextWhen("command_bad", bad, accepted, 0);
            when(phase.is(Phase.CHECK), () -> {
                phase.set(Phase.ACTIVATIONS);
                when(badQ, () -> {
                    phase.set(Phase.IDLE);
                    donePending.set(true);
                    doneCode.set(ErrorCode.BAD_FIELD.code());
                    doneArgmax.set(0);
                });
            });
            when(activations.fire(), () -> activationBeat.set(activationBeat.add(1).trunc(16)));
            when(start, () -> phase.set(Phase.RUN));
            when(phase.is(Phase.RUN).and(finished), () -> {
                phase.set(Phase.IDLE);
                donePending.set(true);
                doneCode.set(mux(failed, U(ErrorCode.DDR_ERROR.code(), 8), U(ErrorCode.NONE.code(), 8)));
                doneArgmax.set(argmax);
            });
            done.valid.set(donePending);
            done.payload.argmax().set(doneArgmax);
            done.payload.errorCode().set(doneCode);
        }
    }

    /**
     * One row lane: reads rows {@code p, p + P, ...} (a command per row), multiplies each beat with the matching
     * beat of activations (its own copy of them) and hands each row's int32 sum to a small queue.
     */
    static final class Lane extends Area {
        static final int QUEUE_DEPTH = 8;

        final Stream<SInt> sums;
        final Bool failed;

        Lane(LmHeadShape shape, int p, Controller controller, Stream<Bits> activations, AxiBurstReader reader) {
            super("lane" + p, "reads rows " + p + " mod P, and sums each row's products with the activations");
            String n = "lane" + p + "_";
            int beats = shape.beatBytes();
            int wordBits = log2Up(shape.maxColBeats());
            // Block RAM: each lane reads its own beat, so each keeps a copy; LUT RAM would cost 2 LUTs a bit.
            Mem<Bits> x = mem(n + "activations", bits(8 * beats), shape.maxColBeats()).style(RamStyle.BLOCK);
            when(activations.fire(), () -> x.write(controller.activationBeat.resize(Math.max(1, wordBits)),
                    activations.payload));

            // Row commands: row p first, then every P-th row.
            UInt nextRow = reg(n + "next_row", uint(33), 0);
            UInt address = reg(n + "address", uint(64), 0);
            // A row's command is offered only while the reader's command stage is empty, so it is taken at once and
            // the lane moves on its own offer (the reader's ready stays out of the row address's enable). A row is
            // many bursts, so the cycle between commands costs nothing.
            Bool issuing = reader.offer(n + "issuing", controller.phase.is(Phase.RUN)
                    .and(nextRow.lt(controller.rows.resize(33))), address, controller.colBeats,
                    "LmHeadUnit: a row's command");
            when(controller.start, () -> {
                nextRow.set(p);
                address.set(controller.laneStarts.get(p));
            }).elseWhen(issuing, () -> {
                nextRow.set(nextRow.add(shape.lanes()).trunc(33));
                address.set(address.add(controller.laneStride).trunc(64));
            });

            // Beats: multiply, sum the beat's products, accumulate the row; a row's sum goes to the queue.
            Stream<SInt> rowSums = wire(n + "row_sum", Stream.of(sint(32)));
            Stream.Queued<SInt> queued = rowSums.queue(n + "sums", QUEUE_DEPTH, RamStyle.DISTRIBUTED);
            sums = queued.stream();
            UInt beat = reg(n + "beat", uint(16), 0);
            UInt inFlight = reg(n + "rows_in_flight", uint(3), 0);
            Bool lastBeat = beat.eq(controller.colBeats.sub(1).trunc(16)).named(n + "last_beat");
            Bool room = queued.occupancy().resize(5).add(inFlight.resize(5)).trunc(5).lt(QUEUE_DEPTH - 1)
                    .named(n + "room");
            reader.data.ready.set(room);
            Bool take = reader.data.fire().named(n + "take");
            when(controller.start, () -> beat.set(0)).elseWhen(take, () -> beat.set(mux(lastBeat, U(0, 16),
                    beat.add(1).trunc(16))));
            Pipeline pipe = new Pipeline(n + "beat", take);
            Timed<Bits> weights = pipe.input(n + "weights", reader.data.payload.data());
            Timed<Bool> rowEnd = pipe.input(n + "row_end", lastBeat);
            // The activation copy's read takes two cycles, the block RAM's read and output registers (its read
            // without the output register, into the products' DSP48E2, was the unit's longest path).
            int xRead = 2;
            Bits xWord = x.readSync(n + "x_read", beat.resize(Math.max(1, wordBits)), take, xRead);
            Timed<Bits> xT = pipe.at(xRead, n + "x_word", xWord);
            Bits w1 = weights.at(xRead);
            // The beat's B products (16 bits each: |q x| <= 2^14), registered twice (the DSP48E2's M and P
            // registers: with one, the multiplier lay between the operands' registers and it, the unit's longest
            // paths), then summed by a balanced tree whose adders widen by a bit a level, registered once: the sum
            // is exact in 16 + log2(B) bits, three cycles after the products' operands.
            List<SInt> products = new ArrayList<>();
            for (int i = 0; i < beats; i++) {
                SInt product = w1.slice(8 * i + 7, 8 * i).asSInt().mul(xT.value().slice(8 * i + 7, 8 * i).asSInt());
                products.add(regNext(n + "product" + i, regNext(n + "product" + i + "_m", product)));
            }
            SInt beatSum;
            if (beats == 1) {
                beatSum = regNext(n + "beat_sum_r", products.getFirst());
            } else {
                AdderTree tree = Hdl.instance(n + "beat_tree", new AdderTree(beats, 16, log2Up(beats)));
                tree.in.valid.set(pipe.valid(xRead + 2));
                for (int i = 0; i < beats; i++) {
                    tree.in.payload.get(i).set(products.get(i));
                }
                beatSum = tree.out.payload;
            }
            int sumCycle = xRead + 3;
            Timed<SInt> sumT = pipe.at(sumCycle, n + "beat_sum", beatSum.sext(32).named(n + "beat_sum_c"));
            Bool sumValid = pipe.valid(sumCycle);
            Bool sumEnd = rowEnd.at(sumCycle);
            SInt acc = reg(n + "acc", sint(32), 0);
            SInt total = acc.add(sumT.value()).named(n + "row_total");
            when(sumValid, () -> acc.set(mux(sumEnd, S(0, 32), total)));
            rowSums.valid.set(sumValid.and(sumEnd));
            rowSums.payload.set(total);
            assertAlways(rowSums.valid.not().or(rowSums.ready), "LmHeadUnit: a lane's sum queue has room");
            Bool issued = take.and(lastBeat);
            inFlight.set(inFlight.add(issued.asUInt().resize(3)).trunc(3).sub(rowSums.valid.asUInt().resize(3)).trunc(3));
            Bool failure = reg(n + "failed", bool(), 0);
            when(controller.accepted, () -> failure.set(false))
                    .elseWhen(take.and(reader.data.payload.error()), () -> failure.set(true));
            failed = failure;
        }
    }

    /** Reads the rows' binary32 scales as one command and hands them out one per row. */
    static final class ScaleStream extends Area {
        final Stream<Bits> scales;
        final Bool failed;

        ScaleStream(LmHeadShape shape, Controller controller, AxiBurstReader reader) {
            super("scale_stream", "reads the row scales and hands them out in row order, one a cycle");
            int perBeat = shape.beatBytes() / 4;
            int beatShift = Integer.numberOfTrailingZeros(shape.beatBytes());
            Bool requested = reg("scales_requested", bool(), 0);
            UInt rowBytes = controller.rows.resize(35).shl(2).named("scale_bytes");
            UInt beats = rowBytes.add(shape.beatBytes() - 1).trunc(35).shr(beatShift).named("scale_beats");
            // Offered only while the reader's command stage is empty, so taken at once (the reader's ready stays out
            // of the request flag's enable).
            Bool offered = reader.offer("scales_offered", controller.phase.is(Phase.RUN).and(requested.not()),
                    controller.scalesAddress, beats, "LmHeadUnit: the scales' command");
            when(controller.accepted, () -> requested.set(false)).elseWhen(offered, () -> requested.set(true));

            // Unpack a beat's words; words past the last row are dropped with the beat.
            UInt word = reg("scale_word", uint(Math.max(1, log2Up(perBeat))), 0);
            Bool lastWord = perBeat == 1 ? TRUE : word.eq(perBeat - 1).named("last_scale_word");
            Stream<Bits> unpacked = wire("scale", Stream.of(bits(32)));
            UInt taken = reg("scales_taken", uint(33), 0);
            // "Past the last row" is a flag set with the count (for timing: the compare with the rows lay on the
            // path into the read FIFO's enable); while the rows run it equals taken >= rows (an assertion).
            Bool beyond = reg("scale_beyond_rows", bool(), 0);
            assertAlways(controller.phase.is(Phase.RUN).not().or(beyond.eq(taken.ge(controller.rows.resize(33)))),
                    "LmHeadUnit: the scale stream's past-the-rows flag is current");
            unpacked.valid.set(reader.data.valid.and(beyond.not()));
            List<Bits> words = new ArrayList<>();
            for (int i = 0; i < perBeat; i++) {
                words.add(reader.data.payload.data().slice(32 * i + 31, 32 * i));
            }
            unpacked.payload.set(perBeat == 1 ? words.getFirst() : new Vec<>(words).get("scale_pick", word));
            // A skid buffer between the words and the logits' take, so that the read FIFO's enable comes from a
            // register (for timing: the take, from the lanes' sums through the lane's pick, lay on the path into
            // it). Every row takes one word, so the buffer is empty when a command is accepted (an assertion).
            scales = unpacked.s2mPipe("scale_skid");
            assertAlways(controller.accepted.not().or(scales.valid.not()), "LmHeadUnit: no row scale is left over"
                    + " when a command is accepted");
            reader.data.ready.set(unpacked.ready.and(lastWord).or(beyond));
            when(controller.accepted, () -> {
                word.set(0);
                taken.set(0);
                beyond.set(false);
            }).elseWhen(reader.data.valid.and(unpacked.ready.or(beyond)), () -> {
                word.set(perBeat == 1 ? U(0, 1) : word.add(1).trunc(widthOf(word)));
                UInt next = taken.add(1).trunc(33);
                taken.set(next);
                beyond.set(next.ge(controller.rows.resize(33)));
            });
            Bool failure = reg("scales_failed", bool(), 0);
            when(controller.accepted, () -> failure.set(false))
                    .elseWhen(reader.data.fire().and(reader.data.payload.error()), () -> failure.set(true));
            failed = failure;
        }
    }

    /**
     * Takes the rows' sums in row order (lane {@code j mod P}) with their scales, computes the logits (N16.4) and
     * keeps the argmax.
     */
    static final class Logits extends Area {
        static final int OUT_DEPTH = 32;

        final Bool finished;
        final UInt best;
        final int latency;
        /** Event: a row's sum and scale are taken (the shared multiplier gets rowScale and fx). */
        final Bool take;

        Logits(LmHeadShape shape, Controller controller, List<Lane> lanes, ScaleStream scales, Stream<Bits> out,
               Bits sharedProduct) {
            super("logit_stage", "joins the lanes' sums in row order with the scales, and computes the logits and"
                    + " their argmax");
            int laneBits = Math.max(1, log2Up(shape.lanes()));
            UInt lane = reg("next_lane", uint(laneBits), 0);
            UInt row = reg("next_row", uint(33), 0);
            List<Bool> valids = new ArrayList<>();
            List<SInt> sums = new ArrayList<>();
            for (Lane l : lanes) {
                valids.add(l.sums.valid);
                sums.add(l.sums.payload);
            }
            Bool sumValid = lanes.size() == 1 ? valids.getFirst() : new Vec<>(valids).get("sum_valid_pick", lane);
            SInt sum = lanes.size() == 1 ? sums.getFirst() : new Vec<>(sums).get("sum_pick", lane);

            Stream<Bits> results = wire("logit_out", Stream.of(bits(32)));
            Stream.Queued<Bits> queued = results.queue("logit_queue", OUT_DEPTH, RamStyle.DISTRIBUTED);
            queued.stream().connectTo(out);
            UInt inFlight = reg("logits_in_flight", uint(6), 0);
            // Room for a logit, registered (for timing: the sum and compare lay on the path through the take into
            // the scale FIFO's read enable): taken a cycle late with a word to spare, as at most one take comes
            // between, so the queue never overflows (the assertion below).
            Bool room = regNext("logit_room", queued.occupancy().resize(7).add(inFlight.resize(7)).trunc(7)
                    .lt(OUT_DEPTH - 1), 0);
            // "Rows left" is a flag set with the row count (for timing: the compare with the rows lay on the path
            // through the take into the scale FIFO's read enable); while the rows run it equals row < rows.
            Bool more = reg("rows_left", bool(), 0);
            assertAlways(controller.phase.is(Phase.RUN).not().or(more.eq(row.lt(controller.rows.resize(33)))),
                    "LmHeadUnit: the rows-left flag is current");
            take = controller.phase.is(Phase.RUN).and(controller.fxReady).and(more).and(sumValid)
                    .and(scales.scales.valid).and(room).named("logit_take");
            for (int p = 0; p < lanes.size(); p++) {
                lanes.get(p).sums.ready.set(take.and(lane.eq(p)));
            }
            scales.scales.ready.set(take);
            when(controller.start, () -> {
                lane.set(0);
                row.set(0);
                more.set(controller.rows.ne(0));
            }).elseWhen(take, () -> {
                lane.set(mux(lane.eq(shape.lanes() - 1), U(0, laneBits), lane.add(1).trunc(laneBits)));
                UInt next = row.add(1).trunc(33);
                row.set(next);
                more.set(next.lt(controller.rows.resize(33)));
            });

            Pipeline pipe = new Pipeline("logit_issue", take);
            Timed<Bits> accF = Int32ToFp32.apply("row_sum_float", pipe.input("row_sum", sum));
            // rowScale * fx on the shared multiplier, which the unit's constructor feeds while take.
            Timed<Bits> scale = pipe.at(SHARED_LATENCY, "row_scale_fx", sharedProduct);
            Timed<Bits> logit = Fp32Mul.apply("logit", accF, scale);
            latency = logit.cycle();
            Bool valid = pipe.valid(latency);
            UInt index = pipe.input("logit_row", row.resize(32)).at(latency);
            results.valid.set(valid);
            results.payload.set(logit.value());
            assertAlways(valid.not().or(results.ready), "LmHeadUnit: the logit queue has room");
            inFlight.set(inFlight.add(take.asUInt().resize(6)).trunc(6).sub(valid.asUInt().resize(6)).trunc(6));

            // Java's scan: row 0 first, then a row wins only when strictly greater (a NaN never does). A logit is
            // compared a cycle after it is made, by its order key and its NaN and zero tests, each registered beside
            // the best's (for timing: the key's sign flip and the tests lay between the multiplier's output and the
            // compare into the best's enable). The logits count as emitted once compared.
            Bits value = logit.value();
            Bool compareValid = regNext("argmax_valid", valid, 0);
            Bool firstQ = regNext("argmax_first", index.eq(0));
            UInt indexQ = regNext("argmax_row", index);
            UInt keyQ = regNext("argmax_key", Fp32Compare.orderKey(value));
            Bool nanQ = regNext("argmax_nan", FpFormat.FP32.isNaN(value));
            Bool zeroQ = regNext("argmax_zero", FpFormat.FP32.isZero(value));
            UInt bestKey = reg("best_key", uint(32), 0);
            Bool bestNan = reg("best_nan", bool(), 0);
            Bool bestZero = reg("best_zero", bool(), 0);
            best = reg("best_row", uint(32), 0);
            Bool greater = keyQ.gt(bestKey).and(nanQ.not()).and(bestNan.not()).and(zeroQ.and(bestZero).not())
                    .named("logit_greater");
            when(compareValid.and(firstQ.or(greater)), () -> {
                bestKey.set(keyQ);
                bestNan.set(nanQ);
                bestZero.set(zeroQ);
                best.set(indexQ);
            });
            UInt emitted = reg("logits_emitted", uint(33), 0);
            when(controller.start, () -> emitted.set(0))
                    .elseWhen(compareValid, () -> emitted.set(emitted.add(1).trunc(33)));
            finished = emitted.eq(controller.rows.resize(33)).and(queued.occupancy().eq(0))
                    .and(controller.phase.is(Phase.RUN)).named("logits_finished");
        }
    }
}
