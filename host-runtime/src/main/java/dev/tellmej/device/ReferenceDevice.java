package dev.tellmej.device;

import dev.tellmej.accel.protocol.DebugTaps;
import dev.tellmej.accel.protocol.Instruction;
import dev.tellmej.accel.protocol.KvCacheLayout;
import dev.tellmej.accel.protocol.Opcode;
import dev.tellmej.image.MemoryImage;
import dev.tellmej.model.config.ModelConfig;
import dev.tellmej.model.ternary.TlmmKernel;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The oracle device: executes the image's program in Java with the hardware-exact operations, chunk by chunk
 * as the kernel does (the build's chunk of tokens per pass over the weights), with the KV cache in a host
 * buffer laid out exactly as in DDR. Its logits equal {@code ExactModel}'s bit for bit: that is what proves the
 * image, the packer and the compiler.
 */
public final class ReferenceDevice implements Device {
    private final MemoryImage image;
    private final boolean ownsImage;
    private final TlmmKernel kernel;
    private final KvCacheBuffer cache;
    private final ReferenceExecutor executor;
    private final List<Instruction> program;
    private final ModelConfig model;
    private final int chunkTokens;
    private int position;
    private DeviceCounters counters = DeviceCounters.NONE;
    private int tapCapacity;
    private DebugArea debugArea;
    private Fault fault;
    private int calls;
    private boolean closed;

    /** A one-bit fault for tests of the cross-check: see {@link #injectFault}. */
    record Fault(int call, int instruction, int token, int element, int bit) {}

    private ReferenceDevice(MemoryImage image, boolean ownsImage, int threads) {
        this.image = image;
        this.ownsImage = ownsImage;
        this.model = image.header().model();
        this.program = image.program();
        this.kernel = new TlmmKernel(threads, TlmmKernel.Kind.forModel(model.dim()));
        this.cache = new KvCacheBuffer(new KvCacheLayout(model.layers(), model.kvHeads(), model.headDim(),
                image.header().context(), 2), image.config().exact().storage());
        this.executor = new ReferenceExecutor(image, kernel, cache);
        this.chunkTokens = image.config().tlmmConfig().maxTokens();
    }

    /**
     * Opens the image at {@code path} (mapped and verified; closed with the device).
     *
     * @param threads worker threads for the matrix products (1: the calling thread only)
     */
    public static ReferenceDevice open(Path path, int threads) {
        MemoryImage image = MemoryImage.open(path);
        try {
            return new ReferenceDevice(image, true, threads);
        } catch (RuntimeException e) {
            image.close();
            throw e;
        }
    }

    /** A device on an image the caller keeps open (and closes after the device). */
    public static ReferenceDevice on(MemoryImage image, int threads) {
        return new ReferenceDevice(image, false, threads);
    }

    @Override
    public String describe() {
        return "reference: " + image.header().modelName() + " for " + image.config().name();
    }

    @Override
    public float[] prefill(int[] tokens) {
        check(tokens);
        long instructions = 0;
        executor.resetTraffic();
        DebugArea.Writer taps = tapCapacity > 0 ? new DebugArea.Writer(tapCapacity) : null;
        int chunks = 0;
        for (int from = 0; from < tokens.length; from += chunkTokens) {
            int to = Math.min(tokens.length, from + chunkTokens);
            executor.beginChunk(Arrays.copyOfRange(tokens, from, to), position + from, to == tokens.length);
            for (int pc = 0; pc < program.size(); pc++) {
                Instruction in = program.get(pc);
                executor.execute(in);
                instructions++;
                if (fault != null && fault.call() == calls && fault.instruction() == pc && fault.token() >= from
                        && fault.token() < to) {
                    executor.flip(in, fault.token() - from, fault.element(), fault.bit());
                }
                if (taps != null) {
                    executor.tap(in, pc, from, taps);
                }
                if (in.opcode() == Opcode.END) {
                    break;
                }
            }
            chunks++;
        }
        calls++;
        debugArea = taps != null ? taps.finish() : null;
        position += tokens.length;
        counters = new DeviceCounters(instructions, chunks, executor.bytesRead(), executor.bytesWritten(), 0);
        return executor.logits();
    }

    @Override
    public float[] decode(int token) {
        return prefill(new int[] {token});
    }

    private void check(int[] tokens) {
        CallRefusedException.check(tokens, position, context(), model.vocabSize());
    }

    @Override
    public int position() {
        return position;
    }

    @Override
    public int context() {
        return image.header().context();
    }

    @Override
    public void reset() {
        position = 0;
        counters = DeviceCounters.NONE;
        calls = 0;
    }

    @Override
    public boolean hasDebugTaps() {
        return true;
    }

    @Override
    public void setDebugTaps(long capacityBytes) {
        if (capacityBytes != 0 && (capacityBytes < DebugTaps.HEADER_BYTES
                || capacityBytes > Integer.MAX_VALUE - 8)) {
            throw new IllegalArgumentException("a debug area of " + capacityBytes + " bytes: it needs at least its "
                    + DebugTaps.HEADER_BYTES + "-byte header and at most 2 GB");
        }
        tapCapacity = (int) capacityBytes;
        debugArea = null;
    }

    @Override
    public DebugArea debugArea() {
        return debugArea;
    }

    /**
     * Test hook: at call {@code call} after a reset (0 the first), right after instruction {@code instruction}
     * executes on the chunk holding the call's token {@code token}, flips bit {@code bit} of element
     * {@code element} of that token's vector in the instruction's destination buffer. The fault then propagates
     * as a hardware fault would; a cross-check must name this place.
     */
    void injectFault(int call, int instruction, int token, int element, int bit) {
        fault = new Fault(call, instruction, token, element, bit);
    }

    @Override
    public DeviceCounters counters() {
        return counters;
    }

    /** The KV cache's bytes as in DDR (read-only, valid until {@link #close()}), to compare with another device's. */
    public ByteBuffer kvCache() {
        return cache.bytes();
    }

    /** The image it runs. */
    public MemoryImage image() {
        return image;
    }

    /** Releases the device; a second close does nothing. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        kernel.shutdown();
        cache.close();
        if (ownsImage) {
            image.close();
        }
    }
}
