package dev.tellmej.device;

import dev.tellmej.accel.protocol.ErrorCode;

/**
 * A call the device started and could not finish: an AXI error response from DDR ({@link ErrorCode#DDR_ERROR}),
 * a kernel that never signalled done, a lost connection to the board. Unlike a {@link CallRefusedException}
 * the KV cache and the device's state are unknown afterwards: the host closes the device and opens it again
 * before the next call.
 */
public final class DeviceFaultException extends RuntimeException {
    private final ErrorCode code;
    private final long detail;

    /**
     * @param code   the kernel's {@code error_code}, or null when the kernel reported none (it hung, or the link
     *               failed)
     * @param detail the kernel's {@code error_detail} (for {@link ErrorCode#DDR_ERROR}, the port's index)
     */
    public DeviceFaultException(ErrorCode code, long detail, String message) {
        this(code, detail, message, null);
    }

    /** As {@link #DeviceFaultException(ErrorCode, long, String)}, with what the host saw ({@code cause}). */
    public DeviceFaultException(ErrorCode code, long detail, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.detail = detail;
    }

    /** The kernel's error code, or null. */
    public ErrorCode code() {
        return code;
    }

    /** The kernel's {@code error_detail}. */
    public long detail() {
        return detail;
    }
}
