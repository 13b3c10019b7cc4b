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

    /** A call of no tokens ({@link ErrorCode#BAD_CALL}, detail 0: the token count). */
    static CallRefusedException noTokens() {
        return new CallRefusedException(ErrorCode.BAD_CALL, 0, "a call needs at least one token");
    }

    /** {@code tokens} tokens at {@code position} beyond a KV cache of {@code context} positions. */
    static CallRefusedException contextOverflow(int position, int tokens, int context) {
        long end = (long) position + tokens;
        return new CallRefusedException(ErrorCode.CONTEXT_OVERFLOW, end, tokens + " token(s) at position " + position
                + " need " + end + " KV-cache positions, but the image's cache holds " + context
                + ": reset the device, or pack the image with a longer context (at most the build's)");
    }

    /** Token {@code index} of the call, {@code token}, outside a vocabulary of {@code vocab}. */
    static CallRefusedException badToken(int index, int token, int vocab) {
        return new CallRefusedException(ErrorCode.BAD_TOKEN, index, "token " + index + " of the call is " + token
                + ", outside the vocabulary of " + vocab);
    }

    /**
     * Checks a call of {@code tokens} at {@code position} as the kernel does, in its order: no tokens, the
     * context, then every token against the vocabulary.
     */
    static void check(int[] tokens, int position, int context, int vocab) {
        if (tokens.length == 0) {
            throw noTokens();
        }
        if ((long) position + tokens.length > context) {
            throw contextOverflow(position, tokens.length, context);
        }
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] >= vocab) {
                throw badToken(i, tokens[i], vocab);
            }
        }
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
