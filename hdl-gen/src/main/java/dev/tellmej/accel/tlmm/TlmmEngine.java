package dev.tellmej.accel.tlmm;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Mem;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.RamStyle;
import dev.tellmej.hdl.SInt;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.Vec;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.Stream;
import dev.tellmej.hdl.lib.SyncFifo;
import dev.tellmej.hdl.lib.axi.Axi4;
import dev.tellmej.hdl.lib.axi.Axi4Config;
import dev.tellmej.model.ternary.TlmmIndex;
import java.util.ArrayList;
import java.util.List;

/**
 * The table-lookup ternary matrix engine (docs/tlmm.md): int8 activations in, int32 accumulators out,
 * ternary weights streamed from DDR over {@link TlmmConfig#ports()} AXI4 read ports.
 *
 * <p>A {@link #command} (the fields of {@link TlmmCommand}, computed by {@link TlmmLayout}) multiplies one
 * matrix by {@code tokens} activation vectors. Four processes overlap:
 * <ul>
 *   <li>the <b>activation loader</b> stores up to {@link TlmmConfig#maxTokens()} tokens (a chunk) from
 *       {@link #activations}: per token {@code blocks x 3T / A} beats of A bytes, the bytes past the matrix's
 *       inputs don't-care (their weights are zero);
 *   <li>the <b>weight loader</b> streams each tile of the matrix into one half of the {@link WeightBuffer}
 *       while the other half is computed (once per chunk);
 *   <li>the <b>table builder</b> writes, for each (token, block), the 27 entries of the T tables into every
 *       lane's table half, one entry per cycle, a block ahead of the sweep;
 *   <li>the <b>sweep</b> reads one (block, row group) of index words per cycle for all Q lanes; a lane adds
 *       its T table lookups to the row group's accumulator, and on the last block the sums leave.
 * </ul>
 * Compute on a tile starts as soon as its first block has arrived, so a matrix takes about
 * max(DDR time, compute time), not their sum.
 *
 * <p>The table builder and the sweep go through a tile block by block, and within a block token by token,
 * so every token of a chunk works on a block as soon as it has arrived. {@link #results} carries Q sums per
 * beat: for each chunk of tokens, for each tile, for each token of the chunk, for each row group g of the
 * tile, rows {@code (tile start + g) Q + 0 .. Q - 1} (rows past the
 * matrix are 0). {@link #done} pulses when the last beat of a command has been taken.
 */
public final class TlmmEngine extends Module {
    /** The command port's fields; see {@link TlmmCommand}. */
    public record Command(UInt address, UInt blocks, UInt lastClass, UInt tokens, UInt tiles, UInt tileGroups,
            UInt lastTileGroups, UInt regionStride, UInt beatsFull, UInt beatsLast, UInt wordsFull, UInt wordsLast) {}

    public final Stream<Command> command;
    public final Bool done;
    public final Bool busy;
    public final Stream<Bits> activations;
    public final Stream<Vec<SInt>> results;
    public final List<Axi4> weightPorts = new ArrayList<>();
    private final TlmmConfig config;
    // State shared by the processes below (set up in the constructor, in order).
    private int tables;
    private int lanes;
    private int beatsPerBlock;
    private int slotStride;
    private int actDepth;
    private int actAddressBits;
    private int bufferAddressBits;
    private int fifoDepth;
    private int accumulatorBits;
    private Bool active;
    private Command cmd;
    private Bool accepted;
    private UInt lastTile;
    private UInt lastBlock;
    private Mem<Bits> actMemory;
    private UInt actTokensLoaded;
    private UInt actChunkTokens;
    private Bool actFull;
    private Bool chunkReleased;
    private WeightBuffer buffer;
    private Bool loadRunning;
    private Bool loadHalf;
    private UInt loadTokens;
    private UInt loadTileBase;
    private Bool loadsFinished;
    private Vec<Bool> halfBusy;
    private Vec<Bool> halfLoaded;
    private UInt blocksArrived;
    private Vec<Bool> tableReady;
    private Vec<Bool> tableHeld;
    private Bool buildHalf;
    private UInt entry;
    private List<SInt> values;
    private Bool buildsFinished;
    private Bool building;
    private Bool sweepHalf;
    private Bool tableHalf;
    private UInt sweepBlock;
    private UInt sweepGroup;
    private UInt slotBase;
    private Bool sweepLastBlock;
    private UInt sweepTokens;
    private Bool sweepsFinished;
    private UInt owed;
    private Bool issue;

    /** The command template. */
    public static Command commandShape() {
        return new Command(uint(64), uint(16), uint(2), uint(16), uint(16), uint(16), uint(16), uint(32), uint(32),
                uint(32), uint(32), uint(32));
    }

    public TlmmEngine(TlmmConfig config) {
        this.config = config;
        baseName("TlmmEngine_" + config.name().replace('-', '_'));
        tables = config.tables();
        lanes = config.columns();
        beatsPerBlock = config.blockInputs() / config.activationBytes();
        slotStride = config.maxBlocks() * beatsPerBlock;
        actDepth = config.maxTokens() * slotStride;
        actAddressBits = log2Up(actDepth);
        bufferAddressBits = log2Up(config.bufferDepth());

        command = in("command", Stream.of(commandShape()));
        done = out("done", bool());
        busy = out("busy", bool());
        activations = in("activations", Stream.of(bits(8 * config.activationBytes())));
        results = out("results", Stream.of(vec(lanes, sint(TlmmConfig.ACCUMULATOR_BITS))));
        for (int p = 0; p < config.ports(); p++) {
            weightPorts.add(out("m_axi_w" + p, Axi4.master(Axi4Config.of(config.portDataBits()))));
        }

        commandRegister();
        activationLoader();
        weightLoader();
        tableBuilder();
        sweep();
        lanesAndResults();
        completion();
    }

    /** The command register: one command at a time; {@link #busy} while it runs. */
    private void commandRegister() {
        active = reg("active", bool(), 0);
        cmd = reg("cmd", commandShape());
        command.ready.set(active.not());
        accepted = command.fire().named("accepted");
        when(accepted, () -> {
            active.set(true);
            assign(cmd, command.payload);
        });
        busy.set(active);
        lastTile = cmd.tiles().sub(1).named("last_tile");
        lastBlock = cmd.blocks().sub(1).named("last_block");
    }

    /** Stores a chunk of tokens from {@link #activations} once the table builder is done with the last one. */
    private void activationLoader() {
        actMemory = mem("act_memory", bits(8 * config.activationBytes()), actDepth).style(RamStyle.BLOCK);
        actTokensLoaded = reg("act_tokens_loaded", uint(16), 0);   // tokens of earlier chunks and this one
        actChunkTokens = reg("act_chunk_tokens", uint(16), 0);     // tokens of the chunk in memory
        Bool actLoading = reg("act_loading", bool(), 0);
        actFull = reg("act_full", bool(), 0);                      // the chunk is in memory, being used
        UInt actSlot = reg("act_slot", uint(16), 0);
        UInt actBeat = reg("act_beat", uint(32), 0);
        UInt actSlotBase = reg("act_slot_base", uint(actAddressBits), 0);
        UInt beatsPerToken = cmd.blocks().zext(32).mul(U(beatsPerBlock)).trunc(32).named("beats_per_token");
        UInt remainingTokens = cmd.tokens().sub(actTokensLoaded).named("remaining_tokens");
        UInt nextChunkTokens = mux(remainingTokens.gt(config.maxTokens()), U(config.maxTokens(), 16), remainingTokens)
                .named("next_chunk_tokens");
        chunkReleased = wire("chunk_released", bool());            // the builder is done with the chunk
        Bool startChunk = active.and(actLoading.not()).and(actFull.not()).and(remainingTokens.ne(0)).named("start_chunk");
        activations.ready.set(actLoading);
        Bool actTake = activations.fire().named("act_take");
        UInt actAddress = actSlotBase.add(actBeat.resize(actAddressBits)).named("act_address");
        when(actTake, () -> actMemory.write(actAddress, activations.payload));
        Bool tokenLoaded = actTake.and(actBeat.eq(beatsPerToken.sub(1))).named("token_loaded");
        when(startChunk, () -> {
            actLoading.set(true);
            actChunkTokens.set(nextChunkTokens);
            actSlot.set(0);
            actBeat.set(0);
            actSlotBase.set(0);
        }).elseWhen(tokenLoaded, () -> {
            actBeat.set(0);
            actSlot.set(actSlot.add(1));
            actSlotBase.set(actSlotBase.add(slotStride));
            when(actSlot.add(1).eq(actChunkTokens), () -> {
                actLoading.set(false);
                actFull.set(true);
                actTokensLoaded.set(actTokensLoaded.add(actChunkTokens));
            });
        }).elseWhen(actTake, () -> actBeat.set(actBeat.add(1)));
        when(chunkReleased, () -> actFull.set(false));
        when(accepted, () -> actTokensLoaded.set(0));
    }

    /** Starts every port on each tile in turn, into a free buffer half; tracks how much of the tile has arrived. */
    private void weightLoader() {
        List<WeightPort> ports = new ArrayList<>();
        for (int p = 0; p < config.ports(); p++) {
            WeightPort port = instance("weights" + p, new WeightPort(config));
            forward(weightPorts.get(p), port.axi);
            ports.add(port);
        }
        buffer = instance("buffer", new WeightBuffer(config));
        for (int p = 0; p < config.ports(); p++) {
            assign(buffer.writes.get(p), ports.get(p).write);
        }
        loadRunning = reg("load_running", bool(), 0);
        loadHalf = reg("load_half", bool(), 0);                    // the half the next or current load fills
        UInt loadTile = reg("load_tile", uint(16), 0);
        loadTokens = reg("load_tokens", uint(16), 0);              // tokens before the chunk being loaded
        loadTileBase = reg("load_tile_base", uint(64), 0);
        loadsFinished = reg("loads_finished", bool(), 0);
        halfBusy = reg("half_busy", vec(2, bool()), 0);       // a tile occupies the half
        halfLoaded = reg("half_loaded", vec(2, bool()), 0);   // ... and has fully arrived
        Vec<Bool> portFinished = reg("port_finished", vec(config.ports(), bool()), 0);
        Bool loadLastTile = loadTile.eq(lastTile).named("load_last_tile");
        Bool freeHalf = mux(loadHalf, halfBusy.get(1), halfBusy.get(0)).not().named("free_half");
        Bool startLoad = active.and(loadRunning.not()).and(loadsFinished.not()).and(freeHalf).named("start_load");
        UInt strideTimesPorts = cmd.regionStride().zext(64).mul(U(config.ports())).trunc(64).named("tile_stride");
        for (int p = 0; p < config.ports(); p++) {
            WeightPort port = ports.get(p);
            int index = p;
            port.start.valid.set(startLoad);
            port.start.payload.address().set(loadTileBase.add(cmd.regionStride().zext(64).mul(U(index, 8)).trunc(64)));
            port.start.payload.beats().set(mux(loadLastTile, cmd.beatsLast(), cmd.beatsFull()));
            port.start.payload.words().set(mux(loadLastTile, cmd.wordsLast(), cmd.wordsFull()));
            port.start.payload.groups().set(mux(loadLastTile, cmd.lastTileGroups(), cmd.tileGroups()));
            port.start.payload.blocks().set(cmd.blocks());
            port.start.payload.lastClass().set(cmd.lastClass());
            port.start.payload.half().set(loadHalf);
            when(port.done, () -> portFinished.get(index).set(true));
        }
        Bool allPortsFinished = TRUE;
        for (int p = 0; p < config.ports(); p++) {
            allPortsFinished = allPortsFinished.and(portFinished.get(p).or(ports.get(p).done));
        }
        Bool loadComplete = loadRunning.and(allPortsFinished).named("load_complete");
        blocksArrived = ports.getFirst().blocksDone;
        for (int p = 1; p < config.ports(); p++) {
            UInt other = ports.get(p).blocksDone;
            blocksArrived = mux(other.lt(blocksArrived), other, blocksArrived);
        }
        blocksArrived = blocksArrived.named("blocks_arrived");
        when(startLoad, () -> {
            loadRunning.set(true);
            halfBusy.get(0).set(mux(loadHalf, halfBusy.get(0), TRUE));
            halfBusy.get(1).set(mux(loadHalf, TRUE, halfBusy.get(1)));
        });
        when(loadComplete, () -> {
            loadRunning.set(false);
            for (int p = 0; p < config.ports(); p++) {
                portFinished.get(p).set(false);
            }
            when(loadHalf, () -> halfLoaded.get(1).set(true)).otherwise(() -> halfLoaded.get(0).set(true));
            loadHalf.set(loadHalf.not());
            when(loadLastTile, () -> {
                loadTile.set(0);
                loadTileBase.set(cmd.address());
                UInt tokensAfter = loadTokens.add(mux(cmd.tokens().sub(loadTokens).gt(config.maxTokens()),
                        U(config.maxTokens(), 16), cmd.tokens().sub(loadTokens)));
                loadTokens.set(tokensAfter);
                when(tokensAfter.eq(cmd.tokens()), () -> loadsFinished.set(true));
            }).otherwise(() -> {
                loadTile.set(loadTile.add(1));
                loadTileBase.set(loadTileBase.add(strideTimesPorts));
            });
        });
    }

    /** For each (tile, block, token): stages 3T activations, then writes the 27 entries of the T tables, one per cycle, into every lane's free table half. */
    private void tableBuilder() {
        Bits staging = reg("staging", bits(8 * config.blockInputs()));
        tableReady = reg("table_ready", vec(2, bool()), 0);   // the half holds tables not yet swept
        tableHeld = reg("table_held", vec(2, bool()), 0);     // swept, but reads may be in flight
        buildHalf = reg("build_half", bool(), 0);
        building = reg("building", bool(), 0);
        Bool stagingActive = reg("staging_active", bool(), 0);
        UInt stageBeat = reg("stage_beat", uint(Math.max(1, bitsFor(beatsPerBlock))), 0);
        entry = reg("entry", uint(TlmmConfig.INDEX_BITS), 0);
        UInt buildBlock = reg("build_block", uint(16), 0);
        UInt buildSlot = reg("build_slot", uint(16), 0);
        UInt buildTile = reg("build_tile", uint(16), 0);
        UInt buildSlotBase = reg("build_slot_base", uint(actAddressBits), 0);
        UInt buildBlockBase = reg("build_block_base", uint(actAddressBits), 0);
        buildsFinished = reg("builds_finished", bool(), 0);
        Bool tableFree = mux(buildHalf, tableReady.get(1).or(tableHeld.get(1)), tableReady.get(0).or(tableHeld.get(0)))
                .not().named("table_free");
        Bool startBuild = active.and(actFull).and(building.not()).and(stagingActive.not()).and(tableFree)
                .and(buildsFinished.not()).named("start_build");
        UInt readAddress = buildSlotBase.add(buildBlockBase).add(stageBeat.resize(actAddressBits)).named("stage_address");
        Bool stageRead = stagingActive.and(stageBeat.lt(beatsPerBlock)).named("stage_read");
        Bits stagedWord = actMemory.readSync("act_word", readAddress, stageRead, 1);
        Bool stagedValid = regNext("act_word_valid", stageRead, 0);
        when(stagedValid, () -> {
            if (beatsPerBlock == 1) {
                staging.set(stagedWord);
            } else {
                staging.set(cat(stagedWord, staging.slice(8 * config.blockInputs() - 1, 8 * config.activationBytes())));
            }
        });
        when(startBuild, () -> {
            stagingActive.set(true);
            stageBeat.set(0);
        }).elseWhen(stageRead, () -> stageBeat.set(stageBeat.add(1)));
        Bool stagedAll = stagingActive.and(stageBeat.eq(beatsPerBlock)).and(stagedValid.not()).named("staged_all");
        when(stagedAll, () -> {
            stagingActive.set(false);
            building.set(true);
            entry.set(0);
        });
        // The entry's pattern (NUMERICS.md N7.2) for all tables: +x, -x or 0 per position.
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
        for (int e = 0; e < TlmmConfig.TABLE_ENTRIES; e++) {
            int index = e;
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
        values = new ArrayList<>();
        for (int t = 0; t < tables; t++) {
            SInt sum = S(0, TlmmConfig.ENTRY_BITS);
            for (int j = 0; j < 3; j++) {
                int byteIndex = 3 * t + j;
                SInt x = staging.slice(8 * byteIndex + 7, 8 * byteIndex).asSInt().sext(TlmmConfig.ENTRY_BITS);
                SInt term = mux(plus.get(j), x, mux(minus.get(j), x.neg(), S(0, TlmmConfig.ENTRY_BITS)));
                sum = sum.add(term);
            }
            values.add(sum.named("table" + t + "_entry"));
        }
        Bool lastEntry = entry.eq(TlmmConfig.TABLE_ENTRIES - 1);
        Bool buildDone = building.and(lastEntry).named("build_done");
        when(building, () -> entry.set(entry.add(1)));
        Bool buildLastBlock = buildBlock.eq(lastBlock);
        Bool buildLastSlot = buildSlot.add(1).eq(actChunkTokens);
        Bool buildLastTile = buildTile.eq(lastTile);
        chunkReleased.set(buildDone.and(buildLastBlock).and(buildLastSlot).and(buildLastTile));
        // Order: for each tile, for each block, for each token of the chunk (the sweep's order).
        when(buildDone, () -> {
            building.set(false);
            when(buildHalf, () -> tableReady.get(1).set(true)).otherwise(() -> tableReady.get(0).set(true));
            buildHalf.set(buildHalf.not());
            when(buildLastSlot, () -> {
                buildSlot.set(0);
                buildSlotBase.set(0);
                when(buildLastBlock, () -> {
                    buildBlock.set(0);
                    buildBlockBase.set(0);
                    when(buildLastTile, () -> {
                        buildTile.set(0);
                        when(actTokensLoaded.eq(cmd.tokens()), () -> buildsFinished.set(true));
                    }).otherwise(() -> buildTile.set(buildTile.add(1)));
                }).otherwise(() -> {
                    buildBlock.set(buildBlock.add(1));
                    buildBlockBase.set(buildBlockBase.add(beatsPerBlock));
                });
            }).otherwise(() -> {
                buildSlot.set(buildSlot.add(1));
                buildSlotBase.set(buildSlotBase.add(slotStride));
            });
        });
    }

    /** For each (tile, block, token, row group): one buffer read for all lanes when the tables and the block's weights are there; releases tables and weights once swept. */
    private void sweep() {
        // Order: for each tile, for each block, for each token of the chunk, for each row group; a new block
        // starts in the cycle after the last group of the previous one when its tables and weights are there.
        sweepHalf = reg("sweep_half", bool(), 0);                  // the weight half being computed
        tableHalf = reg("table_half", bool(), 0);                  // the table half being read
        UInt sweepTile = reg("sweep_tile", uint(16), 0);
        UInt sweepSlot = reg("sweep_slot", uint(16), 0);
        sweepTokens = reg("sweep_tokens", uint(16), 0);            // tokens before the chunk being swept
        sweepBlock = reg("sweep_block", uint(16), 0);
        sweepGroup = reg("sweep_group", uint(16), 0);
        UInt sweepBlockBase = reg("sweep_block_base", uint(bufferAddressBits), 0);
        accumulatorBits = log2Up(LookupLane.accumulators(config));
        slotBase = reg("accumulator_slot_base", uint(accumulatorBits), 0);
        sweepsFinished = reg("sweeps_finished", bool(), 0);
        UInt groupsOfTile = mux(sweepTile.eq(lastTile), cmd.lastTileGroups(), cmd.tileGroups()).named("groups_of_tile");
        UInt chunkTokensSwept = mux(cmd.tokens().sub(sweepTokens).gt(config.maxTokens()), U(config.maxTokens(), 16),
                cmd.tokens().sub(sweepTokens)).named("sweep_chunk_tokens");
        Bool tablesThere = mux(tableHalf, tableReady.get(1), tableReady.get(0));
        Bool weightsThere = mux(sweepHalf, halfLoaded.get(1), halfLoaded.get(0))
                .or(loadRunning.and(loadHalf.eq(sweepHalf)).and(blocksArrived.gt(sweepBlock))).named("weights_there");
        sweepLastBlock = sweepBlock.eq(lastBlock);
        Bool sweepLastSlot = sweepSlot.add(1).eq(chunkTokensSwept);
        Bool sweepLastGroup = sweepGroup.add(1).eq(groupsOfTile);
        // Room for the results still in flight (only the last block produces any).
        fifoDepth = 2 * (WeightBuffer.READ_LATENCY + LookupLane.latency(config)) + 8;
        owed = reg("owed", uint(bitsFor(fifoDepth)), 0);           // results issued, not yet taken
        Bool room = owed.lt(fifoDepth).named("room");
        issue = active.and(sweepsFinished.not()).and(tablesThere).and(weightsThere)
                .and(sweepLastBlock.not().or(room)).named("issue");
        buffer.readEnable.set(issue);
        buffer.readAddress.set(cat(sweepHalf, U(0, bufferAddressBits - 1)).asUInt()
                .add(sweepBlockBase.add(sweepGroup.resize(bufferAddressBits))));
        Bool blockSwept = issue.and(sweepLastGroup).named("block_swept");
        Bool tileSwept = blockSwept.and(sweepLastSlot).and(sweepLastBlock).named("tile_swept");
        when(issue, () -> sweepGroup.set(sweepGroup.add(1)));
        when(blockSwept, () -> {
            sweepGroup.set(0);
            tableHalf.set(tableHalf.not());
            when(sweepLastSlot, () -> {
                sweepSlot.set(0);
                slotBase.set(0);
                when(sweepLastBlock, () -> {
                    sweepBlock.set(0);
                    sweepBlockBase.set(0);
                    sweepHalf.set(sweepHalf.not());
                    when(sweepTile.eq(lastTile), () -> {
                        sweepTile.set(0);
                        UInt after = sweepTokens.add(chunkTokensSwept);
                        sweepTokens.set(after);
                        when(after.eq(cmd.tokens()), () -> sweepsFinished.set(true));
                    }).otherwise(() -> sweepTile.set(sweepTile.add(1)));
                }).otherwise(() -> {
                    sweepBlock.set(sweepBlock.add(1));
                    sweepBlockBase.set(sweepBlockBase.add(groupsOfTile.resize(bufferAddressBits)));
                });
            }).otherwise(() -> {
                sweepSlot.set(sweepSlot.add(1));
                slotBase.set(slotBase.add(config.maxGroups()));
            });
        });
        // A swept block's tables (a swept tile's weights) stop counting as ready at once, so the sweep never
        // takes them for the next block; the builder (the loader) may overwrite them only once the reads
        // in flight have passed the tables (the buffer).
        when(blockSwept, () -> when(tableHalf, () -> {
            tableReady.get(1).set(false);
            tableHeld.get(1).set(true);
        }).otherwise(() -> {
            tableReady.get(0).set(false);
            tableHeld.get(0).set(true);
        }));
        when(tileSwept, () -> when(sweepHalf, () -> halfLoaded.get(1).set(false))
                .otherwise(() -> halfLoaded.get(0).set(false)));
        Bool tableReleased = delay("table_release", blockSwept, WeightBuffer.READ_LATENCY + 1);
        Bool releasedTableHalf = delay("table_release_half", tableHalf, WeightBuffer.READ_LATENCY + 1);
        when(tableReleased, () -> when(releasedTableHalf, () -> tableHeld.get(1).set(false))
                .otherwise(() -> tableHeld.get(0).set(false)));
        Bool weightsReleased = delay("weights_release", tileSwept, WeightBuffer.READ_LATENCY + 1);
        Bool releasedWeightHalf = delay("weights_release_half", sweepHalf, WeightBuffer.READ_LATENCY + 1);
        when(weightsReleased, () -> when(releasedWeightHalf, () -> halfBusy.get(1).set(false))
                .otherwise(() -> halfBusy.get(0).set(false)));
    }

    /** The Q lookup lanes and the result FIFO; {@link #owed} counts the results issued but not yet taken. */
    private void lanesAndResults() {
        Bool stepValid = delay("step_valid", issue, WeightBuffer.READ_LATENCY);
        Bool stepHalf = delay("step_table_half", tableHalf, WeightBuffer.READ_LATENCY);
        UInt stepAccumulator = delay("step_accumulator", slotBase.add(sweepGroup.resize(accumulatorBits)),
                WeightBuffer.READ_LATENCY);
        Bool stepFirst = delay("step_first", sweepBlock.eq(0), WeightBuffer.READ_LATENCY);
        Bool stepLast = delay("step_last", sweepLastBlock, WeightBuffer.READ_LATENCY);
        List<SInt> sums = new ArrayList<>();
        Bool resultValid = FALSE;
        for (int q = 0; q < lanes; q++) {
            LookupLane lane = instance("lane" + q, new LookupLane(config));
            lane.step.valid.set(stepValid);
            lane.step.payload.indices().set(indicesOf(buffer.readWords.get(q), tables));
            lane.step.payload.tableHalf().set(stepHalf);
            lane.step.payload.accumulator().set(stepAccumulator);
            lane.step.payload.first().set(stepFirst);
            lane.step.payload.last().set(stepLast);
            lane.tableWrite.valid.set(building);
            lane.tableWrite.payload.half().set(buildHalf);
            lane.tableWrite.payload.entry().set(entry);
            for (int t = 0; t < tables; t++) {
                lane.tableWrite.payload.values().get(t).set(values.get(t));
            }
            sums.add(lane.result.payload);
            if (q == 0) {
                resultValid = lane.result.valid;
            }
        }
        SyncFifo fifo = instance("result_fifo", new SyncFifo(lanes * TlmmConfig.ACCUMULATOR_BITS, fifoDepth,
                RamStyle.DISTRIBUTED));
        fifo.push.valid.set(resultValid);
        fifo.push.payload.set(asBits(new Vec<>(sums)));
        results.valid.set(fifo.pop.valid);
        assign(results.payload, fromBits(templateOf(results.payload), fifo.pop.payload));
        fifo.pop.ready.set(results.ready);
        Bool issuedResult = issue.and(sweepLastBlock);
        Bool resultTaken = results.fire();
        when(issuedResult.and(resultTaken.not()), () -> owed.set(owed.add(1)))
                .elseWhen(resultTaken.and(issuedResult.not()), () -> owed.set(owed.sub(1)));
    }

    /** {@link #done} when every result of the command has been taken; the per-command state returns to rest. */
    private void completion() {
        Bool finished = active.and(sweepsFinished).and(owed.eq(0)).named("finished");
        done.set(finished);
        when(finished, () -> {
            active.set(false);
            loadsFinished.set(false);
            buildsFinished.set(false);
            sweepsFinished.set(false);
            sweepTokens.set(0);
            loadTokens.set(0);
            loadTileBase.set(cmd.address());
        });
        when(accepted, () -> loadTileBase.set(command.payload.address()));
    }

    /** The configuration this engine was built for. */
    public TlmmConfig config() {
        return config;
    }

    /** {@code value} delayed by {@code cycles} registers named {@code name_1 .. name_n}, reset to 0. */
    private static <T> T delay(String name, T value, int cycles) {
        T out = value;
        for (int i = 1; i <= cycles; i++) {
            out = regNext(name + "_" + i, out, 0);
        }
        return out;
    }

    /** The T indices of a lane's index word (index 14w + s in bits 72w + 5s + 4 .. 72w + 5s). */
    private static Bits indicesOf(Bits words, int tables) {
        List<Bits> parts = new ArrayList<>();
        for (int i = tables - 1; i >= 0; i--) {
            int lo = 72 * (i / TlmmConfig.INDICES_PER_BUFFER_WORD) + TlmmConfig.INDEX_BITS * (i % TlmmConfig.INDICES_PER_BUFFER_WORD);
            parts.add(words.slice(lo + TlmmConfig.INDEX_BITS - 1, lo));
        }
        return cat(parts.toArray(new Bits[0]));
    }
}
