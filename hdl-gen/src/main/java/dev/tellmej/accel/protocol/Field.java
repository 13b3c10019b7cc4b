package dev.tellmej.accel.protocol;

/**
 * One field of an instruction word: bits {@code lsb .. lsb + width - 1} of the 128-bit little-endian word.
 *
 * @param name    lower-case name, unique within its opcode ({@code rows}); C macros and RTL signals use it
 * @param lsb     the lowest bit, 0..127
 * @param width   bits, 1..32
 * @param kind    how the bits are read
 * @param meaning what it holds, with its unit
 */
public record Field(String name, int lsb, int width, FieldKind kind, String meaning) {
    public Field {
        if (!name.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("field name '" + name + "' must be lower case letters, digits and '_'");
        }
        if (width < 1 || width > 32 || lsb < 0 || lsb + width > Instruction.BITS) {
            throw new IllegalArgumentException("field " + name + " (bits " + lsb + " + " + width
                    + ") must lie within the " + Instruction.BITS + "-bit word and be 1..32 bits wide");
        }
    }

    /** The largest value the field holds. */
    public long maxValue() {
        return (1L << width) - 1;
    }

    /** The highest bit. */
    public int msb() {
        return lsb + width - 1;
    }
}
