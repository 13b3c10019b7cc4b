package dev.tellmej.model.numerics;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ExactActivations#silu} over an array with the Vector API, bit for bit: the same operations as the scalar
 * composition ({@link ExactExp}, add 1, {@link ExactReciprocal}, multiply), lane by lane, each a single binary32
 * operation rounded to nearest even (the Vector API never fuses a multiply and an add); the table lookups are
 * gathers from the same tables, and the special cases (NaN, infinities, overflow and underflow of the exponent,
 * subnormal results of {@link Fp32#scale2}) are selected with masks. {@code VectorSiluTest} compares it with the
 * scalar function on every binary32 input (and on a dense subset in the regular suite).
 *
 * <p>Loaded only when the {@code jdk.incubator.vector} module is present; {@link #applies} says whether it runs here.
 */
public final class VectorSilu {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    private static final float[] EXP_V = new float[ExactExp.ENTRIES];
    private static final float[] EXP_D = new float[ExactExp.ENTRIES];
    private static final float[] REC_V = new float[ExactReciprocal.ENTRIES];
    private static final float[] REC_D = new float[ExactReciprocal.ENTRIES];

    static {
        for (int i = 0; i < ExactExp.ENTRIES; i++) {
            EXP_V[i] = ExactExp.value(i);
            EXP_D[i] = ExactExp.slope(i);
        }
        for (int i = 0; i < ExactReciprocal.ENTRIES; i++) {
            REC_V[i] = ExactReciprocal.value(i);
            REC_D[i] = ExactReciprocal.slope(i);
        }
    }

    /** Table indices of one vector, for the gathers. */
    private final int[] index = new int[F.length()];

    /** True when this class runs here with more than one lane. */
    public static boolean applies() {
        return F.length() > 1 && I.length() == F.length();
    }

    /**
     * Rows after which every element takes the vector code. Before, only the first {@link #WARMING_ELEMENTS} of a
     * row do and the rest the scalar function: until the JIT has compiled it, the Vector API code runs far slower
     * than the scalar one (a cold first prompt took a second longer), and a few thousand short calls are enough
     * for it to be compiled. The results are the same either way.
     */
    static final int WARMING_ROWS = 2000;
    static final int WARMING_ELEMENTS = 256;
    /** Rows seen while warming, over all instances (a race only delays the switch). */
    private static int rowsSeen;
    private static volatile boolean warm;

    /** {@code x[i] = silu(x[i])} for i in [0, n), as {@link ExactActivations#silu} gives each. */
    public void apply(float[] x, int n) {
        int vectorEnd = n;
        if (!warm) {
            vectorEnd = Math.min(n, WARMING_ELEMENTS);
            if (++rowsSeen >= WARMING_ROWS) {
                warm = true;
            }
        }
        int i = vectorPart(x, vectorEnd);
        for (; i < n; i++) {
            x[i] = ExactActivations.silu(x[i]);
        }
    }

    /** As {@link #apply} with the vector code for every whole vector, warm or not (for tests). */
    void applyVector(float[] x, int n) {
        for (int i = vectorPart(x, n); i < n; i++) {
            x[i] = ExactActivations.silu(x[i]);
        }
    }

    /** SiLU of the whole vectors in x[0 .. n); returns where they end. */
    private int vectorPart(float[] x, int n) {
        int v = F.length();
        int i = 0;
        for (; i + v <= n; i += v) {
            silu(FloatVector.fromArray(F, x, i)).intoArray(x, i);
        }
        return i;
    }

    /** SiLU of every lane. */
    FloatVector silu(FloatVector x) {
        FloatVector e = exp(x.neg());
        FloatVector d = e.add(1f);
        FloatVector r = reciprocalOfAtLeastOne(d);
        FloatVector y = x.mul(r);
        y = y.blend(-0f, x.eq(Float.NEGATIVE_INFINITY));
        return y.blend(Fp32.NAN, x.test(VectorOperators.IS_NAN));
    }

    /** {@link ExactExp#apply} of every lane. */
    FloatVector exp(FloatVector x) {
        FloatVector t = x.mul(ExactExp.LOG2E);
        VectorMask<Float> over = t.compare(VectorOperators.GE, 128f); // +inf included
        VectorMask<Float> under = t.compare(VectorOperators.LT, -160f); // -inf included
        VectorMask<Float> nan = t.test(VectorOperators.IS_NAN);
        // Lanes that take the table: t in [-160, 128), so t * 2^23 (exact) fits an int; the others are replaced.
        FloatVector y = t.blend(0f, over.or(under).or(nan)).mul(0x1p23f);
        IntVector trunc = (IntVector) y.convert(VectorOperators.F2I, 0);
        // floor: one less where the truncation went up (y negative, not whole). Both sides are exact: y is whole
        // where |y| >= 2^24, and a truncation below 2^24 converts back exactly.
        FloatVector back = (FloatVector) trunc.convert(VectorOperators.I2F, 0);
        IntVector fixed = trunc.sub(1, y.compare(VectorOperators.LT, back).cast(I));
        IntVector n = fixed.lanewise(VectorOperators.ASHR, 23);
        IntVector idx = fixed.lanewise(VectorOperators.LSHR, 16).and(ExactExp.ENTRIES - 1);
        FloatVector u = ((FloatVector) fixed.and(0xFFFF).convert(VectorOperators.I2F, 0)).mul(0x1p-16f);
        idx.intoArray(index, 0);
        FloatVector r = FloatVector.fromArray(F, EXP_V, 0, index, 0)
                .add(FloatVector.fromArray(F, EXP_D, 0, index, 0).mul(u));
        FloatVector out = scale2(r, n);
        out = out.blend(Float.POSITIVE_INFINITY, over);
        out = out.blend(0f, under);
        return out.blend(Fp32.NAN, nan);
    }

    /**
     * {@link ExactReciprocal#apply} of lanes that are at least 1 or +inf (1 + exp(-x) for x not NaN): positive
     * normal numbers, so the sign and the subnormal split of the scalar function never apply.
     */
    FloatVector reciprocalOfAtLeastOne(FloatVector d) {
        VectorMask<Float> inf = d.eq(Float.POSITIVE_INFINITY);
        IntVector bits = (IntVector) d.blend(1f, inf).reinterpretAsInts();
        IntVector e = bits.lanewise(VectorOperators.LSHR, 23).sub(127);
        IntVector fraction = bits.and(0x7FFFFF);
        FloatVector m = fraction.or(127 << 23).reinterpretAsFloats();
        IntVector idx = fraction.lanewise(VectorOperators.LSHR, 17);
        FloatVector u = ((FloatVector) fraction.and(0x1FFFF).convert(VectorOperators.I2F, 0)).mul(0x1p-17f);
        idx.intoArray(index, 0);
        FloatVector y0 = FloatVector.fromArray(F, REC_V, 0, index, 0)
                .add(FloatVector.fromArray(F, REC_D, 0, index, 0).mul(u));
        FloatVector p = m.mul(y0);
        FloatVector q = FloatVector.broadcast(F, 2f).sub(p);
        FloatVector y1 = y0.mul(q);
        return scale2(y1, e.neg()).blend(0f, inf);
    }

    /** {@link Fp32#scale2} of positive finite lanes r by 2^n, n within [-300, 300]. */
    static FloatVector scale2(FloatVector r, IntVector n) {
        IntVector bits = (IntVector) r.reinterpretAsInts();
        IntVector ne = bits.lanewise(VectorOperators.LSHR, 23).and(0xFF).add(n);
        IntVector kept = bits.and(0x807FFFFF);
        FloatVector normal = kept.or(ne.lanewise(VectorOperators.LSHL, 23)).reinterpretAsFloats();
        FloatVector sub = kept.or(ne.add(126).lanewise(VectorOperators.LSHL, 23)).reinterpretAsFloats()
                .mul(0x1p-126f);
        FloatVector out = sub.blend(normal, ne.compare(VectorOperators.GE, 1).cast(F));
        out = out.blend(Float.POSITIVE_INFINITY, ne.compare(VectorOperators.GE, 255).cast(F));
        return out.blend(0f, ne.compare(VectorOperators.LT, -25).cast(F));
    }
}
