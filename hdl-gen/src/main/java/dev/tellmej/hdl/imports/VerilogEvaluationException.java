package dev.tellmej.hdl.imports;

/**
 * A constant expression the importer needs (a port's packed range, or a parameter it depends on) does not
 * evaluate: an unknown parameter (named in the message), a function call, x or z bits, a division by zero.
 */
public final class VerilogEvaluationException extends VerilogImportException {
    public VerilogEvaluationException(VerilogLocation location, String message) {
        super(location, message);
    }
}
