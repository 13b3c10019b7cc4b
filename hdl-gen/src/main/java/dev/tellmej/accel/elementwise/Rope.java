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
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.Pipeline;
import dev.tellmej.hdl.lib.Stream;
import dev.tellmej.hdl.lib.Timed;
import dev.tellmej.hdl.lib.fp.Fp32Add;
import dev.tellmej.hdl.lib.fp.Fp32Mul;
import dev.tellmej.hdl.lib.fp.FpConvert;
import dev.tellmej.hdl.lib.fp.FpFormat;
import dev.tellmej.model.config.RopeStyle;
import dev.tellmej.model.numerics.StorageFormat;
import java.util.ArrayList;
import java.util.List;

/**
 * RoPE of NUMERICS.md N14 on the dequantized binary32 q or k (N14.4), followed by the storage rounding of
 * N17.2.3, L lanes per beat, head dimension d, in either pair style (N14.3): adjacent elements (2i, 2i+1) or
 * the two halves (i, i + d/2). A pair (a, b) becomes {@code a' = a*c - b*s}, {@code b' = a*s + b*c} (N14.2:
 * the products, then the subtraction or addition, each RNE; IEEE addition commutes, so each output element is
 * computed from its own two products: {@code own * c} and {@code partner * s}, subtracted for a', added for b').
 *
 * <p>Each head is written into one of two head buffers (ping-pong), and read out beat by beat with each
 * element's partner from a second copy, so either style runs at one beat per cycle after a head's worth of
 * latency. cos and sin come from the {@code table} memory: {@code rows} rows of d/L words, written through
 * {@code tableWrite} (or preloaded), laid out by {@link RopeTable}; a beat's {@code position} selects the row
 * (the row of the token's position: a table of every position for small contexts, or rows the sequencer
 * reloads per token for large ones).
 *
 * <p>Streams: {@code in} carries L binary32 values, the row, and {@code last} (end of the vector, passed
 * through); {@code out} the L stored results. Latency {@link #latency} cycles after a head's last beat.
 * Cost per lane: two {@code Fp32Mul}, one {@code Fp32Add}, a conversion; the buffers. Named
 * {@code Rope_<style>_l<L>_d<d>_r<rows>_<format>}.
 */
public final class Rope extends Module {
    /** One input beat: L binary32 values of a head, the table row of the token, and the vector's end. */
    public record In(Vec<Bits> x, UInt position, Bool last) {}

    /** One output beat: L stored values. */
    public record Out(Vec<Bits> y, Bool last) {}

    /** A write of one table word ({@link RopeTable} layout: L (cos, sin) pairs, cos in the low half). */
    public record TableWrite(UInt address, Bits word) {}

    public final Stream<In> in;
    public final Flow<TableWrite> tableWrite;
    public final Stream<Out> out;
    /** Beats per head: d / L. */
    public final int beats;
    /** Cycles from reading a beat out of the head buffer to its output (without stalls). */
    public final int latency;

    public Rope(RopeStyle style, int lanes, int headDim, int rows, StorageFormat storage) {
        boolean half = style == RopeStyle.HALF_SPLIT;
        if (lanes < 1 || Integer.bitCount(lanes) != 1 || headDim < 2 || headDim % 2 != 0 || rows < 1
                || headDim % lanes != 0 || (half && (headDim / 2) % lanes != 0)) {
            throw new InvalidParameterException(Locations.capture(), "Rope needs L a power of two dividing d"
                    + (half ? "/2" : "") + ", d even, rows >= 1; got L " + lanes + ", d " + headDim + ", rows " + rows);
        }
        FpFormat format = Storage.format(storage);
        baseName(half ? "Rope_half" : "Rope_adjacent");
        param("l", lanes);
        param("d", headDim);
        param("r", rows);
        param("", format.name());
        beats = headDim / lanes;
        int rowBits = log2Up(rows);
        int beatBits = log2Up(beats);
        int tableDepth = rows * beats;
        in = in("in", Stream.of(new In(vec(lanes, bits(32)), uint(rowBits), bool())));
        tableWrite = in("table_write", Flow.of(new TableWrite(uint(log2Up(tableDepth)), bits(64 * lanes))));
        out = out("out", Stream.of(new Out(vec(lanes, bits(16)), bool())));

        Mem<Bits> table = mem("cos_sin", bits(64 * lanes), tableDepth)
                .style(tableDepth >= 64 ? RamStyle.BLOCK : RamStyle.DISTRIBUTED);
        when(tableWrite.valid, () -> table.write(tableWrite.payload.address(), tableWrite.payload.word()));

        // Two copies of the ping-pong head buffer: one read for each element, one for its partner.
        int bufferDepth = 2 << beatBits;
        Mem<Bits> own = mem("head_own", bits(32 * lanes), bufferDepth).style(RamStyle.DISTRIBUTED);
        Mem<Bits> partner = mem("head_partner", bits(32 * lanes), bufferDepth).style(RamStyle.DISTRIBUTED);

        // Write side: fills the bank it points at, then hands it over.
        Bool writeBank = reg("write_bank", bool(), 0);
        UInt writeBeat = reg("write_beat", uint(beatBits), 0);
        Vec<Bool> full = reg("bank_full", vec(2, bool()), 0);
        Vec<UInt> bankRow = reg("bank_row", vec(2, uint(rowBits)));
        Vec<Bool> bankLast = reg("bank_last", vec(2, bool()), 0);
        in.ready.set(mux(writeBank, full.get(1), full.get(0)).not());
        Bool inFire = in.fire();
        UInt writeAddress = cat(writeBank, writeBeat).asUInt();
        Bits inWord = asBits(in.payload.x());
        when(inFire, () -> {
            own.write(writeAddress, inWord);
            partner.write(writeAddress, inWord);
            for (int bank = 0; bank < 2; bank++) {
                Bool thisBank = bank == 0 ? writeBank.not() : writeBank;
                UInt row = bankRow.get(bank);
                Bool last = bankLast.get(bank);
                Bool isFull = full.get(bank);
                when(thisBank.and(writeBeat.eq(0)), () -> row.set(in.payload.position()));
                when(thisBank.and(writeBeat.eq(beats - 1)), () -> {
                    isFull.set(true);
                    last.set(in.payload.last());
                });
            }
            when(writeBeat.eq(beats - 1), () -> {
                writeBeat.set(0);
                writeBank.set(writeBank.not());
            }).otherwise(() -> writeBeat.set(writeBeat.add(1)));
        });

        // Read side: one beat per cycle from a full bank while the output has room (read_issue, driven below
        // once the result buffer exists: its depth follows from the pipeline).
        Bool readBank = reg("read_bank", bool(), 0);
        UInt readBeat = reg("read_beat", uint(beatBits), 0);
        Bool issue = wire("read_issue", bool());
        Bool lastBeat = readBeat.eq(beats - 1);
        when(issue, () -> {
            when(lastBeat, () -> {
                readBeat.set(0);
                readBank.set(readBank.not());
                for (int bank = 0; bank < 2; bank++) {
                    Bool isFull = full.get(bank);
                    when(bank == 0 ? readBank.not() : readBank, () -> isFull.set(false));
                }
            }).otherwise(() -> readBeat.set(readBeat.add(1)));
        });
        UInt partnerBeat = partnerBeat(style, lanes, beats, readBeat);
        // The reads are there one cycle after the issue.
        Pipeline pipe = new Pipeline("read_issue", issue);
        Timed<Bits> ownWord = pipe.at(1, "own_word", own.readSync("own_word", cat(readBank, readBeat).asUInt(), issue, 1));
        Timed<Bits> partnerWord = pipe.at(1, "partner_word",
                partner.readSync("partner_word", cat(readBank, partnerBeat).asUInt(), issue, 1));
        UInt row = mux(readBank, bankRow.get(1), bankRow.get(0));
        UInt tableAddress = row.timesConstant(beats, log2Up(tableDepth)).add(readBeat.zext(log2Up(tableDepth)));
        Timed<Bits> cosSin = pipe.at(1, "cos_sin_word", table.readSync("cos_sin_word", tableAddress, issue, 1));
        Timed<UInt> beatR = pipe.at(1, "read_beat_r", regNext("read_beat_r", readBeat));
        Timed<Bool> lastR = pipe.at(1, "last",
                regNext("read_last", issue.and(lastBeat).and(mux(readBank, bankLast.get(1), bankLast.get(0)))));

        // a' = a*c - b*s, b' = a*s + b*c: each element's own * c plus or minus its partner * s, then st.
        List<Timed<Bits>> ys = new ArrayList<>();
        for (int lane = 0; lane < lanes; lane++) {
            String l = "lane" + lane;
            int at = lane;
            int partnerLane = style == RopeStyle.ADJACENT && lanes >= 2 ? lane ^ 1 : lane;
            Timed<Bits> x = ownWord.map(w -> w.slice(32 * at + 31, 32 * at));
            Timed<Bits> mate = partnerWord.map(w -> w.slice(32 * partnerLane + 31, 32 * partnerLane));
            Timed<Bits> c = cosSin.map(w -> w.slice(64 * at + 31, 64 * at));
            Timed<Bits> s = cosSin.map(w -> w.slice(64 * at + 63, 64 * at + 32));
            Timed<Bool> first = beatR.map(beat -> firstOfPair(style, lanes, beats, at, beat)).named(l + "_first");
            Timed<Bits> ownCos = Fp32Mul.apply(l + "_own_cos", x, c);
            Timed<Bits> mateSin = Fp32Mul.apply(l + "_mate_sin", mate, s);
            Timed<Bits> signed = Timed.zip(first, mateSin, (subtract, p) -> mux(subtract, FpFormat.FP32.negate(p), p));
            ys.add(FpConvert.fromFp32(l + "_store", format, Fp32Add.apply(l + "_add", ownCos, signed)));
        }
        Timed<Out> result = Timed.zip(Timed.all(ys), lastR, (y, last) -> new Out(new Vec<>(y), last));
        latency = result.cycle();

        CreditBuffer<Out> results = new CreditBuffer<>("result", new Out(vec(lanes, bits(16)), bool()),
                CreditBuffer.depthFor(latency));
        issue.set(mux(readBank, full.get(1), full.get(0)).and(results.available()));
        results.issue(issue);
        results.connect(result.flow()).connectTo(out);
    }

    /** The beat holding the partners of beat j's elements. */
    private static UInt partnerBeat(RopeStyle style, int lanes, int beats, UInt beat) {
        if (style == RopeStyle.ADJACENT) {
            // With two or more lanes a pair shares a beat; with one lane, beats 2i and 2i + 1 pair up.
            return lanes >= 2 ? beat : beat.xor(U(1, beat.width()));
        }
        int halfBeats = beats / 2;
        return mux(beat.lt(halfBeats), beat.add(halfBeats), beat.sub(halfBeats));
    }

    /** True when lane {@code lane} of beat {@code beat} holds the first element of its pair (a, not b). */
    private static Bool firstOfPair(RopeStyle style, int lanes, int beats, int lane, UInt beat) {
        if (style == RopeStyle.ADJACENT) {
            return lanes >= 2 ? bool(lane % 2 == 0) : beat.bit(0).not();
        }
        return beat.lt(beats / 2);
    }

    /**
     * The run-time variant for the kernel: the head dimension (any multiple of 2L up to {@code maxHeadDim}) and
     * the pair style are inputs, read per vector, and the table holds each row's cos and sin as the image does
     * (see {@link RopeRunTime}).
     *
     * @param lanes      L, values per beat, a power of two
     * @param maxHeadDim the largest head dimension, a multiple of 2L
     * @param rows       table rows (positions held at once)
     * @param storage    the format of the stored results
     */
    public static RopeRunTime runtime(int lanes, int maxHeadDim, int rows, StorageFormat storage) {
        return new RopeRunTime(lanes, lanes, maxHeadDim, rows, storage);
    }

    /**
     * The run-time unit with {@code physicalLanes} P of arithmetic (P divides L) taking a beat's L / P slices one a
     * cycle ({@link dev.tellmej.hdl.lib.LaneSerial}): a beat every L / P cycles, for a client that feeds no faster
     * (the kernel's RoPE pass, a word every other cycle); named with a {@code _p<P>} suffix when P < L.
     */
    public static RopeRunTime runtime(int lanes, int physicalLanes, int maxHeadDim, int rows, StorageFormat storage) {
        return new RopeRunTime(lanes, physicalLanes, maxHeadDim, rows, storage);
    }
}
