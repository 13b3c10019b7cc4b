package dev.tellmej.device;

/**
 * What the last call cost, as the kernel's status registers (or the reference's count) report it.
 *
 * @param instructions    program instructions executed (the program once per chunk of tokens)
 * @param chunks          chunks the call's tokens were cut into (the build's chunk of tokens each)
 * @param ddrBytesRead    bytes read from DDR: weights, embeddings, gains, KV cache, LM head
 * @param ddrBytesWritten bytes written to DDR: KV cache rows and logits
 * @param cycles          kernel clock cycles (0 on a device without a clock, such as the reference)
 */
public record DeviceCounters(long instructions, long chunks, long ddrBytesRead, long ddrBytesWritten, long cycles) {
    /** No call yet. */
    public static final DeviceCounters NONE = new DeviceCounters(0, 0, 0, 0, 0);
}
