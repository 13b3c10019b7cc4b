package dev.tellmej.accel.tlmm;

import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.hdl.ir.Locations;
import java.util.ArrayList;
import java.util.List;

/**
 * The parameters of a TLMM engine (docs/tlmm.md). Every derived quantity is a method, so the generator, the
 * packer and the tests agree on it. The named builds' engines come from
 * {@link dev.tellmej.accel.config.AcceleratorConfig#tlmmConfig()}.
 *
 * @param name             the configuration's name ({@code kv260})
 * @param tables           T: groups of 3 activations per block, so one index word covers 3T inputs of a row
 * @param columns          Q: output rows (index words) processed per cycle
 * @param ports            P: AXI4 read ports; each streams the index words of Q/P of the Q rows
 * @param portDataBits     AXI data width of each port (a power of two, 32 to 1024)
 * @param activationBytes  A: int8 activations per beat of the activation stream; must divide 3T
 * @param bufferDepth      words of each weight-buffer bank (72-bit URAM288 words); half for each of the
 *                         two tiles in flight
 * @param maxTokens        Mc: tokens whose activations the engine holds at once (a prefill is done in chunks)
 * @param maxBlocks        the largest number of blocks (3T inputs each) per row: the activation buffer's depth
 * @param maxGroups        the most row groups (Q rows each) in one tile: the accumulator depth
 * @param burstBeats       beats per AXI read burst (16 or more; bursts never cross 4 KB)
 * @param outstandingBursts read bursts in flight per port
 * @param resultBeats      beats (Q sums each) the result queue holds: at least {@link #minimumResultBeats}, which
 *                         keeps the lanes busy while the consumer keeps up; more let the sweep finish a tile's last
 *                         block (and release its buffer half) while a slower consumer still takes its results
 */
public record TlmmConfig(String name, int tables, int columns, int ports, int portDataBits, int activationBytes,
        int bufferDepth, int maxTokens, int maxBlocks, int maxGroups, int burstBeats, int outstandingBursts,
        int resultBeats) {

    /** A configuration whose result queue has the {@link #minimumResultBeats} of its T. */
    public TlmmConfig(String name, int tables, int columns, int ports, int portDataBits, int activationBytes,
            int bufferDepth, int maxTokens, int maxBlocks, int maxGroups, int burstBeats, int outstandingBursts) {
        this(name, tables, columns, ports, portDataBits, activationBytes, bufferDepth, maxTokens, maxBlocks,
                maxGroups, burstBeats, outstandingBursts, minimumResultBeats(tables));
    }

    /**
     * The fewest result-queue beats that keep the lanes busy at T = {@code tables}: the sums of two passes through
     * the weight buffer's read and the lanes, and some slack.
     */
    public static int minimumResultBeats(int tables) {
        return 2 * (WeightBuffer.READ_LATENCY + LookupLane.latency(tables)) + 8;
    }

    /** Indices a 72-bit weight-buffer word holds (14 x 5 bits = 70 bits). */
    public static final int INDICES_PER_BUFFER_WORD = 14;
    /** Bits of one table index. */
    public static final int INDEX_BITS = 5;
    /** The packing bound the issue sets: bits of DDR per weight. */
    public static final double MAX_BITS_PER_WEIGHT = 1.67;
    /** Table entries: every signed sum of three activations. */
    public static final int TABLE_ENTRIES = 27;
    /**
     * Entries a table stores: patterns 0..13 of NUMERICS.md N7.2 (the zero pattern and one of each pair of
     * opposite patterns); patterns 14..26 are their negations, looked up as the stored entry and negated.
     */
    public static final int STORED_ENTRIES = 14;
    /** Bits of a stored entry's number: the low bits of the engine's index; its top bit says negate. */
    public static final int STORED_ENTRY_BITS = 4;
    /** Bits of a table entry: |entry| <= 3 * 128. */
    public static final int ENTRY_BITS = 10;
    /** Accumulator width. */
    public static final int ACCUMULATOR_BITS = 32;

    public TlmmConfig {
        List<String> problems = new ArrayList<>();
        if (tables < 1 || tables > 64) {
            problems.add("T (tables) must be 1..64, got " + tables);
        } else if (bitsPerWeight(tables) > MAX_BITS_PER_WEIGHT) {
            problems.add("T = " + tables + " packs at " + String.format(java.util.Locale.ROOT, "%.3f", bitsPerWeight(tables))
                    + " bits per weight in DDR, above " + MAX_BITS_PER_WEIGHT + "; choose T among " + goodTables());
        }
        if (columns < 1 || columns > 64) {
            problems.add("Q (columns) must be 1..64, got " + columns);
        }
        if (ports < 1 || columns % Math.max(1, ports) != 0) {
            problems.add("P (ports) must divide Q = " + columns + ", got " + ports);
        } else if (columns / ports > 1 && (columns / ports) % 2 != 0) {
            problems.add("each port serves Q/P = " + columns / ports + " row lanes; make it 1 or even (words go in pairs)");
        }
        if (portDataBits < 32 || portDataBits > 1024 || Integer.bitCount(portDataBits) != 1) {
            problems.add("port data width must be a power of two from 32 to 1024 bits, got " + portDataBits);
        }
        if (activationBytes < 1 || tables >= 1 && (3 * tables) % activationBytes != 0) {
            problems.add("activation beat of " + activationBytes + " bytes must divide 3T = " + 3 * tables);
        }
        if (bufferDepth < 64 || Integer.bitCount(bufferDepth) != 1) {
            problems.add("buffer depth must be a power of two of at least 64, got " + bufferDepth);
        }
        if (maxTokens < 1 || maxBlocks < 1 || maxGroups < 1) {
            problems.add("maxTokens, maxBlocks and maxGroups must be positive");
        }
        if (burstBeats < 16 || burstBeats > 256 || Integer.bitCount(burstBeats) != 1) {
            problems.add("bursts must be 16 to 256 beats (a power of two), got " + burstBeats);
        } else if (portDataBits >= 32 && burstBeats * (portDataBits / 8) > 4096) {
            problems.add("a burst of " + burstBeats + " x " + portDataBits / 8 + " bytes exceeds 4 KB");
        }
        if (outstandingBursts < 1 || outstandingBursts > 32) {
            problems.add("outstanding bursts must be 1..32, got " + outstandingBursts);
        }
        if (tables >= 1 && tables <= 64 && (resultBeats < minimumResultBeats(tables) || resultBeats > 65536)) {
            problems.add("the result queue needs " + minimumResultBeats(tables) + " to 65536 beats at T = " + tables
                    + ", got " + resultBeats);
        }
        if (!problems.isEmpty()) {
            throw new InvalidParameterException(Locations.capture(), "TLMM configuration " + name + ": "
                    + String.join("; ", problems));
        }
    }

    /**
     * Bits (two's complement) that hold every accumulator the engine gives: a row has at most maxBlocks x 3T
     * inputs, each term a trit times an int8 of magnitude up to 128. At most {@link #ACCUMULATOR_BITS}.
     */
    public int accumulatorBits() {
        long largest = (long) maxBlocks * blockInputs() * 128;
        return Math.min(ACCUMULATOR_BITS, 1 + 64 - Long.numberOfLeadingZeros(largest));
    }

    /** Inputs per block: 3T. */
    public int blockInputs() {
        return 3 * tables;
    }

    /** DDR bytes of one index word (3T trits, five per byte). */
    public int indexWordBytes() {
        return indexWordBytes(tables);
    }

    /** DDR bytes of an index word of {@code tables} indices. */
    public static int indexWordBytes(int tables) {
        return (3 * tables + 4) / 5;
    }

    /** DDR bits per weight of the packing. */
    public double bitsPerWeight() {
        return bitsPerWeight(tables);
    }

    static double bitsPerWeight(int tables) {
        return 8.0 * indexWordBytes(tables) / (3.0 * tables);
    }

    private static String goodTables() {
        List<String> good = new ArrayList<>();
        for (int t = 1; t <= 64 && good.size() < 12; t++) {
            if (bitsPerWeight(t) <= MAX_BITS_PER_WEIGHT) {
                good.add(Integer.toString(t));
            }
        }
        return String.join(", ", good) + ", ...";
    }

    /** Indices of the index-word size class c (0..3): a quarter of T, a half, three quarters, all of it. */
    public int quarterTables(int sizeClass) {
        return (tables * (sizeClass + 1) + 3) / 4;
    }

    /** DDR bytes of an index word of size class c. */
    public int quarterWordBytes(int sizeClass) {
        return indexWordBytes(quarterTables(sizeClass));
    }

    /** 72-bit buffer words per index word. */
    public int bufferWordsPerIndexWord() {
        return (tables + INDICES_PER_BUFFER_WORD - 1) / INDICES_PER_BUFFER_WORD;
    }

    /** Weight-buffer banks: one per (row lane, word of the index word). */
    public int banks() {
        return columns * bufferWordsPerIndexWord();
    }

    /** Buffer words per bank for one tile (the buffer is split in two halves). */
    public int halfDepth() {
        return bufferDepth / 2;
    }

    /** Row lanes each port serves: Q / P. */
    public int lanesPerPort() {
        return columns / ports;
    }

    /**
     * Index words a port's unpacker writes per cycle: one when it serves a single lane or when one word holds at
     * least a beat's bytes (one word a cycle then keeps up with a port that delivers a beat every cycle, and the
     * unpacker, its byte decoders and the gearbox's window are half as wide); two otherwise.
     */
    public int wordsPerCycle() {
        return lanesPerPort() == 1 || indexWordBytes() >= beatBytes() ? 1 : 2;
    }

    /** Bytes per AXI beat. */
    public int beatBytes() {
        return portDataBits / 8;
    }

    /** Ternary multiply-accumulates per cycle at full rate: 3 T Q. */
    public int macsPerCycle() {
        return 3 * tables * columns;
    }

    /** Beats of the activation stream per block of 3T inputs: 3T / A. */
    public int beatsPerBlock() {
        return blockInputs() / activationBytes;
    }

    /** Words of the activation memory one token occupies: the most blocks times the beats per block. */
    public int activationSlotWords() {
        return maxBlocks * beatsPerBlock();
    }

    /** Words of the activation memory: a slot per token of a chunk. */
    public int activationDepth() {
        return maxTokens * activationSlotWords();
    }

    /** Bits of an activation-memory address. */
    public int activationAddressBits() {
        return Hdl.log2Up(activationDepth());
    }

    /** Bits of a weight-buffer address (both halves). */
    public int bufferAddressBits() {
        return Hdl.log2Up(bufferDepth);
    }

    /** Accumulators per lookup lane: a token slot's row groups, for every slot of a chunk. */
    public int accumulators() {
        return maxTokens * maxGroups;
    }

    /** Bits of an accumulator address. */
    public int accumulatorAddressBits() {
        return Hdl.log2Up(accumulators());
    }

    /** The largest number of inputs per row of a matrix: the most blocks times 3T. */
    public int maxInputs() {
        return maxBlocks * blockInputs();
    }

    /** Bits of the sum of T table entries. */
    public int lookupSumBits() {
        return ENTRY_BITS + 32 - Integer.numberOfLeadingZeros(Math.max(1, tables - 1));
    }
}
