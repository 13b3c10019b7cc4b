package dev.tellmej.accel.protocol;

import java.util.Arrays;
import java.util.StringJoiner;

/**
 * One instruction: an {@link Opcode} and the value of each of its fields (unsigned, at most 32 bits). Encoded as
 * {@link #BYTES} little-endian bytes: bit b of the word is bit {@code b % 8} of byte {@code b / 8}.
 */
public final class Instruction {
    /** Bits of an instruction word. */
    public static final int BITS = 128;
    /** Bytes of an instruction word. */
    public static final int BYTES = BITS / 8;

    private final Opcode opcode;
    private final long[] values;

    private Instruction(Opcode opcode, long[] values) {
        this.opcode = opcode;
        this.values = values;
    }

    /** An instruction of {@code opcode} with every field zero. */
    public static Instruction of(Opcode opcode) {
        return new Instruction(opcode, new long[opcode.fields().size()]);
    }

    /** This instruction with field {@code name} set to {@code value}. */
    public Instruction with(String name, long value) {
        Field f = opcode.field(name);
        if (value < 0 || value > f.maxValue()) {
            throw new IllegalArgumentException(opcode + "." + name + " holds 0.." + f.maxValue() + ", got " + value);
        }
        long[] copy = values.clone();
        copy[opcode.fields().indexOf(f)] = value;
        return new Instruction(opcode, copy);
    }

    /** This instruction with the binary32 field {@code name} set to {@code value}'s bits. */
    public Instruction with(String name, float value) {
        return with(name, Integer.toUnsignedLong(Float.floatToRawIntBits(value)));
    }

    /** This instruction with the flag {@code name} set or cleared. */
    public Instruction with(String name, boolean value) {
        return with(name, value ? 1L : 0L);
    }

    /** This instruction with the buffer field {@code name} naming {@code buffer}. */
    public Instruction with(String name, OnChipBuffer buffer) {
        return with(name, buffer.id());
    }

    /** This instruction with the epilogue field {@code name} naming {@code epilogue}. */
    public Instruction with(String name, Epilogue epilogue) {
        return with(name, epilogue.id());
    }

    public Opcode opcode() {
        return opcode;
    }

    /** The unsigned value of field {@code name}. */
    public long get(String name) {
        return values[opcode.fields().indexOf(opcode.field(name))];
    }

    /** Field {@code name} as an int (every field but the 32-bit ones fits; those are read unsigned into a long). */
    public int getInt(String name) {
        long v = get(name);
        if (v > Integer.MAX_VALUE) {
            throw new IllegalStateException(opcode + "." + name + " = " + v + " does not fit an int");
        }
        return (int) v;
    }

    /** The binary32 field {@code name}. */
    public float getFloat(String name) {
        return Float.intBitsToFloat((int) get(name));
    }

    /** True when flag {@code name} is set. */
    public boolean getFlag(String name) {
        return get(name) != 0;
    }

    /** The buffer field {@code name}, or null when its id names no buffer. */
    public OnChipBuffer getBuffer(String name) {
        return OnChipBuffer.ofId(get(name));
    }

    /** The epilogue field {@code name}, or null when its id names no epilogue. */
    public Epilogue getEpilogue(String name) {
        return Epilogue.ofId(get(name));
    }

    /** Writes the word's {@link #BYTES} bytes at {@code offset}. */
    public void encode(byte[] out, int offset) {
        Arrays.fill(out, offset, offset + BYTES, (byte) 0);
        putBits(out, offset, 0, Opcode.OPCODE_BITS, opcode.code());
        for (int i = 0; i < values.length; i++) {
            Field f = opcode.fields().get(i);
            putBits(out, offset, f.lsb(), f.width(), values[i]);
        }
    }

    /** The word's bytes. */
    public byte[] encode() {
        byte[] out = new byte[BYTES];
        encode(out, 0);
        return out;
    }

    /**
     * Reads the word at {@code offset}: its opcode and fields. Bits outside the opcode's fields are ignored.
     *
     * @throws UnknownOpcodeException when bits 0..7 name no opcode
     */
    public static Instruction decode(byte[] in, int offset) {
        int code = (int) getBits(in, offset, 0, Opcode.OPCODE_BITS);
        Opcode opcode = Opcode.ofCode(code);
        if (opcode == null) {
            throw new UnknownOpcodeException(code);
        }
        long[] values = new long[opcode.fields().size()];
        for (int i = 0; i < values.length; i++) {
            Field f = opcode.fields().get(i);
            values[i] = getBits(in, offset, f.lsb(), f.width());
        }
        return new Instruction(opcode, values);
    }

    private static void putBits(byte[] out, int offset, int lsb, int width, long value) {
        for (int b = 0; b < width; b++) {
            if ((value >>> b & 1) != 0) {
                int bit = lsb + b;
                out[offset + bit / 8] |= (byte) (1 << (bit % 8));
            }
        }
    }

    private static long getBits(byte[] in, int offset, int lsb, int width) {
        long value = 0;
        for (int b = 0; b < width; b++) {
            int bit = lsb + b;
            if ((in[offset + bit / 8] >>> (bit % 8) & 1) != 0) {
                value |= 1L << b;
            }
        }
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Instruction other && opcode == other.opcode && Arrays.equals(values, other.values);
    }

    @Override
    public int hashCode() {
        return opcode.hashCode() * 31 + Arrays.hashCode(values);
    }

    /** Assembly-like text: {@code LINEAR epilogue=RESIDUAL_ADD rows=64 ... scale=0.125}. */
    @Override
    public String toString() {
        StringJoiner j = new StringJoiner(" ");
        j.add(opcode.name());
        for (int i = 0; i < values.length; i++) {
            Field f = opcode.fields().get(i);
            j.add(f.name() + "=" + switch (f.kind()) {
                case FLOAT32 -> Float.toString(Float.intBitsToFloat((int) values[i]));
                case IMAGE_OFFSET -> "0x" + Long.toHexString(values[i]);
                case BUFFER -> String.valueOf(OnChipBuffer.ofId(values[i]) == null ? values[i] : OnChipBuffer.ofId(values[i]));
                case EPILOGUE -> String.valueOf(Epilogue.ofId(values[i]) == null ? values[i] : Epilogue.ofId(values[i]));
                case UNSIGNED, FLAG -> Long.toString(values[i]);
            });
        }
        return j.toString();
    }
}
