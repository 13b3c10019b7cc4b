package dev.tellmej.hdl.ir;

/**
 * Where in the user's Java code a piece of hardware was described.
 *
 * @param file      the Java source file name, for example {@code Counter.java}
 * @param line      the line number, 1-based (0 when unknown)
 * @param className the fully qualified class that made the call
 */
public record SourceLocation(String file, int line, String className) {
    public static final SourceLocation UNKNOWN = new SourceLocation("<unknown>", 0, "");

    /** {@code Counter.java:42}, the form used in messages and Verilog comments. */
    @Override
    public String toString() {
        return file + ":" + line;
    }
}
