package dev.tellmej.hdl.lib;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.hdl.Vec;
import dev.tellmej.hdl.ir.Locations;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Re-cuts a byte stream arriving in words of {@code inBytes} into words of one of a few fixed sizes, for
 * widths with no common factor (a 16-byte AXI beat into 34-byte pairs of packed weight words). Byte 0 of a
 * word is its least significant byte, in and out; bytes leave in the order they arrived.
 *
 * <p>The output word is as wide as the largest size; {@code size} (present when there is more than one
 * size) chooses, per word, how many bytes it carries (the bytes above are don't-care). Input words are kept
 * whole, in a ring of D slots: an input word is written into the next free slot, never shifted. The output
 * word starts at an offset into the oldest slot, a multiple of g, the greatest common divisor of the input
 * width and the sizes; it is read from the W slots from the oldest on (W = ceil((inBytes - g + largest) /
 * inBytes), as many as a word from the last offset can touch) through a rotator of inBytes / g positions.
 * Taking a word moves the offset on by its size, and frees the slots it has passed. D is the power of two above
 * W, so a slot is always free for the input while W are read, and picking the W slots is a D-to-1 multiplexer.
 * Each cycle it can emit one output word and take one input word; an input word is accepted whenever a slot
 * is free, and the readies do not depend on the other side's valid or ready; it sustains
 * {@code min(inBytes, size)} bytes per cycle. {@code clear} drops everything held (the padding after the last
 * whole word of a transfer). Latency: one cycle. Cost: for each output bit a slot multiplexer and a rotator of
 * inBytes / g positions (rather than a barrel shifter across the whole buffer for both the input's place and
 * the output's removal); D x inBytes bytes of registers.
 */
public final class ByteGearbox extends Module {
    public final Stream<Bits> in;
    public final Stream<Bits> out;
    /** Which of the sizes the next output word has (absent with a single size). */
    public final UInt size;
    /** Drops every byte held; takes effect at the next clock edge and wins over the traffic of this cycle. */
    public final Bool clear;
    /** Bytes held. */
    public final UInt count;

    /** One output size. */
    public ByteGearbox(int inBytes, int outBytes) {
        this(inBytes, new int[] {outBytes});
    }

    /** Several output sizes, chosen per word by {@link #size} (an index into {@code outSizes}). */
    public ByteGearbox(int inBytes, int[] outSizes) {
        int largest = Arrays.stream(outSizes).max().orElse(0);
        int smallest = Arrays.stream(outSizes).min().orElse(0);
        if (inBytes < 1 || smallest < 1 || inBytes > 512 || largest > 512 || outSizes.length > 8) {
            throw new InvalidParameterException(Locations.capture(), "ByteGearbox widths must be 1..512 bytes"
                    + " (at most 8 output sizes), got " + inBytes + " in, " + Arrays.toString(outSizes) + " out");
        }
        param("i", inBytes);
        param("o", String.join("_", Arrays.stream(outSizes).mapToObj(Integer::toString).toList()));
        int step = inBytes;
        for (int outSize : outSizes) {
            step = gcd(step, outSize);
        }
        int positions = inBytes / step;
        int window = (inBytes - step + largest + inBytes - 1) / inBytes;
        // The oldest slot moves on by whole words' worth of slots: a multiple of `unit`. With D = unit x 2^k
        // slots it is a multiple of `unit` too, so picking a window slot is a 2^k-to-1 multiplexer.
        int unit = 0;
        for (int outSize : outSizes) {
            for (int o = 0; o < positions; o++) {
                unit = gcd(unit, (o * step + outSize) / inBytes);
            }
        }
        unit = Math.max(1, unit);
        int groups = Integer.highestOneBit((window + unit) / unit * 2 - 1);
        while (groups * unit <= window) {
            groups *= 2;
        }
        int slots = groups * unit;
        int groupBits = Math.max(1, log2Up(groups));
        int capacity = slots * inBytes;
        in = in("in", Stream.of(bits(8 * inBytes)));
        out = out("out", Stream.of(bits(8 * largest)));
        size = outSizes.length > 1 ? in("size", uint(log2Up(outSizes.length))) : null;
        clear = in("clear", bool());
        count = out("count", uint(bitsFor(capacity)));

        List<Bits> ring = new ArrayList<>();
        for (int i = 0; i < slots; i++) {
            ring.add(reg("slot" + i, bits(8 * inBytes)));
        }
        UInt head = reg("head", uint(groupBits), 0);                 // the oldest slot, in units
        UInt tail = reg("tail", uint(Math.max(1, log2Up(slots))), 0); // the next free slot
        UInt filled = reg("filled", uint(bitsFor(slots)), 0);        // slots holding bytes
        UInt offset = reg("offset", uint(bitsFor(positions - 1)), 0); // first byte of the oldest slot, in steps
        int heldBits = bitsFor(capacity);
        // The bytes held, counted in a register of their own rather than taken from the slots and the offset
        // (for timing: that subtraction lay in front of every compare that decides whether a word is there).
        UInt held = reg("held", uint(heldBits), 0);
        assertAlways(held.eq(filled.timesConstant(inBytes, heldBits).sub(offset.timesConstant(step, heldBits))),
                "ByteGearbox: the bytes held are the slots' bytes less the offset");
        count.set(held);

        // The W slots from the oldest on, oldest least significant, and the word at the offset into them.
        List<Bits> read = new ArrayList<>();
        for (int k = window - 1; k >= 0; k--) {
            List<Bits> candidates = new ArrayList<>();
            for (int j = 0; j < groups; j++) {
                candidates.add(ring.get(j * unit + k % unit));
            }
            UInt which = head.add(k / unit).named("read_unit" + k);
            read.add(new Vec<>(candidates).get("window_slot" + k, which));
        }
        Bits windowBytes = cat(read.toArray(new Bits[0])).named("window");
        UInt shift = offset.timesConstant(8 * step, bitsFor(8L * inBytes)).named("window_shift");
        out.payload.set(windowBytes.shrKeep(shift).slice(8 * largest - 1, 0));
        in.ready.set(filled.lt(slots));

        // Per size: whether a word is there, and where the next word starts once it has gone: the slots it
        // frees and the new offset (the offset plus the size, in whole slots and steps).
        int afterBits = bitsFor(positions - 1 + largest / step);
        // Whether a word of each size is there: flags kept with the bytes held (for timing: the count's compare
        // lay between its register and the output's valid, in front of the consumer's take); a simulation
        // assertion holds each to the count.
        List<Bool> hasWord = new ArrayList<>();
        for (int outSize : outSizes) {
            Bool flag = reg("has_" + outSize, bool(), 0);
            assertAlways(flag.eq(held.ge(outSize)), "ByteGearbox: the has-a-" + outSize + "-byte-word flag follows"
                    + " the bytes held");
            hasWord.add(flag);
        }
        UInt after = offset.resize(afterBits).add(outSizes[0] / step).named("offset_after" + 0);
        Bool available = hasWord.getFirst();
        UInt sizeBytes = U(outSizes[0], heldBits);
        for (int k = 1; k < outSizes.length; k++) {
            Bool chosen = size.eq(k);
            UInt afterK = offset.resize(afterBits).add(outSizes[k] / step).named("offset_after" + k);
            available = mux(chosen, hasWord.get(k), available);
            after = mux(chosen, afterK, after);
            sizeBytes = mux(chosen, U(outSizes[k], heldBits), sizeBytes);
        }
        UInt wordBytes = sizeBytes.named("word_bytes");
        out.valid.set(available);
        UInt moved = after.named("offset_moved");
        int maxFreed = (positions - 1 + largest / step) / positions;
        UInt freed = U(0, bitsFor(maxFreed));
        for (int m = 1; m <= maxFreed; m++) {
            freed = mux(moved.ge(m * positions), U(m, bitsFor(maxFreed)), freed);
        }
        freed = freed.named("slots_freed");
        UInt unitsFreed = U(0, head.width());
        for (int m = unit; m <= maxFreed; m += unit) {
            unitsFreed = mux(moved.ge(m * positions), U(m / unit, head.width()), unitsFreed);
        }
        UInt freedUnits = unit == 1 ? freed.resize(head.width()) : unitsFreed.named("units_freed");
        UInt nextOffset = moved.sub(freed.timesConstant(positions, afterBits)).resize(offset.width())
                .named("offset_next");

        Bool pop = out.fire().named("pop");
        Bool push = in.fire().named("push");
        UInt released = mux(pop, freed, U(0, freed.width())).named("released");
        for (int i = 0; i < slots; i++) {
            int slot = i;
            when(push.and(tail.eq(slot)), () -> ring.get(slot).set(in.payload));
        }
        // Each flag's next value for the four cases of a push and a pop, from the count alone (the handshakes only
        // pick one); a sum is compared only where it can happen (a push leaves room for its word, a pop takes
        // a word that is there).
        int wideBits = heldBits + 1;
        UInt heldWide = held.resize(wideBits);
        UInt pushed = heldWide.add(inBytes).trunc(wideBits).named("held_if_pushed");
        UInt popped = heldWide.sub(wordBytes.resize(wideBits)).trunc(wideBits).named("held_if_popped");
        UInt both = pushed.sub(wordBytes.resize(wideBits)).trunc(wideBits).named("held_if_both");
        when(clear, () -> {
            head.set(0);
            tail.set(0);
            filled.set(0);
            offset.set(0);
            held.set(0);
            hasWord.forEach(flag -> flag.set(false));
        }).otherwise(() -> {
            for (int k = 0; k < outSizes.length; k++) {
                int outSize = outSizes[k];
                hasWord.get(k).set(mux(push, mux(pop, both.ge(outSize), pushed.ge(outSize)),
                        mux(pop, popped.ge(outSize), hasWord.get(k))));
            }
            if (Integer.bitCount(slots) == 1) {
                when(push, () -> tail.set(tail.add(1)));
            } else {
                when(push, () -> tail.set(mux(tail.eq(slots - 1), U(0, tail.width()), tail.add(1))));
            }
            when(pop, () -> {
                head.set(head.add(freedUnits));
                offset.set(nextOffset);
            });
            UInt grown = filled.add(mux(push, U(1, filled.width()), U(0, filled.width())));
            filled.set(grown.sub(released.resize(filled.width())));
            UInt arriving = mux(push, U(inBytes, heldBits), U(0, heldBits));
            UInt leaving = mux(pop, wordBytes, U(0, heldBits));
            held.set(held.add(arriving).sub(leaving));
        });
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}
