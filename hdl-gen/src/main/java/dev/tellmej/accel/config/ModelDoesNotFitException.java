package dev.tellmej.accel.config;

import java.util.List;

/** A model is larger than a build's maxima; the message names every maximum it exceeds. */
public final class ModelDoesNotFitException extends RuntimeException {
    private final List<String> exceeded;

    public ModelDoesNotFitException(String model, String configuration, List<String> exceeded) {
        super(model + " does not fit the " + configuration + " build: " + String.join("; ", exceeded)
                + " (tellme config show " + configuration + " lists the maxima; choose a larger configuration)");
        this.exceeded = List.copyOf(exceeded);
    }

    /** The exceeded maxima, one per line ({@code "hidden size 2560 > 1536"}). */
    public List<String> exceeded() {
        return exceeded;
    }
}
