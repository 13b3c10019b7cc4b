package dev.tellmej.hdl.lib.fp;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.SInt;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.lib.Delay;

/**
 * int32 to binary32, round to nearest even: Java's {@code (float) intValue} (NUMERICS.md N3.1; exact for
 * |n| <= 2^24).
 *
 * <p>Latency {@value #LATENCY} cycles, one result per cycle: (1) magnitude; (2) leading-zero count;
 * (3) normalize, round, pack. Cost: about 200 LUTs, 110 flip-flops.
 */
public final class Int32ToFp32 extends Module {
    /** Cycles from {@code in_valid} to {@code out_valid}. */
    public static final int LATENCY = 3;

    public final Bool inValid = in("in_valid", bool());
    public final SInt x = in("x", sint(32));
    public final Bool outValid = out("out_valid", bool());
    public final Bits y = out("y", bits(32));

    public Int32ToFp32() {
        // Stage 1: sign and magnitude (|-2^31| = 2^31 still fits 32 unsigned bits).
        Bool sign1 = regNext("sign_1", x.isNegative());
        UInt magnitude1 = regNext("magnitude_1", mux(x.isNegative(), x.neg(), x).asUInt());

        // Stage 2: leading zeros.
        UInt lz2 = regNext("lz_2", FpCircuits.leadingZeros(magnitude1.asBits()));
        UInt magnitude2 = regNext("magnitude_2", magnitude1);
        Bool sign2 = regNext("sign_2", sign1);

        // Stage 3: leading one to bit 31; the value is 1.xxx * 2^(31 - lz), biased exponent 158 - lz.
        UInt normalized = magnitude2.shlKeep(lz2);
        FpCircuits.Cut cut = new FpCircuits.Cut(normalized.slice(31, 8), normalized.bit(7),
                normalized.slice(6, 0).ne(0));
        UInt scale = U(158, 8).sub(lz2.zext(8));
        FpCircuits.Rounded rounded = FpCircuits.roundPack(scale, cut, 8, 23);
        Bits result = mux(magnitude2.eq(0), B(0, 32), cat(sign2, rounded.magnitude()));
        y.set(regNext("y_3", result));
        outValid.set(Delay.valid("valid", inValid, LATENCY));
    }
}
