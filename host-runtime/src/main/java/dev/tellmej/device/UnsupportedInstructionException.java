package dev.tellmej.device;

import dev.tellmej.accel.protocol.ErrorCode;
import dev.tellmej.accel.protocol.Opcode;

/**
 * A call reached an instruction of the instruction set that the device does not execute yet: the RTL kernel
 * ends such a call with {@link ErrorCode#UNKNOWN_OPCODE} at the instruction's index while the unit behind the
 * opcode is not wired in (docs/kernel.md). No result was made, and none is faked; nothing is broken either: the
 * position stays where it was and the device takes the next call.
 */
public final class UnsupportedInstructionException extends RuntimeException {
    private final int instruction;
    private final Opcode opcode;

    /**
     * @param instruction the instruction's index in the program (the kernel's {@code error_detail})
     * @param opcode      its opcode, one of the instruction set's
     */
    public UnsupportedInstructionException(int instruction, Opcode opcode, String message) {
        super(message);
        this.instruction = instruction;
        this.opcode = opcode;
    }

    /** The instruction's index in the image's program. */
    public int instruction() {
        return instruction;
    }

    /** Its opcode. */
    public Opcode opcode() {
        return opcode;
    }

    /** The kernel's code for it: {@link ErrorCode#UNKNOWN_OPCODE}. */
    public ErrorCode code() {
        return ErrorCode.UNKNOWN_OPCODE;
    }
}
