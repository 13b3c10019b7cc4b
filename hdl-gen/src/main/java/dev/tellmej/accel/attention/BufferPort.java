package dev.tellmej.accel.attention;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.UInt;

/**
 * One pass's use of a buffer's single read port: the pass drives {@code address} and {@code enable}; the word
 * read is on {@code data} {@code latency} cycles later. The unit muxes the passes' ports onto the memory's one
 * read port (the passes never run at once), so a buffer stays one block or UltraRAM array.
 */
record BufferPort(UInt address, Bool enable, Bits data, int latency) {
    /** Wires named {@code <name>_address}, {@code _enable} and {@code _data}. */
    static BufferPort wires(String name, int addressBits, int dataBits, int latency) {
        return new BufferPort(wire(name + "_address", uint(addressBits)), wire(name + "_enable", bool()),
                wire(name + "_data", bits(dataBits)), latency);
    }
}
