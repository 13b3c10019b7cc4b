package dev.tellmej.sim;

/**
 * The design stopped the simulation: a Verilog {@code $stop}, {@code $fatal} or {@code $error}, a failed
 * assertion, or a fatal error of Verilator's runtime (such as logic that does not converge).
 */
public final class SimStopException extends SimFailureException {
    /** What stopped it. */
    public enum Kind {
        /** {@code $stop}, {@code $fatal}, {@code $error} or a failed assertion in the design. */
        STOP,
        /** A fatal error raised by Verilator's runtime. */
        FATAL
    }

    private final Kind kind;
    private final String file;
    private final int line;
    private final String designMessage;
    private final String output;

    public SimStopException(Kind kind, String file, int line, String designMessage, long cycle, String output) {
        super(describe(kind, file, line, designMessage, cycle, output), cycle);
        this.kind = kind;
        this.file = file;
        this.line = line;
        this.designMessage = designMessage;
        this.output = output;
    }

    private static String describe(Kind kind, String file, int line, String message, long cycle, String output) {
        String where = file.isEmpty() ? "" : " at " + file + ":" + line;
        String text = (kind == Kind.STOP ? "the design stopped the simulation" : "Verilator's runtime failed")
                + where + " in cycle " + cycle + ": " + message;
        String tail = output.strip();
        if (!tail.isEmpty() && !tail.equals(message.strip())) {
            text += "\nlast output of the design:\n" + tail;
        }
        return text;
    }

    public Kind kind() {
        return kind;
    }

    /** The Verilog file of the statement that stopped, or empty. */
    public String file() {
        return file;
    }

    /** Its line, or 0. */
    public int line() {
        return line;
    }

    /** The message the design printed with it (or Verilator's). */
    public String designMessage() {
        return designMessage;
    }

    /** The last lines the design printed. */
    public String output() {
        return output;
    }
}
