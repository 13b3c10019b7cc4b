package dev.tellmej.accel.tlmm;

import dev.tellmej.model.ternary.TernaryMatrix;
import dev.tellmej.model.ternary.TlmmIndex;

/**
 * Packs a ternary matrix into the DDR image a TLMM engine streams (the layout of {@link TlmmLayout}) and
 * back. Shared by the tests and the host runtime.
 *
 * <p>An index word (row r, block b) holds the T indices of groups {@code bT .. bT + T - 1} of row r (N7 of
 * docs/NUMERICS.md), or in the last block {@link TlmmLayout#lastBlockTables()} of them. Its trits are the triples' weights plus one, in group order, weight 0 first; byte j
 * holds trits {@code 5j .. 5j + 4} as the base-3 number {@code sum d_k 3^k}, so {@link TlmmConfig#indexWordBytes()}
 * bytes hold a full word; trits past the word's indices are 1 (weight 0). Groups past the matrix's columns and rows past its rows
 * are zero triples (index 0).
 */
public final class WeightPacker {
    private WeightPacker() {}

    /** The DDR image of {@code matrix}. */
    public static byte[] pack(TlmmLayout layout, TernaryMatrix matrix) {
        check(layout, matrix.rows(), matrix.cols());
        TlmmConfig config = layout.config();
        long size = layout.imageBytes();
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a weight image of " + size + " bytes does not fit a Java array");
        }
        byte[] image = new byte[(int) size];
        for (int k = 0; k < layout.tiles(); k++) {
            for (int p = 0; p < config.ports(); p++) {
                long offset = layout.regionOffset(k, p);
                for (WordPosition position : positions(layout, k, p)) {
                    int tables = position.block() == layout.blocks() - 1 ? layout.lastBlockTables() : config.tables();
                    int[] indices = new int[tables];
                    for (int i = 0; i < tables; i++) {
                        int group = position.block() * config.tables() + i;
                        indices[i] = position.row() < matrix.rows() && group < matrix.groups()
                                ? matrix.index(position.row(), group) : 0;
                    }
                    encodeWord(indices, image, (int) (offset + position.byteOffset()), layout.wordBytes(position.block()));
                }
            }
        }
        return image;
    }

    /** The matrix an image holds (the inverse of {@link #pack}); the scale is not in the image. */
    public static TernaryMatrix unpack(TlmmLayout layout, byte[] image, float scale) {
        TlmmConfig config = layout.config();
        int groups = (layout.cols() + 2) / 3;
        byte[] indices = new byte[layout.rows() * groups];
        for (int k = 0; k < layout.tiles(); k++) {
            for (int p = 0; p < config.ports(); p++) {
                long offset = layout.regionOffset(k, p);
                for (WordPosition position : positions(layout, k, p)) {
                    int tables = position.block() == layout.blocks() - 1 ? layout.lastBlockTables() : config.tables();
                    int[] word = new int[tables];
                    decodeWord(image, (int) (offset + position.byteOffset()), tables, word);
                    for (int i = 0; i < tables; i++) {
                        int group = position.block() * config.tables() + i;
                        if (position.row() < layout.rows() && group < groups) {
                            indices[position.row() * groups + group] = (byte) word[i];
                        }
                    }
                }
            }
        }
        return new TernaryMatrix(layout.rows(), layout.cols(), groups, indices, scale);
    }

    /** Where an index word goes: its byte offset in the region, and the row and block it belongs to. */
    record WordPosition(long byteOffset, int row, int block) {}

    /** The index words of region (k, p) in stream order. */
    static java.util.List<WordPosition> positions(TlmmLayout layout, int k, int p) {
        TlmmConfig config = layout.config();
        java.util.List<WordPosition> out = new java.util.ArrayList<>();
        int groups = layout.groupsOfTile(k);
        int firstGroup = k * layout.tileGroups();
        long offset = 0;
        for (int b = 0; b < layout.blocks(); b++) {
            for (int g = 0; g < groups; g++) {
                for (int lane = 0; lane < config.lanesPerPort(); lane++) {
                    int row = (firstGroup + g) * config.columns() + p * config.lanesPerPort() + lane;
                    out.add(new WordPosition(offset, row, b));
                    offset += layout.wordBytes(b);
                }
            }
        }
        return out;
    }

    /** Writes T indices as trits, five per byte, at {@code offset}. */
    static void encodeWord(int[] indices, byte[] out, int offset, int wordBytes) {
        int trits = 3 * indices.length;
        for (int j = 0; j < wordBytes; j++) {
            int value = 0;
            for (int k = 4; k >= 0; k--) {
                int t = 5 * j + k;
                int digit = t < trits ? TlmmIndex.weight(indices[t / 3], t % 3) + 1 : 1;
                value = value * 3 + digit;
            }
            out[offset + j] = (byte) value;
        }
    }

    /** Reads T indices from the trits at {@code offset}. */
    static void decodeWord(byte[] in, int offset, int tables, int[] indices) {
        int[] digits = new int[3];
        for (int i = 0; i < tables; i++) {
            for (int k = 0; k < 3; k++) {
                int t = 3 * i + k;
                int value = Byte.toUnsignedInt(in[offset + t / 5]);
                for (int d = 0; d < t % 5; d++) {
                    value /= 3;
                }
                digits[k] = value % 3;
            }
            indices[i] = TlmmIndex.encode(digits[0] - 1, digits[1] - 1, digits[2] - 1);
        }
    }

    private static void check(TlmmLayout layout, int rows, int cols) {
        if (layout.rows() != rows || layout.cols() != cols) {
            throw new IllegalArgumentException("layout is for " + layout.rows() + " x " + layout.cols()
                    + " but the matrix is " + rows + " x " + cols);
        }
    }
}
