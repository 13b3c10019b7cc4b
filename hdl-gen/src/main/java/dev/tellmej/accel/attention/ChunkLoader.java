package dev.tellmej.accel.attention;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Mem;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.lib.axi.AxiBurstReader;

/**
 * Reads one KV head's K rows and then its V rows of positions 0 .. n - 1 from the KV cache into the chunk buffer, a
 * chunk of {@link AttentionShape#chunkRows} rows per burst-reader command. The command's chunks are numbered in
 * one sequence, K's then V's: chunk k goes to half {@code k mod 2} of the buffer, row r of it at
 * {@code (half, r, beat)}, and is read only when its half is free again (chunk k - 2 consumed), so the port
 * streams while the passes compute; a pass may work on a chunk's rows as they land, before the whole chunk is in.
 * V's first chunks are read while the score pass finishes and the softmax runs,
 * so the value pass does not start with a DDR round trip and a chunk's load. A head's rows are contiguous in the
 * layout, so chunk k of K (or V) starts {@code k x chunk rows x row bytes} after the head's first K (or V) row.
 */
final class ChunkLoader extends Area {
    /** K chunks whose every beat is in the buffer since the command started. */
    final UInt keysLoaded;
    /** V chunks whose every beat is in the buffer since the command started. */
    final UInt valuesLoaded;
    /** Whole rows of the K chunk being written (the {@link #keysLoaded}-th) already in the buffer, else 0. */
    final UInt keyRowsLanded;
    /** Whole rows of the V chunk being written (the {@link #valuesLoaded}-th) already in the buffer, else 0. */
    final UInt valueRowsLanded;
    /** The half of the buffer V's first chunk is in: K's chunk count, mod 2 (valid in the value pass). */
    final Bool valueHalf;
    /** A beat of this command came back with SLVERR or DECERR (held until the next command). */
    final Bool failed;

    /**
     * @param start          event: the command's score pass starts (K from {@code command.keyAddress}, then V
     *                       from {@code command.valueAddress})
     * @param rows           rows each pass needs (the last slot's context)
     * @param scoresConsumed K chunks the score pass has finished with
     * @param valuesConsumed V chunks the value pass has finished with
     * @param inValues       the value pass is running ({@code valuesConsumed} counts)
     * @param clear          event: a new command (clears the error)
     */
    ChunkLoader(AttentionShape shape, AttentionUnit.Controller command, Bool start, UInt rows, UInt scoresConsumed,
                UInt valuesConsumed, Bool inValues, Bool clear, AxiBurstReader reader, Mem<Bits> buffer) {
        super("chunk_loader", "reads the head's K rows and then its V rows chunk by chunk into the free half of the"
                + " chunk buffer");
        int chunkBits = shape.chunkBits();
        int totalBits = chunkBits + 1;   // K's chunks and V's
        int rowBits = shape.chunkRowBits();
        int strideBits = log2Up(shape.rowStride());
        int beatBits = shape.beatBits();
        UInt address = reg("next_address", uint(64), 0);
        UInt rowsLeft = reg("rows_left", uint(shape.positionBits()), 0);
        // Reset as if V's chunks were issued: nothing to read until a command starts.
        Bool readingValues = reg("reading_values", bool(), 1);
        UInt keyChunks = reg("key_chunks", uint(chunkBits), 0);
        UInt issued = reg("issued", uint(totalBits), 0);
        UInt landed = reg("landed", uint(totalBits), 0);
        keysLoaded = reg("keys_loaded", uint(chunkBits), 0);
        valuesLoaded = reg("values_loaded", uint(chunkBits), 0);
        valueHalf = keyChunks.lsb().named("loader_value_half");
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
        // Two halves: chunk k may be requested once chunk k - 2 is consumed, counting K's chunks before V's.
        UInt consumed = mux(inValues, keyChunks.resize(totalBits).add(valuesConsumed.resize(totalBits))
                .trunc(totalBits), scoresConsumed.resize(totalBits)).named("chunks_consumed");
        Bool halfFree = issued.resize(totalBits + 1).lt(consumed.resize(totalBits + 1).add(2)).named("half_free");
        reader.command.valid.set(rowsLeft.ne(0).and(halfFree).and(start.not()));
        reader.command.payload.address().set(address.resize(widthOf(reader.command.payload.address())));
        reader.command.payload.beats().set(chunkBeats.resize(widthOf(reader.command.payload.beats())));
        when(start, () -> {
            address.set(command.keyAddress);
            rowsLeft.set(rows);
            readingValues.set(false);
            issued.set(0);
        }).elseWhen(reader.command.fire(), () -> {
            address.set(address.add(chunkBytes).trunc(64));
            rowsLeft.set(rowsLeft.sub(chunkRowsNow).trunc(shape.positionBits()));
            issued.set(issued.add(1).trunc(totalBits));
        }).elseWhen(rowsLeft.eq(0).and(readingValues.not()), () -> {
            // Every K chunk is requested: V's follow.
            address.set(command.valueAddress);
            rowsLeft.set(rows);
            readingValues.set(true);
            keyChunks.set(issued.resize(chunkBits));
        });

        // Every beat is taken at once: its half of the buffer is free by construction.
        reader.data.ready.set(true);
        Bool beat = reader.data.valid.named("chunk_beat");
        Bool lastRowBeat = writeBeat.eq(command.rowBeats.sub(1).trunc(beatBits)).named("write_last_row_beat");
        UInt writeAddress = cat(writeHalf, writeRow,
                writeBeat.resize(strideBits)).asUInt().named("chunk_write_address");
        when(beat, () -> buffer.write(writeAddress.resize(log2Up(shape.chunkBufferWords())),
                reader.data.payload.data()));
        // A landing chunk is one of V's once as many as K has have landed (chunks land in the order issued).
        Bool valueLanding = readingValues.and(landed.ge(keyChunks.resize(totalBits))).named("value_chunk_landing");
        keyRowsLanded = mux(valueLanding, U(0, rowBits), writeRow).named("key_rows_landed");
        valueRowsLanded = mux(valueLanding, writeRow, U(0, rowBits)).named("value_rows_landed");
        when(start, () -> {
            landed.set(0);
            keysLoaded.set(0);
            valuesLoaded.set(0);
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
                landed.set(landed.add(1).trunc(totalBits));
                when(valueLanding, () -> valuesLoaded.set(valuesLoaded.add(1).trunc(chunkBits)))
                        .otherwise(() -> keysLoaded.set(keysLoaded.add(1).trunc(chunkBits)));
            });
        });
        when(clear, () -> failed.set(false)).elseWhen(beat.and(reader.data.payload.error()), () -> failed.set(true));
    }
}
