package dev.tellmej.hdl.ir;

/** What a named signal is inside its module. */
public enum SignalRole {
    /** A module input port. */
    INPUT,
    /** A module output port. */
    OUTPUT,
    /** Combinational wire. */
    WIRE,
    /** Clocked register. */
    REG;

    public boolean isPort() {
        return this == INPUT || this == OUTPUT;
    }
}
