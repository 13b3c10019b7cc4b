package dev.tellmej.model.ternary;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tellmej.model.gguf.GgmlType;
import dev.tellmej.model.tensor.TensorCodecs;
import dev.tellmej.model.tensor.TernaryRows;
import dev.tellmej.model.tensor.TernaryTensor;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Ternary matrices decoded a few rows at a time from a file's encoding ({@link TensorCodecs#ternaryRows}) and
 * packed into a kernel's layout chunk by chunk: the same trits as the whole-tensor decoder, and the same packed
 * layout, indices and accumulators as the matrix re-laid whole. Shapes around the 64-row chunks and tiles.
 */
class TernaryRowsTest {
    private static final long SEED = 64;
    private static final int[] ROWS = {1, 3, 63, 64, 65, 130};

    private static TernaryTensor random(SplittableRandom r, int rows, int cols) {
        byte[] t = new byte[rows * cols];
        for (int i = 0; i < t.length; i++) {
            t[i] = (byte) (r.nextInt(3) - 1);
        }
        return new TernaryTensor(rows, cols, t, 0.75f);
    }

    private static byte[] encode(GgmlType type, TernaryTensor t) {
        return switch (type) {
            case TQ1_0 -> TensorCodecs.encodeTq1(t.values(), t.scale());
            case TQ2_0 -> TensorCodecs.encodeTq2(t.values(), t.scale());
            default -> TensorCodecs.encodeI2s(t.values(), t.scale());
        };
    }

    /** Decodes {@code rows} in chunks of {@code chunk} rows, as a packer does. */
    private static byte[] chunked(TernaryRows rows, int chunk) {
        byte[] all = new byte[rows.rows() * rows.cols()];
        byte[] buf = new byte[chunk * rows.cols()];
        for (int first = 0; first < rows.rows(); first += chunk) {
            int n = Math.min(chunk, rows.rows() - first);
            rows.decode(first, n, buf);
            System.arraycopy(buf, 0, all, first * rows.cols(), n * rows.cols());
        }
        return all;
    }

    @Test
    void rowsDecodedFromEachEncodingEqualTheWholeTensorsTrits() {
        SplittableRandom r = new SplittableRandom(SEED);
        for (GgmlType type : new GgmlType[] {GgmlType.TQ1_0, GgmlType.TQ2_0, GgmlType.I2_S}) {
            for (int rows : ROWS) {
                for (int cols : new int[] {256, 768}) {
                    TernaryTensor t = random(r, rows, cols);
                    MemorySegment data = MemorySegment.ofArray(encode(type, t));
                    String what = type + " " + rows + "x" + cols + " seed " + SEED;
                    assertArrayEquals(t.values(), TensorCodecs.ternary(type, data, rows * cols).trits(), what);
                    TernaryRows view = TensorCodecs.ternaryRows(type, data, rows, cols);
                    assertNotNull(view, what);
                    assertEquals(t.scale(), view.scale(), what);
                    for (int chunk : new int[] {1, 7, 64}) {
                        assertArrayEquals(t.values(), chunked(view, chunk), what + " in chunks of " + chunk);
                    }
                }
            }
        }
    }

    @Test
    void rowsThatAreNotWholeBlocksOrBlocksOfDifferentScalesAreRefused() {
        SplittableRandom r = new SplittableRandom(SEED + 1);
        TernaryTensor t = random(r, 2, 128);
        assertNull(TensorCodecs.ternaryRows(GgmlType.I2_S, MemorySegment.ofArray(encode(GgmlType.I2_S,
                new TernaryTensor(1, 256, t.values(), 1f))), 4, 64), "I2_S rows of 64 are half blocks");
        byte[] two = encode(GgmlType.TQ2_0, random(r, 2, 256));
        two[66 + 64] ^= 1; // the second block's f16 scale
        assertNull(TensorCodecs.ternaryRows(GgmlType.TQ2_0, MemorySegment.ofArray(two), 2, 256));
        assertNull(TensorCodecs.ternaryRows(GgmlType.F16, MemorySegment.ofArray(new byte[1024]), 2, 256));
    }

    /** The kernel's layout of a matrix decoded from a TQ2_0 encoding, chunk by chunk, equals it re-laid whole. */
    @Test
    void aMatrixPackedFromRowsEqualsTheMatrixPackedWhole() {
        SplittableRandom r = new SplittableRandom(SEED + 2);
        for (int rows : ROWS) {
            for (int cols : new int[] {256, 1536}) {
                TernaryTensor t = random(r, rows, cols);
                TernaryRows view = TensorCodecs.ternaryRows(GgmlType.TQ2_0,
                        MemorySegment.ofArray(encode(GgmlType.TQ2_0, t)), rows, cols);
                String what = rows + "x" + cols + " seed " + (SEED + 2);
                // Indices computed here one weight triple at a time, independently of the packers.
                int groups = (cols + 2) / 3;
                byte[] idx = new byte[rows * groups];
                for (int i = 0; i < rows; i++) {
                    for (int g = 0; g < groups; g++) {
                        int c = 3 * g;
                        idx[i * groups + g] = (byte) TlmmIndex.encode(t.get(i, c), c + 1 < cols ? t.get(i, c + 1) : 0,
                                c + 2 < cols ? t.get(i, c + 2) : 0);
                    }
                }
                TernaryMatrix m = TernaryMatrix.of(view);
                assertArrayEquals(idx, m.indices(), what + " indices");
                assertArrayEquals(VectorTlmm.tile(m), VectorTlmm.tile(view), what + " 512-bit tiles");
                if (TlmmKernel.Kind.TABLE_512.available()) {
                    TlmmKernel two = new TlmmKernel(2, TlmmKernel.Kind.TABLE_512);
                    try {
                        assertArrayEquals(VectorTlmm.tile(m), VectorTlmm.tile(view, two),
                                what + " 512-bit tiles packed by two threads");
                    } finally {
                        two.shutdown();
                    }
                }
                short[] codes = VectorTernary256.pack(view);
                int blocks = VectorTernary256.blocks(cols);
                for (int i = 0; i < rows; i++) {
                    for (int c = 0; c < cols; c++) {
                        int b = c / VectorTernary256.BLOCK;
                        int within = c % VectorTernary256.BLOCK;
                        int word = codes[(i * blocks + b) * 16 + within % 16];
                        assertEquals(t.get(i, c) + 1, (word >> (2 * (within / 16))) & 3, what + " code " + i + "," + c);
                    }
                }
                for (TlmmKernel.Kind kind : TlmmKernel.Kind.values()) {
                    if (!kind.available()) {
                        continue;
                    }
                    TlmmKernel kernel = new TlmmKernel(1, kind);
                    byte[] x = new byte[cols];
                    for (int i = 0; i < cols; i++) {
                        x[i] = (byte) (r.nextInt(255) - 127);
                    }
                    short[] tables = new short[TlmmKernel.tableSize(cols)];
                    TlmmKernel.buildTables(x, cols, tables);
                    int[] acc = new int[rows];
                    kernel.matVec(kernel.prepare(view), tables, acc);
                    assertArrayEquals(TlmmReference.matVec(m, x), acc, what + " " + kind);
                    kernel.shutdown();
                }
            }
        }
    }

    @Test
    void aTensorInMemoryHandsOutItsRows() {
        TernaryTensor t = random(new SplittableRandom(SEED + 3), 5, 7);
        byte[] dst = new byte[2 * 7];
        t.decode(2, 2, dst);
        assertArrayEquals(Arrays.copyOfRange(t.values(), 14, 28), dst);
    }

    /** A weight that is not -1, 0 or +1 is refused where it is packed, in a whole triple and in the padded last one. */
    @Test
    void aTritOutsideMinusOneToOneIsRefused() {
        for (int at : new int[] {0, 1, 2, 3, 255}) {
            for (byte bad : new byte[] {2, -2, 3, 127, -128}) {
                byte[] t = new byte[2 * 256];
                t[256 + at] = bad;
                TernaryTensor tensor = new TernaryTensor(2, 256, t, 1f);
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> TernaryMatrix.of(tensor), "trit " + bad + " at column " + at);
            }
        }
    }
}
