package dev.tellmej.sim;

/** Verilating or compiling a model failed. The message ends with the tail of Verilator's output. */
public final class SimBuildException extends SimFailureException {
    private final String output;

    public SimBuildException(String message, String output) {
        super(message, -1);
        this.output = output;
    }

    /** Everything the build printed. */
    public String output() {
        return output;
    }
}
