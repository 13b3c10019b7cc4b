package dev.tellmej.hdl.check;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/** Formats sets of bit indices for messages: {@code 7..4, 1}. */
final class BitRanges {
    private BitRanges() {}

    static String describe(BitSet bits) {
        List<String> ranges = new ArrayList<>();
        int i = bits.length() - 1;
        while (i >= 0) {
            if (!bits.get(i)) {
                i = bits.previousSetBit(i);
                continue;
            }
            int hi = i;
            int lo = bits.previousClearBit(i) + 1;
            ranges.add(hi == lo ? Integer.toString(hi) : hi + ".." + lo);
            i = lo - 1;
        }
        return String.join(", ", ranges);
    }

    static BitSet range(int lo, int hi) {
        BitSet bits = new BitSet();
        bits.set(lo, hi + 1);
        return bits;
    }
}
