package dev.tellmej.sim;

/** A handle given to the simulator is not a port of the simulated design's top module. */
public final class NotAPortException extends IllegalArgumentException {
    public NotAPortException(String message) {
        super(message);
    }
}
