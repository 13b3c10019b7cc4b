package dev.tellmej.hdl.ir;

/** The kinds of hardware value. {@code BOOL} is always one bit wide. */
public enum Kind {
    /** A single bit used as a condition. */
    BOOL,
    /** Raw bits without arithmetic meaning. */
    BITS,
    /** Unsigned integer. */
    UINT,
    /** Two's-complement signed integer. */
    SINT,
    /** A value of an enumerated type (a state machine's states), encoded in binary. */
    ENUM;

    /** The name users write: {@code Bool}, {@code Bits}, {@code UInt}, {@code SInt}. */
    public String displayName() {
        return switch (this) {
            case BOOL -> "Bool";
            case BITS -> "Bits";
            case UINT -> "UInt";
            case SINT -> "SInt";
            case ENUM -> "Enum";
        };
    }
}
