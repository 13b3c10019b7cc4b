package dev.tellmej.model;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tellmej.model.config.ConfigReader;
import dev.tellmej.model.config.ModelConfig;
import dev.tellmej.model.gguf.GgufFile;
import dev.tellmej.model.gguf.GgufReader;
import dev.tellmej.model.inference.WeightLoader;
import dev.tellmej.model.safetensors.SafetensorsFile;
import dev.tellmej.model.tokenizer.Tokenizer;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Thousands of seeded mutations of the real model files (bit flips, truncations, header fields overwritten with
 * extreme values, header text edits): every outcome is a successful load or a {@link ModelFileException};
 * never an OutOfMemoryError, an index exception, or any other throwable.
 */
class FuzzTest {
    private static final long SEED = 0x5EED_7E11L;
    private static final int GGUF_MUTATIONS = 2500;
    private static final int SAFETENSORS_MUTATIONS = 1500;
    private static final long[] EXTREMES = {0, 1, -1, 0x7FFFFFFF, 0x80000000L, 0xFFFFFFFFL, Long.MAX_VALUE,
        Long.MIN_VALUE, 1L << 32, 1L << 40, 1L << 62, 255, 65535, 36, 38, 39, 9, 8, 13};

    private record Tally(int ok, int rejected) {}

    @Test
    void mutatedGgufFilesLoadOrFailCleanly() throws IOException {
        byte[] teacher = Files.readAllBytes(TestModels.file("stories260K.gguf"));
        byte[] student = Files.readAllBytes(TestModels.file("stories260K-ternary-qat.gguf"));
        Tally a = fuzz("gguf", student, 14_400, GGUF_MUTATIONS, SEED, FuzzTest::loadGguf);
        Tally b = fuzz("gguf", teacher, 14_200, GGUF_MUTATIONS / 5, SEED + 1, FuzzTest::loadGguf);
        System.out.printf("GGUF fuzz: %d loaded, %d rejected with ModelFileException (seed %d)%n",
                a.ok + b.ok, a.rejected + b.rejected, SEED);
        assertTrue(a.rejected + b.rejected > GGUF_MUTATIONS / 4, "the mutations should break many files");
    }

    @Test
    void mutatedSafetensorsFilesLoadOrFailCleanly() throws IOException {
        byte[] file = Files.readAllBytes(TestModels.file("stories260K-ternary-qat.safetensors"));
        ModelConfig config;
        try (GgufFile gguf = GgufFile.open(TestModels.file("stories260K-ternary-qat.gguf"))) {
            config = ConfigReader.fromGguf(gguf);
        }
        ModelConfig c = config;
        Tally t = fuzz("safetensors", file, 8 + 8616, SAFETENSORS_MUTATIONS, SEED + 2, (label, data) -> {
            try (SafetensorsFile st = SafetensorsFile.read(label, data)) {
                WeightLoader.fromSafetensors(st, c, WeightLoader.ScaleConvention.MULTIPLY);
            }
        });
        System.out.printf("safetensors fuzz: %d loaded, %d rejected with ModelFileException (seed %d)%n", t.ok,
                t.rejected, SEED + 2);
        assertTrue(t.rejected > SAFETENSORS_MUTATIONS / 4, "the mutations should break many files");
    }

    private interface Loader {
        void load(Path label, MemorySegment data);
    }

    private static void loadGguf(Path label, MemorySegment data) {
        try (GgufFile file = GgufReader.read(label, data)) {
            Tokenizer.fromGguf(file);
            WeightLoader.fromGguf(file);
        }
    }

    /**
     * Mutates {@code original} {@code count} times; header-heavy: most edits land in the first
     * {@code headerBytes} bytes, where a wrong value changes sizes and offsets.
     */
    private static Tally fuzz(String kind, byte[] original, int headerBytes, int count, long seed, Loader loader) {
        SplittableRandom random = new SplittableRandom(seed);
        int ok = 0;
        int rejected = 0;
        for (int i = 0; i < count; i++) {
            byte[] data = mutate(original, headerBytes, random);
            Path label = Path.of("fuzz-" + kind + "-" + seed + "-" + i);
            try {
                loader.load(label, MemorySegment.ofArray(data));
                ok++;
            } catch (ModelFileException e) {
                if (!e.getMessage().contains(label.toString()) || e.field().isEmpty()) {
                    fail("mutation " + i + " (seed " + seed + "): the exception does not name file and field: "
                            + e.getMessage());
                }
                rejected++;
            } catch (Throwable e) {
                throw new AssertionError("mutation " + i + " of " + kind + " (seed " + seed + ") threw " + e, e);
            }
        }
        return new Tally(ok, rejected);
    }

    private static byte[] mutate(byte[] original, int headerBytes, SplittableRandom random) {
        byte[] data = original.clone();
        int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits; e++) {
            int at = random.nextInt(4) == 0 ? random.nextInt(data.length) : random.nextInt(Math.min(headerBytes, data.length));
            switch (random.nextInt(5)) {
                case 0 -> data[at] ^= (byte) (1 << random.nextInt(8));
                case 1 -> data[at] = (byte) random.nextInt(256);
                case 2 -> {
                    int width = random.nextBoolean() ? 4 : 8;
                    if (at + width <= data.length) {
                        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
                        long v = EXTREMES[random.nextInt(EXTREMES.length)];
                        if (width == 4) {
                            b.putInt(at, (int) v);
                        } else {
                            b.putLong(at, v);
                        }
                    }
                }
                case 3 -> {
                    // Shift a small integer field by a little: lengths and dims that are off by a few.
                    data[at] = (byte) (data[at] + random.nextInt(-3, 4));
                }
                default -> {
                    return java.util.Arrays.copyOf(data, random.nextInt(data.length));
                }
            }
        }
        return data;
    }
}
