package dev.tellmej.model.gguf;

import java.util.List;

/**
 * A GGUF metadata value. Unsigned integers are held in the next wider signed Java type where one exists
 * ({@code U8}/{@code U16} in int, {@code U32} in long); {@code U64} keeps the raw 64 bits.
 */
public sealed interface GgufValue {
    /** The value's type in the file. */
    GgufValueType type();

    /** The value as a long, for any integer or bool type; throws for the others. */
    default long asLong() {
        return switch (this) {
            case U8 v -> v.value();
            case I8 v -> v.value();
            case U16 v -> v.value();
            case I16 v -> v.value();
            case U32 v -> v.value();
            case I32 v -> v.value();
            case U64 v -> v.value();
            case I64 v -> v.value();
            case Bool v -> v.value() ? 1 : 0;
            default -> throw new IllegalStateException(type() + " is not an integer");
        };
    }

    /** The value as a double, for any numeric type. */
    default double asDouble() {
        return switch (this) {
            case F32 v -> v.value();
            case F64 v -> v.value();
            default -> asLong();
        };
    }

    record U8(int value) implements GgufValue {
        public GgufValueType type() { return GgufValueType.UINT8; }
    }

    record I8(byte value) implements GgufValue {
        public GgufValueType type() { return GgufValueType.INT8; }
    }

    record U16(int value) implements GgufValue {
        public GgufValueType type() { return GgufValueType.UINT16; }
    }

    record I16(short value) implements GgufValue {
        public GgufValueType type() { return GgufValueType.INT16; }
    }

    record U32(long value) implements GgufValue {
        public GgufValueType type() { return GgufValueType.UINT32; }
    }

    record I32(int value) implements GgufValue {
        public GgufValueType type() { return GgufValueType.INT32; }
    }

    record F32(float value) implements GgufValue {
        public GgufValueType type() { return GgufValueType.FLOAT32; }
    }

    record Bool(boolean value) implements GgufValue {
        public GgufValueType type() { return GgufValueType.BOOL; }
    }

    record Str(String value) implements GgufValue {
        public GgufValueType type() { return GgufValueType.STRING; }
    }

    /** An array; {@code elementType} is kept so an empty array round-trips. */
    record Arr(GgufValueType elementType, List<GgufValue> values) implements GgufValue {
        public Arr {
            values = List.copyOf(values);
        }

        public GgufValueType type() { return GgufValueType.ARRAY; }
    }

    record U64(long value) implements GgufValue {
        public GgufValueType type() { return GgufValueType.UINT64; }
    }

    record I64(long value) implements GgufValue {
        public GgufValueType type() { return GgufValueType.INT64; }
    }

    record F64(double value) implements GgufValue {
        public GgufValueType type() { return GgufValueType.FLOAT64; }
    }
}
