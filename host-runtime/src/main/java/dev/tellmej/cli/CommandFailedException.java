package dev.tellmej.cli;

/**
 * A command could not do its job for a reason the user can act on: printed as {@code tellme: MESSAGE} and the
 * hint, exit code 1, no stack trace. (Wrong usage is a picocli {@code ParameterException}, exit code 2.)
 */
final class CommandFailedException extends RuntimeException {
    private final String hint;

    /**
     * @param message what went wrong, one line
     * @param hint    what to do about it, one line
     */
    CommandFailedException(String message, String hint) {
        super(message, null, false, false);
        this.hint = hint;
    }

    /** What to do about it. */
    String hint() {
        return hint;
    }
}
