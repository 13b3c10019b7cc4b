package dev.tellmej.accel.attention;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.lib.Pipeline;
import dev.tellmej.hdl.lib.Timed;
import dev.tellmej.hdl.lib.fp.Fp16Product;
import dev.tellmej.hdl.lib.fp.Fp32Add;
import dev.tellmej.hdl.lib.fp.Fp32Mul;
import dev.tellmej.hdl.lib.fp.FpConvert;
import dev.tellmej.hdl.lib.fp.FpFormat;
import java.util.ArrayList;
import java.util.List;

/**
 * W multiply-add lanes of one pass of an {@link AttentionUnit}: lane e computes {@code addend[e] + a[e] * b[e]}
 * (the product, then an {@link Fp32Add} with the addend as its first operand). Each pass has its own lanes, so
 * the score pass of one command runs beside the value pass of the one before it.
 *
 * <p><b>Products</b> ({@link Operands}): the value pass multiplies binary32 weights by stored values widened to
 * binary32 ({@link Fp32Mul}, the narrow one for a binary16 value); the score pass multiplies two stored values, a query by a key. Their binary32 product is
 * the same bits either way; with binary16 storage it is exact and an {@link Fp16Product} forms it for a fraction
 * of the cost, with bfloat16 storage the operands are widened and multiplied by an {@link Fp32Mul} (a bfloat16
 * product may underflow or overflow binary32).
 *
 * <p><b>Timing</b>, fixed and without stalls: the pass drives {@code valid}, {@code a} and {@code b} in one
 * cycle, the addends {@link #addendCycle} cycles later (as the products land, so a partial written back by an
 * earlier sum can be read then), and finds the sums on {@code sum} {@link #latency} cycles after the operands.
 */
final class MacLanes extends Area {
    /** The operands of the lanes' products. */
    enum Operands {
        /** binary32 times binary32, rounded as N2 says. */
        BINARY32,
        /** binary32 times the binary32 value of a binary16 number (the same product, a narrower multiplier). */
        BINARY32_BY_FP16,
        /** two binary16 stored values (an exact product). */
        STORED_FP16,
        /** two bfloat16 stored values (widened, then multiplied as binary32). */
        STORED_BF16;

        /** Products of two values stored in {@code format}. */
        static Operands stored(FpFormat format) {
            return format.equals(FpFormat.FP16) ? STORED_FP16 : STORED_BF16;
        }

        /** binary32 weights times values stored in {@code format} and widened to binary32 before the lanes. */
        static Operands weightsByStored(FpFormat format) {
            return format.equals(FpFormat.FP16) ? BINARY32_BY_FP16 : BINARY32;
        }

        /** Bits of an operand. */
        int bits() {
            return this == BINARY32 || this == BINARY32_BY_FP16 ? 32 : 16;
        }

        /** Cycles from the operands to the product. */
        int productLatency() {
            return switch (this) {
                case BINARY32, BINARY32_BY_FP16 -> Fp32Mul.LATENCY;
                case STORED_FP16 -> Fp16Product.LATENCY;
                case STORED_BF16 -> FpConvert.toFp32Latency(FpFormat.BF16) + Fp32Mul.LATENCY;
            };
        }

        Timed<Bits> product(String name, Timed<Bits> a, Timed<Bits> b) {
            return switch (this) {
                case BINARY32 -> Fp32Mul.apply(name, a, b);
                case BINARY32_BY_FP16 -> Fp32Mul.apply(name, a, b, FpFormat.FP16);
                case STORED_FP16 -> Fp16Product.apply(name, a, b);
                case STORED_BF16 -> Fp32Mul.apply(name, FpConvert.toFp32(name + "_a", FpFormat.BF16, a),
                        FpConvert.toFp32(name + "_b", FpFormat.BF16, b));
            };
        }
    }

    /**
     * The pass's side of the lanes: it drives {@code valid} (operands in this cycle), {@code a} and {@code b} (W
     * operands each) and, {@link #addendCycle} cycles later, {@code addend}; {@code sum} carries the W binary32
     * sums {@link #latency} cycles after the operands.
     */
    record Port(Bool valid, List<Bits> a, List<Bits> b, List<Bits> addend, List<Bits> sum) {}

    /** The pass's port. */
    final Port port;
    /** Cycles from a lane's operands to its addend: the product's latency. */
    final int addendCycle;
    /** Cycles from a lane's operands to its sum: the product's latency and the adder's. */
    final int latency;

    /**
     * @param name     the lanes' prefix for signal names
     * @param width    lanes, W
     * @param operands what the products multiply
     */
    MacLanes(String name, int width, Operands operands) {
        super(name, "W multiply-add lanes: addend + a x b");
        List<Bits> a = new ArrayList<>();
        List<Bits> b = new ArrayList<>();
        List<Bits> addend = new ArrayList<>();
        List<Bits> sum = new ArrayList<>();
        for (int e = 0; e < width; e++) {
            a.add(wire(name + "_a" + e, bits(operands.bits())));
            b.add(wire(name + "_b" + e, bits(operands.bits())));
            addend.add(wire(name + "_addend" + e, bits(32)));
            sum.add(wire(name + "_sum" + e, bits(32)));
        }
        port = new Port(wire(name + "_valid", bool()), a, b, addend, sum);
        addendCycle = operands.productLatency();
        latency = addendCycle + Fp32Add.LATENCY;
        Pipeline pipe = new Pipeline(name + "_operands", port.valid());
        for (int e = 0; e < width; e++) {
            String l = name + "_lane" + e;
            Timed<Bits> product = operands.product(l + "_product", pipe.input(l + "_a", a.get(e)),
                    pipe.input(l + "_b", b.get(e)));
            Timed<Bits> total = Fp32Add.apply(l + "_sum", pipe.at(product.cycle(), l + "_addend", addend.get(e)),
                    product);
            if (product.cycle() != addendCycle || total.cycle() != latency) {
                throw new IllegalStateException("MacLanes: product at " + product.cycle() + ", sum at "
                        + total.cycle() + ", not " + addendCycle + " and " + latency);
            }
            sum.get(e).set(total.value());
        }
    }
}
