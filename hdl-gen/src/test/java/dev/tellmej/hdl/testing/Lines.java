package dev.tellmej.hdl.testing;

/** Source lines for assertions about error locations. */
public final class Lines {
    private Lines() {}

    /** The line after the caller's: write the statement under test on the line below the call. */
    public static int next() {
        return StackWalker.getInstance().walk(frames -> frames.skip(1).findFirst().orElseThrow()).getLineNumber() + 1;
    }
}
