package dev.tellmej.accel.elementwise;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Area;
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
import dev.tellmej.hdl.lib.LaneSerial;
import dev.tellmej.hdl.lib.Pipeline;
import dev.tellmej.hdl.lib.Stream;
import dev.tellmej.hdl.lib.Timed;
import dev.tellmej.hdl.lib.fp.Fp32Add;
import dev.tellmej.hdl.lib.fp.Fp32Mul;
import dev.tellmej.hdl.lib.fp.FpConvert;
import dev.tellmej.hdl.lib.fp.FpFormat;
import dev.tellmej.model.numerics.StorageFormat;
import java.util.ArrayList;
import java.util.List;

/**
 * RoPE of NUMERICS.md N14 with the storage rounding of N17.2.3, bit for bit as {@link Rope} computes it, with
 * the head dimension d and the pair style chosen at run time: the unit behind the kernel's LINEAR epilogues
 * ROPE_QUERY and ROPE_KEY_CACHE, whose d and style come from SETUP ({@code head_dim}, {@code rope_adjacent}).
 * With {@code bypass} it only stores ({@code y = st(x)}), VALUE_CACHE's epilogue, so keys and values leave
 * through the same port. Built by {@link Rope#runtime}; named {@code Rope_l<L>_maxd<max>_r<rows>_<format>_runtime}.
 *
 * <p><b>Run-time inputs</b> ({@link RunTime}): {@code head_beats} (d/L), {@code adjacent} (the pair style) and
 * {@code bypass}, held steady while a vector's beats come in. Each head takes them with its first beat and keeps
 * them in its bank, so they may change for the next vector while the previous one is still in the unit. d must
 * be a multiple of 2L (so that a head's half and a row's cos or sin are whole table words): {@code head_beats}
 * is even, from 2 to {@code maxHeadDim / L}; a simulation assertion stops on any other value, or on a change
 * within a head.
 *
 * <p><b>The table.</b> Two memories, {@code cos_table} and {@code sin_table}, of {@code rows} rows, each row
 * {@code maxHeadDim / 2L} words ({@link #groups}) of L binary32 values at a stride rounded up to a power of two,
 * so that a word's address is its row and group side by side (LUT RAM up to 64 words, block RAM above): word g
 * of row r holds the cos (or sin) of the pairs gL .. gL + L - 1, pair gL + s in bits [32s + 31 : 32s]. That is
 * the image's table of SETUP's {@code rope_table} cut into words of L values: a position's row there is d/2
 * cos, then d/2 sin, so its word k (values kL .. kL + L - 1) is written with {@code row} r,
 * {@code group = k mod (d/2L)}, {@code sine = k >= d/2L}. A row serves every pair style and every d up to the
 * maximum (a head of d uses the first d/2L words of each memory). A beat's {@code row} field selects the row
 * (taken with a head's first beat); a row may be rewritten once the last head that reads it has left
 * {@code out}.
 *
 * <p><b>Datapath.</b> As in {@link Rope}: each head is written into one of two banks (ping-pong) of two head
 * buffers and read back a beat per cycle with the beat that holds its elements' partners, so either style runs
 * at one beat per cycle after a head's worth of latency. Both styles share it: the partner beat is the same
 * beat (adjacent, L >= 2; lane l pairs with lane l xor 1), beat j xor 1 (adjacent, one lane) or beat j +- d/2L
 * (half-split, the same lane); the pairs of beat j are table word j/2, lanes taking pair slots
 * {@code (j mod 2) L/2 + l/2} (adjacent) or word {@code j mod d/2L}, slot l (half-split). What the run-time
 * style costs over a fixed one: per lane a 2:1 multiplexer of 32 bits for the partner, 3:1 multiplexers for
 * cos and sin, and the beat arithmetic (a comparison, an adder and a subtractor of {@code log2(maxHeadDim/L)}
 * bits), a few bits per bank and three delay lines of a bit; the bypass makes cos 1.0 (one more input of
 * its multiplexer) and the partner's term -0 (a multiplexer of 32 bits per lane), so that
 * {@code x * 1.0 + (-0)} is x exactly, for zeros of either sign too.
 *
 * <p>Streams: {@code in} carries L binary32 values, the table row and {@code last} (the vector's end, passed
 * through); {@code out} the L stored results ({@link Rope.Out}). {@link #latency} cycles from a beat's read
 * out of the head buffer to its result; without stalls a head's first result leaves {@code head_beats +
 * latency + 1} cycles after its first beat was taken, and a steady stream of heads of one d flows at one beat
 * per cycle. Built with P physical lanes ({@link Rope#runtime(int, int, int, int, StorageFormat)}), the rotation
 * takes a beat's L / P slices one a cycle ({@link LaneSerial}) and the reader issues a beat every L / P cycles.
 */
public final class RopeRunTime extends Module {
    /** One input beat: L binary32 values of a head, the table row of its token, and the vector's end. */
    public record In(Vec<Bits> x, UInt row, Bool last) {}

    /**
     * A write of one table word.
     *
     * @param row    the row ({@code log2(rows)} bits)
     * @param group  the word in the row: pairs {@code group * L} to {@code group * L + L - 1}
     *               ({@code log2(maxHeadDim / 2L)} bits)
     * @param sine   0: the cos memory, 1: the sin memory
     * @param values L binary32 values, pair slot s in bits [32s + 31 : 32s]
     */
    public record TableWrite(UInt row, UInt group, Bool sine, Bits values) {}

    /**
     * The run-time inputs, held steady while a vector's beats come in.
     *
     * @param headBeats {@code head_beats}: d/L, even, 2 to maxHeadDim/L ({@code bitsFor(maxHeadDim/L)} bits)
     * @param adjacent  {@code adjacent}: 1 pairs (2i, 2i + 1) of each head, 0 pairs (i, i + d/2) (SETUP's
     *                  {@code rope_adjacent})
     * @param bypass    {@code bypass}: no rotation, {@code y = st(x)} (the values for the V cache)
     */
    public record RunTime(UInt headBeats, Bool adjacent, Bool bypass) {}

    public final Stream<In> in;
    public final RunTime runTime;
    public final Flow<TableWrite> tableWrite;
    public final Stream<Rope.Out> out;
    /** The most beats a head has: maxHeadDim / L. */
    public final int maxBeats;
    /** Table words per row and memory: maxHeadDim / 2L. */
    public final int groups;
    /** Table rows. */
    public final int rows;
    /** Cycles from reading a beat out of the head buffer to its result (without stalls). */
    public final int latency;

    RopeRunTime(int lanes, int physicalLanes, int maxHeadDim, int rows, StorageFormat storage) {
        if (lanes < 1 || Integer.bitCount(lanes) != 1 || maxHeadDim < 2 * lanes || maxHeadDim % (2 * lanes) != 0
                || rows < 1) {
            throw new InvalidParameterException(Locations.capture(), "the run-time Rope needs L a power of two,"
                    + " maxHeadDim a multiple of 2L and rows >= 1; got L " + lanes + ", maxHeadDim " + maxHeadDim
                    + ", rows " + rows);
        }
        if (physicalLanes < 1 || lanes % physicalLanes != 0) {
            throw new InvalidParameterException(Locations.capture(), "the run-time Rope's physical lanes must divide"
                    + " its " + lanes + " lanes, got " + physicalLanes);
        }
        FpFormat format = Storage.format(storage);
        baseName("Rope");
        param("l", lanes);
        param("maxd", maxHeadDim);
        param("r", rows);
        param("", format.name() + "_runtime");
        if (physicalLanes < lanes) {
            param("p", physicalLanes);
        }
        maxBeats = maxHeadDim / lanes;
        groups = maxBeats / 2;
        this.rows = rows;
        int rowBits = log2Up(rows);
        in = in("in", Stream.of(new In(vec(lanes, bits(32)), uint(rowBits), bool())));
        runTime = new RunTime(in("head_beats", uint(bitsFor(maxBeats))), in("adjacent", bool()), in("bypass", bool()));
        tableWrite = in("table_write", Flow.of(new TableWrite(uint(rowBits), uint(log2Up(groups)), bool(),
                bits(32 * lanes))));
        out = out("out", Stream.of(new Rope.Out(vec(lanes, bits(16)), bool())));

        HeadBuffer buffer = area(new HeadBuffer(lanes, maxBeats, rows, in, runTime,
                CosSinTable.readLatency(rows, groups)));
        HeadReader reader = area(new HeadReader(lanes, groups, buffer));
        CosSinTable table = area(new CosSinTable(lanes, rows, groups, tableWrite, reader));
        Rotation rotation = area(new Rotation(format, lanes, physicalLanes, buffer, reader, table, out));
        reader.room.set(rotation.room);
        latency = rotation.latency;
    }

    /**
     * Two banks of a head each (ping-pong), written beat by beat from {@code in}, with each head's table row,
     * settings and end-of-vector flag; two copies, so that a beat and its partners' beat are read at once.
     */
    static final class HeadBuffer extends Area {
        /** Bank b holds a whole head that has not been read out yet. */
        final Vec<Bool> full;
        /** Each bank's head: its row, last beat (head_beats - 1), half (head_beats / 2), style, bypass, last. */
        final Vec<UInt> row;
        final Vec<UInt> lastBeat;
        final Vec<UInt> halfBeats;
        final Vec<Bool> adjacent;
        final Vec<Bool> bypass;
        final Vec<Bool> last;
        /** Events from the reader: read the two addresses (bank and beat); bank b has been read out. */
        final Bool read;
        final UInt ownAddress;
        final UInt partnerAddress;
        final Vec<Bool> release;
        /** The beat and the partners' beat, {@link #wordCycle} cycles after {@link #read}. */
        final Bits ownWord;
        final Bits partnerWord;
        /** Cycles from {@link #read} to the words: the table's read latency (1 or 2). */
        final int wordCycle;

        HeadBuffer(int lanes, int maxBeats, int rows, Stream<In> in, RunTime runTime, int tableLatency) {
            super("head_buffer", "takes each head into one of two banks with its row and settings, in two copies so"
                    + " that a beat and its partners' beat are read at once");
            int beatBits = log2Up(maxBeats);
            read = wire("head_read", bool());
            ownAddress = wire("own_address", uint(beatBits + 1));
            partnerAddress = wire("partner_address", uint(beatBits + 1));
            release = wire("bank_release", vec(2, bool()));
            full = reg("bank_full", vec(2, bool()), 0);
            row = reg("bank_row", vec(2, in.payload.row().typeTemplate()));
            lastBeat = reg("bank_last_beat", vec(2, uint(beatBits)));
            halfBeats = reg("bank_half_beats", vec(2, uint(beatBits)));
            adjacent = reg("bank_adjacent", vec(2, bool()));
            bypass = reg("bank_bypass", vec(2, bool()));
            last = reg("bank_last", vec(2, bool()), 0);
            Bool writeBank = reg("write_bank", bool(), 0);
            UInt writeBeat = reg("write_beat", uint(beatBits), 0);

            int depth = 2 << beatBits;
            Mem<Bits> own = mem("head_own", bits(32 * lanes), depth).style(RamStyle.DISTRIBUTED);
            Mem<Bits> partner = mem("head_partner", bits(32 * lanes), depth).style(RamStyle.DISTRIBUTED);
            wordCycle = tableLatency;
            if (tableLatency == 2) {
                // The table's words come a cycle later, so the addresses are registered before the read, at no
                // cost in cycles (for timing: the partners' beat, from the bank's half size, lay in front of the
                // LUT RAM's read). A bank released at a head's last beat is written from the cycle after, while
                // that beat is read: a LUT RAM's read in the cycle of a write sees the word before it.
                Bool readQ = regNext("head_read_q", read, 0);
                ownWord = own.readSync("own_word", regNext("own_address_q", ownAddress), readQ, 1);
                partnerWord = partner.readSync("partner_word", regNext("partner_address_q", partnerAddress), readQ,
                        1);
            } else {
                ownWord = own.readSync("own_word", ownAddress, read, 1);
                partnerWord = partner.readSync("partner_word", partnerAddress, read, 1);
            }

            in.ready.set(mux(writeBank, full.get(1), full.get(0)).not());
            Bool fire = in.fire();
            UInt headBeats = runTime.headBeats();
            UInt finalBeat = headBeats.sub(1).resize(beatBits).named("write_final_beat");
            Bool firstIn = writeBeat.eq(0).named("write_first_beat");
            Bool lastIn = writeBeat.eq(finalBeat).named("write_last_beat");
            UInt writeAddress = cat(writeBank, writeBeat).asUInt();
            Bits word = asBits(in.payload.x());
            when(fire, () -> {
                own.write(writeAddress, word);
                partner.write(writeAddress, word);
                for (int bank = 0; bank < 2; bank++) {
                    Bool thisBank = bank == 0 ? writeBank.not() : writeBank;
                    int b = bank;
                    when(thisBank.and(firstIn), () -> {
                        row.get(b).set(in.payload.row());
                        lastBeat.get(b).set(finalBeat);
                        halfBeats.get(b).set(headBeats.shr(1).resize(beatBits));
                        adjacent.get(b).set(runTime.adjacent());
                        bypass.get(b).set(runTime.bypass());
                    });
                    when(thisBank.and(lastIn), () -> {
                        full.get(b).set(true);
                        last.get(b).set(in.payload.last());
                    });
                }
                when(lastIn, () -> {
                    writeBeat.set(0);
                    writeBank.set(writeBank.not());
                }).otherwise(() -> writeBeat.set(writeBeat.add(1)));
            });
            for (int bank = 0; bank < 2; bank++) {
                Bool isFull = full.get(bank);
                when(release.get(bank), () -> isFull.set(false));
            }

            Bool inRange = headBeats.lsb().not().and(headBeats.ne(0));
            if (maxBeats < (1L << headBeats.width()) - 1) {
                inRange = inRange.and(headBeats.le(maxBeats));
            }
            assertAlways(fire.not().or(inRange), "head_beats is even and 2 to " + maxBeats
                    + " while a vector's beats come in");
            assertAlways(fire.not().or(firstIn).or(finalBeat.eq(mux(writeBank, lastBeat.get(1), lastBeat.get(0)))),
                    "head_beats stays the same within a head");
            if (rows < 1L << in.payload.row().width()) {
                assertAlways(fire.not().or(firstIn.not()).or(in.payload.row().lt(rows)),
                        "a head's row is below " + rows);
            }
        }
    }

    /**
     * Issues a full bank's beats, one per cycle while the results have room, each with the address of its
     * partners' beat and of the table word of its pairs; hands the beat's style, half and bypass to the
     * rotation a cycle later, when the reads are there.
     */
    static final class HeadReader extends Area {
        /** The pipeline's input: a beat is read (cycle 0); its words are there at cycle 1. */
        final Bool issue;
        final Pipeline pipe;
        /** Set by the module: the result buffer has a credit. */
        final Bool room;
        /** The table row and word (pair group) of the beat issued (cycle 0). */
        final UInt row;
        final UInt group;
        /** At cycle 1: the head's style and bypass, whether the beat is odd or in the head's second half. */
        final Timed<Bool> adjacent;
        final Timed<Bool> bypass;
        final Timed<Bool> odd;
        final Timed<Bool> upper;
        /** At cycle 1: the vector's last beat. */
        final Timed<Bool> last;

        HeadReader(int lanes, int groups, HeadBuffer buffer) {
            super("head_reader", "reads a full bank's beats one per cycle while the results have room, each with"
                    + " its partners' beat and the table word of its pairs");
            int beatBits = buffer.lastBeat.get(0).width();
            int groupBits = log2Up(groups);
            Bool readBank = reg("read_bank", bool(), 0);
            UInt readBeat = reg("read_beat", uint(beatBits), 0);
            room = wire("result_room", bool());
            issue = mux(readBank, buffer.full.get(1), buffer.full.get(0)).and(room).named("read_issue");
            UInt lastBeat = mux(readBank, buffer.lastBeat.get(1), buffer.lastBeat.get(0))
                    .named("read_head_last_beat");
            UInt halfBeats = mux(readBank, buffer.halfBeats.get(1), buffer.halfBeats.get(0))
                    .named("read_head_half_beats");
            Bool headAdjacent = mux(readBank, buffer.adjacent.get(1), buffer.adjacent.get(0))
                    .named("read_head_adjacent");
            Bool finalBeat = readBeat.eq(lastBeat).named("read_final_beat");
            when(issue, () -> {
                when(finalBeat, () -> {
                    readBeat.set(0);
                    readBank.set(readBank.not());
                }).otherwise(() -> readBeat.set(readBeat.add(1)));
            });
            buffer.release.get(0).set(issue.and(finalBeat).and(readBank.not()));
            buffer.release.get(1).set(issue.and(finalBeat).and(readBank));

            // Half-split: beat j < d/2L pairs with beat j + d/2L, and both take cos and sin from word j mod d/2L.
            Bool upperHalf = readBeat.ge(halfBeats).named("read_upper_half");
            UInt lowered = readBeat.sub(halfBeats).named("read_beat_lowered");
            UInt halfPartner = mux(upperHalf, lowered, readBeat.add(halfBeats));
            UInt halfGroup = mux(upperHalf, lowered, readBeat).resize(groupBits);
            // Adjacent: the partners share the beat (one lane: beats 2i and 2i + 1); word j / 2 holds the pairs.
            UInt adjacentPartner = lanes >= 2 ? readBeat : readBeat.xor(U(1, beatBits));
            UInt adjacentGroup = beatBits > 1 ? readBeat.shr(1).resize(groupBits) : U(0, groupBits);
            UInt partnerBeat = mux(headAdjacent, adjacentPartner, halfPartner).named("read_partner_beat");
            group = mux(headAdjacent, adjacentGroup, halfGroup).named("read_group");
            row = mux(readBank, buffer.row.get(1), buffer.row.get(0)).named("read_row");
            buffer.read.set(issue);
            buffer.ownAddress.set(cat(readBank, readBeat).asUInt());
            buffer.partnerAddress.set(cat(readBank, partnerBeat).asUInt());

            pipe = new Pipeline("read_issue", issue);
            adjacent = pipe.at(1, "read_adjacent", regNext("read_adjacent", headAdjacent));
            bypass = pipe.at(1, "read_bypass",
                    regNext("read_bypass", mux(readBank, buffer.bypass.get(1), buffer.bypass.get(0))));
            odd = pipe.at(1, "read_odd", regNext("read_odd", readBeat.lsb()));
            upper = pipe.at(1, "read_upper", regNext("read_upper", upperHalf));
            last = pipe.at(1, "last", regNext("read_last",
                    issue.and(finalBeat).and(mux(readBank, buffer.last.get(1), buffer.last.get(0)))));
        }
    }

    /** The cos and sin words of the table rows, written through {@code table_write}, read at a beat's issue. */
    static final class CosSinTable extends Area {
        /** The beat's cos and sin words, at cycle 1 (distributed RAM) or 2 (block RAM). */
        final Timed<Bits> cos;
        final Timed<Bits> sin;

        CosSinTable(int lanes, int rows, int groups, Flow<TableWrite> write, HeadReader reader) {
            super("cos_sin_table", "the cos and sin of each row's pairs, L pairs a word, written through table_write"
                    + " and read with each beat");
            int groupBits = log2Up(groups);
            int depth = rows << groupBits;
            RamStyle style = style(rows, groups);
            Mem<Bits> cosTable = mem("cos_table", bits(32 * lanes), depth).style(style);
            Mem<Bits> sinTable = mem("sin_table", bits(32 * lanes), depth).style(style);
            TableWrite w = write.payload;
            // The row's stride is a power of two: the address is the row and the group side by side (one row: the
            // group alone).
            int addressBits = log2Up(depth);
            UInt writeAddress = cat(w.row(), w.group()).asUInt().resize(addressBits).named("table_write_address");
            when(write.valid.and(w.sine().not()), () -> cosTable.write(writeAddress, w.values()));
            when(write.valid.and(w.sine()), () -> sinTable.write(writeAddress, w.values()));
            UInt readAddress = cat(reader.row, reader.group).asUInt().resize(addressBits).named("table_read_address");
            // Two cycles a read: a block RAM's output goes through its output register (DOA_REG) before the
            // operand selects and the multipliers' first stage.
            int latency = readLatency(rows, groups);
            cos = reader.pipe.at(latency, "cos_word", cosTable.readSync("cos_word", readAddress, reader.issue,
                    latency));
            sin = reader.pipe.at(latency, "sin_word", sinTable.readSync("sin_word", readAddress, reader.issue,
                    latency));
            if (groups < 1 << groupBits) {
                assertAlways(write.valid.not().or(w.group().lt(groups)), "a table word's group is below " + groups);
            }
            if (rows < 1 << w.row().width()) {
                assertAlways(write.valid.not().or(w.row().lt(rows)), "a table word's row is below " + rows);
            }
        }

        /** LUT RAM up to 64 words, block RAM above. */
        static RamStyle style(int rows, int groups) {
            return (rows << log2Up(groups)) > 64 ? RamStyle.BLOCK : RamStyle.DISTRIBUTED;
        }

        /** Cycles from a read's issue to its words: 2 from block RAM (through its output register), 1 else. */
        static int readLatency(int rows, int groups) {
            return style(rows, groups) == RamStyle.BLOCK ? 2 : 1;
        }
    }

    /**
     * N14.2 per lane, {@code a' = a*c - b*s}, {@code b' = a*s + b*c}, each output from its own two products
     * ({@code own * c} and {@code partner * s}, subtracted for a', added for b'; IEEE addition commutes), then
     * the storage rounding; the results wait in a credit buffer for {@code out}.
     */
    static final class Rotation extends Area {
        /** The result buffer has a credit for one more beat, and the lanes take one. */
        final Bool room;
        final int latency;

        Rotation(FpFormat format, int lanes, int physicalLanes, HeadBuffer buffer, HeadReader reader,
                 CosSinTable table, Stream<Rope.Out> out) {
            super("rotation", "each element's own value times cos, plus or minus its partner's times sin (N14.2),"
                    + " then the storage rounding; with bypass only the rounding");
            Pipeline pipe = reader.pipe;
            Timed<Bits> own = pipe.at(buffer.wordCycle, "own_word", buffer.ownWord);
            Timed<Bits> partner = pipe.at(buffer.wordCycle, "partner_word", buffer.partnerWord);
            Bits one = FpFormat.fp32(1f);
            Bits negativeZero = FpFormat.fp32(-0f);
            // Each lane's operands at the table's cycle (1, or 2 from block RAM): its value, its partner's, cos (1.0
            // with bypass), sin, and whether the partner's term is subtracted or replaced by -0 (bit 1: bypass, bit
            // 0: subtract).
            int at = table.cos.cycle();
            List<Bits> xs = new ArrayList<>();
            List<Bits> mates = new ArrayList<>();
            List<Bits> coss = new ArrayList<>();
            List<Bits> sins = new ArrayList<>();
            List<Bits> signs = new ArrayList<>();
            Bool bypass = reader.bypass.at(at);
            for (int lane = 0; lane < lanes; lane++) {
                xs.add(value(own.at(at), lane));
                mates.add(lanes >= 2 ? mux(reader.adjacent.at(at), value(partner.at(at), lane ^ 1),
                        value(partner.at(at), lane)) : value(partner.at(at), 0));
                coss.add(mux(bypass, one, pairSlot(table.cos, lanes, lane, reader).at(at)));
                sins.add(pairSlot(table.sin, lanes, lane, reader).at(at));
                signs.add(cat(bypass, firstOfPair(lanes, lane, reader, at)));
            }
            // P physical lanes take the beat's L / P slices one a cycle (LaneSerial): the kernel's RoPE pass feeds a
            // word every other cycle, so half the lanes keep up with it.
            LaneSerial.Beat beats = LaneSerial.apply("rotate", pipe.valid(at), List.of(xs, mates, coss, sins, signs),
                    reader.last.at(at), physicalLanes, (lane, operands) -> {
                        Timed<Bits> ownCos = Fp32Mul.apply(lane + "_own_cos", operands.get(0), operands.get(2));
                        Timed<Bits> mateSin = Fp32Mul.apply(lane + "_mate_sin", operands.get(1), operands.get(3));
                        // The addend is registered: its select and the adder's first stage were one path.
                        Timed<Bits> addend = Timed.zip(mateSin, operands.get(4), (p, sign) ->
                                mux(sign.msb(), negativeZero, mux(sign.lsb(), FpFormat.FP32.negate(p), p)))
                                .stage(lane + "_addend");
                        return FpConvert.fromFp32(lane + "_store", format, Fp32Add.apply(lane + "_add", ownCos,
                                addend));
                    });
            latency = at + beats.latency();
            CreditBuffer<Rope.Out> results = new CreditBuffer<>("result", new Rope.Out(vec(lanes, bits(16)), bool()),
                    CreditBuffer.depthFor(latency));
            // The lanes take a beat every L / P cycles, a fixed number of cycles after its read: a beat is read only
            // when none was in the L / P - 1 cycles before.
            Bool recent = FALSE;
            Bool issued = reader.issue;
            for (int c = 1; c < lanes / physicalLanes; c++) {
                issued = regNext("rotation_issued_" + c, issued, 0);
                recent = recent.or(issued);
            }
            room = results.available().and(recent.not()).named("rotation_room");
            results.issue(reader.issue);
            results.connect(new Flow<>(beats.valid(), new Rope.Out(new Vec<>(beats.values()), beats.last())))
                    .connectTo(out);
        }

        /** Value {@code slot} (binary32) of a word of L. */
        private static Bits value(Bits word, int slot) {
            return word.slice(32 * slot + 31, 32 * slot);
        }

        /**
         * Lane {@code lane}'s cos or sin from the beat's table word: slot l (half-split), or slot
         * {@code (j mod 2) L/2 + l/2} (adjacent: a beat holds L/2 pairs, half a word).
         */
        private static Timed<Bits> pairSlot(Timed<Bits> word, int lanes, int lane, HeadReader reader) {
            if (lanes == 1) {
                return word.map(w -> value(w, 0));
            }
            int low = lane / 2;
            int high = lanes / 2 + lane / 2;
            return Timed.zip(word, reader.adjacent, reader.odd, (w, adjacent, odd) ->
                    mux(adjacent, mux(odd, value(w, high), value(w, low)), value(w, lane)));
        }

        /** True where lane {@code lane} holds a pair's first element (a' = a*c - b*s), at cycle {@code cycle}. */
        private static Bool firstOfPair(int lanes, int lane, HeadReader reader, int cycle) {
            Bool adjacent = reader.adjacent.at(cycle);
            Bool lowerHalf = reader.upper.at(cycle).not();
            if (lanes >= 2) {
                return lane % 2 == 0 ? adjacent.or(lowerHalf) : adjacent.not().and(lowerHalf);
            }
            return mux(adjacent, reader.odd.at(cycle).not(), lowerHalf);
        }
    }
}
