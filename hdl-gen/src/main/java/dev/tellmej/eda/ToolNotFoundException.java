package dev.tellmej.eda;

/** An external tool the project needs is not installed. The message says how to install it. */
public final class ToolNotFoundException extends RuntimeException {
    private final EdaTool tool;

    public ToolNotFoundException(EdaTool tool) {
        super("'" + tool.command() + "' was not found on PATH. Run scripts/setup (it installs the Debian package '"
                + tool.debianPackage() + "'), or install it yourself and put it on PATH.");
        this.tool = tool;
    }

    /** The tool that is missing. */
    public EdaTool tool() {
        return tool;
    }
}
