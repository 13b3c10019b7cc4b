package dev.tellmej.sim;

/** The design addressed bytes outside the memory behind an AXI port. */
public final class AxiAccessException extends SimFailureException {
    public AxiAccessException(String message, long cycle) {
        super(message, cycle);
    }
}
