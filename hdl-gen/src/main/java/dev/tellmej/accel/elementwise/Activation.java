package dev.tellmej.accel.elementwise;

/** The FFN gate activation of NUMERICS.md N12 (the model's {@code Activation}). */
public enum Activation {
    /** {@code silu(x) = x * reciprocal(1 + exp(-x))} (N12.1). */
    SILU("silu"),
    /** {@code relu2(x) = x * x} for x > 0, else +0 (N12.2). */
    RELU2("relu2");

    private final String label;

    Activation(String label) {
        this.label = label;
    }

    /** The name used in module names. */
    public String label() {
        return label;
    }

    /** The unit's activation for a model's. */
    public static Activation of(dev.tellmej.model.config.Activation model) {
        return switch (model) {
            case SILU -> SILU;
            case RELU2 -> RELU2;
        };
    }
}
