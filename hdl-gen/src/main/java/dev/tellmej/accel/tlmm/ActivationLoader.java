package dev.tellmej.accel.tlmm;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.HwEnum;
import dev.tellmej.hdl.Mem;
import dev.tellmej.hdl.RamStyle;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.lib.Stream;

/**
 * Stores a chunk of up to {@link TlmmConfig#maxTokens()} tokens from the activation stream (per token
 * {@code blocks x 3T / A} beats, one memory slot per token), then holds it until the table builder has used it
 * for every tile ({@link #chunkReleased}), and loads the next chunk.
 */
final class ActivationLoader extends Area {
    /** The chunk memory's life cycle. */
    enum ChunkState { EMPTY, LOADING, FULL }

    /** The chunk memory: token slots of {@link TlmmConfig#activationSlotWords()} beats. */
    final Mem<Bits> memory;
    /** Tokens of the chunk in memory. */
    final UInt chunkTokens;
    /** Tokens of the earlier chunks and of this one. */
    final UInt tokensLoaded;
    /** The chunk is in memory and being used. */
    final Bool full;
    /** Event, raised by the table builder when it is done with the chunk. */
    final Bool chunkReleased;

    ActivationLoader(TlmmConfig config, CommandSlot command, Stream<Bits> activations) {
        super("activation_loader", "stores a chunk of tokens from the activation stream, one slot per token, and"
                + " holds it until the table builder has used it for every tile");
        int addressBits = config.activationAddressBits();
        memory = mem("act_memory", bits(8 * config.activationBytes()), config.activationDepth()).style(RamStyle.BLOCK);
        tokensLoaded = reg("act_tokens_loaded", uint(16), 0);
        chunkTokens = reg("act_chunk_tokens", uint(16), 0);
        HwEnum<ChunkState> state = reg("act_state", enumOf(ChunkState.class), ChunkState.EMPTY);
        UInt slot = reg("act_slot", uint(16), 0);
        UInt beat = reg("act_beat", uint(32), 0);
        UInt slotBase = reg("act_slot_base", uint(addressBits), 0);
        full = state.is(ChunkState.FULL).named("act_full");
        chunkReleased = wire("chunk_released", bool());

        // A token's last beat, blocks x beats a block - 1, registered (for timing: the product and the compare
        // with the beat count were one path). The command's fields are fixed a cycle before its first beat can
        // come (a chunk starts only while it runs), so the register is never stale when it is used.
        UInt lastBeat = regNext("act_last_beat", command.cmd.blocks().timesConstant(config.beatsPerBlock(), 32).sub(1));
        UInt remainingTokens = command.cmd.tokens().sub(tokensLoaded).named("remaining_tokens");
        UInt nextChunkTokens = mux(remainingTokens.gt(config.maxTokens()), U(config.maxTokens(), 16), remainingTokens)
                .named("next_chunk_tokens");
        // Whether tokens remain to be loaded, a flag set with the count it describes (for timing: the subtraction
        // and its zero test lay between the command's tokens and the beat count's reset).
        Bool tokensRemain = reg("act_tokens_remain", bool(), 0);
        assertAlways(command.active.not().or(tokensRemain.eq(remainingTokens.ne(0))),
                "ActivationLoader: the tokens-remain flag follows the tokens loaded");
        Bool startChunk = command.active.and(state.is(ChunkState.EMPTY)).and(tokensRemain).named("start_chunk");
        activations.ready.set(state.is(ChunkState.LOADING));
        Bool take = activations.fire().named("act_take");
        assertAlways(take.not().or(regNext("act_command_held", command.active, 0)),
                "ActivationLoader: a beat is taken only once its command has run for a cycle");
        UInt address = slotBase.add(beat.resize(addressBits)).named("act_address");
        when(take, () -> memory.write(address, activations.payload));
        // Whether the beat to come is the token's last, a flag kept beside the count (for timing: the count's
        // compare lay between the activation stream's valid and the count's reset). At a chunk's start the
        // registered last beat may still be the last command's, so the flag comes from the command's blocks.
        Bool atLastBeat = reg("act_at_last_beat", bool(), 0);
        assertAlways(state.is(ChunkState.LOADING).not().or(atLastBeat.eq(beat.eq(lastBeat))),
                "ActivationLoader: the last-beat flag follows the beat count");
        Bool firstIsLast = config.beatsPerBlock() == 1 ? command.cmd.blocks().eq(1) : FALSE;
        Bool tokenLoaded = take.and(atLastBeat).named("token_loaded");
        when(startChunk, () -> atLastBeat.set(firstIsLast))
                .elseWhen(tokenLoaded, () -> atLastBeat.set(lastBeat.eq(0)))
                .elseWhen(take, () -> atLastBeat.set(beat.add(1).eq(lastBeat)));
        when(startChunk, () -> {
            state.set(ChunkState.LOADING);
            chunkTokens.set(nextChunkTokens);
            slot.set(0);
            beat.set(0);
            slotBase.set(0);
        }).elseWhen(tokenLoaded, () -> {
            beat.set(0);
            slot.set(slot.add(1));
            slotBase.set(slotBase.add(config.activationSlotWords()));
            when(slot.add(1).eq(chunkTokens), () -> {
                state.set(ChunkState.FULL);
                tokensLoaded.set(tokensLoaded.add(chunkTokens));
                tokensRemain.set(remainingTokens.ne(chunkTokens));
            });
        }).elseWhen(take, () -> beat.set(beat.add(1)));
        when(chunkReleased, () -> state.set(ChunkState.EMPTY));
        when(command.accepted, () -> {
            tokensLoaded.set(0);
            tokensRemain.set(command.offered.tokens().ne(0));
        });
    }
}
