package dev.tellmej.sim;

/** {@code runUntil} ran its maximum number of cycles without the condition becoming true. */
public final class SimTimeoutException extends SimFailureException {
    private final long maxCycles;

    public SimTimeoutException(String condition, long maxCycles, long cycle) {
        super("timed out: " + condition + " did not hold within " + maxCycles + " cycles (now at cycle " + cycle
                + ")", cycle);
        this.maxCycles = maxCycles;
    }

    /** The cycles it waited. */
    public long maxCycles() {
        return maxCycles;
    }
}
