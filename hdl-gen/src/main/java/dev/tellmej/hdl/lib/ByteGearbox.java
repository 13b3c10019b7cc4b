package dev.tellmej.hdl.lib;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.hdl.ir.Locations;

/**
 * Re-cuts a byte stream arriving in words of {@code inBytes} into words of {@code outBytes}, for widths with
 * no common factor (a 32-byte AXI beat into 17-byte packed weight words). Byte 0 of a word is its least
 * significant byte, in and out; bytes leave in the order they arrived.
 *
 * <p>It holds up to {@code inBytes + outBytes - 1} bytes (rounded up to a multiple of 8) in registers, and
 * keeps every byte above those held at zero. Each
 * cycle it can emit one output word and take one input word, so it sustains
 * {@code min(inBytes, outBytes)} bytes per cycle. An input word is accepted only when it fits whole; the
 * ready signals do not depend on the other side's valid or ready. {@code clear} drops whatever is held (for
 * example the padding after the last whole output word of a transfer). Latency: one cycle. Cost: a barrel
 * shifter of the buffer's width with byte steps, and one constant shift.
 */
public final class ByteGearbox extends Module {
    public final Stream<Bits> in;
    public final Stream<Bits> out;
    /** Drops every byte held; takes effect at the next clock edge and wins over the traffic of this cycle. */
    public final Bool clear;
    /** Bytes held. */
    public final UInt count;

    public ByteGearbox(int inBytes, int outBytes) {
        if (inBytes < 1 || outBytes < 1 || inBytes > 512 || outBytes > 512) {
            throw new InvalidParameterException(Locations.capture(),
                    "ByteGearbox widths must be 1..512 bytes, got " + inBytes + " in, " + outBytes + " out");
        }
        param("i", inBytes);
        param("o", outBytes);
        int capacity = (inBytes + outBytes - 1 + 7) / 8 * 8;
        in = in("in", Stream.of(bits(8 * inBytes)));
        out = out("out", Stream.of(bits(8 * outBytes)));
        clear = in("clear", bool());
        count = out("count", uint(bitsFor(capacity)));

        Bits buffer = reg("buffer", bits(8 * capacity), 0);
        UInt held = reg("held", uint(bitsFor(capacity)), 0);
        count.set(held);

        out.valid.set(held.ge(outBytes));
        out.payload.set(buffer.slice(8 * outBytes - 1, 0));
        in.ready.set(held.le(capacity - inBytes));

        Bool pop = out.fire().named("pop");
        Bool push = in.fire().named("push");
        // After the pop: the remaining bytes moved down, and how many there are.
        Bits remaining = mux(pop, buffer.shr(8 * outBytes).zext(8 * capacity), buffer).named("remaining");
        UInt left = mux(pop, held.sub(outBytes), held).named("left");
        // The input word lands just above the remaining bytes. Bytes above those held are always zero, so
        // an OR places it.
        UInt shift = cat(left, B(0, 3)).asUInt();
        Bits placed = in.payload.zext(8 * capacity).shlKeep(shift);
        Bits merged = remaining.or(placed).named("merged");

        when(clear, () -> {
            held.set(0);
            buffer.set(0);
        }).elseWhen(push, () -> {
            held.set(left.add(inBytes));
            buffer.set(merged);
        }).elseWhen(pop, () -> {
            held.set(left);
            buffer.set(remaining);
        });
    }
}
