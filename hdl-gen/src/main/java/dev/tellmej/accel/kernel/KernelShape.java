package dev.tellmej.accel.kernel;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.elementwise.Storage;
import dev.tellmej.accel.protocol.Instruction;
import dev.tellmej.accel.protocol.KernelInterface;
import dev.tellmej.accel.protocol.OnChipBuffer;
import dev.tellmej.hdl.lib.axi.Axi4Config;
import dev.tellmej.hdl.lib.axi.AxiBurstConfig;
import dev.tellmej.hdl.lib.fp.FpFormat;
import java.util.ArrayList;
import java.util.List;

/**
 * The sizes of a {@link TellmeKernel}, all derived from one {@link AcceleratorConfig}: nothing about a build is
 * repeated as a literal in the kernel's areas.
 *
 * @param config      the build
 * @param iface       its ports and registers (docs/device.md)
 * @param beatBytes   bytes of a beat on every master port (the ports' data width over 8)
 * @param lanes       binary32 values per word of an on-chip activation buffer (RMS-MAX's width W)
 * @param chunkTokens tokens per pass of the program (the TLMM's chunk)
 * @param storage     the format of stored values (N4) in DDR: embeddings, norm gains, the KV cache
 */
public record KernelShape(AcceleratorConfig config, KernelInterface iface, int beatBytes, int lanes, int chunkTokens,
        FpFormat storage) {

    /** Beats per burst of the data port's reader and writer. */
    public static final int BURST_BEATS = 16;
    /** Bursts in flight on the data port, each way. */
    public static final int OUTSTANDING = 4;

    public KernelShape {
        List<String> problems = new ArrayList<>();
        if (beatBytes < 4 || Instruction.BYTES % beatBytes != 0) {
            problems.add("the kernel fetches a " + Instruction.BYTES + "-byte instruction in whole beats: the port"
                    + " width must be 32, 64 or 128 bits, got " + 8 * beatBytes);
        }
        int valuesPerBeat = beatBytes / 2;
        if (lanes < 1 || valuesPerBeat % lanes != 0) {
            problems.add("a beat of " + valuesPerBeat + " stored values must fill whole buffer words of " + lanes
                    + " values (RMS-MAX's width)");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("the kernel for " + config.name() + ": " + String.join("; ", problems));
        }
    }

    /**
     * log2 of a power of two: the shift that multiplies or divides by it (0 for 1, unlike {@code Hdl.log2Up},
     * which counts address bits and gives at least 1).
     */
    static int shift(int powerOfTwo) {
        if (powerOfTwo < 1 || Integer.bitCount(powerOfTwo) != 1) {
            throw new IllegalArgumentException("a shift needs a power of two, got " + powerOfTwo);
        }
        return Integer.numberOfTrailingZeros(powerOfTwo);
    }

    /** The kernel of {@code config}. */
    public static KernelShape of(AcceleratorConfig config) {
        return new KernelShape(config, KernelInterface.of(config), config.memory().portBits() / 8,
                config.elementwise().normWidth(), config.tlmmConfig().maxTokens(),
                Storage.format(config.elementwise().storage()));
    }

    /**
     * The index of port {@code name} in the kernel's port list ({@code m_axi_w0} is 0): what {@code error_detail}
     * says after a DDR_ERROR on it.
     */
    public int portIndex(String name) {
        for (int i = 0; i < iface.ports().size(); i++) {
            if (iface.ports().get(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("kernel " + iface.kernelName() + " has no port " + name);
    }

    /** The index of the data port that carries the KV cache ({@code m_axi_d<i>}): the last one. */
    public int kvPortIndex() {
        return Math.max(1, config.memory().dataPorts()) - 1;
    }

    /** The name of the data port that carries the KV cache. */
    public String kvPort() {
        return "m_axi_d" + kvPortIndex();
    }

    /**
     * The kernel port of the attention unit's key port {@code l} ({@code values} false) or value port {@code l}
     * ({@code values} true): the first key port on the KV-cache port, the first value port on {@code m_axi_d0};
     * a pass's further ports (two or more ports a pass, {@code AttentionShape#ports}) on the weight ports, which
     * are idle while attention runs: key port l on {@code m_axi_w<2(l - 1)>}, value port l on the next.
     */
    public String attentionPort(boolean values, int l) {
        if (l == 0) {
            return values ? "m_axi_d0" : kvPort();
        }
        int weightPort = 2 * (l - 1) + (values ? 1 : 0);
        if (weightPort >= config.memory().weightPorts()) {
            throw new IllegalArgumentException("build " + config.name() + ": attention port " + l + " of the "
                    + (values ? "value" : "key") + " pass needs weight port " + weightPort + ", but it has "
                    + config.memory().weightPorts());
        }
        return "m_axi_w" + weightPort;
    }

    /** The AXI4 configuration of every master port. */
    public Axi4Config axi() {
        return Axi4Config.of(8 * beatBytes);
    }

    /** The data port's read and write engines. */
    public AxiBurstConfig dataBursts() {
        return AxiBurstConfig.of(axi(), BURST_BEATS, OUTSTANDING);
    }

    /** Stored values (16 bits each) per beat. */
    public int valuesPerBeat() {
        return beatBytes / 2;
    }

    /** Buffer words per beat of stored values. */
    public int wordsPerBeat() {
        return valuesPerBeat() / lanes;
    }

    /** Binary32 words per beat. */
    public int fp32PerBeat() {
        return beatBytes / 4;
    }

    /** Beats of one instruction. */
    public int instructionBeats() {
        return Instruction.BYTES / beatBytes;
    }

    /** Elements of one token's vector in {@code buffer} at the build's maxima. */
    public int elements(OnChipBuffer buffer) {
        var limits = config.limits();
        return switch (buffer) {
            case RESIDUAL -> limits.hidden();
            case QUERY, ATTENTION -> limits.heads() * limits.headDim();
            case GATE, FFN -> limits.ffn();
        };
    }

    /** Words of one token's vector in {@code buffer}. */
    public int wordsPerToken(OnChipBuffer buffer) {
        return (elements(buffer) + lanes - 1) / lanes;
    }

    /** Words of {@code buffer}: every token of a chunk. */
    public int words(OnChipBuffer buffer) {
        return chunkTokens * wordsPerToken(buffer);
    }

    /** The widest vector of any buffer, in elements. */
    public int widestElements() {
        int widest = 0;
        for (OnChipBuffer b : OnChipBuffer.values()) {
            widest = Math.max(widest, elements(b));
        }
        return widest;
    }
}
