package dev.tellmej.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.model.numerics.ActivationQuantizer;
import dev.tellmej.model.numerics.ExactActivations;
import dev.tellmej.model.numerics.ExactExp;
import dev.tellmej.model.numerics.ExactReciprocal;
import dev.tellmej.model.numerics.ExactRsqrt;
import dev.tellmej.model.numerics.StorageFormat;
import java.util.SplittableRandom;
import java.util.function.IntUnaryOperator;
import org.jocl.CL;
import org.junit.jupiter.api.Test;

/**
 * The twin's arithmetic against the Java model, function by function (NUMERICS N18): the frozen checksums over
 * every fp16 input, seeded binary32 inputs bit for bit, the storage roundings, and that contraction into fused
 * multiply-adds, which the twin turns off, would change results. Needs an OpenCL platform; fails without one.
 */
class OpenClTwinSourceTest {
    private static final long SEED = 0x7E11L;

    /** All 65,536 fp16 bit patterns as binary32 inputs, in order. */
    private static int[] fp16Inputs() {
        int[] in = new int[65536];
        for (int b = 0; b < in.length; b++) {
            in[b] = Float.floatToRawIntBits(Float.float16ToFloat((short) b));
        }
        return in;
    }

    /** Seeded binary32 patterns: any bits, and values near 1, near 0 and near the fp16 range's ends. */
    private static int[] randomInputs(int n) {
        SplittableRandom r = new SplittableRandom(SEED);
        int[] in = new int[n];
        for (int i = 0; i < n; i++) {
            in[i] = switch (i % 4) {
                case 0 -> r.nextInt();
                case 1 -> Float.floatToRawIntBits((float) r.nextDouble(-100, 100));
                case 2 -> Float.floatToRawIntBits((float) (r.nextDouble(-1, 1) * Math.pow(2, r.nextInt(-150, -100))));
                default -> Float.floatToRawIntBits((float) r.nextDouble(-70000, 70000));
            };
        }
        return in;
    }

    private static int checksum(int[] out) {
        int h = 0;
        for (int bits : out) {
            h = 31 * h + Float.floatToIntBits(Float.intBitsToFloat(bits));
        }
        return h;
    }

    /** Every output bit-equal to Java's (NaNs as the canonical NaN), naming the first input that differs. */
    private static void assertSame(String what, int[] in, int[] out, IntUnaryOperator java) {
        for (int i = 0; i < in.length; i++) {
            int expected = java.applyAsInt(in[i]);
            if (Float.floatToIntBits(Float.intBitsToFloat(expected)) != Float.floatToIntBits(Float.intBitsToFloat(out[i]))) {
                throw new AssertionError(what + " of 0x" + Integer.toHexString(in[i]) + " (" + Float.intBitsToFloat(in[i])
                        + ") is 0x" + Integer.toHexString(out[i]) + " on the twin, 0x" + Integer.toHexString(expected)
                        + " in Java (seed " + SEED + ")");
            }
        }
    }

    private static IntUnaryOperator bits(java.util.function.UnaryOperator<Float> f) {
        return x -> Float.floatToRawIntBits(f.apply(Float.intBitsToFloat(x)));
    }

    @Test
    void exactFunctionsReproduceTheFrozenChecksums() {
        try (TwinNumerics twin = new TwinNumerics()) {
            int[] fp16 = fp16Inputs();
            assertEquals(0xda36d7a7, checksum(twin.apply(TwinNumerics.EXP, fp16)), "exp (N9)");
            assertEquals(0x8d783d04, checksum(twin.apply(TwinNumerics.RECIPROCAL, fp16)), "reciprocal (N10)");
            assertEquals(0xc1cb54c9, checksum(twin.apply(TwinNumerics.RSQRT, fp16)), "rsqrt (N11)");
            assertEquals(0x745da084, checksum(twin.apply(TwinNumerics.SILU, fp16)), "silu (N12)");
        }
    }

    @Test
    void exactFunctionsEqualJavaOnRandomBinary32() {
        int[] in = randomInputs(200_000);
        try (TwinNumerics twin = new TwinNumerics()) {
            assertSame("exp", in, twin.apply(TwinNumerics.EXP, in), bits(ExactExp::apply));
            assertSame("reciprocal", in, twin.apply(TwinNumerics.RECIPROCAL, in), bits(ExactReciprocal::apply));
            assertSame("rsqrt", in, twin.apply(TwinNumerics.RSQRT, in), bits(ExactRsqrt::apply));
            assertSame("silu", in, twin.apply(TwinNumerics.SILU, in), bits(ExactActivations::silu));
            assertSame("relu2", in, twin.apply(TwinNumerics.RELU2, in), bits(ExactActivations::relu2));
            assertSame("toInt8", in, twin.apply(TwinNumerics.INT8, in),
                    x -> Float.floatToRawIntBits(Float.intBitsToFloat(ActivationQuantizer.toInt8(Float.intBitsToFloat(x)))));
            assertSame("fp16 storage", in, twin.apply(TwinNumerics.STORE, in), bits(StorageFormat.FP16::round));
        }
    }

    @Test
    void bf16StorageEqualsJava() {
        int[] in = randomInputs(200_000);
        try (TwinNumerics twin = new TwinNumerics("#define TWIN_STORAGE_BF16 0u", "#define TWIN_STORAGE_BF16 1u",
                OpenClTwinSource.BUILD_OPTIONS)) {
            assertSame("bf16 storage", in, twin.apply(TwinNumerics.STORE, in), bits(StorageFormat.BF16::round));
        }
    }

    /** N13.2's (float) (1.0 / n), computed on the device without a division of floats. */
    @Test
    void inverseOfEveryWidthEqualsTheDoubleQuotientRounded() {
        int[] in = new int[65535];
        for (int i = 0; i < in.length; i++) {
            in[i] = i + 1;
        }
        try (TwinNumerics twin = new TwinNumerics()) {
            assertSame("1/n", in, twin.apply(TwinNumerics.INVERSE, in), n -> Float.floatToRawIntBits((float) (1.0 / n)));
        }
    }

    /**
     * Why the twin says {@code FP_CONTRACT OFF}: with contraction allowed, the compiler fuses the chord step
     * {@code V[i] + D[i] * u} and the Newton steps into fused multiply-adds on a device that has them, and the
     * results leave the contract.
     */
    @Test
    void contractionWouldChangeResults() {
        int[] fp16 = fp16Inputs();
        try (TwinNumerics twin = new TwinNumerics("", "", OpenClTwinSource.BUILD_OPTIONS + " -D TWIN_ALLOW_CONTRACTION")) {
            long fp = OpenClPlatforms.deviceLong(twin.choice.device(), CL.CL_DEVICE_SINGLE_FP_CONFIG);
            assertTrue((fp & CL.CL_FP_FMA) != 0, "this test needs a device with fused multiply-add; "
                    + twin.choice.deviceName() + " has none, so contraction cannot change its results");
            int differ = 0;
            for (int f : new int[] {TwinNumerics.EXP, TwinNumerics.RECIPROCAL, TwinNumerics.RSQRT}) {
                int[] out = twin.apply(f, fp16);
                int[] exact = new int[fp16.length];
                IntUnaryOperator java = switch (f) {
                    case TwinNumerics.EXP -> bits(ExactExp::apply);
                    case TwinNumerics.RECIPROCAL -> bits(ExactReciprocal::apply);
                    default -> bits(ExactRsqrt::apply);
                };
                for (int i = 0; i < fp16.length; i++) {
                    exact[i] = java.applyAsInt(fp16[i]);
                    if (Float.floatToIntBits(Float.intBitsToFloat(exact[i])) != Float.floatToIntBits(Float.intBitsToFloat(out[i]))) {
                        differ++;
                    }
                }
            }
            System.out.println("with FP_CONTRACT ON, " + differ + " of 3 x 65,536 fp16-input results of exp,"
                    + " reciprocal and rsqrt differ from NUMERICS on " + twin.choice.deviceName());
            assertTrue(differ > 0, "contraction changed nothing: the FP_CONTRACT OFF pragma would not be needed");
        }
    }

    @Test
    void aCompileErrorReportsTheBuildLog() {
        OpenClException.BuildFailed e = assertThrows(OpenClException.BuildFailed.class,
                () -> new TwinNumerics("float scale2(float r, int n) {", "float scale2(float r, int n) { undeclared();",
                        OpenClTwinSource.BUILD_OPTIONS).close());
        assertTrue(e.getMessage().contains("did not compile") && e.log().contains("undeclared"), e.getMessage());
    }
}
