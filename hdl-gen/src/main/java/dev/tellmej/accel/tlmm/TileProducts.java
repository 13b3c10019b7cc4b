package dev.tellmej.accel.tlmm;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.UInt;

/**
 * What one port streams for a full tile and for the last: the tile's row groups times the index words and the
 * bytes a port reads per row group. The four products are built by shift and add, one bit of the row groups
 * per cycle, most significant first ({@code acc = 2 acc + (bit ? multiplicand : 0)}), so each costs one adder of
 * the product's width and no multiplier. {@link #load} takes the operands; the products are valid once
 * {@link #busy} has fallen.
 */
final class TileProducts extends Area {
    /** Event from the sequencer: take the operands. */
    final Bool load;
    /** Row groups of a full tile and of the last tile (the multipliers). */
    final UInt fullGroups;
    final UInt lastGroups;
    /** Index words and bytes one port reads per row group (the multiplicands). */
    final UInt groupWords;
    final UInt groupBytes;
    final Bool busy;
    /** Index words and bytes one port reads for a full tile and for the last tile. */
    final UInt wordsFull;
    final UInt wordsLast;
    final UInt bytesFull;
    final UInt bytesLast;

    TileProducts(CommandUnitSizes sizes) {
        super("products", "words and bytes per port of a full and of the last tile, by shift and add");
        int groupBits = sizes.groupBits();
        load = wire("products_load", bool());
        fullGroups = wire("products_full_groups", uint(groupBits));
        lastGroups = wire("products_last_groups", uint(groupBits));
        groupWords = wire("products_group_words", uint(sizes.groupWordsBits()));
        groupBytes = wire("products_group_bytes", uint(sizes.groupBytesBits()));

        UInt fullBits = reg("full_groups_left", uint(groupBits));
        UInt lastBits = reg("last_groups_left", uint(groupBits));
        UInt words = reg("words_per_group", uint(sizes.groupWordsBits()));
        UInt bytes = reg("bytes_per_group", uint(sizes.groupBytesBits()));
        wordsFull = reg("words_full", uint(groupBits + sizes.groupWordsBits()));
        wordsLast = reg("words_last", uint(groupBits + sizes.groupWordsBits()));
        bytesFull = reg("bytes_full", uint(groupBits + sizes.groupBytesBits()));
        bytesLast = reg("bytes_last", uint(groupBits + sizes.groupBytesBits()));
        UInt left = reg("product_steps_left", uint(bitsFor(groupBits)), 0);
        busy = left.ne(0).named("multiplying");

        when(load, () -> {
            fullBits.set(fullGroups);
            lastBits.set(lastGroups);
            words.set(groupWords);
            bytes.set(groupBytes);
            wordsFull.set(0);
            wordsLast.set(0);
            bytesFull.set(0);
            bytesLast.set(0);
            left.set(groupBits);
        }).elseWhen(busy, () -> {
            step(wordsFull, fullBits.msb(), words);
            step(bytesFull, fullBits.msb(), bytes);
            step(wordsLast, lastBits.msb(), words);
            step(bytesLast, lastBits.msb(), bytes);
            fullBits.set(fullBits.shl(1).trunc(groupBits));
            lastBits.set(lastBits.shl(1).trunc(groupBits));
            left.set(left.sub(1));
        });
        assertAlways(load.not().or(busy.not()), "products are loaded only while idle");
    }

    /** One shift-and-add step: the accumulator doubled, plus the multiplicand when the multiplier's bit is set. */
    private static void step(UInt accumulator, Bool bit, UInt multiplicand) {
        int width = accumulator.width();
        accumulator.set(accumulator.shl(1).trunc(width)
                .add(mux(bit, multiplicand, U(0, multiplicand.width())).zext(width)));
    }
}
