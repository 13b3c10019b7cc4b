package dev.tellmej.hdl.lib;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Mem;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.RamStyle;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.hdl.ir.Locations;

/**
 * A single-clock first-word-fall-through FIFO of {@code w}-bit words.
 *
 * <ul>
 *   <li>DISTRIBUTED, REGISTERS, AUTO: the RAM is read asynchronously. Holds {@code depth} words; latency 1
 *       (a word pushed in cycle t is valid at the output in t + 1); one push and one pop per cycle.
 *   <li>BLOCK: the RAM is read through its register into an output stage. Holds {@code depth} + 1 words;
 *       latency 2; one push and one pop per cycle.
 * </ul>
 * Cost: the RAM, two pointers of log2(depth) bits, a counter of log2(depth + 1) bits, two flags (holding a word,
 * room for one).
 * The Verilog module is named {@code SyncFifo_w<width>_d<depth>} (plus {@code _ram<style>} for BLOCK).
 */
public final class SyncFifo extends Module {
    /** Words in. */
    public final Stream<Bits> push;
    /** Words out, in order. */
    public final Stream<Bits> pop;
    /** Words held (RAM plus output stage). */
    public final UInt occupancy;

    /**
     * @param width word width in bits (at least 1)
     * @param depth RAM words (at least 2)
     * @param style where the RAM goes; ULTRA is not supported (use BLOCK)
     */
    public SyncFifo(int width, int depth, RamStyle style) {
        if (width < 1 || depth < 2) {
            throw new InvalidParameterException(Locations.capture(),
                    "SyncFifo needs width >= 1 and depth >= 2, got width " + width + ", depth " + depth);
        }
        if (style == RamStyle.ULTRA) {
            throw new InvalidParameterException(Locations.capture(),
                    "SyncFifo does not support ULTRA (read latency 2 would need another stage); use BLOCK");
        }
        param("w", width);
        param("d", depth);
        if (style == RamStyle.BLOCK) {
            param("ram", "block");
        }
        push = in("push", Stream.of(bits(width)));
        pop = out("pop", Stream.of(bits(width)));
        boolean registeredRead = style == RamStyle.BLOCK;
        occupancy = out("occupancy", uint(bitsFor(registeredRead ? depth + 1 : depth)));

        int addressWidth = log2Up(depth);
        Mem<Bits> ram = mem("ram", bits(width), depth).style(style);
        UInt writePointer = reg("write_pointer", uint(addressWidth), 0);
        UInt readPointer = reg("read_pointer", uint(addressWidth), 0);
        UInt stored = reg("stored", uint(bitsFor(depth)), 0);
        // Whether the RAM holds a word and whether it has room, flags set with the count (for timing: the count's
        // compares lay in front of every valid and ready of the FIFO's users).
        Bool holding = reg("holding", bool(), 0);
        Bool roomy = reg("has_room", bool(), 1);
        assertAlways(holding.eq(stored.ne(0)).and(roomy.eq(stored.ne(depth))),
                "SyncFifo: the holding and room flags follow the count");

        push.ready.set(roomy);
        when(push.fire(), () -> {
            ram.write(writePointer, push.payload);
            writePointer.set(increment(writePointer, depth));
        });
        Bool take;
        if (registeredRead) {
            Bool outputValid = reg("output_valid", bool(), 0);
            take = holding.and(outputValid.not().or(pop.ready)).named("ram_read");
            Bits data = ram.readSync("ram_rdata", readPointer, take, 1);
            when(take, () -> outputValid.set(true)).elseWhen(pop.ready, () -> outputValid.set(false));
            pop.valid.set(outputValid);
            pop.payload.set(data);
            occupancy.set(stored.zext(occupancy.width()).add(outputValid.asUInt().zext(occupancy.width())));
        } else {
            take = pop.fire();
            pop.valid.set(holding);
            pop.payload.set(ram.readAsync(readPointer));
            occupancy.set(stored);
        }
        when(take, () -> readPointer.set(increment(readPointer, depth)));
        Bool pushed = push.fire();
        when(pushed.and(take.not()), () -> {
            stored.set(stored.add(1));
            holding.set(true);
            roomy.set(stored.ne(depth - 1));
        }).elseWhen(take.and(pushed.not()), () -> {
            stored.set(stored.sub(1));
            holding.set(stored.ne(1));
            roomy.set(true);
        });
    }

    private static UInt increment(UInt pointer, int depth) {
        if (Integer.bitCount(depth) == 1) {
            return pointer.add(1);
        }
        return mux(pointer.eq(depth - 1), U(0, pointer.width()), pointer.add(1));
    }
}
