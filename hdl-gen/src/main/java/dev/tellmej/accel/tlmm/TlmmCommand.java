package dev.tellmej.accel.tlmm;

import dev.tellmej.hdl.Data;
import dev.tellmej.hdl.Hdl;
import java.lang.reflect.RecordComponent;
import java.math.BigInteger;
import java.util.List;

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
        long regionStride, long beatsFull, long beatsLast, long wordsFull, long wordsLast) {

    /**
     * The command as the engine's command-port payload: the fields in this record's order, the first least
     * significant, each at its port width ({@link TlmmEngine#commandShape()}).
     *
     * @throws IllegalArgumentException naming a field that does not fit its width
     */
    public BigInteger payload() {
        long[] values = {address, blocks, lastBlockClass, tokens, tiles, tileGroups, lastTileGroups, regionStride,
            beatsFull, beatsLast, wordsFull, wordsLast};
        RecordComponent[] names = TlmmCommand.class.getRecordComponents();
        List<Data> fields = Hdl.leaves(TlmmEngine.commandShape());
        if (fields.size() != values.length) {
            throw new IllegalStateException("the command port has " + fields.size() + " fields, the record "
                    + values.length);
        }
        BigInteger payload = BigInteger.ZERO;
        int shift = 0;
        for (int i = 0; i < values.length; i++) {
            int width = fields.get(i).width();
            if (values[i] < 0 || width < 63 && values[i] >= 1L << width) {
                throw new IllegalArgumentException("command field " + names[i].getName() + " = " + values[i]
                        + " does not fit its " + width + " bits");
            }
            payload = payload.or(BigInteger.valueOf(values[i]).shiftLeft(shift));
            shift += width;
        }
        return payload;
    }
}
