package dev.tellmej.eda;

/** An external tool is installed but its version is unreadable or too old. */
public final class ToolVersionException extends RuntimeException {
    private final EdaTool tool;

    public ToolVersionException(EdaTool tool, String message) {
        super(message);
        this.tool = tool;
    }

    /** The tool whose version was rejected. */
    public EdaTool tool() {
        return tool;
    }
}
