package dev.tellmej.device;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.image.ImagePacker;
import dev.tellmej.model.EmbeddedModel;
import dev.tellmej.model.config.Activation;
import dev.tellmej.model.gguf.GgufFile;
import dev.tellmej.model.inference.WeightLoader;
import dev.tellmej.model.inference.WeightSource;
import dev.tellmej.model.synthetic.SyntheticModel;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenCL twin of the kernel against the reference device: logits bit for bit at every step, and the KV cache
 * byte for byte. Needs an OpenCL platform (PoCL, from scripts/setup): without one these tests fail, never skip.
 */
class OpenClDeviceTest {
    @TempDir
    Path dir;

    @Test
    void studentEqualsReferenceOver20PrefillAnd200DecodeSteps() {
        Path image = pack(EmbeddedModel.STORIES_260K_TERNARY.extractTo(dir), AcceleratorConfig.simSmall());
        lockStep(image, OpenClDevice.Options.DEFAULT, 20, 200, 31);
    }

    @Test
    void syntheticBitnetWithSubNormsEqualsReference() {
        Path model = dir.resolve("bitnet.gguf");
        SyntheticModel.write(new SyntheticModel.Shape("bitnet", 2, 64, 4, 2, 96, 300, Activation.RELU2, true, 256),
                5, model);
        lockStep(pack(model, AcceleratorConfig.simSmall()), OpenClDevice.Options.DEFAULT, 20, 200, 32);
    }

    static Path pack(Path model, AcceleratorConfig config, Path dir) {
        Path image = dir.resolve(config.name() + "-" + model.getFileName() + ".tlmi");
        try (GgufFile gguf = GgufFile.open(model)) {
            WeightSource source = WeightLoader.gguf(gguf);
            ImagePacker.pack(source, model.getFileName().toString(), config,
                    ImagePacker.defaultContext(config, source.config()), image, false, ImagePacker.Progress.NONE);
        }
        return image;
    }

    private Path pack(Path model, AcceleratorConfig config) {
        return pack(model, config, dir);
    }

    /** A random prompt, then greedy decode steps, on both devices; every step's logits and the final KV cache. */
    static void lockStep(Path image, OpenClDevice.Options options, int prompt, int steps, long seed) {
        try (ReferenceDevice reference = ReferenceDevice.open(image, 1);
             OpenClDevice opencl = OpenClDevice.open(image, options)) {
            int vocab = reference.image().header().model().vocabSize();
            int[] tokens = new SplittableRandom(seed).ints(prompt, 0, vocab).toArray();
            float[] expected = reference.prefill(tokens);
            float[] actual = opencl.prefill(tokens);
            ReferenceDeviceTest.assertBitsEqual(expected, actual, "prefill of " + prompt + ", seed " + seed);
            for (int s = 0; s < steps; s++) {
                int next = ReferenceDeviceTest.argmax(expected);
                expected = reference.decode(next);
                actual = opencl.decode(next);
                ReferenceDeviceTest.assertBitsEqual(expected, actual, "decode step " + s + ", seed " + seed);
            }
            assertEquals(reference.position(), opencl.position());
            assertEquals(reference.kvCache(), opencl.kvCache(), "KV-cache bytes, seed " + seed);
        }
    }
}
