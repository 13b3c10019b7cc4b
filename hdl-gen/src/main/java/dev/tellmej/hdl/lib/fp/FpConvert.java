package dev.tellmej.hdl.lib.fp;

import static dev.tellmej.hdl.Hdl.*;
import static dev.tellmej.hdl.lib.fp.FpFormat.BF16;
import static dev.tellmej.hdl.lib.fp.FpFormat.FP16;
import static dev.tellmej.hdl.lib.fp.FpFormat.FP32;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.ElaborationHelper;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.Pipeline;
import dev.tellmej.hdl.lib.Timed;

/**
 * Conversions between binary32 and the 16-bit storage formats (NUMERICS.md N4), for either storage format:
 * the combinational logic ({@link #toFp32(FpFormat, Bits)}, {@link #fromFp32(FpFormat, Bits)}), which the
 * conversion modules ({@link Fp16ToFp32}, {@link Fp32ToFp16}, {@link Bf16ToFp32}, {@link Fp32ToBf16}) register
 * and fused units may inline, and the module of a format placed on a flow or in a {@link Pipeline}, with its
 * latency. (Source locations skip this class: the hardware it places points at its caller's line.)
 */
@ElaborationHelper
public final class FpConvert {
    private FpConvert() {}

    /** Cycles of the read-back module of {@code storage} (FP16 or BF16): {@link Fp16ToFp32} or {@link Bf16ToFp32}. */
    public static int toFp32Latency(FpFormat storage) {
        return storage(storage).equals(FP16) ? Fp16ToFp32.LATENCY : Bf16ToFp32.LATENCY;
    }

    /** Cycles of the storage rounding module of {@code storage}: {@link Fp32ToFp16} or {@link Fp32ToBf16}. */
    public static int fromFp32Latency(FpFormat storage) {
        return storage(storage).equals(FP16) ? Fp32ToFp16.LATENCY : Fp32ToBf16.LATENCY;
    }

    /** Places the read-back module of {@code storage}, named {@code name}, on {@code stored}: binary32, exact. */
    public static Flow<Bits> toFp32(String name, FpFormat storage, Flow<Bits> stored) {
        return storage(storage).equals(FP16) ? Fp16ToFp32.apply(name, stored) : Bf16ToFp32.apply(name, stored);
    }

    /** A stored value read back as binary32 in a pipeline (N4, exact). */
    public static Timed<Bits> toFp32(String name, FpFormat storage, Timed<Bits> stored) {
        return stored.through(name, toFp32Latency(storage), (unit, in) -> toFp32(unit, storage, in));
    }

    /** Places the storage rounding module of {@code storage}, named {@code name}, on {@code x}: the stored bits. */
    public static Flow<Bits> fromFp32(String name, FpFormat storage, Flow<Bits> x) {
        return storage(storage).equals(FP16) ? Fp32ToFp16.apply(name, x) : Fp32ToBf16.apply(name, x);
    }

    /** A binary32 value rounded to {@code storage} in a pipeline (N4): the bits that are stored. */
    public static Timed<Bits> fromFp32(String name, FpFormat storage, Timed<Bits> x) {
        return x.through(name, fromFp32Latency(storage), (unit, in) -> fromFp32(unit, storage, in));
    }

    private static FpFormat storage(FpFormat format) {
        if (!format.equals(FP16) && !format.equals(BF16)) {
            throw new IllegalArgumentException("storage formats are fp16 and bf16, not " + format.name());
        }
        return format;
    }

    /**
     * A 16-bit pattern of {@code format} (FP16 or BF16) widened to binary32, exactly. fp16 subnormals become
     * normal binary32 values; an fp16 NaN keeps its sign and payload and becomes quiet (the IEEE conversion, and
     * what {@code Float.float16ToFloat} returns on x86 with F16C: a signaling payload gets its quiet bit set).
     * bf16 is read back as {@code bits << 16} (N4.2).
     */
    public static Bits toFp32(FpFormat format, Bits x) {
        if (format.equals(BF16)) {
            return cat(x, B(0, 16));
        }
        if (!format.equals(FP16)) {
            throw new IllegalArgumentException("no conversion from " + format.name());
        }
        Bool sign = FP16.sign(x);
        UInt e = FP16.exponent(x);
        UInt f = FP16.fraction(x);
        // Subnormal: f * 2^-24 with its leading one at bit 9 - lz; shifted by lz it is at bit 9, and the bits below
        // it, one place up, are the fraction (shifting by lz, not lz + 1, keeps an adder off the path).
        UInt lz = FpCircuits.leadingZeros(f.asBits());
        UInt subFrac = cat(f.shlKeep(lz).slice(8, 0), B(0, 1)).asUInt();
        UInt subExp = U(112, 8).sub(lz.zext(8));
        Bits subnormal = cat(sign, subExp, subFrac, B(0, 13));
        Bits normal = cat(sign, e.zext(8).add(112), f, B(0, 13));
        Bits special = cat(sign, B(0xFF, 8), f.ne(0), f.resize(9), B(0, 13));
        return mux(e.eq(0), mux(f.eq(0), cat(sign, B(0, 31)), subnormal), mux(e.eq(31), special, normal));
    }

    /**
     * Binary32 narrowed to {@code format} (FP16 or BF16) as N4 stores it: round to nearest even, overflow to
     * infinity, subnormals kept, every NaN the format's canonical NaN (0x7E00, 0x7FC0). For fp16 this equals
     * {@code Float.floatToFloat16} except for NaN; for bf16 it is N4.2's {@code (b + 0x7FFF + ((b >> 16) & 1)) >>> 16}.
     */
    public static Bits fromFp32(FpFormat format, Bits x) {
        Bool nan = FP32.isNaN(x);
        if (format.equals(BF16)) {
            UInt bits = x.asUInt();
            UInt rounded = bits.add(U(0x7FFF, 32)).add(x.bit(16).asUInt().zext(32));
            return mux(nan, BF16.constant(BF16.canonicalNaN()), rounded.slice(31, 16).asBits());
        }
        if (!format.equals(FP16)) {
            throw new IllegalArgumentException("no conversion to " + format.name());
        }
        Cut16 cut = cutFp16(x);
        return packFp16(x, cut.scale(), new FpCircuits.Cut(cut.kept(), cut.guard(), cut.sticky()), nan);
    }

    /** The first half of the fp32 to fp16 conversion: the significand shifted into place, guard and sticky. */
    public record Cut16(UInt scale, UInt kept, Bool guard, Bool sticky) {}

    /**
     * Aligns the binary32 significand for fp16: the target exponent is {@code e - 112}; at 1 or above the
     * significand keeps 11 bits (shift 13), below it shifts further into the fp16 subnormals, clamped where
     * only the sticky bit is left.
     */
    public static Cut16 cutFp16(Bits x) {
        Align16 align = alignFp16(x);
        return cutFp16(align.significand(), align.shift(), align.scale());
    }

    /**
     * The alignment's first part, for a pipeline that registers between it and the shift: the significand, how far
     * right it shifts (5 bits) and the target's scale exponent (9 bits).
     */
    public record Align16(UInt significand, UInt shift, UInt scale) {}

    /** The shift of {@link #cutFp16} from the exponent: a subtract and a clamp, no shifter. */
    public static Align16 alignFp16(Bits x) {
        UInt e = FP32.exponent(x);
        Bool normal = e.ge(113);
        // Shift 13 + (1 - (e - 112)) = 126 - e for a target below the normal range; e <= 112 here.
        UInt deep = FpCircuits.clamp(U(126, 8).sub(e), 25).resize(5);
        UInt shift = mux(normal, U(13, 5), deep);
        UInt scale = mux(normal, e.sub(112).zext(9), U(1, 9));
        return new Align16(FP32.significand(x), shift, scale);
    }

    /** The shift of {@link #cutFp16}, given {@link #alignFp16}'s fields. */
    public static Cut16 cutFp16(UInt significand, UInt shift, UInt scale) {
        FpCircuits.Cut cut = FpCircuits.cutRight(significand, shift);
        return new Cut16(scale, cut.kept().resize(11), cut.guard(), cut.sticky());
    }

    /** The second half: rounds and packs, with infinities, overflow and NaN. */
    public static Bits packFp16(Bits x, UInt scale, FpCircuits.Cut cut, Bool nan) {
        return packFp16(FP32.sign(x), FP32.isInfinite(x), scale, cut, nan);
    }

    /** {@link #packFp16(Bits, UInt, FpCircuits.Cut, Bool)} from the value's sign and infinity test alone. */
    public static Bits packFp16(Bool sign, Bool infinite, UInt scale, FpCircuits.Cut cut, Bool nan) {
        FpCircuits.Rounded rounded = FpCircuits.roundPack(scale, cut, 5, 10);
        Bits infinity = cat(sign, B(FP16.infinity(), 15));
        return mux(nan, FP16.constant(FP16.canonicalNaN()),
                mux(infinite.or(rounded.overflow()), infinity, cat(sign, rounded.magnitude())));
    }
}
