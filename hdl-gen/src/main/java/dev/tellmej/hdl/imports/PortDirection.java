package dev.tellmej.hdl.imports;

/** A Verilog port's direction. */
public enum PortDirection {
    INPUT, OUTPUT, INOUT, REF;

    /** The Verilog keyword. */
    public String keyword() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
