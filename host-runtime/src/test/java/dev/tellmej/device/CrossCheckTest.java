package dev.tellmej.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.image.MemoryImage;
import dev.tellmej.model.EmbeddedModel;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cross-check mode: a clean lock-step run of the reference and OpenCL devices, and an injected one-bit fault. */
class CrossCheckTest {
    @TempDir
    Path dir;

    private Path student() {
        return OpenClDeviceTest.pack(EmbeddedModel.STORIES_260K_TERNARY.extractTo(dir), AcceleratorConfig.simSmall(),
                dir);
    }

    @Test
    void openclCheckedAgainstReferenceRunsClean() {
        Path file = student();
        try (MemoryImage image = MemoryImage.open(file);
             CrossCheck check = new CrossCheck(OpenClDevice.on(image, OpenClDevice.Options.DEFAULT),
                     ReferenceDevice.on(image, 1), image)) {
            float[] logits = check.prefill(new int[] {1, 200, 300, 400, 5});
            for (int s = 0; s < 20; s++) {
                logits = check.decode(ReferenceDeviceTest.argmax(logits));
            }
            assertEquals(21, check.callsCompared());
        }
    }

    /** Flips one bit of one logit at one step of the second device; the report names that step and logit. */
    @Test
    void aOneBitFaultIsReportedWithItsStepAndLogit() {
        long seed = 77;
        SplittableRandom random = new SplittableRandom(seed);
        int faultStep = 1 + random.nextInt(8);
        int faultLogit = random.nextInt(512);
        int bit = random.nextInt(23);
        Path file = student();
        try (MemoryImage image = MemoryImage.open(file);
             CrossCheck check = new CrossCheck(ReferenceDevice.on(image, 1),
                     new FaultyDevice(OpenClDevice.on(image, OpenClDevice.Options.DEFAULT), faultStep, faultLogit, bit),
                     image)) {
            CrossCheck.DevicesDisagreeException e = assertThrows(CrossCheck.DevicesDisagreeException.class, () -> {
                float[] logits = check.prefill(new int[] {1, 2, 3});
                for (int s = 0; s < 10; s++) {
                    logits = check.decode(ReferenceDeviceTest.argmax(logits));
                }
            });
            assertEquals(faultStep, e.step(), e.getMessage());
            assertEquals(faultLogit, e.logit(), e.getMessage());
            assertTrue(e.getMessage().contains("step " + faultStep + " (a decode at position " + (2 + faultStep) + ")")
                    && e.getMessage().contains("logit " + faultLogit + " is ")
                    && e.getMessage().contains("1 of 512 logits differ"), e.getMessage() + " (seed " + seed + ")");
        }
    }

    /** A device that flips bit {@code bit} of logit {@code logit} at call {@code step}. */
    private static final class FaultyDevice implements Device {
        private final Device inner;
        private final int step;
        private final int logit;
        private final int bit;
        private int calls;

        FaultyDevice(Device inner, int step, int logit, int bit) {
            this.inner = inner;
            this.step = step;
            this.logit = logit;
            this.bit = bit;
        }

        @Override
        public String describe() {
            return "faulty " + inner.describe();
        }

        @Override
        public float[] prefill(int[] tokens) {
            float[] out = inner.prefill(tokens);
            if (calls++ == step) {
                out[logit] = Float.intBitsToFloat(Float.floatToRawIntBits(out[logit]) ^ (1 << bit));
            }
            return out;
        }

        @Override
        public float[] decode(int token) {
            return prefill(new int[] {token});
        }

        @Override
        public int position() {
            return inner.position();
        }

        @Override
        public int context() {
            return inner.context();
        }

        @Override
        public void reset() {
            inner.reset();
            calls = 0;
        }

        @Override
        public DeviceCounters counters() {
            return inner.counters();
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
