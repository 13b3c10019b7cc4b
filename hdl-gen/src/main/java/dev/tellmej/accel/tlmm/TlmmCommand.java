package dev.tellmej.accel.tlmm;

/**
 * The values that start one matrix product on a TLMM engine (the fields of its {@code command} port). A
 * {@link TlmmLayout} computes them; the engine only counts.
 *
 * @param address         byte address of the weight image (4 KB aligned)
 * @param blocks          blocks of 3T inputs per row
 * @param lastBlockClass  size class (0..3) of the last block's index words: {@code quarterTables(class)} indices
 * @param tokens          tokens (activation vectors) to multiply
 * @param tiles           tiles of row groups
 * @param tileGroups      row groups of every tile but the last
 * @param lastTileGroups  row groups of the last tile
 * @param regionStride    bytes between the DDR regions of consecutive (tile, port) pairs
 * @param beatsFull       beats per port for a full tile
 * @param beatsLast       beats per port for the last tile
 * @param wordsFull       index words per port for a full tile (without padding)
 * @param wordsLast       index words per port for the last tile
 */
public record TlmmCommand(long address, int blocks, int lastBlockClass, int tokens, int tiles, int tileGroups, int lastTileGroups,
        long regionStride, long beatsFull, long beatsLast, long wordsFull, long wordsLast) {}
