package dev.tellmej.device;

import dev.tellmej.accel.protocol.ErrorCode;

/**
 * A call the device refused before running it (the kernel reports the same {@link ErrorCode} in its
 * {@code error_code} register); nothing changed, so the caller can correct the call and go on.
 */
public final class CallRefusedException extends RuntimeException {
    private final ErrorCode code;
    private final long detail;

    public CallRefusedException(ErrorCode code, long detail, String message) {
        super(message);
        this.code = code;
        this.detail = detail;
    }

    /** Why. */
    public ErrorCode code() {
        return code;
    }

    /** The {@code error_detail} value: where (see {@link ErrorCode#detail()}). */
    public long detail() {
        return detail;
    }
}
