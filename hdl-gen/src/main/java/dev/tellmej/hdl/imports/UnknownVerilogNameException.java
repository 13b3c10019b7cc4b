package dev.tellmej.hdl.imports;

/** A module, parameter or port asked for by name is not in the file (the message lists the names there are). */
public final class UnknownVerilogNameException extends VerilogImportException {
    public UnknownVerilogNameException(VerilogLocation location, String message) {
        super(location, message);
    }
}
