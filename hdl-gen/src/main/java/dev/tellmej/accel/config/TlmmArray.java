package dev.tellmej.accel.config;

/**
 * The TLMM engine's own parameters; the rest of its {@code TlmmConfig} (ports, port width, the activation
 * buffer's depth) follows from the build's memory system and model maxima.
 *
 * @param tables            T: groups of 3 activations per block (TeLLMe uses 28)
 * @param columns           Q: rows computed per cycle (TeLLMe uses 16)
 * @param activationBytes   int8 activations per beat of the activation stream (divides 3T)
 * @param bufferDepth       72-bit words per weight-buffer bank (a URAM288 is 4,096)
 * @param chunkTokens       tokens a prefill computes per pass over the weights (Mc)
 * @param maxRowGroups      row groups (Q rows each) of one tile: the depth of each lane's accumulators per token
 * @param burstBeats        beats per AXI read burst of the weight ports
 * @param outstandingBursts read bursts in flight per weight port
 * @param resultBeats       beats of Q sums the result queue holds (at least {@code TlmmConfig.minimumResultBeats}):
 *                          a deep queue lets a tile's sweep end while the epilogue still drains its results
 */
public record TlmmArray(int tables, int columns, int activationBytes, int bufferDepth, int chunkTokens,
        int maxRowGroups, int burstBeats, int outstandingBursts, int resultBeats) {}
