package dev.tellmej.accel.elementwise;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.SInt;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.fp.Bf16ToFp32;
import dev.tellmej.hdl.lib.fp.Fp16ToFp32;
import dev.tellmej.hdl.lib.fp.Fp32Add;
import dev.tellmej.hdl.lib.fp.Fp32Mul;
import dev.tellmej.hdl.lib.fp.Fp32ToBf16;
import dev.tellmej.hdl.lib.fp.Fp32ToFp16;
import dev.tellmej.hdl.lib.fp.Fp32ToInt8;
import dev.tellmej.hdl.lib.fp.FpFormat;
import dev.tellmej.hdl.lib.fp.Int32ToFp32;
import dev.tellmej.model.numerics.StorageFormat;
import java.util.ArrayList;
import java.util.List;

/**
 * Places the library's floating-point units in the module under construction and returns their results as
 * flows, so the fused units read like the dataflow of NUMERICS.md. Latencies are the units' own.
 */
final class Units {
    private Units() {}

    /** Cycles of {@link #toFp32}. */
    static int toFp32Latency(FpFormat storage) {
        return storage.equals(FpFormat.FP16) ? Fp16ToFp32.LATENCY : Bf16ToFp32.LATENCY;
    }

    /** Cycles of {@link #store}. */
    static int storeLatency(FpFormat storage) {
        return storage.equals(FpFormat.FP16) ? Fp32ToFp16.LATENCY : Fp32ToBf16.LATENCY;
    }

    /** A stored value read back as binary32 (N4, exact). */
    static Flow<Bits> toFp32(String name, FpFormat storage, Bool valid, Bits x) {
        if (storage.equals(FpFormat.FP16)) {
            Fp16ToFp32 unit = instance(name, new Fp16ToFp32());
            unit.inValid.set(valid);
            unit.x.set(x);
            return new Flow<>(unit.outValid, unit.y);
        }
        Bf16ToFp32 unit = instance(name, new Bf16ToFp32());
        unit.inValid.set(valid);
        unit.x.set(x);
        return new Flow<>(unit.outValid, unit.y);
    }

    /** A binary32 value rounded to the storage format (N4): the bits that are stored. */
    static Flow<Bits> store(String name, FpFormat storage, Bool valid, Bits x) {
        if (storage.equals(FpFormat.FP16)) {
            Fp32ToFp16 unit = instance(name, new Fp32ToFp16());
            unit.inValid.set(valid);
            unit.x.set(x);
            return new Flow<>(unit.outValid, unit.y);
        }
        Fp32ToBf16 unit = instance(name, new Fp32ToBf16());
        unit.inValid.set(valid);
        unit.x.set(x);
        return new Flow<>(unit.outValid, unit.y);
    }

    /** {@code a * b}, RNE ({@link Fp32Mul#LATENCY} cycles). */
    static Flow<Bits> mul(String name, Bool valid, Bits a, Bits b) {
        Fp32Mul unit = instance(name, new Fp32Mul());
        unit.inValid.set(valid);
        unit.a.set(a);
        unit.b.set(b);
        return new Flow<>(unit.outValid, unit.y);
    }

    /** {@code a + b}, RNE ({@link Fp32Add#LATENCY} cycles). */
    static Flow<Bits> add(String name, Bool valid, Bits a, Bits b) {
        Fp32Add unit = instance(name, new Fp32Add());
        unit.inValid.set(valid);
        unit.a.set(a);
        unit.b.set(b);
        return new Flow<>(unit.outValid, unit.y);
    }

    /** {@code (float) n} ({@link Int32ToFp32#LATENCY} cycles). */
    static Flow<Bits> fromInt(String name, Bool valid, SInt n) {
        Int32ToFp32 unit = instance(name, new Int32ToFp32());
        unit.inValid.set(valid);
        unit.x.set(n);
        return new Flow<>(unit.outValid, unit.y);
    }

    /** {@code toInt8(v)} ({@link Fp32ToInt8#LATENCY} cycles). */
    static Flow<SInt> toInt8(String name, Bool valid, Bits v) {
        Fp32ToInt8 unit = instance(name, new Fp32ToInt8());
        unit.inValid.set(valid);
        unit.x.set(v);
        return new Flow<>(unit.outValid, unit.y);
    }

    /** The library format of a storage format (N4). */
    static FpFormat format(StorageFormat storage) {
        return storage == StorageFormat.FP16 ? FpFormat.FP16 : FpFormat.BF16;
    }

    /**
     * The largest magnitude among stored values, as the {@code width - 1} low bits of a pattern: for the
     * patterns N4 stores, integer order is value order, and the canonical NaN lies above infinity, so a NaN
     * anywhere makes the maximum NaN (N6.1). A balanced tree of comparators.
     */
    static UInt maxMagnitude(List<Bits> stored) {
        List<UInt> level = new ArrayList<>();
        for (Bits value : stored) {
            level.add(value.slice(value.width() - 2, 0).asUInt());
        }
        while (level.size() > 1) {
            List<UInt> next = new ArrayList<>();
            for (int i = 0; i + 1 < level.size(); i += 2) {
                UInt a = level.get(i);
                UInt b = level.get(i + 1);
                next.add(mux(b.gt(a), b, a));
            }
            if (level.size() % 2 == 1) {
                next.add(level.getLast());
            }
            level = next;
        }
        return level.getFirst();
    }

    /** A binary32 constant. */
    static Bits constant(float value) {
        return B(Float.floatToRawIntBits(value) & 0xFFFF_FFFFL, 32);
    }
}
