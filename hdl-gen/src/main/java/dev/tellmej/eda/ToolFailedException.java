package dev.tellmej.eda;

import java.util.List;

/**
 * An external command exited with an error or ran past its time limit. The message holds the command line,
 * the exit code and the tail of its output, so the failure can be read without rerunning it.
 */
public final class ToolFailedException extends RuntimeException {
    private final List<String> command;
    private final int exitCode;
    private final String output;

    public ToolFailedException(String message, List<String> command, int exitCode, String output) {
        super(message);
        this.command = List.copyOf(command);
        this.exitCode = exitCode;
        this.output = output;
    }

    /** The command line that failed. */
    public List<String> command() {
        return command;
    }

    /** Its exit code, or -1 when it was killed after its time limit. */
    public int exitCode() {
        return exitCode;
    }

    /** Everything it printed, stdout then stderr. */
    public String output() {
        return output;
    }
}
