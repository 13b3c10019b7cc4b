package dev.tellmej.model.inference;

/**
 * The hardware-exact path was asked to run a model with a full-precision linear layer (it needs every q, k, v, o,
 * gate, up and down weight ternary). An {@link IllegalArgumentException}, as before it had a type of its own.
 */
public final class NotTernaryException extends IllegalArgumentException {
    private final int layer;

    public NotTernaryException(int layer) {
        super("the hardware-exact path needs every q/k/v/o/gate/up/down weight ternary; this model has"
                + " full-precision linears (layer " + layer + "; use --path float)");
        this.layer = layer;
    }

    /** The first layer found with a full-precision linear. */
    public int layer() {
        return layer;
    }
}
