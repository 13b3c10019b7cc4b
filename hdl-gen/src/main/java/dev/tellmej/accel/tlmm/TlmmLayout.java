package dev.tellmej.accel.tlmm;

import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.hdl.ir.Locations;

/**
 * How one ternary matrix of {@code rows} outputs and {@code cols} inputs is cut into tiles and laid out in
 * DDR for an engine of configuration {@code config} (docs/tlmm.md, "DDR layout").
 *
 * <p>Rows are grouped Q at a time (row group g holds rows gQ .. gQ + Q - 1; rows past {@code rows} have zero
 * weights). A tile is a run of row groups small enough that its index words fit half of each weight-buffer
 * bank ({@code blocks x groups <= halfDepth}); tiles are balanced (all but the last have
 * {@link #tileGroups()} groups). For tile k and port p the DDR region at
 * {@code (k P + p) * regionStride} holds, in order, the index words of the port's Q/P row lanes: for each
 * block b, for each row group g of the tile, for each of the port's lanes; then zero bytes to whole beats; regions are
 * {@link #regionStride()} apart.
 * An index word is {@link TlmmConfig#indexWordBytes()} bytes, except in the last block, whose words hold
 * only {@link #lastBlockTables()} indices (the real groups rounded up to a quarter of T), so that padding
 * the inputs to whole blocks costs little DDR traffic.
 *
 * @param config the engine
 * @param rows   outputs (N)
 * @param cols   inputs (K)
 */
public record TlmmLayout(TlmmConfig config, int rows, int cols) {
    public TlmmLayout {
        if (rows < 1 || cols < 1) {
            throw new InvalidParameterException(Locations.capture(), "a matrix needs at least one row and column, got "
                    + rows + " x " + cols);
        }
        int blocks = ceilDiv(cols, config.blockInputs());
        if (blocks > config.maxBlocks()) {
            throw new InvalidParameterException(Locations.capture(), cols + " inputs need " + blocks + " blocks of "
                    + config.blockInputs() + " but configuration " + config.name() + " holds at most "
                    + config.maxBlocks() + " (" + config.maxBlocks() * config.blockInputs() + " inputs)");
        }
        if (blocks > config.halfDepth()) {
            throw new InvalidParameterException(Locations.capture(), cols + " inputs need " + blocks
                    + " buffer words per row group, more than half a bank (" + config.halfDepth() + ")");
        }
    }

    static int ceilDiv(long a, long b) {
        return (int) ((a + b - 1) / b);
    }

    /** Blocks of 3T inputs per row (the last one padded with zero weights). */
    public int blocks() {
        return ceilDiv(cols, config.blockInputs());
    }

    /** Groups of three inputs per row (the last one padded with zero weights). */
    public int groupsPerRow() {
        return ceilDiv(cols, 3);
    }

    /**
     * The size class of the last block's index words: 0 to 3 for {@link TlmmConfig#quarterTables}(class)
     * indices, the smallest that holds the real groups.
     */
    public int lastBlockClass() {
        int real = groupsPerRow() - (blocks() - 1) * config.tables();
        for (int c = 0; c < 4; c++) {
            if (config.quarterTables(c) >= real) {
                return c;
            }
        }
        throw new IllegalStateException("unreachable: " + real + " groups in a block of " + config.tables());
    }

    /** Indices in each index word of the last block. */
    public int lastBlockTables() {
        return config.quarterTables(lastBlockClass());
    }

    /** DDR bytes of an index word of block {@code b}. */
    public int wordBytes(int b) {
        return b == blocks() - 1 ? TlmmConfig.indexWordBytes(lastBlockTables()) : config.indexWordBytes();
    }

    /** Row groups of Q rows (the last one padded with zero rows). */
    public int groups() {
        return ceilDiv(rows, config.columns());
    }

    /** Tiles the matrix is cut into. */
    public int tiles() {
        int perTile = Math.min(config.halfDepth() / blocks(), config.maxGroups());
        return ceilDiv(groups(), perTile);
    }

    /** Row groups of every tile but the last. */
    public int tileGroups() {
        return ceilDiv(groups(), tiles());
    }

    /** Row groups of the last tile. */
    public int lastTileGroups() {
        return groups() - (tiles() - 1) * tileGroups();
    }

    /** Row groups of tile {@code k}. */
    public int groupsOfTile(int k) {
        return k == tiles() - 1 ? lastTileGroups() : tileGroups();
    }

    /** Index words one port streams for tile {@code k} (without padding). */
    public long wordsOfTile(int k) {
        return (long) blocks() * groupsOfTile(k) * config.lanesPerPort();
    }

    /** Bytes of index words one port streams for tile {@code k}. */
    public long bytesOfTile(int k) {
        long wordsPerBlock = (long) groupsOfTile(k) * config.lanesPerPort();
        return wordsPerBlock * ((long) (blocks() - 1) * config.indexWordBytes() + wordBytes(blocks() - 1));
    }

    /** AXI beats one port reads for tile {@code k}. */
    public long beatsOfTile(int k) {
        return ceilDiv(bytesOfTile(k), config.beatBytes());
    }

    /**
     * Bytes between consecutive regions: the largest region, rounded up to the longest burst. Every region then
     * starts on a burst boundary, so its bursts are full and aligned and none crosses 4 KB (the longest burst
     * divides 4 KB), while the padding stays below one burst per region (a 4 KB stride cost 0.05 bits per
     * weight on kv260's FFN shapes).
     */
    public long regionStride() {
        long bytes = beatsOfTile(0) * config.beatBytes();
        long burst = (long) config.burstBeats() * config.beatBytes();
        return (bytes + burst - 1) / burst * burst;
    }

    /** Byte offset of the region of tile k, port p. */
    public long regionOffset(int k, int p) {
        return ((long) k * config.ports() + p) * regionStride();
    }

    /** Total bytes of the DDR image. */
    public long imageBytes() {
        return (long) tiles() * config.ports() * regionStride();
    }

    /** Bytes the engine reads: every region's beats (the padding to the stride is never read). */
    public long bytesRead() {
        long total = 0;
        for (int k = 0; k < tiles(); k++) {
            total += beatsOfTile(k) * config.beatBytes() * config.ports();
        }
        return total;
    }

    /** The command that starts this matrix for {@code tokens} tokens with the image at {@code address}. */
    public TlmmCommand command(long address, int tokens) {
        if ((address & 4095) != 0) {
            throw new IllegalArgumentException("the weight image must be 4 KB aligned, got 0x" + Long.toHexString(address));
        }
        if (tokens < 1) {
            throw new IllegalArgumentException("tokens must be positive, got " + tokens);
        }
        int last = tiles() - 1;
        return new TlmmCommand(address, blocks(), lastBlockClass(), tokens, tiles(), tileGroups(), lastTileGroups(),
                regionStride(), beatsOfTile(0), beatsOfTile(last), wordsOfTile(0), wordsOfTile(last));
    }
}
