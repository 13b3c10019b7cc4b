package dev.tellmej.accel.config;

import java.util.List;

/** A model is larger than a build's maxima; the message names every maximum it exceeds. */
public final class ModelDoesNotFitException extends RuntimeException {
    private final String configuration;
    private final List<String> exceeded;

    public ModelDoesNotFitException(String model, String configuration, List<String> exceeded) {
        super(model + " does not fit the " + configuration + " build: " + String.join("; ", exceeded), null, false,
                false);
        this.configuration = configuration;
        this.exceeded = List.copyOf(exceeded);
    }

    /** The build's name ({@code kv260}). */
    public String configuration() {
        return configuration;
    }

    /** The exceeded maxima, one per line ({@code "hidden size 2560 > 1536"}). */
    public List<String> exceeded() {
        return exceeded;
    }
}
