package dev.tellmej.sim.elementwise;

import dev.tellmej.model.numerics.StorageFormat;
import java.util.Random;

/** Seeded test vectors for the element-wise units and the reference helpers their checks share. */
final class Vectors {
    private Vectors() {}

    /**
     * n binary32 values of one of several shapes: Gaussian at a random scale (from 2^-20 to 2^20), values with
     * short significands (ties), and, now and then, the corners: zeros of both signs, tiny and huge magnitudes.
     */
    static float[] random(Random random, int n) {
        float[] v = new float[n];
        double scale = Math.scalb(1.0, random.nextInt(41) - 20);
        int shape = random.nextInt(4);
        for (int i = 0; i < n; i++) {
            double g = random.nextGaussian() * scale;
            v[i] = switch (shape) {
                case 0, 1 -> (float) g;
                case 2 -> Math.round(g * 64) / 64f;
                default -> switch (random.nextInt(8)) {
                    case 0 -> random.nextBoolean() ? 0f : -0f;
                    case 1 -> (float) Math.scalb(random.nextGaussian(), -random.nextInt(40) - 10);
                    case 2 -> (float) Math.scalb(random.nextGaussian(), random.nextInt(20));
                    default -> (float) g;
                };
            };
        }
        return v;
    }

    /** Values rounded to the storage format, as stored vectors are (N4.3). */
    static float[] stored(StorageFormat storage, float[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = storage.round(v[i]);
        }
        return out;
    }

    /** The 16 stored bits of a value (canonical NaN). */
    static long bits16(StorageFormat storage, float v) {
        return storage.encode(v) & 0xFFFFL;
    }

    /** binary32 bits, every NaN 0x7FC00000 (what the units produce). */
    static long bits32(float v) {
        return Float.floatToIntBits(v) & 0xFFFF_FFFFL;
    }

    /** max |x_i| as N6.1 takes it: exact, NaN when any value is NaN. */
    static float absMax(float[] x) {
        float m = 0f;
        for (float value : x) {
            if (Float.isNaN(value)) {
                return Float.NaN;
            }
            m = Math.max(m, Math.abs(value));
        }
        return m;
    }

    /** x padded with +0 to a multiple of {@code lanes}. */
    static float[] padded(float[] x, int lanes) {
        return java.util.Arrays.copyOf(x, (x.length + lanes - 1) / lanes * lanes);
    }

    /** acc padded with 0 to a multiple of {@code lanes}. */
    static int[] padded(int[] x, int lanes) {
        return java.util.Arrays.copyOf(x, (x.length + lanes - 1) / lanes * lanes);
    }
}
