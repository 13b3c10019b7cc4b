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
 *   <li>The same with a head register ({@link #withHeadRegister}): the oldest word waits in a register, the
 *       RAM holds the words behind it, and a word pushed while nothing is held goes straight into the register.
 *       The output's valid and word come from flip-flops (the LUT RAM's read lies only in front of the
 *       register); latency 1; holds {@code depth} + 1 words; cost: a word of flip-flops and its multiplexer.
 *   <li>BLOCK: the RAM is read through its register into an output stage. Holds {@code depth} + 1 words;
 *       latency 2; one push and one pop per cycle.
 * </ul>
 * Cost: the RAM, two pointers of log2(depth) bits, a counter of log2(depth + 1) bits, two flags (holding a word,
 * room for one).
 * The Verilog module is named {@code SyncFifo_w<width>_d<depth>} (plus {@code _ram<style>} for BLOCK and
 * {@code _head} with a head register).
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
        this(width, depth, style, false);
    }

    /**
     * A LUT-RAM FIFO whose oldest word waits in a register, for a consumer whose logic follows the word at once
     * (a route, a tag): {@code depth} RAM words plus the register.
     *
     * @param width word width in bits (at least 1)
     * @param depth RAM words (at least 2)
     */
    public static SyncFifo withHeadRegister(int width, int depth) {
        return new SyncFifo(width, depth, RamStyle.DISTRIBUTED, true);
    }

    private SyncFifo(int width, int depth, RamStyle style, boolean headRegister) {
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
        if (headRegister) {
            param("head", "");
        }
        push = in("push", Stream.of(bits(width)));
        pop = out("pop", Stream.of(bits(width)));
        boolean registeredRead = style == RamStyle.BLOCK;
        occupancy = out("occupancy", uint(bitsFor(registeredRead || headRegister ? depth + 1 : depth)));

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
        Bool pushed;
        Bool take;
        if (headRegister) {
            // The head is refilled whenever it is empty or being popped: from the RAM's oldest word, or with the
            // word pushed now when the RAM holds none (a word is in the head whenever the FIFO holds any).
            Bool headValid = reg("head_valid", bool(), 0);
            Bits head = reg("head", bits(width), 0);
            Bool headFree = headValid.not().or(pop.ready).named("head_free");
            Bool bypass = headFree.and(holding.not()).named("bypass");
            pushed = push.fire().and(bypass.not()).named("ram_write");
            take = headFree.and(holding).named("ram_read");
            Bits oldest = ram.readAsync(readPointer).named("ram_oldest");
            when(headFree, () -> {
                headValid.set(holding.or(push.valid));
                head.set(mux(holding, oldest, push.payload));
            });
            pop.valid.set(headValid);
            pop.payload.set(head);
            occupancy.set(stored.zext(occupancy.width()).add(headValid.asUInt().zext(occupancy.width())));
            assertAlways(headValid.or(holding.not()), "SyncFifo: the head holds a word whenever the RAM does");
        } else if (registeredRead) {
            pushed = push.fire();
            Bool outputValid = reg("output_valid", bool(), 0);
            take = holding.and(outputValid.not().or(pop.ready)).named("ram_read");
            Bits data = ram.readSync("ram_rdata", readPointer, take, 1);
            when(take, () -> outputValid.set(true)).elseWhen(pop.ready, () -> outputValid.set(false));
            pop.valid.set(outputValid);
            pop.payload.set(data);
            occupancy.set(stored.zext(occupancy.width()).add(outputValid.asUInt().zext(occupancy.width())));
        } else {
            pushed = push.fire();
            take = pop.fire();
            pop.valid.set(holding);
            pop.payload.set(ram.readAsync(readPointer));
            occupancy.set(stored);
        }
        when(pushed, () -> {
            ram.write(writePointer, push.payload);
            writePointer.set(increment(writePointer, depth));
        });
        when(take, () -> readPointer.set(increment(readPointer, depth)));
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
