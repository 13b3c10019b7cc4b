package dev.tellmej.accel.tlmm;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.lib.Ahead;
import dev.tellmej.hdl.lib.Delay;

/**
 * The sweep: for each tile, each block, each token of the chunk and each row group, one read of the weight
 * buffer for all Q lanes, issued when the block's tables and weights are there (and, for a block's last step,
 * when the result queue has room). A new block starts in the cycle after the previous one's last group. It
 * releases a block's tables and a tile's weights as soon as it has issued their last read, and tells their
 * owners when those reads have left the buffer.
 */
final class Sweep extends Area {
    /** A step is issued this cycle: the buffer is read for all lanes. */
    final Bool issue;
    /** The table half the step reads. */
    final Bool tableHalf;
    /** The step's accumulator: the token slot's base plus the row group. */
    final UInt accumulator;
    /** The step is on the first block: the lanes start new sums. */
    final Bool firstBlock;
    /** The step is on the last block: the lanes' sums are complete. */
    final Bool lastBlock;
    /** Every step of the command has been issued. */
    final Bool finished;

    Sweep(TlmmConfig config, CommandSlot command, TableBuilder tables, WeightLoader weights, ResultQueue results) {
        super("sweep", "for each (tile, block, token, row group) one read of the weight buffer for all lanes, when"
                + " the block's tables and weights are there; releases them once read");
        TlmmEngine.Command cmd = command.cmd;
        int bufferAddressBits = config.bufferAddressBits();
        Bool weightHalf = reg("sweep_half", bool(), 0);            // the weight half being computed
        tableHalf = reg("table_half", bool(), 0);                  // the table half being read
        UInt tile = reg("sweep_tile", uint(16), 0);
        UInt slot = reg("sweep_slot", uint(16), 0);
        // Tokens before the chunk being swept: only the assertion below reads it (synthesis removes it).
        UInt tokens = reg("sweep_tokens", uint(16), 0);
        UInt block = reg("sweep_block", uint(16), 0);
        UInt group = reg("sweep_group", uint(16), 0);
        UInt blockBase = reg("sweep_block_base", uint(bufferAddressBits), 0);
        UInt slotBase = reg("accumulator_slot_base", uint(config.accumulatorAddressBits()), 0);
        Bool allSwept = reg("sweeps_finished", bool(), 0);
        finished = allSwept;

        // Whether the tile and the block are the command's last, and the tile's row groups, each set with the
        // count it describes (the command's counts less one, the compares and the select lay on the path into
        // the sweep's updates); assertions below hold them.
        Bool lastTile = reg("sweep_last_tile", bool(), 0);
        lastBlock = reg("sweep_last_block", bool(), 0);
        UInt groupsOfTile = reg("sweep_groups_of_tile", uint(16), 0);
        // The last group's and the last slot's index, each set with the count it follows (for timing: the
        // increments before the compares lay on the path through the step into the counters' updates).
        UInt lastGroupIndex = reg("sweep_last_group_index", uint(16), 0xFFFF);
        CommandSlot.Derived<UInt> tileGroupsLess1 = command.derived("sweep_tile_groups_less_one",
                c -> c.tileGroups().sub(1));
        CommandSlot.Derived<UInt> lastTileGroupsLess1 = command.derived("sweep_last_tile_groups_less_one",
                c -> c.lastTileGroups().sub(1));
        UInt lastSlotIndex = reg("sweep_last_slot_index", uint(16), 0xFFFF);
        // Their first values come from the command offered, registered a cycle ahead of its take (a command is
        // taken only after it has been offered unchanged for a cycle; for timing: the compares, the select and the
        // subtraction lay on the path from the client's command into these registers).
        TlmmEngine.Command offered = command.offered;
        Bool offeredOneTile = offered.tiles().eq(1);
        Bool firstLastTile = Ahead.of("sweep_first_tile_last", offeredOneTile, command.accepted, "TLMM sweep");
        Bool firstLastBlock = Ahead.of("sweep_first_block_last", offered.blocks().eq(1), command.accepted,
                "TLMM sweep");
        UInt firstGroups = Ahead.of("sweep_first_groups", offered.groupsOfTile(offeredOneTile), command.accepted,
                "TLMM sweep");
        UInt firstLastGroup = Ahead.of("sweep_first_last_group_index", offered.groupsOfTile(offeredOneTile).sub(1),
                command.accepted, "TLMM sweep");
        when(command.accepted, () -> {
            lastTile.set(firstLastTile);
            lastBlock.set(firstLastBlock);
            groupsOfTile.set(firstGroups);
            lastGroupIndex.set(firstLastGroup);
        });
        // The chunk's size, whether it is the command's last, and the tokens beyond it, each set with the chunk
        // it describes (the subtraction from the command's tokens, the clamp and the compare lay on the path into
        // the sweep's updates): from the command's tokens when it is taken, from the tokens beyond at a chunk's
        // end. Only the last chunk can be short, so the tokens beyond fall by the full chunk.
        int maxTokens = config.maxTokens();
        UInt chunkTokens = reg("sweep_chunk_tokens", uint(16), 0);
        Bool lastChunk = reg("sweep_last_chunk", bool(), 0);
        UInt beyond = reg("sweep_tokens_beyond", uint(16), 0);
        UInt offeredTokens = offered.tokens();
        UInt firstChunkTokens = Ahead.of("sweep_first_chunk_tokens", clampToChunk(offeredTokens, maxTokens),
                command.accepted, "TLMM sweep");
        UInt firstLastSlot = Ahead.of("sweep_first_last_slot_index", clampToChunk(offeredTokens, maxTokens).sub(1),
                command.accepted, "TLMM sweep");
        Bool firstChunkLast = Ahead.of("sweep_first_chunk_last", offeredTokens.le(maxTokens), command.accepted,
                "TLMM sweep");
        UInt firstBeyond = Ahead.of("sweep_first_tokens_beyond", offeredTokens.sub(maxTokens), command.accepted,
                "TLMM sweep");
        when(command.accepted, () -> {
            chunkTokens.set(firstChunkTokens);
            lastSlotIndex.set(firstLastSlot);
            lastChunk.set(firstChunkLast);
            beyond.set(firstBeyond);
        });
        UInt remaining = cmd.tokens().sub(tokens).named("sweep_tokens_left");
        assertAlways(command.active.and(allSwept.not()).not()
                        .or(chunkTokens.eq(clampToChunk(remaining, maxTokens))
                                .and(lastChunk.eq(remaining.le(maxTokens)))),
                "TLMM sweep: the chunk's size and last flag follow the tokens swept");
        assertAlways(command.active.and(allSwept.not()).not().or(lastTile.eq(tile.eq(command.lastTile))
                        .and(lastBlock.eq(block.eq(command.lastBlock)))
                        .and(groupsOfTile.eq(cmd.groupsOfTile(tile.eq(command.lastTile))))),
                "TLMM sweep: the last-tile and last-block flags and the tile's groups follow the counts");
        Bool tablesThere = mux(tableHalf, tables.ready.get(1), tables.ready.get(0)).named("tables_there");
        // Whether the block's weights have arrived while the loader streams them in, a register (for timing: the
        // arrived count's compare with the block lay on the path into the sweep's updates); set below.
        Bool arrived = reg("weights_arrived", bool(), 0);
        Bool loadedHere = mux(weightHalf, weights.loaded.get(1), weights.loaded.get(0)).named("weights_loaded_here");
        Bool weightsThere = loadedHere.or(arrived).named("weights_there");
        weights.sweepHalf.set(weightHalf);
        Bool lastSlot = slot.eq(lastSlotIndex).named("sweep_last_slot");
        Bool lastGroup = group.eq(lastGroupIndex).named("sweep_last_group");
        assertAlways(lastGroupIndex.eq(groupsOfTile.sub(1)).and(lastSlotIndex.eq(chunkTokens.sub(1))),
                "TLMM sweep: the last group's and slot's indices follow the counts");
        issue = command.active.and(allSwept.not()).and(tablesThere).and(weightsThere)
                .and(lastBlock.not().or(results.room)).named("issue");
        results.issued.set(issue.and(lastBlock));
        weights.buffer.readEnable.set(issue);
        weights.buffer.readAddress.set(cat(weightHalf, U(0, bufferAddressBits - 1)).asUInt()
                .add(blockBase.add(group.resize(bufferAddressBits))));
        accumulator = slotBase.add(group.resize(config.accumulatorAddressBits())).named("step_accumulator");
        firstBlock = block.eq(0).named("sweep_first_block");

        Bool blockSwept = issue.and(lastGroup).named("block_swept");
        Bool tileSwept = blockSwept.and(lastSlot).and(lastBlock).named("tile_swept");
        // The arrived flag looks a cycle ahead: in a cycle that moves on to the next block it compares the count
        // with that block, and when the block wraps to a new tile (another weight half) it is false for a cycle
        // (the loaded flags serve there). The count only grows while a load runs, a completed load's half is
        // loaded, and a load starts into the sweep's half only once it is released, so the flag is never early (an
        // assertion), at most a cycle late.
        Bool arrivingHere = weights.arriving.and(weights.half.eq(weightHalf)).named("weights_arriving_here");
        UInt arrivedBlocks = weights.blocksArrived.zext(17);
        Bool arrivedNow = arrivingHere.and(arrivedBlocks.gt(block.zext(17))).named("weights_arrived_now");
        Bool arrivedNext = arrivingHere.and(lastBlock.not()).and(arrivedBlocks.gt(block.zext(17).add(1)));
        arrived.set(mux(blockSwept.and(lastSlot), arrivedNext, arrivedNow));
        assertAlways(arrived.not().or(arrivedNow).or(loadedHere), "TLMM sweep: the weights-arrived flag is never"
                + " early");
        when(issue, () -> group.set(group.add(1)));
        when(blockSwept, () -> {
            group.set(0);
            tableHalf.set(tableHalf.not());
            when(lastSlot, () -> {
                slot.set(0);
                slotBase.set(0);
                when(lastBlock, () -> {
                    block.set(0);
                    lastBlock.set(cmd.blocks().eq(1));
                    blockBase.set(0);
                    weightHalf.set(weightHalf.not());
                    when(lastTile, () -> {
                        tile.set(0);
                        lastTile.set(cmd.tiles().eq(1));
                        groupsOfTile.set(cmd.groupsOfTile(cmd.tiles().eq(1)));
                        lastGroupIndex.set(mux(cmd.tiles().eq(1), lastTileGroupsLess1.running(),
                                tileGroupsLess1.running()));
                        tokens.set(tokens.add(chunkTokens));
                        when(lastChunk, () -> allSwept.set(true)).otherwise(() -> {
                            chunkTokens.set(clampToChunk(beyond, maxTokens));
                            lastSlotIndex.set(clampToChunk(beyond, maxTokens).sub(1));
                            lastChunk.set(beyond.le(maxTokens));
                            beyond.set(beyond.sub(maxTokens));
                        });
                    }).otherwise(() -> {
                        tile.set(tile.add(1));
                        Bool nextLast = tile.add(2).eq(cmd.tiles());
                        lastTile.set(nextLast);
                        groupsOfTile.set(cmd.groupsOfTile(nextLast));
                        lastGroupIndex.set(mux(nextLast, lastTileGroupsLess1.running(), tileGroupsLess1.running()));
                    });
                }).otherwise(() -> {
                    block.set(block.add(1));
                    lastBlock.set(block.add(2).eq(cmd.blocks()));
                    blockBase.set(blockBase.add(groupsOfTile.resize(bufferAddressBits)));
                });
            }).otherwise(() -> {
                slot.set(slot.add(1));
                slotBase.set(slotBase.add(config.maxGroups()));
            });
        });
        when(command.finished, () -> {
            allSwept.set(false);
            tokens.set(0);
        });

        // The owners may overwrite a swept block's tables (a swept tile's weights) once the reads in flight
        // have passed them: the buffer's read latency plus the lanes' table read.
        int passed = WeightBuffer.READ_LATENCY + 1;
        Bool tablesPassed = Delay.valid("table_release", blockSwept, passed);
        Bool passedTableHalf = Delay.of("table_release_half", tableHalf, passed);
        Bool weightsPassed = Delay.valid("weights_release", tileSwept, passed);
        Bool passedWeightHalf = Delay.of("weights_release_half", weightHalf, passed);
        tables.halfSwept.get(0).set(blockSwept.and(tableHalf.not()));
        tables.halfSwept.get(1).set(blockSwept.and(tableHalf));
        tables.halfReleased.get(0).set(tablesPassed.and(passedTableHalf.not()));
        tables.halfReleased.get(1).set(tablesPassed.and(passedTableHalf));
        // The tile's "swept" event reaches the loader a cycle late (for timing: the issue's decision lay on the
        // path into the loaded flags' clear). The sweep reads a half's loaded flag again only after sweeping the
        // other half's tile, a cycle at the least, and the loader refills the half only after its release.
        Bool weightsSwept = Delay.valid("weights_swept", tileSwept, 1);
        Bool sweptWeightHalf = Delay.of("weights_swept_half", weightHalf, 1);
        assertAlways(weightsSwept.not().or(sweptWeightHalf.ne(weightHalf)),
                "TLMM sweep: a tile's late swept event comes while the sweep is on the other half");
        weights.halfSwept.get(0).set(weightsSwept.and(sweptWeightHalf.not()));
        weights.halfSwept.get(1).set(weightsSwept.and(sweptWeightHalf));
        weights.halfReleased.get(0).set(weightsPassed.and(passedWeightHalf.not()));
        weights.halfReleased.get(1).set(weightsPassed.and(passedWeightHalf));
    }

    /** {@code tokens}, at most a chunk of {@code maxTokens}. */
    private static UInt clampToChunk(UInt tokens, int maxTokens) {
        return mux(tokens.gt(maxTokens), U(maxTokens, 16), tokens);
    }
}
