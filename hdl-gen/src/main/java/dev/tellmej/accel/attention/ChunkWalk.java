package dev.tellmej.accel.attention;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.UInt;

/**
 * The walk both passes of an {@link AttentionUnit} make over a head's rows: chunk by chunk as the
 * {@link ChunkLoader} brings them in (on the chunk still landing, once the rows the pass's next step reads are
 * in), and within a chunk slot by slot, each slot over the rows of the chunk it attends to ({@link #rowsHere}:
 * the chunk's rows below the slot's context). The pass says when its work on the slot's rows ends
 * ({@link #finishing}); a slot with no rows in the chunk is passed over in one step. The pass owns its own row
 * and beat counters and resets them on {@link #slotDone}.
 */
final class ChunkWalk extends Area {
    /** Event: a step is taken (the walk is on and its chunk is in the buffer). */
    final Bool step;
    /** The current chunk of the pass. */
    final UInt chunk;
    /** The loader of the current chunk: chunk mod P. */
    final UInt loader;
    /** The half of its loader's buffer the current chunk is in. */
    final UInt half;
    /** Position of the chunk's first row. */
    final UInt chunkStart;
    /** Event: the pass has finished a chunk (its half may be refilled). */
    final Bool chunkFinished;
    /** The current slot. */
    final SlotWalker slots;
    /** The current slot has rows in this chunk. */
    final Bool any;
    /** Rows of this chunk the current slot attends to, 0 .. chunk rows. */
    final UInt rowsHere;
    /** {@link #rowsHere} is at most the pass's turn of rows (a register set with it). */
    final Bool rowsFitTurn;
    /** The walk is on: from its start to its last step. */
    final Bool active;
    /**
     * Set by the pass: the rows of the current chunk its next step reads (0 .. chunk rows), so that it may step
     * on a chunk still landing once those rows are in.
     */
    final UInt needRows;
    /**
     * Set by the pass: a step now may raise {@link #needRows} (it ends a row, or a turn of rows). The need may also
     * change at the walk's start and at the end of a slot, which the walk knows.
     */
    final Bool needMoves;
    /** Set by the pass: this step is its last on the slot's rows of the chunk. */
    final Bool finishing;
    /** Event: the slot's rows of this chunk are done (or it had none). */
    final Bool slotDone;
    /** Event: the last step of the pass. */
    final Bool done;

    /**
     * @param name   the pass's prefix for signal names ({@code score}, {@code value})
     * @param start  event: the pass starts at chunk 0, slot 0
     * @param progress the job's chunks in the loaders' buffers ({@link ChunkProgress})
     * @param turnRows the rows the pass reads in a turn ({@link #rowsFitTurn} compares the slot's rows with it)
     */
    ChunkWalk(String name, AttentionShape shape, CommandFields command, Bool start, ChunkProgress progress,
              int turnRows) {
        super(name + "_walk", "the pass's walk over the chunks in the buffer and, in each, over the slots' rows");
        int positionBits = shape.positionBits();
        int chunkBits = shape.chunkBits();
        int rowBits = shape.chunkRowBits() + 1;
        active = reg(name + "_active", bool(), 0);
        chunk = reg(name + "_chunk", uint(chunkBits), 0);
        chunkStart = reg(name + "_chunk_start", uint(positionBits), 0);
        finishing = wire(name + "_finishing", bool());
        Bool chunkDone = wire(name + "_chunk_done", bool());
        Bool slotEvent = wire(name + "_slot_done", bool());
        slots = area(new SlotWalker(name + "_slots", shape, command, start.or(chunkDone),
                slotEvent.and(chunkDone.not())));

        // Chunk k is loader (k mod P)'s chunk k / P of the job; its halves alternate from the job's first.
        int portBits = shape.portBits();
        UInt loaded = progress.loaded;
        UInt landedRows = progress.landingRows;
        loader = portBits == 0 ? U(0, 1) : chunk.resize(portBits).named(name + "_loader");
        Bool localLsb = portBits == 0 ? chunk.lsb() : chunk.bit(portBits);
        Bool firstHalf = portBits == 0 ? progress.firstHalves.lsb() : progress.firstHalves.bit(loader);
        half = localLsb.xor(firstHalf).asUInt().named(name + "_half");
        needRows = wire(name + "_need_rows", uint(rowBits));
        needMoves = wire(name + "_need_moves", bool());
        int wideBits = Math.max(widthOf(loaded), widthOf(chunk)) + 1;
        UInt chunkWide = chunk.resize(wideBits).named(name + "_chunk_wide");
        loaded = loaded.resize(wideBits);
        // Whether the chunk is behind the loaded ones or is the one landing, flags a cycle behind the loaded count
        // (for timing: the compares lay on the path through the step into the pass's updates). They look a cycle
        // ahead at the walk's own moves: at its start they compare chunk 0, at a chunk's end the next chunk. The
        // loaded count only grows while the walk is on, and a chunk counted as landing that has already landed is
        // whole, so a step is never early (an assertion), at most a cycle late.
        Bool behind = reg(name + "_chunk_behind", bool(), 0);
        Bool landing = reg(name + "_chunk_landing", bool(), 0);
        Bool rowsLanded = landedRows.resize(rowBits).ge(needRows).named(name + "_rows_landed");
        // Whether the rows the pass needs have landed, a register too (for timing: the compare of the pass's need
        // with the landed rows lay on the path through the step into the walk's and the pass's updates). It holds
        // the compare of the cycle before, still true while the need has not moved: the landing chunk's rows only
        // grow, and it describes the same loaded count as the landing flag. After a cycle that may move the need
        // (the start, a step that ends a row, a turn or a slot) it is false, so on a landing chunk such a step is
        // followed by a cycle's wait.
        Bool landedBefore = reg(name + "_rows_landed_before", bool(), 0);
        Bool rowsIn = landing.and(landedBefore).named(name + "_rows_in");
        step = active.and(behind.or(rowsIn)).named(name + "_step");
        Bool stepNow = active.and(chunkWide.lt(loaded).or(chunkWide.eq(loaded).and(rowsLanded)));
        assertAlways(step.not().or(stepNow), "ChunkWalk " + name + ": a step is never taken before its rows are in");
        // The next chunk's start, a register kept beside the chunk's (for timing: its sum lay in front of the
        // rows' subtraction).
        UInt nextChunkStart = reg(name + "_next_chunk_start", uint(positionBits), shape.chunkRows());
        assertAlways(nextChunkStart.eq(chunkStart.add(shape.chunkRows()).trunc(positionBits)), "ChunkWalk " + name
                + ": the next chunk's start follows the chunk's");
        // The slot's rows in the chunk are registers (for timing: the subtraction and the compare of the slot's
        // positions with the chunk's start lay on the path into the pass's end of a slot and the buffers'
        // enables), each computed ahead for the walk's next state: its start, the next chunk, the next token's
        // slots, or unchanged. A simulation assertion holds them equal to the current state's.
        UInt nextPositions = slots.nextPositions;
        SlotRows atStart = SlotRows.atFirstChunk(shape, command.firstPositions(), rowBits, turnRows);
        SlotRows atNextChunk = SlotRows.of(shape, command.firstPositions(), nextChunkStart, rowBits, turnRows);
        SlotRows atNextToken = SlotRows.of(shape, nextPositions, chunkStart, rowBits, turnRows);
        SlotRows now = new SlotRows(reg(name + "_slot_has_rows", bool(), 0), reg(name + "_rows_here", uint(rowBits), 0),
                reg(name + "_rows_fit_turn", bool(), 0));
        any = now.any();
        rowsHere = now.rows();
        rowsFitTurn = now.fitsTurn();
        SlotRows current = SlotRows.of(shape, slots.positions, chunkStart, rowBits, turnRows);
        assertAlways(active.not().or(any.eq(current.any()).and(rowsHere.eq(current.rows()))
                        .and(rowsFitTurn.eq(current.fitsTurn()))),
                "ChunkWalk " + name + ": the slot's rows in the chunk are current");
        slotDone = step.and(any.not().or(finishing)).named(name + "_slot_finished");
        Bool needSteady = start.not().and(step.and(needMoves.or(any.not())).not()).named(name + "_need_steady");
        landedBefore.set(needSteady.and(rowsLanded));
        slotEvent.set(slotDone);
        chunkDone.set(slotDone.and(slots.last));
        chunkFinished = chunkDone;
        Bool lastChunk = chunkStart.resize(positionBits + 1).add(shape.chunkRows())
                .ge(command.lastPositions().resize(positionBits + 1)).named(name + "_last_chunk");
        done = chunkDone.and(lastChunk).named(name + "_walk_done");
        UInt nextChunkWide = chunkWide.add(1).trunc(wideBits);
        UInt firstChunk = U(0, wideBits);
        behind.set(mux(start, firstChunk.lt(loaded), mux(chunkDone, nextChunkWide.lt(loaded), chunkWide.lt(loaded))));
        landing.set(mux(start, firstChunk.eq(loaded), mux(chunkDone, nextChunkWide.eq(loaded),
                chunkWide.eq(loaded))));
        when(start, () -> {
            active.set(true);
            chunk.set(0);
            chunkStart.set(0);
            nextChunkStart.set(shape.chunkRows());
            atStart.load(now);
        }).elseWhen(chunkDone, () -> {
            chunk.set(chunk.add(1).trunc(chunkBits));
            chunkStart.set(nextChunkStart);
            nextChunkStart.set(nextChunkStart.add(shape.chunkRows()).trunc(positionBits));
            atNextChunk.load(now);
            when(done, () -> active.set(false));
        }).elseWhen(slots.nextToken, () -> atNextToken.load(now));
    }

    /**
     * The rows of a chunk that a slot attends to: {@code any}, the slot's positions reach past the chunk's start;
     * {@code rows}, how many of the chunk's rows lie below them (0 .. chunk rows); {@code fitsTurn}, they are at
     * most a turn's rows.
     */
    private record SlotRows(Bool any, UInt rows, Bool fitsTurn) {
        static SlotRows of(AttentionShape shape, UInt positions, UInt chunkStart, int rowBits, int turnRows) {
            int positionBits = positions.width();
            UInt beyond = positions.sub(chunkStart).trunc(positionBits);
            Bool any = positions.gt(chunkStart);
            UInt rows = mux(any, mux(beyond.ge(shape.chunkRows()), U(shape.chunkRows(), positionBits), beyond),
                    U(0, positionBits)).resize(rowBits);
            // At most a turn's rows: none, or no more beyond the chunk's start than a turn (beside the rows' clamp,
            // not after it: a turn is shorter than a chunk, else every slot's rows fit).
            Bool fitsTurn = turnRows >= shape.chunkRows() ? TRUE : any.not().or(beyond.le(turnRows));
            return new SlotRows(any, rows, fitsTurn);
        }

        /**
         * {@link #of} for the first chunk (start 0), in compares against constants (for timing: a subtraction of 0
         * and carry-chain compares lay on the path into the walk's registers at its start).
         */
        static SlotRows atFirstChunk(AttentionShape shape, UInt positions, int rowBits, int turnRows) {
            int positionBits = positions.width();
            int chunkRows = shape.chunkRows();
            if (Integer.bitCount(chunkRows) != 1 || chunkRows >= 1 << positionBits) {
                return of(shape, positions, U(0, positionBits), rowBits, turnRows);
            }
            int rowShift = Integer.numberOfTrailingZeros(chunkRows);
            Bool any = positions.ne(0);
            Bool beyondChunk = positions.shr(rowShift).ne(0);
            UInt rows = mux(beyondChunk, U(chunkRows, positionBits), positions).resize(rowBits);
            Bool fitsTurn = turnRows >= chunkRows ? TRUE : positions.le(turnRows);
            return new SlotRows(any, rows, fitsTurn);
        }

        void load(SlotRows registers) {
            registers.any.set(any);
            registers.rows.set(rows);
            registers.fitsTurn.set(fitsTurn);
        }
    }

    /**
     * The read address of pass beat {@code passBeat} of row {@code row} of the current chunk: {@code (loader, half,
     * row, pass beat)}, as {@link ChunkLoader#readPort} takes it.
     */
    UInt bufferAddress(AttentionShape shape, UInt row, UInt passBeat) {
        UInt local = cat(half, row.resize(shape.chunkRowBits()), passBeat.resize(shape.passStrideBits())).asUInt()
                .resize(log2Up(shape.chunkBufferWords()));
        return shape.portBits() == 0 ? local : cat(loader, local).asUInt();
    }
}
