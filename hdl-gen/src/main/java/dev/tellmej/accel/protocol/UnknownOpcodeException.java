package dev.tellmej.accel.protocol;

/** An instruction word whose bits 0..7 name no {@link Opcode}. */
public final class UnknownOpcodeException extends RuntimeException {
    private final int code;

    public UnknownOpcodeException(int code) {
        super("unknown opcode " + code + " (0x" + Integer.toHexString(code) + "); the instruction set has "
                + java.util.Arrays.stream(Opcode.values()).map(o -> o + "=" + o.code()).toList());
        this.code = code;
    }

    /** The bits 0..7 that were read. */
    public int code() {
        return code;
    }
}
