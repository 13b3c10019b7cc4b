package dev.tellmej.hdl.lib;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.hdl.ir.Locations;
import java.util.Arrays;

/**
 * Re-cuts a byte stream arriving in words of {@code inBytes} into words of one of a few fixed sizes, for
 * widths with no common factor (a 32-byte AXI beat into 34-byte pairs of packed weight words). Byte 0 of a
 * word is its least significant byte, in and out; bytes leave in the order they arrived.
 *
 * <p>The output word is as wide as the largest size; {@code size} (present when there is more than one
 * size) chooses, per word, how many bytes it carries (the bytes above are don't-care). It holds up to
 * {@code 2 inBytes + max size - 1} bytes (rounded up to a multiple of 8) in registers, keeping every byte above
 * those held at zero. Each cycle it can emit one output word and take one input word; an input word is accepted
 * only when it fits whole beside everything held, and the readies do not depend on the other side's valid or
 * ready. The room for a second input word is what lets it take a word in every cycle, even one in which it
 * emits (a buffer of {@code inBytes + max size - 1} bytes would refuse the input whenever more than a word less
 * than the output is held, about a fifth of the cycles for 16-byte input and 34-byte output), so it sustains
 * {@code min(inBytes, size)} bytes per cycle. {@code clear} drops everything held (the padding
 * after the last whole word of a transfer). Latency: one cycle. Cost: a barrel shifter of the buffer's
 * width with byte steps, and one constant shift per size.
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
        int capacity = (2 * inBytes + largest - 1 + 7) / 8 * 8;
        in = in("in", Stream.of(bits(8 * inBytes)));
        out = out("out", Stream.of(bits(8 * largest)));
        size = outSizes.length > 1 ? in("size", uint(log2Up(outSizes.length))) : null;
        clear = in("clear", bool());
        count = out("count", uint(bitsFor(capacity)));

        Bits buffer = reg("buffer", bits(8 * capacity), 0);
        UInt held = reg("held", uint(bitsFor(capacity)), 0);
        count.set(held);
        out.payload.set(buffer.slice(8 * largest - 1, 0));
        in.ready.set(held.le(capacity - inBytes));

        // Per size: whether a word is there, and what is left once it has gone.
        Bool available = held.ge(outSizes[0]);
        Bits remaining = buffer.shr(8 * outSizes[0]).zext(8 * capacity);
        UInt left = held.sub(outSizes[0]);
        for (int k = 1; k < outSizes.length; k++) {
            Bool chosen = size.eq(k);
            available = mux(chosen, held.ge(outSizes[k]), available);
            remaining = mux(chosen, buffer.shr(8 * outSizes[k]).zext(8 * capacity), remaining);
            left = mux(chosen, held.sub(outSizes[k]), left);
        }
        out.valid.set(available);

        Bool pop = out.fire().named("pop");
        Bool push = in.fire().named("push");
        Bits afterPop = mux(pop, remaining, buffer).named("after_pop");
        UInt heldAfterPop = mux(pop, left, held).named("held_after_pop");
        // The input word lands just above the bytes still held; those above are zero, so an OR places it.
        Bits placed = in.payload.zext(8 * capacity).shlKeep(cat(heldAfterPop, B(0, 3)).asUInt());
        Bits merged = afterPop.or(placed).named("merged");

        when(clear, () -> {
            held.set(0);
            buffer.set(0);
        }).elseWhen(push, () -> {
            held.set(heldAfterPop.add(inBytes));
            buffer.set(merged);
        }).elseWhen(pop, () -> {
            held.set(heldAfterPop);
            buffer.set(afterPop);
        });
    }
}
