package dev.tellmej.accel.tlmm;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Mem;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.RamStyle;
import dev.tellmej.hdl.UInt;
import dev.tellmej.model.ternary.TlmmIndex;

/**
 * Three base-3 digits (weight + 1, digit 0 in bits 1..0) to the engine's 5-bit index of the triple: a 64-entry
 * ROM (digit value 3 never occurs and maps to index 0). Combinational; five LUT6.
 *
 * <p>The engine's index is the TLMM index of NUMERICS.md N7.2 re-coded for sign-symmetric tables: a table
 * stores one pattern of each pair k, -k ({@link #storedPattern}: pattern k, or for k = 13 its negation 26), as
 * entry k; bits 3..0 of the index name the entry ({@link TlmmConfig#STORED_ENTRIES}) and bit 4 says negate it.
 * The DDR packing does not change; only this ROM's contents do.
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
            table[key] = d0 < 3 && d1 < 3 && d2 < 3 ? engineIndex(TlmmIndex.encode(d0 - 1, d1 - 1, d2 - 1)) : 0;
        }
        Mem<UInt> rom = mem("rom", uint(TlmmConfig.INDEX_BITS), 64).style(RamStyle.DISTRIBUTED).init(table);
        index.set(rom.readAsync(digits.asUInt()));
    }

    /**
     * The TLMM index whose pattern stored entry {@code entry} (0..13) holds: of pattern {@code entry} and its
     * negation ({@code entry + 13}), the one whose first non-zero weight is +1, so a table builder never
     * negates its first activation.
     */
    public static int storedPattern(int entry) {
        for (int j = 0; j < 3; j++) {
            int w = TlmmIndex.weight(entry, j);
            if (w != 0) {
                return w > 0 ? entry : entry + TlmmConfig.STORED_ENTRIES - 1;
            }
        }
        return entry;
    }

    /** The engine's index of TLMM index {@code index} (0..26): the stored entry, plus 16 if it is negated. */
    public static int engineIndex(int index) {
        int pair = index < TlmmConfig.STORED_ENTRIES ? index : index - (TlmmConfig.STORED_ENTRIES - 1);
        return storedPattern(pair) == index ? pair : (1 << TlmmConfig.STORED_ENTRY_BITS) + pair;
    }
}
