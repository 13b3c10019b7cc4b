package dev.tellmej.sim;

/**
 * A handshake rule was broken on a stream or an AXI channel: valid dropped before ready, the payload
 * changed while valid was high and ready low, a burst crossed a 4 KB boundary, {@code wlast} was
 * misplaced, and so on. The message names the port, the channel and the cycle.
 */
public final class ProtocolViolationException extends SimFailureException {
    public ProtocolViolationException(String message, long cycle) {
        super(message, cycle);
    }
}
