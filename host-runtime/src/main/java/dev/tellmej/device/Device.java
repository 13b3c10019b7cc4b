package dev.tellmej.device;

/**
 * An accelerator that runs a memory image: the Java reference, the RTL in Verilator, or an OpenCL device.
 * Every implementation runs the same image bytes and must return the same logits bit for bit.
 *
 * <p>A device keeps a KV cache: {@link #prefill} and {@link #decode} continue from {@link #position()}; a
 * refused call ({@link CallRefusedException}) changes nothing.
 */
public interface Device extends AutoCloseable {
    /** The device's kind and what it runs ({@code reference: stories260K-ternary-qat.gguf}). */
    String describe();

    /**
     * Runs {@code tokens} at positions {@code position() .. position() + tokens.length - 1}.
     *
     * @return the binary32 logits of the last token, one per vocabulary entry
     * @throws CallRefusedException when a token is outside the vocabulary, the tokens are empty, or the
     *                              context would overflow the KV cache
     */
    float[] prefill(int[] tokens);

    /** Runs one token at {@link #position()} and returns its logits. */
    float[] decode(int token);

    /** KV-cache positions filled: where the next call starts. */
    int position();

    /** KV-cache positions the device holds (the image's context). */
    int context();

    /** Starts again at position 0. */
    void reset();

    /** The counters of the last call. */
    DeviceCounters counters();

    /** True when the device writes debug taps ({@link #setDebugTaps}). */
    default boolean hasDebugTaps() {
        return false;
    }

    /**
     * Turns the debug taps on, with a debug area of {@code capacityBytes} bytes (header included) for every call,
     * or off with 0 (docs/device.md, "Debug taps").
     *
     * @throws UnsupportedOperationException when the device has none ({@link #hasDebugTaps()})
     */
    default void setDebugTaps(long capacityBytes) {
        throw new UnsupportedOperationException(describe() + " writes no debug taps");
    }

    /** The debug area the last call wrote, or null when the taps are off (or there was no call yet). */
    default DebugArea debugArea() {
        return null;
    }

    /** Releases the device (and unmaps the image). */
    @Override
    void close();
}
