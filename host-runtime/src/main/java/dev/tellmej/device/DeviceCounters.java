package dev.tellmej.device;

/**
 * What the last call cost, as the kernel's status registers (or the reference's count) report it.
 *
 * @param instructions    program instructions executed (the program once per chunk of tokens)
 * @param chunks          chunks the call's tokens were cut into (the build's chunk of tokens each)
 * @param ddrBytesRead    bytes read from DDR: weights, embeddings, gains, KV cache, LM head (0 where not counted)
 * @param ddrBytesWritten bytes written to DDR: KV cache rows, logits, the call record and debug taps (0 where not
 *                        counted)
 * @param cycles          kernel clock cycles (0 on a device without a clock, such as the reference)
 * @param ddrBusyCycles   of those, the cycles in which some master port moved data (the {@code ddr_busy_cycles}
 *                        register; 0 without a clock)
 * @param stallCycles     of those, the cycles in which compute waited for data (the {@code stall_cycles} register;
 *                        0 without a clock)
 */
public record DeviceCounters(long instructions, long chunks, long ddrBytesRead, long ddrBytesWritten, long cycles,
                             long ddrBusyCycles, long stallCycles) {
    /** No call yet. */
    public static final DeviceCounters NONE = new DeviceCounters(0, 0, 0, 0, 0, 0, 0);

    /** The counters of a device without busy and stall counters. */
    public DeviceCounters(long instructions, long chunks, long ddrBytesRead, long ddrBytesWritten, long cycles) {
        this(instructions, chunks, ddrBytesRead, ddrBytesWritten, cycles, 0, 0);
    }
}
