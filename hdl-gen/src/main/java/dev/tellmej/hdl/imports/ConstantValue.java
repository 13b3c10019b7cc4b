package dev.tellmej.hdl.imports;

import java.math.BigInteger;

/**
 * The value of a constant expression: an integer (with the size of a sized literal, or 0 when unsized) or a
 * string.
 *
 * @param integer the integer, or null for a string
 * @param string  the string, or null for an integer
 * @param width   bits of a sized value (a sized literal, a concatenation), 0 when unsized
 */
public record ConstantValue(BigInteger integer, String string, int width) {
    /** An unsized integer. */
    public static ConstantValue of(BigInteger integer) {
        return new ConstantValue(integer, null, 0);
    }

    /** An unsized integer. */
    public static ConstantValue of(long integer) {
        return of(BigInteger.valueOf(integer));
    }

    /** A string. */
    public static ConstantValue ofString(String string) {
        return new ConstantValue(null, string, 0);
    }

    /** True for a string value. */
    public boolean isString() {
        return string != null;
    }

    /** The value as Verilog writes it: {@code 16}, {@code -3}, {@code "fast"}. */
    public String verilog() {
        if (string != null) {
            return '"' + string.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
        }
        return integer.toString();
    }

    /** The integer, or the string, as a Java object (BigInteger or String). */
    public Object java() {
        return string != null ? string : integer;
    }

    @Override
    public String toString() {
        return verilog();
    }
}
