package dev.tellmej.hdl.imports;

/**
 * Valid Verilog or SystemVerilog the importer does not turn into ports: interface ports, unpacked array
 * ports, ports of user-defined or real types, port expressions; for a black box also inout ports.
 */
public final class UnsupportedVerilogException extends VerilogImportException {
    public UnsupportedVerilogException(VerilogLocation location, String message) {
        super(location, message);
    }
}
