package dev.tellmej.accel.tlmm;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.HwEnum;
import dev.tellmej.hdl.SInt;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.Vec;
import dev.tellmej.hdl.lib.AddSubTree;
import dev.tellmej.model.ternary.TlmmIndex;
import java.util.ArrayList;
import java.util.List;

/**
 * For each (tile, block, token of the chunk), in the sweep's order: stages the block's 3T activations from the
 * chunk memory, then writes the 14 stored entries of its T tables (NUMERICS.md N7.2: patterns 0..13; the other
 * 13 are their negations, which the lanes negate on lookup), one entry per cycle, into the free half of every
 * lane's table memory. A half is <em>ready</em> from then until the sweep has issued the
 * block's last read ({@link #halfSwept}), then <em>held</em> until those reads have passed the tables
 * ({@link #halfReleased}); only a half that is neither is built again.
 */
final class TableBuilder extends Area {
    /** What the builder does. */
    enum BuildState { IDLE, STAGING, BUILDING }

    /** Per table half: tables not yet swept are there. */
    final Vec<Bool> ready;
    /** Entries are being written this cycle. */
    final Bool building;
    /** The half being written. */
    final Bool half;
    /** The stored entry (0..13) being written. */
    final UInt entry;
    /** The entry's value in each of the T tables. */
    final List<SInt> values;
    /** Events, raised by the sweep per half: it issued the last read of the half's tables. */
    final Vec<Bool> halfSwept;
    /** Events, raised by the sweep per half: the last reads of the half's tables have passed. */
    final Vec<Bool> halfReleased;

    TableBuilder(TlmmConfig config, CommandSlot command, ActivationLoader activations) {
        super("table_builder", "for each (tile, block, token) stages the block's activations and writes the 14"
                + " stored entries of its T tables, one per cycle, into a free table half of every lane");
        int beatsPerBlock = config.beatsPerBlock();
        int addressBits = config.activationAddressBits();
        halfSwept = wire("table_half_swept", vec(2, bool()));
        halfReleased = wire("table_half_released", vec(2, bool()));
        Bits staging = reg("staging", bits(8 * config.blockInputs()));
        ready = reg("table_ready", vec(2, bool()), 0);
        Vec<Bool> held = reg("table_held", vec(2, bool()), 0);
        half = reg("build_half", bool(), 0);
        HwEnum<BuildState> state = reg("build_state", enumOf(BuildState.class), BuildState.IDLE);
        UInt stageBeat = reg("stage_beat", uint(Math.max(1, bitsFor(beatsPerBlock))), 0);
        entry = reg("entry", uint(TlmmConfig.STORED_ENTRY_BITS), 0);
        UInt block = reg("build_block", uint(16), 0);
        UInt slot = reg("build_slot", uint(16), 0);
        UInt tile = reg("build_tile", uint(16), 0);
        UInt slotBase = reg("build_slot_base", uint(addressBits), 0);
        UInt blockBase = reg("build_block_base", uint(addressBits), 0);
        Bool allBuilt = reg("builds_finished", bool(), 0);
        building = state.is(BuildState.BUILDING).named("building");
        Bool stagingActive = state.is(BuildState.STAGING).named("staging_active");

        Bool free = mux(half, ready.get(1).or(held.get(1)), ready.get(0).or(held.get(0))).not().named("table_free");
        Bool start = command.active.and(activations.full).and(state.is(BuildState.IDLE)).and(free)
                .and(allBuilt.not()).named("start_build");
        UInt readAddress = slotBase.add(blockBase).add(stageBeat.resize(addressBits)).named("stage_address");
        Bool stageRead = stagingActive.and(stageBeat.lt(beatsPerBlock)).named("stage_read");
        Bits stagedWord = activations.memory.readSync("act_word", readAddress, stageRead, 1);
        Bool stagedValid = regNext("act_word_valid", stageRead, 0);
        when(stagedValid, () -> {
            if (beatsPerBlock == 1) {
                staging.set(stagedWord);
            } else {
                staging.set(cat(stagedWord, staging.slice(8 * config.blockInputs() - 1, 8 * config.activationBytes())));
            }
        });
        when(start, () -> {
            state.set(BuildState.STAGING);
            stageBeat.set(0);
        }).elseWhen(stageRead, () -> stageBeat.set(stageBeat.add(1)));
        Bool stagedAll = stagingActive.and(stageBeat.eq(beatsPerBlock)).and(stagedValid.not()).named("staged_all");
        when(stagedAll, () -> {
            state.set(BuildState.BUILDING);
            entry.set(0);
        });

        values = entryValues(config, staging, entry);
        Bool done = building.and(entry.eq(TlmmConfig.STORED_ENTRIES - 1)).named("build_done");
        when(building, () -> entry.set(entry.add(1)));
        // Whether the block, the slot and the tile are the last, registered (for timing: the compares lay on the
        // path into the counters' updates). What they depend on changes only at a build's end or a command's
        // start, and a build stages and builds for more than a cycle, so they are current when it is done.
        Bool lastBlockNow = block.eq(command.lastBlock);
        Bool lastSlotNow = slot.add(1).eq(activations.chunkTokens);
        Bool lastTileNow = tile.eq(command.lastTile);
        Bool lastBlock = regNext("build_last_block", lastBlockNow, 0);
        Bool lastSlot = regNext("build_last_slot", lastSlotNow, 0);
        Bool lastTile = regNext("build_last_tile", lastTileNow, 0);
        assertAlways(done.not().or(lastBlock.eq(lastBlockNow).and(lastSlot.eq(lastSlotNow))
                .and(lastTile.eq(lastTileNow))), "TLMM table builder: the last-block, last-slot and last-tile flags"
                + " are current when a build is done");
        activations.chunkReleased.set(done.and(lastBlock).and(lastSlot).and(lastTile));
        // Order: for each tile, for each block, for each token of the chunk (the sweep's order).
        when(done, () -> {
            state.set(BuildState.IDLE);
            when(half, () -> ready.get(1).set(true)).otherwise(() -> ready.get(0).set(true));
            half.set(half.not());
            when(lastSlot, () -> {
                slot.set(0);
                slotBase.set(0);
                when(lastBlock, () -> {
                    block.set(0);
                    blockBase.set(0);
                    when(lastTile, () -> {
                        tile.set(0);
                        when(activations.tokensLoaded.eq(command.cmd.tokens()), () -> allBuilt.set(true));
                    }).otherwise(() -> tile.set(tile.add(1)));
                }).otherwise(() -> {
                    block.set(block.add(1));
                    blockBase.set(blockBase.add(beatsPerBlock));
                });
            }).otherwise(() -> {
                slot.set(slot.add(1));
                slotBase.set(slotBase.add(config.activationSlotWords()));
            });
        });
        // A swept half stops counting as ready at once, so the sweep never takes it for the next block; it is
        // built again only once the reads in flight have passed it.
        for (int h = 0; h < 2; h++) {
            int which = h;
            when(halfSwept.get(which), () -> {
                ready.get(which).set(false);
                held.get(which).set(true);
            });
        }
        for (int h = 0; h < 2; h++) {
            int which = h;
            when(halfReleased.get(which), () -> held.get(which).set(false));
        }
        when(command.finished, () -> allBuilt.set(false));
    }

    /**
     * The value of stored entry {@code entry} in each of the T tables: the sum of the group's three activations
     * with the signs of the entry's pattern (+x, -x or 0 per position; NUMERICS.md N7.2). A stored pattern's
     * first non-zero weight is +1 ({@link TritsToIndex#storedPattern}), so the sum is the first activation or
     * zero, then two adds or subtracts of the others or zero: each a carry chain with a LUT per bit.
     */
    private static List<SInt> entryValues(TlmmConfig config, Bits staging, UInt entry) {
        List<Bool> plus = new ArrayList<>();
        List<Bool> minus = new ArrayList<>();
        for (int j = 0; j < 3; j++) {
            Bool p = wire("pattern_plus" + j, bool());
            Bool m = wire("pattern_minus" + j, bool());
            p.set(false);
            m.set(false);
            plus.add(p);
            minus.add(m);
        }
        var patterns = switchOn(entry);
        for (int e = 0; e < TlmmConfig.STORED_ENTRIES; e++) {
            int index = TritsToIndex.storedPattern(e);
            if (TlmmIndex.weight(index, 0) < 0) {
                throw new IllegalStateException("stored pattern " + index + " negates its first activation");
            }
            patterns.is(e, () -> {
                for (int j = 0; j < 3; j++) {
                    int w = TlmmIndex.weight(index, j);
                    if (w > 0) {
                        plus.get(j).set(true);
                    } else if (w < 0) {
                        minus.get(j).set(true);
                    }
                }
            });
        }
        List<Bool> used = new ArrayList<>();
        for (int j = 0; j < 3; j++) {
            used.add(plus.get(j).or(minus.get(j)).named("pattern_uses" + j));
        }
        List<SInt> values = new ArrayList<>();
        for (int t = 0; t < config.tables(); t++) {
            List<SInt> terms = new ArrayList<>();
            for (int j = 0; j < 3; j++) {
                int byteIndex = 3 * t + j;
                SInt x = staging.slice(8 * byteIndex + 7, 8 * byteIndex).asSInt();
                terms.add(mux(used.get(j), x, S(0, 8)));
            }
            SInt firstTwo = AddSubTree.addOrSubtract(terms.get(0), terms.get(1), minus.get(1), "table" + t + "_pair");
            SInt sum = AddSubTree.addOrSubtract(firstTwo, terms.get(2), minus.get(2), "table" + t + "_sum");
            values.add(sum.resize(TlmmConfig.ENTRY_BITS).named("table" + t + "_entry"));
        }
        return values;
    }
}
