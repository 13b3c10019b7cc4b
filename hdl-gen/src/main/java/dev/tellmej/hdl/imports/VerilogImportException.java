package dev.tellmej.hdl.imports;

/**
 * A Verilog file could not be imported. Each kind of problem has its own subclass; every message starts with
 * the file, line and column it is about ({@code fifo.v:12:5: ...}).
 */
public abstract sealed class VerilogImportException extends RuntimeException
        permits VerilogSyntaxException, UnsupportedVerilogException, VerilogEvaluationException,
                UnknownVerilogNameException {
    private final VerilogLocation location;
    private final String detail;

    protected VerilogImportException(VerilogLocation location, String message) {
        super(location + ": " + message, null, false, false);
        this.location = location;
        this.detail = message;
    }

    /** The message without the location. */
    public String detail() {
        return detail;
    }

    /** Where in the file the problem is. */
    public VerilogLocation location() {
        return location;
    }
}
