package dev.tellmej.accel.tlmm;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Mem;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.RamStyle;
import dev.tellmej.hdl.UInt;
import dev.tellmej.model.ternary.TlmmIndex;

/**
 * Three base-3 digits (weight + 1, digit 0 in bits 1..0) to the 5-bit TLMM index of NUMERICS.md N7.2: a
 * 64-entry ROM (digit value 3 never occurs and maps to index 0). Combinational; five LUT6.
 */
public final class TritsToIndex extends Module {
    public final Bits digits = in("digits", bits(6));
    public final UInt index = out("index", uint(TlmmConfig.INDEX_BITS));

    public TritsToIndex() {
        long[] table = new long[64];
        for (int key = 0; key < 64; key++) {
            int d0 = key & 3;
            int d1 = (key >> 2) & 3;
            int d2 = (key >> 4) & 3;
            table[key] = d0 < 3 && d1 < 3 && d2 < 3 ? TlmmIndex.encode(d0 - 1, d1 - 1, d2 - 1) : 0;
        }
        Mem<UInt> rom = mem("rom", uint(TlmmConfig.INDEX_BITS), 64).style(RamStyle.DISTRIBUTED).init(table);
        index.set(rom.readAsync(digits.asUInt()));
    }
}
