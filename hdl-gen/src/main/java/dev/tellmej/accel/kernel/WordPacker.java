package dev.tellmej.accel.kernel;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.lib.Stream;
import java.util.ArrayList;
import java.util.List;

/**
 * Packs 32-bit words, one a cycle, into the data port's write beats (word i of a beat at bytes 4i..4i+3), for the
 * writers of the call record and the debug area. A word whose {@code keep} is low is not written (its strobes
 * are low): the debug area's capacity, which the host owns. The writers send whole beats of words.
 */
final class WordPacker extends Area {
    /** A word to write. */
    record Word(Bits value, Bool keep) {}

    /** Words in: the writer whose turn it is drives it. */
    final Stream<Word> in;
    /** No word is waiting for the rest of its beat: a writer may start a new command's words. */
    final Bool aligned;

    WordPacker(KernelShape shape, DataWrites writes) {
        super("word_packer", "packs 32-bit words into write beats for the call record and the debug area");
        int perBeat = shape.fp32PerBeat();
        in = wire("packer_word", Stream.of(new Word(bits(32), bool())));
        in.valid.set(false);
        in.payload.value().set(0);
        in.payload.keep().set(false);
        UInt slot = reg("packer_slot", uint(Math.max(1, log2Up(perBeat))), 0);
        List<Bits> held = new ArrayList<>();
        List<Bool> kept = new ArrayList<>();
        for (int i = 0; i < perBeat - 1; i++) {
            held.add(reg("packer_word" + i, bits(32), 0));
            kept.add(reg("packer_keep" + i, bool(), 0));
        }
        aligned = perBeat == 1 ? TRUE : slot.eq(0).named("packer_aligned");
        Bool lastSlot = perBeat == 1 ? TRUE : slot.eq(perBeat - 1).named("packer_last_slot");
        // A beat leaves with the word that completes it; the words before it wait in registers.
        writes.data.valid.set(in.valid.and(lastSlot));
        List<Bits> dataParts = new ArrayList<>();
        List<Bits> strobeParts = new ArrayList<>();
        for (int i = perBeat - 1; i >= 0; i--) {
            Bits value = i == perBeat - 1 ? in.payload.value() : held.get(i);
            Bool keep = i == perBeat - 1 ? in.payload.keep() : kept.get(i);
            dataParts.add(value);
            strobeParts.add(keep.mux(B(0xF, 4), B(0, 4)));
        }
        writes.data.payload.data().set(cat(dataParts.toArray(new Bits[0])));
        writes.data.payload.strobes().set(cat(strobeParts.toArray(new Bits[0])));
        in.ready.set(lastSlot.not().or(writes.data.ready));
        for (int i = 0; i < perBeat - 1; i++) {
            int index = i;
            when(in.fire().and(slot.eq(i)), () -> {
                held.get(index).set(in.payload.value());
                kept.get(index).set(in.payload.keep());
            });
        }
        if (perBeat > 1) {
            when(in.fire(), () -> slot.set(mux(lastSlot, U(0, widthOf(slot)), slot.add(1).trunc(widthOf(slot)))));
        }
    }
}
