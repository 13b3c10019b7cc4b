package dev.tellmej.hdl.lib.fp;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.ElaborationHelper;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.SInt;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.hdl.ir.Locations;
import dev.tellmej.hdl.lib.Delay;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.Timed;

/**
 * int32 to binary32, round to nearest even: Java's {@code (float) intValue} (NUMERICS.md N3.1; exact for
 * |n| <= 2^24).
 *
 * <p>A narrower input ({@link #Int32ToFp32(int)}: a two's complement integer of {@code bits} bits, for a source
 * whose values are known to fit, such as a linear's accumulators) needs a narrower leading-zero count and shift;
 * at 25 bits or fewer the value is exact in binary32 and the rounding logic is constant (synthesis removes it).
 * Named {@code Int32ToFp32} (32 bits) or {@code Int32ToFp32_n<bits>}.
 *
 * <p>Latency {@value #LATENCY} cycles, one result per cycle: (1) magnitude; (2) leading-zero count;
 * (3) normalize, round, pack. Cost: about 200 LUTs, 110 flip-flops (32 bits).
 */
public final class Int32ToFp32 extends Module {
    /** Cycles from {@code in_valid} to {@code out_valid}. */
    public static final int LATENCY = 3;

    /** The input ({@code in_valid}, {@code in_payload}): a two's complement integer of {@link #bits} bits. */
    public final Flow<SInt> in;
    /** The result ({@code out_valid}, {@code out_payload}): binary32 bits, {@value #LATENCY} cycles later. */
    public final Flow<Bits> out = out("out", Flow.of(bits(32)));
    /** The input's width. */
    public final int bits;

    /** A 32-bit input. */
    public Int32ToFp32() {
        this(32);
    }

    /** @param bits the input's width, 2 to 32 */
    public Int32ToFp32(int bits) {
        if (bits < 2 || bits > 32) {
            throw new InvalidParameterException(Locations.capture(), "Int32ToFp32 takes 2 to 32 input bits, got "
                    + bits);
        }
        this.bits = bits;
        if (bits < 32) {
            param("n", bits);
        }
        in = in("in", Flow.of(sint(bits)));
        SInt x = in.payload;
        // Stage 1: sign and magnitude (|-2^(bits-1)| = 2^(bits-1) still fits bits unsigned bits).
        Bool sign1 = regNext("sign_1", x.isNegative());
        UInt magnitude1 = regNext("magnitude_1", mux(x.isNegative(), x.neg(), x).asUInt());

        // Stage 2: leading zeros.
        UInt lz2 = regNext("lz_2", FpCircuits.leadingZeros(magnitude1.asBits()));
        UInt magnitude2 = regNext("magnitude_2", magnitude1);
        Bool sign2 = regNext("sign_2", sign1);

        // Stage 3: leading one to the top bit; the value is 1.xxx * 2^(bits - 1 - lz), biased exponent
        // 126 + bits - lz. Below 32 bits the normalized value is padded with zeros to 32 bits, whose guard and
        // sticky bits are then constant zero at 25 bits or fewer.
        UInt shifted = magnitude2.shlKeep(lz2);
        UInt normalized = bits == 32 ? shifted : cat(shifted.asBits(), B(0, 32 - bits)).asUInt();
        FpCircuits.Cut cut = new FpCircuits.Cut(normalized.slice(31, 8), normalized.bit(7),
                normalized.slice(6, 0).ne(0));
        UInt scale = U(126 + bits, 8).sub(lz2.zext(8));
        FpCircuits.Rounded rounded = FpCircuits.roundPack(scale, cut, 8, 23);
        Bits result = mux(magnitude2.eq(0), B(0, 32), cat(sign2, rounded.magnitude()));
        out.payload.set(regNext("y_3", result));
        out.valid.set(Delay.valid("valid", in.valid, LATENCY));
    }

    /**
     * Places the unit for {@code in}'s width (see {@link #Int32ToFp32(int)}), named {@code name}, fed by
     * {@code in}; returns its result flow: {@code (float) n}.
     */
    @ElaborationHelper
    public static Flow<Bits> apply(String name, Flow<SInt> in) {
        Int32ToFp32 unit = Hdl.instance(name, new Int32ToFp32(in.payload.width()));
        Hdl.assign(unit.in, in);
        return unit.out;
    }

    /** {@code (float) n} in a pipeline: valid {@value #LATENCY} cycles after {@code x}. */
    @ElaborationHelper
    public static Timed<Bits> apply(String name, Timed<SInt> x) {
        return x.through(name, LATENCY, Int32ToFp32::apply);
    }
}
