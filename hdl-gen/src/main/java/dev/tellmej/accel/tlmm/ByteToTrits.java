package dev.tellmej.accel.tlmm;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Mem;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.RamStyle;
import dev.tellmej.hdl.UInt;

/**
 * One packed weight byte to its five base-3 digits (trit k = digit k, weight = digit - 1; see
 * {@link WeightPacker}): a 256-entry ROM of 10-bit results, digit k in bits 2k+1..2k. Combinational; about
 * 40 LUTs. Bytes above 242 never occur and decode to digits of 1 (weight 0).
 */
public final class ByteToTrits extends Module {
    public final UInt packedByte = in("packed_byte", uint(8));
    public final Bits digits = out("digits", bits(10));

    public ByteToTrits() {
        long[] table = new long[256];
        for (int value = 0; value < 256; value++) {
            int v = value < 243 ? value : 121; // 121 = 11111 in base 3
            long word = 0;
            for (int k = 0; k < 5; k++) {
                word |= (long) (v % 3) << (2 * k);
                v /= 3;
            }
            table[value] = word;
        }
        Mem<Bits> rom = mem("rom", bits(10), 256).style(RamStyle.DISTRIBUTED).init(table);
        digits.set(rom.readAsync(packedByte));
    }
}
