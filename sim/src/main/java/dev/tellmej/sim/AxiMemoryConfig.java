package dev.tellmej.sim;

/**
 * Timing of the native AXI4 memory model.
 *
 * @param baseAddress    the AXI address of the backing memory's first byte
 * @param readLatency    cycles from an accepted read address to its first data beat (at least 1)
 * @param writeLatency   cycles from a burst's last write beat to its response (at least 1)
 * @param latencyJitter  up to this many extra cycles, drawn per burst from a generator seeded with
 *                       {@code seed} (0: fixed latencies)
 * @param maxOutstanding bursts each port may have in flight per direction before the model lowers
 *                       {@code arready} / {@code awready}
 * @param bytesPerCycle  bandwidth shared by every port of the memory, in bytes per cycle (fractional;
 *                       0 or less: unlimited). The KV260's DDR4, 19.2 GB/s at 250 MHz, is 76.8.
 * @param seed           seeds the latency jitter
 */
public record AxiMemoryConfig(long baseAddress, int readLatency, int writeLatency, int latencyJitter,
        int maxOutstanding, double bytesPerCycle, long seed) {
    public AxiMemoryConfig {
        if (readLatency < 1 || writeLatency < 1 || latencyJitter < 0 || maxOutstanding < 1 || baseAddress < 0) {
            throw new IllegalArgumentException("latencies and maxOutstanding must be at least 1, jitter and base"
                    + " address non-negative: " + readLatency + ", " + writeLatency + ", " + latencyJitter + ", "
                    + maxOutstanding + ", " + baseAddress);
        }
    }

    /** Address 0, latency 1 both ways, no jitter, 8 bursts in flight, unlimited bandwidth. */
    public static final AxiMemoryConfig DEFAULT = new AxiMemoryConfig(0, 1, 1, 0, 8, 0, 0);

    /** These settings with byte 0 of the memory at AXI address {@code address}. */
    public AxiMemoryConfig withBaseAddress(long address) {
        return new AxiMemoryConfig(address, readLatency, writeLatency, latencyJitter, maxOutstanding, bytesPerCycle, seed);
    }

    /** These settings with read and write latencies of {@code read} and {@code write} cycles (at least 1). */
    public AxiMemoryConfig withLatency(int read, int write) {
        return new AxiMemoryConfig(baseAddress, read, write, latencyJitter, maxOutstanding, bytesPerCycle, seed);
    }

    /** Random extra latency of 0..{@code jitter} cycles per burst, drawn from a generator seeded with {@code seed}. */
    public AxiMemoryConfig withJitter(int jitter, long seed) {
        return new AxiMemoryConfig(baseAddress, readLatency, writeLatency, jitter, maxOutstanding, bytesPerCycle, seed);
    }

    /** These settings with at most {@code bursts} bursts in flight per port and direction. */
    public AxiMemoryConfig withMaxOutstanding(int bursts) {
        return new AxiMemoryConfig(baseAddress, readLatency, writeLatency, latencyJitter, bursts, bytesPerCycle, seed);
    }

    /** A bandwidth cap in bytes per cycle shared by all ports (0 or less: unlimited). */
    public AxiMemoryConfig withBandwidth(double bytes) {
        return new AxiMemoryConfig(baseAddress, readLatency, writeLatency, latencyJitter, maxOutstanding, bytes, seed);
    }
}
