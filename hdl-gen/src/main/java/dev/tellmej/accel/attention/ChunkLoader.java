package dev.tellmej.accel.attention;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Mem;
import dev.tellmej.hdl.RamStyle;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.Vec;
import dev.tellmej.hdl.lib.Delay;
import dev.tellmej.hdl.lib.PartialProducts;
import dev.tellmej.hdl.lib.axi.AxiBurstReader;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads one kind of row of a KV head (its K rows on a key port, or its V rows on a value port) from the KV cache
 * into a two-half chunk buffer of its own, a chunk of {@link AttentionShape#chunkRows} rows per burst-reader
 * command. A pass has P loaders ({@link AttentionShape#ports}): loader l reads chunks l, l + P, l + 2P, ... of
 * each job, so the P ports stream at once while the pass takes P beats of a row a cycle.
 *
 * <p>A <em>job</em> is a command's rows 0 .. n - 1 from an address. The loader numbers its own chunks by
 * free-running counters across jobs: its chunk k goes to half {@code k mod 2} of its buffer, and is requested
 * only when that half is free again (its chunk k - 2 consumed), so the port streams while the pass computes, and
 * the next job's first chunks are read while the pass finishes the last job's. A pass numbers the loader's chunks
 * of its command from the job's first ({@link #jobBase} when the job started): its chunks loaded are
 * {@link #loadedSince}. A head's rows are contiguous in the layout, so the loader's chunk i of a job starts
 * {@code (i x P + l) x chunk rows x row bytes} after the job's address.
 *
 * <p>The buffer is P memories of beats ({@link #memories}): beat b of row r of a chunk in half h is in memory
 * {@code b mod P} at {@code (h, r, b / P)}, so a pass reads beats {@code P x k .. P x k + P - 1} of a row, a pass
 * beat, in one cycle ({@link #readPort}).
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
    /** The P memories of the buffer: memory p holds beats p, p + P, ... of each row. */
    final List<Mem<Bits>> memories;

    /**
     * @param name     the loader's prefix ({@code key}, {@code value}, then its index where a pass has several)
     * @param index    l: the loader reads chunks l, l + P, ... of each job
     * @param start    event: a job starts (its fields are read in this cycle)
     * @param address  byte address of the job's row 0 (beat-aligned)
     * @param rows     rows of the job
     * @param rowBeats beats per row of the job
     * @param consumed event: the pass has finished a chunk (its half may be refilled)
     */
    ChunkLoader(String name, AttentionShape shape, int index, Bool start, UInt address, UInt rows, UInt rowBeats,
                Bool consumed, AxiBurstReader reader) {
        super(name + "_loader", "reads chunks of a head's rows into the free half of its buffer");
        countBits = shape.chunkBits() + 2;
        int ports = shape.ports();
        int rowBits = shape.chunkRowBits();
        int beatBits = shape.beatBits();
        int positionBits = shape.positionBits();
        RamStyle style = shape.chunkBuffersInUltraRam() ? RamStyle.ULTRA
                : shape.chunkBufferWords() >= 64 ? RamStyle.BLOCK : RamStyle.DISTRIBUTED;
        memories = new ArrayList<>();
        for (int p = 0; p < ports; p++) {
            memories.add(mem(name + "_buffer" + (ports > 1 ? "_" + p : ""), bits(16 * shape.width()),
                    shape.chunkBufferWords()).style(style));
        }
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
        UInt chunkBeats = chunkRowsNow.mul(latestBeats).named(name + "_chunk_beats");   // for the assertion
        int beatShift = log2Up(shape.bursts().axi().dataBytes()) + log2Up(shape.chunkRows());
        UInt chunkBytes = latestBeats.resize(64).shl(beatShift).named(name + "_chunk_bytes");
        // The loader's next chunk is P chunks on; a job's first is chunk l.
        int stepRows = ports * shape.chunkRows();
        int wideBits = positionBits + log2Up(stepRows) + 1;
        UInt strideBytes = chunkBytes.shl(shape.portBits()).trunc(64).named(name + "_stride_bytes");
        UInt rowsWide = rowsLeft.resize(wideBits);
        UInt rowsAfter = mux(rowsWide.gt(stepRows), rowsWide.sub(stepRows).trunc(wideBits), U(0, wideBits))
                .resize(positionBits).named(name + "_rows_after");
        int skipRows = index * shape.chunkRows();
        UInt jobRows = rows.resize(wideBits);
        UInt firstRows = mux(jobRows.gt(skipRows), jobRows.sub(skipRows).trunc(wideBits), U(0, wideBits))
                .resize(positionBits).named(name + "_first_rows");
        // index x a chunk's bytes (shifts and adds, no multiplier).
        UInt jobChunkBytes = rowBeats.resize(64).shl(beatShift).trunc(64);
        UInt firstAddress = index == 0 ? address
                : address.add(jobChunkBytes.timesConstant(index, 64)).trunc(64).named(name + "_first_address");
        // Two halves: chunk k may be requested once chunk k - 2 is consumed.
        Bool halfFree = issued.sub(done).trunc(countBits).lt(2).named(name + "_half_free");
        // The chunk's beats are computed in two registered steps, the clamp and then the product (for timing: both
        // lay on the path into the reader's command stage); a request waits two cycles after the rows or the row
        // beats changed, so the registers have caught up (two cycles a chunk, against the chunk's beats a request).
        UInt chunkRowsQ = regNext(name + "_chunk_rows_q", chunkRowsNow, 0);
        // The product's row beats are a private copy of the job's (which fan out to the loader's sizes and
        // addresses).
        UInt productBeats = PartialProducts.operandCopy(name + "_job_row_beats_dsp", rowBeats, start);
        UInt chunkBeatsQ = regNext(name + "_chunk_beats_q", chunkRowsQ.mul(productBeats), 0);
        // Offered only while the reader's command stage is empty, so taken at once: the loader moves on its offer.
        Bool requested = wire(name + "_requested", bool());
        Delay.Line<Bool> changed = Delay.validLine(name + "_chunk_changed", start.or(requested));
        Bool beatsSettled = changed.tap(1).or(changed.tap(2)).not().named(name + "_chunk_beats_settled");
        Bool wants = requesting.and(halfFree).and(start.not()).and(beatsSettled);
        requested.set(reader.offer(name + "_offered", wants, next, chunkBeatsQ, "ChunkLoader: a chunk's command"));
        assertAlways(requested.not().or(chunkBeatsQ.eq(chunkBeats)),
                "ChunkLoader: a chunk's registered beats are current when it is requested");
        when(start, () -> {
            next.set(firstAddress);
            rowsLeft.set(firstRows);
            latestBeats.set(rowBeats);
            olderBeats.set(latestBeats);
            jobBase.set(issued);
        }).elseWhen(requested, () -> {
            next.set(next.add(strideBytes).trunc(64));
            rowsLeft.set(rowsAfter);
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
        UInt writeAddress = cat(landed.lsb(), writeRow, PassBeats.of(shape, writeBeat).resize(shape.passStrideBits()))
                .asUInt().resize(log2Up(shape.chunkBufferWords())).named(name + "_write_address");
        for (int p = 0; p < ports; p++) {
            Mem<Bits> memory = memories.get(p);
            Bool mine = ports == 1 ? TRUE : writeBeat.resize(shape.portBits()).eq(p);
            when(beat.and(mine), () -> memory.write(writeAddress, reader.data.payload.data()));
        }
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

    /**
     * Connects a pass's read port to its loaders' buffers: the address is {@code (loader, half, row, pass beat)};
     * the word read is the P beats of the pass beat from the chosen loader's P memories, beat P x k + p in bits
     * {@code 16 W p ..}, {@code port.latency()} cycles later ({@link AttentionShape#chunkBufferLatency}: the
     * memories' latency, and a cycle more for the registered pick among two or more loaders).
     */
    static void readPort(String name, AttentionShape shape, List<ChunkLoader> loaders, BufferPort port) {
        int localBits = log2Up(shape.chunkBufferWords());
        UInt local = port.address().resize(localBits).named(name + "_local_address");
        List<Bits> words = new ArrayList<>();
        for (int l = 0; l < loaders.size(); l++) {
            List<Bits> beats = new ArrayList<>();
            for (int p = loaders.get(l).memories.size() - 1; p >= 0; p--) {
                beats.add(loaders.get(l).memories.get(p).readSync(name + "_l" + l + "_p" + p, local, port.enable(),
                        shape.chunkMemoryLatency()));
            }
            words.add(cat(beats.toArray(new Bits[0])).named(name + "_l" + l));
        }
        if (words.size() == 1) {
            port.data().set(words.getFirst());
        } else {
            UInt loader = port.address().slice(widthOf(port.address()) - 1, localBits).named(name + "_loader");
            int memoryLatency = shape.chunkMemoryLatency();
            if (port.latency() != memoryLatency + 1) {
                throw new IllegalStateException("ChunkLoader.readPort: " + name + " has latency " + port.latency()
                        + ", not the memories' " + memoryLatency + " and the pick's cycle");
            }
            UInt chosen = Delay.of(name + "_loader_read", loader, memoryLatency);
            port.data().set(regNext(name + "_chosen_q", new Vec<>(words).get(name + "_chosen", chosen)));
        }
    }
}
