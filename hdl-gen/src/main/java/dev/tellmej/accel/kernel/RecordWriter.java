package dev.tellmej.accel.kernel;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.accel.protocol.DebugTaps;
import dev.tellmej.accel.protocol.IoRegion;
import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.HwEnum;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.Vec;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the end of a call to the I/O region: the call record at offset 0 ({@link IoRegion}, 64 bytes), then,
 * when the debug taps are on, the debug area's header (records, used, dropped; the capacity word is the host's
 * and is left as it is).
 */
final class RecordWriter extends Area {
    enum RecordStep { IDLE, RECORD_COMMAND, RECORD, AREA_COMMAND, AREA }

    /** The values written; they must hold still from {@link #start} until {@link #finished}. */
    record Contents(UInt status, UInt errorCode, UInt errorDetail, UInt position, UInt instructions, UInt argmax,
            UInt cycles, UInt ddrBusyCycles, UInt stallCycles, Bool tapping, UInt tapRecords, UInt tapUsed,
            UInt tapDropped, UInt recordAddress, UInt areaAddress) {}

    final Bool start;
    /** Pulses when the last word has gone to the packer. */
    final Bool finished;
    /** Offering a word to the packer. */
    final Bool pushing;

    RecordWriter(KernelShape shape, DataWrites writes, WordPacker packer, Contents contents) {
        super("record_writer", "writes the call record, then the debug area's header when the taps are on");
        start = wire("record_start", bool());
        start.set(false);
        int recordWords = IoRegion.RECORD_BYTES / 4;
        Bits[] record = new Bits[recordWords];
        for (int i = 0; i < recordWords; i++) {
            record[i] = B(0, 32);
        }
        place(record, IoRegion.RECORD_STATUS, contents.status());
        place(record, IoRegion.RECORD_ERROR_CODE, contents.errorCode());
        place(record, IoRegion.RECORD_ERROR_DETAIL, contents.errorDetail());
        place(record, IoRegion.RECORD_POSITION, contents.position());
        place(record, IoRegion.RECORD_INSTRUCTIONS, contents.instructions());
        place(record, IoRegion.RECORD_ARGMAX, contents.argmax());
        place64(record, IoRegion.RECORD_CYCLES, contents.cycles());
        place64(record, IoRegion.RECORD_DDR_BUSY_CYCLES, contents.ddrBusyCycles());
        place64(record, IoRegion.RECORD_STALL_CYCLES, contents.stallCycles());
        Bits[] area = new Bits[DebugTaps.HEADER_BYTES / 4];
        for (int i = 0; i < area.length; i++) {
            area[i] = B(0, 32);
        }
        place(area, DebugTaps.RECORDS, contents.tapRecords());
        place(area, DebugTaps.USED, contents.tapUsed());
        place(area, DebugTaps.DROPPED, contents.tapDropped());

        HwEnum<RecordStep> phase = reg("record_phase", enumOf(RecordStep.class), RecordStep.IDLE);
        UInt word = reg("record_word", uint(log2Up(recordWords)), 0);
        when(start, () -> {
            phase.set(RecordStep.RECORD_COMMAND);
            word.set(0);
        });
        int perBeat = shape.fp32PerBeat();
        Bool commanding = phase.isOneOf(RecordStep.RECORD_COMMAND, RecordStep.AREA_COMMAND).named("record_commanding");
        when(commanding, () -> {
            writes.command.valid.set(true);
            writes.command.payload.address().set(mux(phase.is(RecordStep.RECORD_COMMAND), contents.recordAddress(),
                    contents.areaAddress()));
            writes.command.payload.beats().set(mux(phase.is(RecordStep.RECORD_COMMAND), U(recordWords / perBeat, 8),
                    U(area.length / perBeat, 8)).resize(widthOf(writes.command.payload.beats())));
        });
        assertAlways(commanding.not().or(packer.aligned), "RecordWriter: a command starts on a whole beat");
        when(writes.command.fire().and(phase.is(RecordStep.RECORD_COMMAND)), () -> phase.set(RecordStep.RECORD));
        when(writes.command.fire().and(phase.is(RecordStep.AREA_COMMAND)), () -> phase.set(RecordStep.AREA));

        Bits recordWord = new Vec<>(List.of(record)).get("record_value", word);
        Bits areaWord = new Vec<>(List.of(area)).get("area_value", word.resize(log2Up(area.length)));
        pushing = phase.isOneOf(RecordStep.RECORD, RecordStep.AREA).named("record_pushing");
        when(pushing, () -> {
            packer.in.valid.set(true);
            packer.in.payload.value().set(mux(phase.is(RecordStep.RECORD), recordWord, areaWord));
            // The capacity word belongs to the host.
            packer.in.payload.keep().set(phase.is(RecordStep.RECORD).or(word.ne(DebugTaps.CAPACITY / 4)));
        });
        Bool took = pushing.and(packer.in.ready).named("record_word_taken");
        Bool lastRecordWord = word.eq(recordWords - 1).named("record_last_word");
        Bool lastAreaWord = word.eq(area.length - 1).named("area_last_word");
        when(took, () -> {
            word.set(word.add(1).trunc(widthOf(word)));
            when(phase.is(RecordStep.RECORD).and(lastRecordWord), () -> {
                word.set(0);
                phase.set(mux(contents.tapping(), HwEnum.constant(RecordStep.AREA_COMMAND),
                        HwEnum.constant(RecordStep.IDLE)));
            });
            when(phase.is(RecordStep.AREA).and(lastAreaWord), () -> phase.set(RecordStep.IDLE));
        });
        finished = took.and(phase.is(RecordStep.RECORD).and(lastRecordWord).and(contents.tapping().not())
                .or(phase.is(RecordStep.AREA).and(lastAreaWord))).named("record_finished");
    }

    private static void place(Bits[] words, int offset, UInt value) {
        words[offset / 4] = value.resize(32).asBits();
    }

    private static void place64(Bits[] words, int offset, UInt value) {
        words[offset / 4] = value.slice(31, 0).asBits();
        words[offset / 4 + 1] = value.slice(63, 32).asBits();
    }
}
