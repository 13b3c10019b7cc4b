package dev.tellmej.model.numerics;

/**
 * Order-fixed binary32 sums (NUMERICS.md N5): with L lanes (a power of two), lane j accumulates the terms
 * i = j, j + L, j + 2L, ... in increasing i starting from +0.0f; then the L partials are added by a balanced
 * pairwise tree, level by level: p[k] = p[2k] + p[2k+1].
 */
public final class LaneSum {
    private LaneSum() {}

    /** Checks that {@code lanes} is a power of two in [1, 1024]. */
    public static int checkLanes(int lanes) {
        if (lanes < 1 || lanes > 1024 || Integer.bitCount(lanes) != 1) {
            throw new IllegalArgumentException("lanes must be a power of two in [1, 1024], got " + lanes);
        }
        return lanes;
    }

    /** The balanced tree reduction of partials[0..L). Overwrites the array. */
    public static float tree(float[] partials, int lanes) {
        for (int width = lanes; width > 1; width >>= 1) {
            for (int k = 0; k < width / 2; k++) {
                partials[k] = partials[2 * k] + partials[2 * k + 1];
            }
        }
        return partials[0];
    }

    /** Sum of {@code v[off .. off+n)} in lane order. */
    public static float sum(float[] v, int off, int n, int lanes) {
        float[] p = new float[lanes];
        for (int j = 0; j < lanes && j < n; j++) {
            float acc = 0f;
            for (int i = j; i < n; i += lanes) {
                acc += v[off + i];
            }
            p[j] = acc;
        }
        return tree(p, lanes);
    }

    /** Sum of products {@code a[aOff+i] * b[bOff+i]} (each product RNE) in lane order. */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int n, int lanes) {
        float[] p = new float[lanes];
        for (int j = 0; j < lanes && j < n; j++) {
            float acc = 0f;
            for (int i = j; i < n; i += lanes) {
                acc += a[aOff + i] * b[bOff + i];
            }
            p[j] = acc;
        }
        return tree(p, lanes);
    }

    /** Sum of squares of {@code v[off .. off+n)} in lane order. */
    public static float sumOfSquares(float[] v, int off, int n, int lanes) {
        return dot(v, off, v, off, n, lanes);
    }
}
