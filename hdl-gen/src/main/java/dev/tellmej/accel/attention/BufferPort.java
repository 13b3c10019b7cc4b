package dev.tellmej.accel.attention;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.UInt;

/**
 * A pass's read port on a buffer: the pass drives {@code address} and {@code enable}; the word read is on
 * {@code data} {@code latency} cycles later (2 from UltraRAM; 3 where a chunk word is picked among several
 * loaders, {@link AttentionShape#chunkBufferLatency}). Each buffer has one reader: the score buffer the
 * value pass, the key and value buffers their pass ({@link ChunkLoader#readPort}).
 */
record BufferPort(UInt address, Bool enable, Bits data, int latency) {
    /** Wires named {@code <name>_address}, {@code _enable} and {@code _data}. */
    static BufferPort wires(String name, int addressBits, int dataBits, int latency) {
        return new BufferPort(wire(name + "_address", uint(addressBits)), wire(name + "_enable", bool()),
                wire(name + "_data", bits(dataBits)), latency);
    }
}
