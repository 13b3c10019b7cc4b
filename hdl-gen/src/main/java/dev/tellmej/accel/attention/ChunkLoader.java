package dev.tellmej.accel.attention;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Mem;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.lib.axi.AxiBurstReader;

/**
 * Reads one KV head's K rows (in the score pass) or V rows (in the value pass) of positions 0 .. n - 1 from the
 * KV cache into the chunk buffer, a chunk of {@link AttentionShape#chunkRows} rows per burst-reader command:
 * chunk k goes to half {@code k mod 2} of the buffer, row r of it at {@code (half, r, beat)}. A chunk is read
 * while the previous one is being used and only when its half is free again, so the port streams while the
 * pass computes. A head's rows are contiguous in the layout, so chunk k starts {@code k x chunk rows x row bytes}
 * after the head's first row.
 */
final class ChunkLoader extends Area {
    /** Chunks whose every beat is in the buffer since the pass started. */
    final UInt loaded;
    /** A beat of this pass came back with SLVERR or DECERR (held until the next command). */
    final Bool failed;

    /**
     * @param start    event: a pass starts reading from {@code base}
     * @param base     byte address of the head's row 0 (K or V)
     * @param rows     rows the pass needs (the last slot's context)
     * @param consumed chunks the pass has finished with (their halves may be refilled)
     * @param clear    event: a new command (clears the error)
     */
    ChunkLoader(AttentionShape shape, AttentionUnit.Controller command, Bool start, UInt base, UInt rows, UInt consumed,
                Bool clear, AxiBurstReader reader, Mem<Bits> buffer) {
        super("chunk_loader", "reads the head's K or V rows chunk by chunk into the free half of the chunk buffer");
        int chunkBits = shape.chunkBits();
        int rowBits = shape.chunkRowBits();
        int strideBits = log2Up(shape.rowStride());
        int beatBits = shape.beatBits();
        UInt address = reg("next_address", uint(64), 0);
        UInt rowsLeft = reg("rows_left", uint(shape.positionBits()), 0);
        UInt issued = reg("issued", uint(chunkBits), 0);
        loaded = reg("loaded", uint(chunkBits), 0);
        failed = reg("failed", bool(), 0);
        UInt writeRow = reg("write_row", uint(rowBits), 0);
        UInt writeBeat = reg("write_beat", uint(beatBits), 0);
        UInt writeHalf = reg("write_half", uint(1), 0);

        // A chunk's beats: chunk rows x d/W, or the rows left x d/W for the last one.
        Bool fullChunk = rowsLeft.ge(shape.chunkRows()).named("full_chunk");
        UInt chunkRowsNow = mux(fullChunk, U(shape.chunkRows(), shape.positionBits()), rowsLeft).named("chunk_rows");
        UInt chunkBeats = chunkRowsNow.mul(command.rowBeats).named("chunk_beats");
        int beatShift = log2Up(shape.bursts().axi().dataBytes()) + log2Up(shape.chunkRows());
        UInt chunkBytes = command.rowBeats.resize(64).shl(beatShift).named("chunk_bytes");
        // Two halves: chunk k may be requested once chunk k - 2 is consumed.
        Bool halfFree = issued.resize(chunkBits + 1).lt(consumed.resize(chunkBits + 1).add(2)).named("half_free");
        reader.command.valid.set(rowsLeft.ne(0).and(halfFree).and(start.not()));
        reader.command.payload.address().set(address.resize(widthOf(reader.command.payload.address())));
        reader.command.payload.beats().set(chunkBeats.resize(widthOf(reader.command.payload.beats())));
        when(start, () -> {
            address.set(base);
            rowsLeft.set(rows);
            issued.set(0);
        }).elseWhen(reader.command.fire(), () -> {
            address.set(address.add(chunkBytes).trunc(64));
            rowsLeft.set(rowsLeft.sub(chunkRowsNow).trunc(shape.positionBits()));
            issued.set(issued.add(1).trunc(chunkBits));
        });

        // Every beat is taken at once: its half of the buffer is free by construction.
        reader.data.ready.set(true);
        Bool beat = reader.data.valid.named("chunk_beat");
        Bool lastRowBeat = writeBeat.eq(command.rowBeats.sub(1).trunc(beatBits)).named("write_last_row_beat");
        UInt writeAddress = cat(writeHalf, writeRow,
                writeBeat.resize(strideBits)).asUInt().named("chunk_write_address");
        when(beat, () -> buffer.write(writeAddress.resize(log2Up(shape.chunkBufferWords())),
                reader.data.payload.data()));
        when(start, () -> {
            loaded.set(0);
            writeRow.set(0);
            writeBeat.set(0);
            writeHalf.set(0);
        }).elseWhen(beat, () -> {
            writeBeat.set(writeBeat.add(1).trunc(beatBits));
            when(lastRowBeat, () -> {
                writeBeat.set(0);
                writeRow.set(writeRow.add(1).trunc(rowBits));
            });
            when(reader.data.payload.last(), () -> {
                writeBeat.set(0);
                writeRow.set(0);
                writeHalf.set(writeHalf.not());
                loaded.set(loaded.add(1).trunc(chunkBits));
            });
        });
        when(clear, () -> failed.set(false)).elseWhen(beat.and(reader.data.payload.error()), () -> failed.set(true));
    }
}
