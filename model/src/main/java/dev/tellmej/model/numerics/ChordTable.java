package dev.tellmej.model.numerics;

import java.util.function.IntToDoubleFunction;

/**
 * The piecewise-linear seed the table functions of NUMERICS.md N9–N11 share: a function sampled at the ends of
 * {@code entries} segments and evaluated as {@code V[i] + D[i] * u} (multiply, then add, each RNE in binary32),
 * with {@code V[i] = (float) f(end i)} and {@code D[i] = (float) (f(end i+1) - f(end i))} computed in double.
 * This is the step the hardware's {@code FpChord} unit performs.
 */
final class ChordTable {
    private final float[] value;
    private final float[] slope;

    /**
     * @param entries segments in the table
     * @param end the exact function value at the left end of segment {@code k}, for {@code k} in
     *     {@code [0, entries]} (so {@code end(entries)} is the right end of the last segment)
     */
    ChordTable(int entries, IntToDoubleFunction end) {
        value = new float[entries];
        slope = new float[entries];
        double left = end.applyAsDouble(0);
        for (int i = 0; i < entries; i++) {
            double right = end.applyAsDouble(i + 1);
            value[i] = (float) left;
            slope[i] = (float) (right - left);
            left = right;
        }
    }

    float value(int i) {
        return value[i];
    }

    float slope(int i) {
        return slope[i];
    }

    /** {@code V[i] + D[i] * u}, two RNE operations in that order. */
    float at(int i, float u) {
        return value[i] + slope[i] * u;
    }
}
