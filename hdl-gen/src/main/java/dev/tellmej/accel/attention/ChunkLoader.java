package dev.tellmej.accel.attention;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Mem;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.lib.axi.AxiBurstReader;

/**
 * Reads one kind of row of a KV head (its K rows on the key port, or its V rows on the value port) from the KV
 * cache into a two-half chunk buffer, a chunk of {@link AttentionShape#chunkRows} rows per burst-reader command.
 *
 * <p>A <em>job</em> is a command's rows 0 .. n - 1 from an address. Chunks are numbered by free-running counters
 * across jobs: chunk k goes to half {@code k mod 2} of the buffer, row r of it at {@code (half, r, beat)}, and
 * is requested only when its half is free again (chunk k - 2 consumed), so the port streams while the pass
 * computes, and the next job's first chunks are read while the pass finishes the last job's. A pass numbers the
 * chunks of its command from the job's first ({@link #jobBase} when the job started): its chunks loaded are
 * {@link #loadedSince}. A head's rows are contiguous in the layout, so chunk k of a job starts {@code k x chunk
 * rows x row bytes} after the job's address.
 *
 * <p>A beat answered SLVERR or DECERR marks its job failed: the latest job's flag ({@link #failedLatest}) or,
 * for a beat of the job before it still landing, {@link #failedOlder}.
 */
final class ChunkLoader extends Area {
    /** Chunks landed since reset (every beat in the buffer), modulo 2^{@link #countBits}. */
    final UInt landed;
    /** Whole rows of chunk {@link #landed} (the one landing) already in the buffer. */
    final UInt landingRows;
    /** The number of the latest job's first chunk. */
    final UInt jobBase;
    /** The latest job has chunks left to request. */
    final Bool requesting;
    /** A beat of the latest job came back with an error (cleared when a job starts). */
    final Bool failedLatest;
    /** A beat of the job before the latest came back with an error. */
    final Bool failedOlder;
    /** Width of the chunk counters: two more bits than a command's chunk count. */
    final int countBits;

    /**
     * @param name     the loader's prefix ({@code key}, {@code value})
     * @param start    event: a job starts (its fields are read in this cycle)
     * @param address  byte address of the job's row 0 (beat-aligned)
     * @param rows     rows of the job
     * @param rowBeats beats per row of the job
     * @param consumed event: the pass has finished a chunk (its half may be refilled)
     */
    ChunkLoader(String name, AttentionShape shape, Bool start, UInt address, UInt rows, UInt rowBeats,
                Bool consumed, AxiBurstReader reader, Mem<Bits> buffer) {
        super(name + "_loader", "reads a head's " + name + " rows chunk by chunk into the free half of its buffer");
        countBits = shape.chunkBits() + 2;
        int rowBits = shape.chunkRowBits();
        int strideBits = log2Up(shape.rowStride());
        int beatBits = shape.beatBits();
        int positionBits = shape.positionBits();
        UInt next = reg(name + "_next_address", uint(64), 0);
        UInt rowsLeft = reg(name + "_rows_left", uint(positionBits), 0);
        UInt latestBeats = reg(name + "_job_row_beats", uint(8), 0);
        UInt olderBeats = reg(name + "_older_row_beats", uint(8), 0);
        UInt issued = reg(name + "_issued", uint(countBits), 0);
        UInt done = reg(name + "_consumed", uint(countBits), 0);
        landed = reg(name + "_landed", uint(countBits), 0);
        jobBase = reg(name + "_job_base", uint(countBits), 0);
        requesting = rowsLeft.ne(0).named(name + "_requesting");
        Bool latestFailed = reg(name + "_failed_latest", bool(), 0);
        Bool olderFailed = reg(name + "_failed_older", bool(), 0);
        failedLatest = latestFailed;
        failedOlder = olderFailed;
        UInt writeRow = reg(name + "_write_row", uint(rowBits), 0);
        UInt writeBeat = reg(name + "_write_beat", uint(beatBits), 0);

        // A chunk's beats: chunk rows x d/W, or the rows left x d/W for the last one.
        Bool fullChunk = rowsLeft.ge(shape.chunkRows()).named(name + "_full_chunk");
        UInt chunkRowsNow = mux(fullChunk, U(shape.chunkRows(), positionBits), rowsLeft).named(name + "_chunk_rows");
        UInt chunkBeats = chunkRowsNow.mul(latestBeats).named(name + "_chunk_beats");
        int beatShift = log2Up(shape.bursts().axi().dataBytes()) + log2Up(shape.chunkRows());
        UInt chunkBytes = latestBeats.resize(64).shl(beatShift).named(name + "_chunk_bytes");
        // Two halves: chunk k may be requested once chunk k - 2 is consumed.
        Bool halfFree = issued.sub(done).trunc(countBits).lt(2).named(name + "_half_free");
        reader.command.valid.set(requesting.and(halfFree).and(start.not()));
        reader.command.payload.address().set(next.resize(widthOf(reader.command.payload.address())));
        reader.command.payload.beats().set(chunkBeats.resize(widthOf(reader.command.payload.beats())));
        when(start, () -> {
            next.set(address);
            rowsLeft.set(rows.resize(positionBits));
            latestBeats.set(rowBeats);
            olderBeats.set(latestBeats);
            jobBase.set(issued);
        }).elseWhen(reader.command.fire(), () -> {
            next.set(next.add(chunkBytes).trunc(64));
            rowsLeft.set(rowsLeft.sub(chunkRowsNow).trunc(positionBits));
            issued.set(issued.add(1).trunc(countBits));
        });
        when(consumed, () -> done.set(done.add(1).trunc(countBits)));

        // Every beat is taken at once: its half of the buffer is free by construction. Chunks land in the order
        // requested; one of the latest job's once as many as were requested before it have landed.
        reader.data.ready.set(true);
        Bool beat = reader.data.valid.named(name + "_chunk_beat");
        Bool landingLatest = landed.sub(jobBase).trunc(countBits).msb().not().named(name + "_landing_latest");
        UInt landingBeats = mux(landingLatest, latestBeats, olderBeats).named(name + "_landing_row_beats");
        Bool lastRowBeat = writeBeat.eq(landingBeats.sub(1).trunc(beatBits)).named(name + "_write_last_row_beat");
        UInt writeAddress = cat(landed.lsb(), writeRow, writeBeat.resize(strideBits)).asUInt()
                .named(name + "_write_address");
        when(beat, () -> buffer.write(writeAddress.resize(log2Up(shape.chunkBufferWords())),
                reader.data.payload.data()));
        landingRows = writeRow;
        when(beat, () -> {
            writeBeat.set(writeBeat.add(1).trunc(beatBits));
            when(lastRowBeat, () -> {
                writeBeat.set(0);
                writeRow.set(writeRow.add(1).trunc(rowBits));
            });
            when(reader.data.payload.last(), () -> {
                writeBeat.set(0);
                writeRow.set(0);
                landed.set(landed.add(1).trunc(countBits));
            });
        });
        Bool error = beat.and(reader.data.payload.error()).named(name + "_beat_error");
        when(start, () -> {
            olderFailed.set(latestFailed.or(error.and(landingLatest)));
            latestFailed.set(false);
        }).elseWhen(error, () -> {
            when(landingLatest, () -> latestFailed.set(true)).otherwise(() -> olderFailed.set(true));
        });
    }

    /** Chunks of the job whose first chunk is {@code base} in the buffer (whole), as wide as the counters. */
    UInt loadedSince(UInt base) {
        return landed.sub(base).trunc(countBits);
    }
}
