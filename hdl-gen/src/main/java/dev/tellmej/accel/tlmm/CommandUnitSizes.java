package dev.tellmej.accel.tlmm;

import static dev.tellmej.hdl.Hdl.bitsFor;

import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.hdl.ir.Locations;

/**
 * The widths and step counts of a {@link TlmmCommandUnit}, derived from its engine's configuration and the
 * 16-bit rows and columns of a request. Each division's step count is the width of the largest quotient it can
 * have for a request the unit does not refuse (docs/tlmm.md, "The command unit").
 *
 * @param config          the engine
 * @param maxBlocks       the most blocks of a row the unit accepts: the engine's maximum, at most half a bank
 * @param maxCols         the most inputs it accepts: {@code maxBlocks x 3T}
 * @param blockBits       width of a block count (1 .. maxBlocks)
 * @param groupBits       width of a tile's row groups (1 .. maxGroups)
 * @param fullTileBlocks  rows of at most this many blocks get tiles of maxGroups row groups (halfDepth / maxGroups)
 * @param dividendBits    the divider's dividend width
 * @param divisorBits     the divider's divisor width
 * @param blocksSteps     quotient bits of (cols - 1) / 3T
 * @param perTileSteps    quotient bits of halfDepth / blocks (when blocks exceed fullTileBlocks)
 * @param groupsSteps     quotient bits of (rows - 1) / Q
 * @param tilesSteps      quotient bits of (groups - 1) / (row groups per tile)
 * @param tileGroupsSteps quotient bits of (groups - 1) / tiles
 * @param groupWordsBits  width of the index words one port reads per row group (blocks x Q/P)
 * @param rowBytesBits    width of the DDR bytes of one row's index words
 * @param groupBytesBits  width of the bytes one port reads per row group
 */
record CommandUnitSizes(TlmmConfig config, int maxBlocks, int maxCols, int blockBits, int groupBits,
        int fullTileBlocks, int dividendBits, int divisorBits, int blocksSteps, int perTileSteps, int groupsSteps,
        int tilesSteps, int tileGroupsSteps, int groupWordsBits, int rowBytesBits, int groupBytesBits) {

    /** Width of a request's rows and cols (the LINEAR instruction's fields). */
    static final int SHAPE_BITS = 16;
    /** The command fields the unit computes beyond 16 bits are 32 bits wide. */
    static final long FIELD_LIMIT = (1L << 32) - 1;

    static CommandUnitSizes of(TlmmConfig config) {
        int maxBlocks = Math.min(config.maxBlocks(), config.halfDepth());
        int maxCols = maxBlocks * config.blockInputs();
        int groupBits = bitsFor(config.maxGroups());
        long largestRows = (1L << SHAPE_BITS) - 1;
        long maxGroupCount = (largestRows + config.columns() - 1) / config.columns();
        // The fewest row groups a tile can hold: rows of maxBlocks blocks, or maxGroups.
        int leastPerTile = Math.min(config.halfDepth() / maxBlocks, config.maxGroups());
        int dividendBits = Math.max(SHAPE_BITS, bitsFor(config.halfDepth()));
        int divisorBits = Math.max(Math.max(SHAPE_BITS, bitsFor(config.blockInputs())),
                Math.max(bitsFor(config.columns()), Math.max(groupBits, bitsFor(maxBlocks))));
        long rowBytes = (long) maxBlocks * config.indexWordBytes();
        long groupBytes = rowBytes * config.lanesPerPort();
        long tileBytes = groupBytes * config.maxGroups();
        long burstBytes = (long) config.burstBeats() * config.beatBytes();
        long stride = (tileBytes + burstBytes - 1) / burstBytes * burstBytes;
        if (stride > FIELD_LIMIT || (long) maxBlocks * config.lanesPerPort() * config.maxGroups() > FIELD_LIMIT) {
            throw new InvalidParameterException(Locations.capture(), "configuration " + config.name() + ": a tile of "
                    + config.maxGroups() + " row groups of " + maxBlocks + " blocks needs a region of " + stride
                    + " bytes, more than the command's 32-bit fields hold; lower maxGroups or the buffer depth");
        }
        return new CommandUnitSizes(config, maxBlocks, maxCols, bitsFor(maxBlocks), groupBits,
                config.halfDepth() / config.maxGroups(), dividendBits, divisorBits, bitsFor(maxBlocks - 1),
                bitsFor(config.maxGroups() - 1), bitsFor((largestRows - 1) / config.columns()),
                bitsFor((maxGroupCount - 1) / leastPerTile), bitsFor(config.maxGroups() - 1),
                bitsFor((long) maxBlocks * config.lanesPerPort()), bitsFor(rowBytes), bitsFor(groupBytes));
    }

    /** The most quotient bits any division asks for. */
    int maxSteps() {
        return Math.max(Math.max(blocksSteps, perTileSteps), Math.max(groupsSteps, Math.max(tilesSteps,
                tileGroupsSteps)));
    }

    /** Rows of {@code blocks} blocks need the division of halfDepth by blocks (their tiles hold fewer groups). */
    boolean dividesPerTile(int blocks) {
        return blocks > fullTileBlocks;
    }
}
