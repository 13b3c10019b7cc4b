package dev.tellmej.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.protocol.ErrorCode;
import dev.tellmej.accel.protocol.IoRegion;
import dev.tellmej.image.MemoryImage;
import dev.tellmej.model.EmbeddedModel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The OpenCL device's faults, each with its message; and that no result depends on the work-group size. */
class OpenClFaultsTest {
    @TempDir
    Path dir;

    private Path student() {
        return OpenClDeviceTest.pack(EmbeddedModel.STORIES_260K_TERNARY.extractTo(dir), AcceleratorConfig.simSmall(),
                dir);
    }

    /** 1, 3 (an odd count) and 64 work-items: the same logits and KV cache as the reference, step for step. */
    @Test
    void resultsDoNotDependOnTheWorkGroupSize() {
        Path image = student();
        for (int size : new int[] {1, 3, 64}) {
            OpenClDeviceTest.lockStep(image, OpenClDevice.Options.DEFAULT.withWorkGroup(size), 9, 6, 40 + size);
        }
    }

    @Test
    void refusedCallsAreRefusedAsByTheReference() {
        try (OpenClDevice device = OpenClDevice.open(student(), OpenClDevice.Options.DEFAULT)) {
            float[] first = device.prefill(new int[] {1, 400, 7});
            assertEquals(ErrorCode.BAD_TOKEN, assertThrows(CallRefusedException.class, () -> device.decode(512)).code());
            assertEquals(ErrorCode.BAD_CALL, assertThrows(CallRefusedException.class,
                    () -> device.prefill(new int[0])).code());
            CallRefusedException overflow = assertThrows(CallRefusedException.class,
                    () -> device.prefill(new int[device.context()]));
            assertEquals(ErrorCode.CONTEXT_OVERFLOW, overflow.code());
            assertEquals(3, device.position());
            assertEquals(device.image().program().size(), device.counters().instructions(), "3 tokens, one chunk");
            device.reset();
            ReferenceDeviceTest.assertBitsEqual(first, device.prefill(new int[] {1, 400, 7}), "after a reset");
        }
    }

    @Test
    void aCallThatOutlivesTheTimeoutReleasesTheDevice() {
        try (OpenClDevice device = OpenClDevice.open(student(),
                OpenClDevice.Options.DEFAULT.withTimeout(Duration.ofNanos(1)))) {
            int[] prompt = new int[device.context() - 1];
            OpenClException.Timeout e = assertThrows(OpenClException.Timeout.class, () -> device.prefill(prompt));
            assertTrue(e.getMessage().startsWith("a prefill of " + prompt.length + " tokens at position 0 (debug"
                    + " taps off) did not finish within 0 ms") && e.getMessage().contains(": the kernel was CL_")
                    && e.getMessage().contains("released its image, KV-cache and I/O buffers"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> device.decode(1), "a timed-out device is closed");
        }
    }

    @Test
    void aBufferAboveTheDeviceCapIsRefusedWithTheCap() {
        try (MemoryImage image = MemoryImage.open(student())) {
            OpenClException.OutOfMemory e = assertThrows(OpenClException.OutOfMemory.class,
                    () -> OpenClDevice.checkBufferSizes(image.header(), 100_000, "a small device"));
            assertTrue(e.getMessage().contains("the image") && e.getMessage().contains("at most 100000 bytes")
                    && e.getMessage().contains("PoCL"), e.getMessage());
        }
    }

    @Test
    void aDebugAreaAboveTheDeviceCapIsRefusedWithTheCap() {
        try (MemoryImage image = MemoryImage.open(student())) {
            IoRegion io = new IoRegion(image.header().context(), image.header().model().vocabSize());
            OpenClDevice.checkDebugArea(io, 1 << 20, io.debugOffset() + (1 << 20), "a small device"); // fits exactly
            OpenClException.OutOfMemory e = assertThrows(OpenClException.OutOfMemory.class,
                    () -> OpenClDevice.checkDebugArea(io, 1L << 30, 1L << 30, "a small device"));
            assertTrue(e.getMessage().contains("debug area of 1073741824 bytes") && e.getMessage().contains("1 GiB"),
                    e.getMessage());
        }
    }

    @Test
    void anUnknownPlatformOrDeviceListsWhatThereIs() {
        OpenClException.NoSuchDevice platform = assertThrows(OpenClException.NoSuchDevice.class,
                () -> OpenClPlatforms.choose("no such platform", null));
        assertTrue(platform.getMessage().contains("platform 0: "), platform.getMessage());
        OpenClException.NoSuchDevice index = assertThrows(OpenClException.NoSuchDevice.class,
                () -> OpenClPlatforms.choose(null, "99"));
        assertTrue(index.getMessage().contains("--cl-device") && index.getMessage().contains("device 0: "),
                index.getMessage());
    }

    /** In a JVM whose OpenCL loader finds no driver (OCL_ICD_VENDORS names an empty folder). */
    @Test
    void noPlatformSaysWhatToInstall() throws IOException, InterruptedException {
        Path empty = Files.createDirectories(dir.resolve("no-icds"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(List.of(java.toString(), "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), NoPlatform.class.getName()));
        pb.environment().put("OCL_ICD_VENDORS", empty.toString());
        pb.environment().remove("OPENCL_VENDOR_PATH");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child JVM did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(out.contains("Unavailable: ") && out.contains("pocl-opencl-icd") && out.contains("scripts/setup"),
                out);
    }

    /** The child of {@link #noPlatformSaysWhatToInstall}: prints the exception choosing a device throws. */
    static final class NoPlatform {
        public static void main(String[] args) {
            try {
                OpenClPlatforms.choose(null, null);
                System.out.println("a platform was found");
            } catch (OpenClException e) {
                System.out.println(e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
    }
}
