package dev.tellmej.accel.attention;

import static dev.tellmej.hdl.Hdl.log2Up;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.elementwise.Storage;
import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.hdl.ir.Locations;
import dev.tellmej.hdl.lib.axi.AxiBurstConfig;
import dev.tellmej.hdl.lib.axi.Axi4Config;
import dev.tellmej.hdl.lib.fp.Fp32Add;
import dev.tellmej.hdl.lib.fp.FpFormat;
import dev.tellmej.model.numerics.StorageFormat;
import java.util.ArrayList;
import java.util.List;

/**
 * The parameters of an {@link AttentionUnit}, and every size derived from them: the unit's buffers, counters and
 * schedule are computed here once, never repeated as literals.
 *
 * @param lanes      N5's L, the lanes of every sum over the head dimension and over positions (a power of two,
 *                   at least the adder's latency plus two, so a value partial is back before its lane comes round)
 * @param width      stored values per beat W (a power of two, at most L): the port's width over 16 bits
 * @param ports      read ports of each pass, P (a power of two, P x W at most L): each pass multiplies P beats
 *                   of a row a cycle, chunk k of its rows read on port k mod P ({@link #passWidth})
 * @param maxHeadDim the largest head dimension D, a multiple of W
 * @param context    the longest context (positions) a query may attend to
 * @param slots      queries one command may carry (a GQA group's heads times a prefill block's tokens)
 * @param chunkRows  K or V rows per on-chip chunk (a power of two); two chunks are held, one filling while
 *                   the other is used
 * @param storage    the KV cache's and the output's storage format (N4)
 * @param bursts     the K/V read port's burst engine
 * @param serialTrees the score and value passes' trees are serial ({@code AttentionConfig#serialTrees})
 */
public record AttentionShape(int lanes, int width, int ports, int maxHeadDim, int context, int slots, int chunkRows,
        StorageFormat storage, AxiBurstConfig bursts, boolean serialTrees) {

    /** Beats per K/V burst (a chunk is one read command of chunk rows x d/W beats, cut into these bursts). */
    public static final int BURST_BEATS = 32;
    /**
     * Bursts in flight on the K/V port: 256 beats of read FIFO keep the port streaming at a DDR read latency of
     * up to about 220 cycles. With 4 (128 beats) a port at the benchmark's latency of 100 cycles waited 7 cycles
     * every 135 (the round trip of a 32-beat burst), 95 % of its rate; the FIFO is block RAM either way.
     */
    public static final int OUTSTANDING = 8;

    /**
     * Cycles from a read of the value partials to its data: the block RAM's read, then its output register (a
     * read without it was the unit's longest path, 0.9 ns of clock to out before the MAC lane's adder).
     */
    public static final int PARTIAL_READ_LATENCY = 2;

    public AttentionShape {
        List<String> problems = new ArrayList<>();
        int roundTrip = PARTIAL_READ_LATENCY + Fp32Add.LATENCY + 1;
        if (lanes < roundTrip || Integer.bitCount(lanes) != 1) {
            problems.add("L must be a power of two of at least " + Integer.highestOneBit(roundTrip * 2 - 1)
                    + " (a value partial is read, added and written back in " + roundTrip
                    + " cycles, before its lane comes round), got " + lanes);
        }
        if (width < 1 || Integer.bitCount(width) != 1 || width > lanes) {
            problems.add("W must be a power of two no larger than L, got " + width);
        }
        if (ports < 1 || Integer.bitCount(ports) != 1 || (long) ports * width > lanes) {
            problems.add("the ports of a pass must be a power of two with P x W no larger than L = " + lanes
                    + " (a pass beat of P x W values feeds one group of L's lanes), got P = " + ports + ", W = "
                    + width);
        }
        if (width >= 1 && (maxHeadDim < width || maxHeadDim % width != 0)) {
            problems.add("the head dimension must be a positive multiple of W = " + width + ", got " + maxHeadDim);
        }
        if (context < 1) {
            problems.add("the context must be at least one position, got " + context);
        }
        if (slots < 1 || slots > 255) {
            problems.add("slots must be 1 to 255, got " + slots);
        }
        if (chunkRows < 1 || Integer.bitCount(chunkRows) != 1) {
            problems.add("chunk rows must be a power of two, got " + chunkRows);
        }
        if (bursts != null && bursts.axi().dataWidth() != 16 * width) {
            problems.add("the K/V port carries " + bursts.axi().dataWidth() + " bits a beat, not W x 16 = "
                    + 16 * width);
        }
        if (!problems.isEmpty()) {
            throw new InvalidParameterException(Locations.capture(), "AttentionUnit: " + String.join("; ", problems));
        }
    }

    /**
     * The attention unit of build {@code config}: N5's L of its element-wise units, beats as wide as a data port,
     * as many ports a pass as its dot lanes take beats a cycle, the head dimension and context of its maxima,
     * {@code slots} of the TLMM's token chunk (kv260: 8 queries), chunks of 32 rows.
     */
    public static AttentionShape of(AcceleratorConfig config) {
        int width = config.memory().portBits() / 16;
        return new AttentionShape(config.elementwise().sumLanes(), width, config.attention().dotLanes() / width,
                config.limits().headDim(),
                config.limits().context(), Math.max(config.limits().heads() / config.limits().kvHeads(),
                        config.tlmm().chunkTokens()), 32, config.elementwise().storage(),
                AxiBurstConfig.of(Axi4Config.of(config.memory().portBits()), BURST_BEATS, OUTSTANDING),
                config.attention().serialTrees());
    }

    /** The same shape for head dimensions up to {@code maxHeadDim}. */
    public AttentionShape withMaxHeadDim(int maxHeadDim) {
        return new AttentionShape(lanes, width, ports, maxHeadDim, context, slots, chunkRows, storage, bursts,
                serialTrees);
    }

    /** The storage format as the floating-point library names it. */
    public FpFormat format() {
        return Storage.format(storage);
    }

    /**
     * Tokens of a prefill block for a GQA group of {@code group} query heads: as many as half the slots hold, so
     * that the unit runs each block beside the next (the score pass of one beside the value pass of the one
     * before: each must fit in half the slots); when a token's group fills more than half, as many as all the
     * slots hold, at least one.
     */
    public int blockTokens(int group) {
        int half = slots / 2;
        return group <= half ? half / group : Math.max(1, slots / group);
    }

    /** Beats per row of the longest head, D / W. */
    public int maxRowBeats() {
        return maxHeadDim / width;
    }

    /** Values a pass multiplies a cycle, P x W: a <em>pass beat</em>, P beats of a row. */
    public int passWidth() {
        return ports * width;
    }

    /** Pass beats per row of the longest head, D / (P x W) rounded up. */
    public int maxPassBeats() {
        return (maxRowBeats() + ports - 1) / ports;
    }

    /**
     * Pass beats per row rounded up to a power of two: the stride of a row in each memory of the chunk buffers and
     * the query store (beat b of a row is in memory b mod P of its loader, at pass beat b / P).
     */
    public int passStride() {
        return 1 << log2Up(maxPassBeats());
    }

    /** Bits of {@link #passStride}: a pass beat's place in a row. */
    public int passStrideBits() {
        return log2Up(passStride());
    }

    /** Bits of a loader's index, log2 P (0 with one port a pass). */
    public int portBits() {
        return Integer.numberOfTrailingZeros(ports);
    }

    /** Lane groups L / (P x W): a pass beat feeds the P x W lanes of one group. */
    public int groups() {
        return lanes / passWidth();
    }

    /**
     * Key rows interleaved by the score pass: a lane group's partial comes round every {@code groups} beats of
     * a row, so rows take turns beat by beat until the adder's result is back and can be read a cycle before the
     * next add (latency + 2: the sum's write, then the addend's registered read).
     */
    public int interleave() {
        int cycles = Fp32Add.LATENCY + 2;
        return 1 << log2Up((cycles + groups() - 1) / groups());
    }

    /** Bits of a position count 0 .. context. */
    public int positionBits() {
        return dev.tellmej.hdl.Hdl.bitsFor(context);
    }

    /** Bits of a position index 0 .. context - 1 (at least one). */
    public int positionIndexBits() {
        return Math.max(1, log2Up(context));
    }

    /** Bits of a slot index. */
    public int slotBits() {
        return Math.max(1, log2Up(slots));
    }

    /** Bits of a beat count 0 .. D / W. */
    public int beatBits() {
        return dev.tellmej.hdl.Hdl.bitsFor(maxRowBeats());
    }

    /** Bits of a pass beat count 0 .. D / (P x W). */
    public int passBeatBits() {
        return dev.tellmej.hdl.Hdl.bitsFor(maxPassBeats());
    }

    /** Bits of a row index inside a chunk. */
    public int chunkRowBits() {
        return Math.max(1, log2Up(chunkRows));
    }

    /** Bits of a chunk index 0 .. ceil(context / chunk rows). */
    public int chunkBits() {
        return dev.tellmej.hdl.Hdl.bitsFor((context + chunkRows - 1) / chunkRows + 1);
    }

    /**
     * Words of each memory of a loader's chunk buffer (a pass has P loaders of P memories, each word a beat of W
     * values): two chunks of {@link #chunkRows} rows of {@link #passStride} words.
     */
    public int chunkBufferWords() {
        return 2 * chunkRows * passStride();
    }

    /**
     * Whether the chunk buffers' memories are UltraRAM: when each holds at least 64 Kbit (two RAMB36), as on
     * kv260 (512 x 128 bits, 8 memories), whose block RAM the rest of the kernel needs and whose UltraRAM has room;
     * block RAM (or LUT RAM when tiny) otherwise.
     */
    public boolean chunkBuffersInUltraRam() {
        return (long) chunkBufferWords() * 16 * width >= 64 * 1024;
    }

    /**
     * Cycles from a pass's read address to its chunk word: the memories' ({@link #chunkMemoryLatency}), and one
     * more with two or more ports, where the word of the addressed port's loader is picked into a register (for
     * timing: the pick lay in front of the products' first stage).
     */
    public int chunkBufferLatency() {
        return chunkMemoryLatency() + (ports > 1 ? 1 : 0);
    }

    /** Cycles from a chunk buffer memory's read address to its word: 2 in UltraRAM, 1 otherwise. */
    public int chunkMemoryLatency() {
        return chunkBuffersInUltraRam() ? 2 : 1;
    }

    /** Words of each of the P query-store memories: {@link #passStride} words a slot. */
    public int queryStoreWords() {
        return slots * passStride();
    }

    /** Words of the score buffer: one binary32 per position per slot, the context rounded to a power of two. */
    public int scoreBufferWords() {
        return slots * (1 << log2Up(context));
    }

    /**
     * Sets of the value partials and Z's lanes: 2 with 2 slots or more (the slots below {@link #secondSetBase} and
     * the rest, each set its own memories), so one command's reduction reads one set while the next command's
     * value pass adds into the other; 1 with a single slot.
     */
    public int slotSets() {
        return slots >= 2 ? 2 : 1;
    }

    /** The first slot of the second set: half the slots, the base of a command that runs beside another. */
    public int secondSetBase() {
        return slotSets() == 2 ? slots / 2 : slots;
    }

    /** Slots of the larger set (the second, with an odd slot count). */
    public int setSlots() {
        return slotSets() == 2 ? slots - slots / 2 : slots;
    }

    /** Words of each of the P x W value-partial banks of a set: L partials per pass beat of a row per slot. */
    public int partialBankWords() {
        return setSlots() * passStride() * lanes;
    }

    /** Verilog name suffix: {@code l16_w8_d96_c4096_q8_fp16}, with {@code _p2} for two ports a pass. */
    String suffix() {
        return "l" + lanes + "_w" + width + (ports > 1 ? "_p" + ports : "") + "_d" + maxHeadDim + "_c" + context
                + "_q" + slots + "_r" + chunkRows + "_" + format().name().toLowerCase(java.util.Locale.ROOT) + (serialTrees ? "_serial" : "");
    }
}
