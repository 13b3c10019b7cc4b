package dev.tellmej.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.model.EmbeddedModel;
import dev.tellmej.model.config.Activation;
import dev.tellmej.model.synthetic.SyntheticModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The binary path of the OpenCL device, the one XRT takes with an xclbin: PoCL gives the twin's binary
 * ({@code CL_PROGRAM_BINARIES}) and loads it again with {@code clCreateProgramWithBinary}; a device opened from it
 * computes the same logits. A file that is not a binary for this device, or a twin compiled for another model, is
 * refused with {@link OpenClException.BadBinary}. Needs an OpenCL platform (PoCL).
 */
class OpenClBinaryTest {
    @TempDir
    Path dir;

    private Path student() {
        return OpenClDeviceTest.pack(EmbeddedModel.STORIES_260K_TERNARY.extractTo(dir), AcceleratorConfig.simSmall(),
                dir);
    }

    private Path savedBinary(Path image) throws IOException {
        Path file = dir.resolve("tellme-twin.bin");
        try (OpenClDevice source = OpenClDevice.open(image, OpenClDevice.Options.DEFAULT)) {
            Files.write(file, source.programBinary());
        }
        return file;
    }

    @Test
    void theTwinRunsFromItsSavedBinaryWithTheSameLogits() throws IOException {
        Path image = student();
        Path binary = savedBinary(image);
        OpenClDevice.Options fromBinary = OpenClDevice.Options.DEFAULT.withBinary(binary);
        try (OpenClDevice loaded = OpenClDevice.open(image, fromBinary)) {
            assertArrayEquals(Files.readAllBytes(binary), loaded.programBinary(), "the program is the saved binary");
        }
        OpenClDeviceTest.lockStep(image, fromBinary, 20, 40, 51);
    }

    @Test
    void aFileThatIsNoBinaryForTheDeviceIsRefused() throws IOException {
        Path image = student();
        Path garbage = dir.resolve("not-a-binary.xclbin");
        byte[] bytes = new byte[4096];
        new SplittableRandom(9).nextBytes(bytes);
        Files.write(garbage, bytes);
        OpenClException.BadBinary e = assertThrows(OpenClException.BadBinary.class,
                () -> OpenClDevice.open(image, OpenClDevice.Options.DEFAULT.withBinary(garbage)).close());
        assertTrue(e.getMessage().contains("not-a-binary.xclbin") && e.getMessage().contains("OpenCL device '"),
                e.getMessage());
        Path empty = Files.createFile(dir.resolve("empty.xclbin"));
        e = assertThrows(OpenClException.BadBinary.class,
                () -> OpenClDevice.open(image, OpenClDevice.Options.DEFAULT.withBinary(empty)).close());
        assertEquals("the program binary " + empty + " is empty", e.getMessage());
    }

    @Test
    void aTwinBinaryOfAnotherModelIsRefused() throws IOException {
        Path binary = savedBinary(student());
        Path model = dir.resolve("bitnet.gguf");
        SyntheticModel.write(new SyntheticModel.Shape("bitnet", 2, 64, 4, 2, 96, 300, Activation.RELU2, true, 256),
                5, model);
        Path other = OpenClDeviceTest.pack(model, AcceleratorConfig.simSmall(), dir);
        OpenClException.BadBinary e = assertThrows(OpenClException.BadBinary.class,
                () -> OpenClDevice.open(other, OpenClDevice.Options.DEFAULT.withBinary(binary)).close());
        assertTrue(e.getMessage().contains("compiled for another model") && e.getMessage().contains("--save-binary"),
                e.getMessage());
    }
}
