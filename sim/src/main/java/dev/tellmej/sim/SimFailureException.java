package dev.tellmej.sim;

/**
 * A simulation failed. Subclasses name the kind of failure; a test can assert exactly which one it
 * expects. This class itself reports failures of the native runtime that fit no other kind.
 */
public class SimFailureException extends RuntimeException {
    private final long cycle;

    public SimFailureException(String message, long cycle) {
        super(message);
        this.cycle = cycle;
    }

    public SimFailureException(String message, long cycle, Throwable cause) {
        super(message, cause);
        this.cycle = cycle;
    }

    /** The clock cycle the failure happened in (cycles counted from the model's creation), or -1. */
    public long cycle() {
        return cycle;
    }
}
