package dev.tellmej.accel.tlmm;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.HwEnum;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.lib.Stream;

/**
 * The command unit's state machine: takes a request, checks it as {@link TlmmLayout} does, runs the layout's
 * divisions on the shared {@link SerialDivider} one after the other and the tile products on
 * {@link TileProducts}, and offers the answer until it is taken. Every step registers its results, and no step
 * adds more than one carry chain (two for the last tile's row groups) to the registers it reads.
 */
final class LayoutSequencer extends Area {
    /** The steps, in order; each arithmetic step loads its unit in its first cycle (the launch). */
    enum Step { IDLE, CHECK, BLOCKS, PER_TILE, GROUPS, TILES, TILE_GROUPS, SIZES, ANSWER }

    /** Blocks of 3T inputs per row (valid from the end of BLOCKS). */
    final UInt blocks;
    /** The last block's size class (valid from the end of BLOCKS). */
    final UInt lastClass;
    /** Row groups of a full tile and of the last tile (valid from the end of TILE_GROUPS). */
    final UInt tileGroups;
    final UInt lastTileGroups;

    LayoutSequencer(CommandUnitSizes sizes, Stream<TlmmCommandUnit.Request> request,
            Stream<TlmmCommandUnit.Answer> answer, SerialDivider divider, TileProducts products) {
        super("layout", "checks a request, runs the layout's divisions and products step by step, offers the answer");
        TlmmConfig config = sizes.config();
        int groupBits = sizes.groupBits();
        HwEnum<Step> step = reg("step", enumOf(Step.class), Step.IDLE);
        Bool launch = reg("launch", bool(), 0);
        TlmmCommandUnit.Request taken = reg("taken", TlmmCommandUnit.requestShape());
        Bool refused = reg("refused", bool());
        blocks = reg("blocks", uint(sizes.blockBits()));
        lastClass = reg("last_class", uint(2));
        UInt perTile = reg("groups_per_tile", uint(groupBits));
        UInt lastGroup = reg("last_group", uint(CommandUnitSizes.SHAPE_BITS));
        UInt tiles = reg("tiles", uint(CommandUnitSizes.SHAPE_BITS));
        tileGroups = reg("tile_groups", uint(groupBits));
        lastTileGroups = reg("last_tile_groups", uint(groupBits));
        UInt wordsFull = reg("words_full_tile", uint(32));
        UInt wordsLast = reg("words_last_tile", uint(32));
        UInt beatsFull = reg("beats_full_tile", uint(32));
        UInt beatsLast = reg("beats_last_tile", uint(32));
        UInt regionStride = reg("region_stride", uint(32));

        // TlmmLayout refuses an empty matrix and rows of more blocks than the engine or half a bank holds;
        // its command() refuses no tokens and an image that is not 4 KB aligned.
        Bool tooWide = sizes.maxCols() >= (1 << CommandUnitSizes.SHAPE_BITS) - 1 ? FALSE
                : taken.cols().gt(sizes.maxCols());
        Bool bad = taken.rows().eq(0).or(taken.cols().eq(0)).or(tooWide).or(taken.tokens().eq(0))
                .or(taken.address().lsbs(12).ne(0)).named("refuse");
        Bool divided = launch.not().and(divider.busy.not()).named("divided");
        Bool multiplied = launch.not().and(products.busy.not()).named("multiplied");
        UInt quotient = divider.quotient;
        UInt remainder = divider.remainder;

        request.ready.set(step.is(Step.IDLE));
        divider.load.set(launch.and(step.isOneOf(Step.BLOCKS, Step.PER_TILE, Step.GROUPS, Step.TILES,
                Step.TILE_GROUPS)));
        products.load.set(launch.and(step.is(Step.SIZES)));
        when(launch, () -> launch.set(false));
        switchOn(step)
                .is(Step.IDLE, () -> when(request.fire(), () -> {
                    assign(taken, request.payload);
                    step.set(Step.CHECK);
                }))
                .is(Step.CHECK, () -> {
                    refused.set(bad);
                    when(bad, () -> step.set(Step.ANSWER)).otherwise(() -> {
                        step.set(Step.BLOCKS);
                        launch.set(true);
                    });
                })
                .is(Step.BLOCKS, () -> {
                    // blocks - 1 = (cols - 1) / 3T; the remainder + 1 is the last block's inputs.
                    divider.divide(taken.cols().sub(1), sizes.blocksSteps(), U(config.blockInputs(),
                            bitsFor(config.blockInputs())));
                    when(divided, () -> {
                        blocks.set(quotient.resize(sizes.blockBits()).add(1));
                        lastClass.set(lastBlockClass(config, remainder));
                        launch.set(true);
                        when(quotient.lt(sizes.fullTileBlocks()), () -> {
                            perTile.set(config.maxGroups());
                            step.set(Step.GROUPS);
                        }).otherwise(() -> step.set(Step.PER_TILE));
                    });
                })
                .is(Step.PER_TILE, () -> {
                    divider.divide(U(config.halfDepth(), bitsFor(config.halfDepth())), sizes.perTileSteps(), blocks);
                    when(divided, () -> {
                        perTile.set(quotient.resize(groupBits));
                        step.set(Step.GROUPS);
                        launch.set(true);
                    });
                })
                .is(Step.GROUPS, () -> {
                    divider.divide(taken.rows().sub(1), sizes.groupsSteps(), U(config.columns(),
                            bitsFor(config.columns())));
                    when(divided, () -> {
                        lastGroup.set(quotient.resize(CommandUnitSizes.SHAPE_BITS));
                        step.set(Step.TILES);
                        launch.set(true);
                    });
                })
                .is(Step.TILES, () -> {
                    divider.divide(lastGroup, sizes.tilesSteps(), perTile);
                    when(divided, () -> {
                        tiles.set(quotient.resize(CommandUnitSizes.SHAPE_BITS).add(1));
                        step.set(Step.TILE_GROUPS);
                        launch.set(true);
                    });
                })
                .is(Step.TILE_GROUPS, () -> {
                    // groups - 1 = (tileGroups - 1) tiles + r, so groups - (tiles - 1) tileGroups = r + tileGroups
                    // + 1 - tiles: the last tile's row groups without a multiply.
                    divider.divide(lastGroup, sizes.tileGroupsSteps(), tiles);
                    when(divided, () -> {
                        UInt q = quotient.resize(CommandUnitSizes.SHAPE_BITS);
                        tileGroups.set(q.resize(groupBits).add(1));
                        lastTileGroups.set(remainder.resize(CommandUnitSizes.SHAPE_BITS).add(q).add(2).sub(tiles)
                                .resize(groupBits));
                        step.set(Step.SIZES);
                        launch.set(true);
                    });
                })
                .is(Step.SIZES, () -> when(multiplied, () -> {
                    wordsFull.set(products.wordsFull.resize(32));
                    wordsLast.set(products.wordsLast.resize(32));
                    beatsFull.set(ceilShift(products.bytesFull, config.beatBytes()).resize(32));
                    beatsLast.set(ceilShift(products.bytesLast, config.beatBytes()).resize(32));
                    // Beats rounded up to whole bursts, in bytes: the bytes rounded up to whole bursts.
                    int burstBytes = config.burstBeats() * config.beatBytes();
                    regionStride.set(ceilShift(products.bytesFull, burstBytes).shl(log2(burstBytes)).resize(32));
                    step.set(Step.ANSWER);
                }))
                .is(Step.ANSWER, () -> when(answer.fire(), () -> step.set(Step.IDLE)));
        assertAlways(step.isNot(Step.SIZES).or(lastTileGroups.ne(0).and(lastTileGroups.le(tileGroups))),
                "the last tile holds 1 .. tileGroups row groups");

        answer.valid.set(step.is(Step.ANSWER));
        answer.payload.refused().set(refused);
        TlmmEngine.Command out = answer.payload.command();
        out.address().set(taken.address());
        out.blocks().set(blocks.resize(widthOf(out.blocks())));
        out.lastClass().set(lastClass);
        out.tokens().set(taken.tokens());
        out.tiles().set(tiles);
        out.tileGroups().set(tileGroups.resize(widthOf(out.tileGroups())));
        out.lastTileGroups().set(lastTileGroups.resize(widthOf(out.lastTileGroups())));
        out.regionStride().set(regionStride);
        out.beatsFull().set(beatsFull);
        out.beatsLast().set(beatsLast);
        out.wordsFull().set(wordsFull);
        out.wordsLast().set(wordsLast);
    }

    /**
     * The size class of the last block from {@code (cols - 1) mod 3T}: the smallest c whose
     * {@code quarterTables(c)} groups of three hold the block's {@code remainder + 1} inputs.
     */
    private static UInt lastBlockClass(TlmmConfig config, UInt remainder) {
        UInt size = U(3, 2);
        for (int c = 2; c >= 0; c--) {
            size = mux(remainder.lt(3L * config.quarterTables(c)), U(c, 2), size);
        }
        return size;
    }

    /** {@code ceil(value / divisor)} for a power-of-two divisor: add divisor - 1, drop the low bits. */
    private static UInt ceilShift(UInt value, int divisor) {
        int shift = log2(divisor);
        if (shift == 0) {
            return value;
        }
        UInt wide = value.zext(Math.max(value.width(), shift) + 1);
        return wide.add(divisor - 1).shr(shift);
    }

    private static int log2(int powerOfTwo) {
        if (Integer.bitCount(powerOfTwo) != 1) {
            throw new IllegalArgumentException(powerOfTwo + " is not a power of two");
        }
        return Integer.numberOfTrailingZeros(powerOfTwo);
    }
}
