package dev.tellmej.sim;

import dev.tellmej.hdl.Data;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.lib.Stream;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * The ports of a top-level stream: valid, ready and the payload's leaves, with the payload packed as
 * {@code Hdl.asBits} packs it (the first declared leaf least significant).
 */
final class StreamPorts {
    final String name;
    final Port valid;
    final Port ready;
    final List<Port> payload;
    final int payloadWidth;

    StreamPorts(SimModel sim, Stream<?> stream) {
        this.valid = sim.port(stream.valid);
        this.ready = sim.port(stream.ready);
        List<Port> leaves = new ArrayList<>();
        int width = 0;
        for (Data leaf : Hdl.leaves(stream.payload)) {
            Port port = sim.port(leaf);
            leaves.add(port);
            width += port.width();
        }
        this.payload = List.copyOf(leaves);
        this.payloadWidth = width;
        String validName = valid.name();
        this.name = validName.endsWith("_valid") ? validName.substring(0, validName.length() - 6) : validName;
    }

    /** The payload's bits, packed. */
    BigInteger read() {
        BigInteger value = BigInteger.ZERO;
        int shift = 0;
        for (Port port : payload) {
            value = value.or(port.getBig().shiftLeft(shift));
            shift += port.width();
        }
        return value;
    }

    /** Drives the payload's leaves from packed bits. */
    void write(BigInteger value) {
        if (value.signum() < 0 || value.bitLength() > payloadWidth) {
            throw new IllegalArgumentException("payload " + value + " does not fit the " + payloadWidth
                    + " bits of stream " + name);
        }
        int shift = 0;
        for (Port port : payload) {
            port.setBig(value.shiftRight(shift).and(BigInteger.ONE.shiftLeft(port.width()).subtract(BigInteger.ONE)));
            shift += port.width();
        }
    }
}
