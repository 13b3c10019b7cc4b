package dev.tellmej.hdl.imports;

/**
 * The file is not Verilog the importer can read: a syntax error (the message says what was expected), a
 * macro used but not defined, an unbalanced {@code `ifdef}, or a non-ANSI port without its declaration.
 */
public final class VerilogSyntaxException extends VerilogImportException {
    public VerilogSyntaxException(VerilogLocation location, String message) {
        super(location, message);
    }
}
