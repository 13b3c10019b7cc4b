package dev.tellmej.sim;

import java.math.BigInteger;

/** Conversions between numbers and little-endian arrays of 32-bit words (Verilator's VlWide layout). */
final class Words {
    private Words() {}

    static BigInteger toBig(int[] words) {
        BigInteger value = BigInteger.ZERO;
        for (int i = words.length - 1; i >= 0; i--) {
            value = value.shiftLeft(32).or(BigInteger.valueOf(words[i] & 0xffff_ffffL));
        }
        return value;
    }

    static int[] fromBig(BigInteger value, int count) {
        int[] words = new int[count];
        for (int i = 0; i < count; i++) {
            words[i] = value.shiftRight(32 * i).intValue();
        }
        return words;
    }
}
