package dev.tellmej.hdl.ir;

import java.util.List;
import java.util.Locale;

/**
 * How an enumerated type is encoded: value i of {@code values} is the binary number i, in the fewest bits
 * that hold them all. The emitter declares one {@code localparam} per value, named
 * {@link #constantName(int)} ({@code SWEEP_STATE_WAIT_TABLES} for {@code SweepState.WAIT_TABLES}), and writes
 * those names wherever the value appears.
 *
 * @param typeName the type's name ({@code SweepState}), the prefix of its constants' names
 * @param values   the values' names in encoding order (a Java enum's constants in ordinal order)
 * @param javaType the Java enum the type was made from
 */
public record EnumEncoding(String typeName, List<String> values, Class<?> javaType) {
    public EnumEncoding {
        values = List.copyOf(values);
        if (values.isEmpty()) {
            throw new IllegalArgumentException("enum " + typeName + " has no values");
        }
    }

    /** Bits of the encoding: enough for the largest value (at least 1). */
    public int width() {
        return Math.max(1, 32 - Integer.numberOfLeadingZeros(values.size() - 1));
    }

    /** The Verilog name of value {@code index}: the type's name in upper snake case, '_', the value's name. */
    public String constantName(int index) {
        return prefix() + "_" + values.get(index).toUpperCase(Locale.ROOT);
    }

    /** {@code SWEEP_STATE} for {@code SweepState}. */
    public String prefix() {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < typeName.length(); i++) {
            char c = typeName.charAt(i);
            if (Character.isUpperCase(c) && i > 0 && !Character.isUpperCase(typeName.charAt(i - 1))) {
                out.append('_');
            }
            out.append(Character.toUpperCase(c));
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return typeName;
    }
}
