package dev.tellmej.hdl;

/** The level at which a reset is asserted. */
public enum ActiveLevel {
    HIGH,
    LOW
}
