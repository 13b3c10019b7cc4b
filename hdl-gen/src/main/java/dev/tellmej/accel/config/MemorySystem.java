package dev.tellmej.accel.config;

/**
 * The kernel's AXI4 master ports to DDR and the DDR behind them. Every port is {@link #portBits()} wide and
 * runs on the kernel clock; all ports share the DDR's bandwidth.
 *
 * @param weightPorts  ports that stream ternary weights into the TLMM engine
 * @param dataPorts    ports for everything else: KV cache, program, embeddings, norms, LM head, logits
 * @param portBits     data width of every port (bits; the KV260's PS ports are 128 bits wide)
 * @param ddrPeakGBps  the DDR's peak bandwidth (GB/s, 10^9 bytes per second)
 */
public record MemorySystem(int weightPorts, int dataPorts, int portBits, double ddrPeakGBps) {
    public MemorySystem {
        if (weightPorts < 1 || dataPorts < 0 || portBits < 32 || portBits > 1024 || Integer.bitCount(portBits) != 1
                || !(ddrPeakGBps > 0)) {
            throw new IllegalArgumentException("memory system needs >= 1 weight port, >= 0 data ports, a power-of-two"
                    + " width of 32 to 1024 bits and a positive DDR bandwidth; got " + this);
        }
    }

    /** Bytes per beat of one port. */
    public int beatBytes() {
        return portBits / 8;
    }

    /** Bytes per cycle every port (weights and data) can carry together: the kernel's peak. */
    public int portBytesPerCycle() {
        return (weightPorts + dataPorts) * beatBytes();
    }

    /** Bytes per cycle the weight ports can carry together. */
    public int weightBytesPerCycle() {
        return weightPorts * beatBytes();
    }

    /**
     * Bytes per cycle the weight stream gets at {@code clockMhz}: the ports' width, or the DDR's peak when that
     * is the smaller.
     */
    public double weightBytesPerCycleAt(double clockMhz) {
        return Math.min(weightBytesPerCycle(), ddrPeakGBps * 1000.0 / clockMhz);
    }

    /** The weight stream's bandwidth at {@code clockMhz} (GB/s). */
    public double weightGBpsAt(double clockMhz) {
        return weightBytesPerCycleAt(clockMhz) * clockMhz / 1000.0;
    }
}
