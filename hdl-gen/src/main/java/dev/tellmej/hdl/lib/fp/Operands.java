package dev.tellmej.hdl.lib.fp;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;

/**
 * The two binary32 operands of {@link Fp32Add}, {@link Fp32Mul}, {@link Fp32Compare} and {@link Fp32Max}, the
 * payload of their input flow (ports {@code in_payload_a}, {@code in_payload_b}).
 *
 * @param a the first operand (binary32 bits)
 * @param b the second operand (binary32 bits)
 */
public record Operands(Bits a, Bits b) {
    /** The template: two 32-bit fields. */
    public static Operands fp32() {
        return new Operands(bits(32), bits(32));
    }
}
