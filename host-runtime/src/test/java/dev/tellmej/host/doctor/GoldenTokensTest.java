package dev.tellmej.host.doctor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.device.ReferenceDevice;
import dev.tellmej.image.ImagePacker;
import dev.tellmej.model.EmbeddedModel;
import dev.tellmej.model.gguf.GgufFile;
import dev.tellmej.model.inference.WeightLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recording {@code tellme doctor} compares against ({@link GoldenTokens#RESOURCE}) is what the reference device
 * generates today, for every build: regenerated here from the embedded student packed with each build's default
 * context, so it cannot drift silently. After an intended change, rewrite it with
 * {@code -Dgolden.update=true} (the kv260 run's ids, the comment kept) and review the diff.
 */
class GoldenTokensTest {
    private static final Path SOURCE = Path.of("src/main/resources" + GoldenTokens.RESOURCE);

    @TempDir
    Path dir;

    private int[] regenerate(AcceleratorConfig config, GoldenTokens recorded) {
        Path model = EmbeddedModel.STORIES_260K_TERNARY.extractTo(dir);
        Path image = dir.resolve("student-" + config.name() + ".tlmi");
        try (GgufFile gguf = GgufFile.open(model)) {
            var source = WeightLoader.gguf(gguf);
            ImagePacker.pack(source, gguf, "student", config, ImagePacker.defaultContext(config, source.config()), image,
                    true, ImagePacker.Progress.NONE);
        }
        try (ReferenceDevice device = ReferenceDevice.open(image, 2)) {
            return GoldenTokens.greedy(device, recorded.prompt(), recorded.ids().length);
        }
    }

    @Test
    void theReferenceDeviceGeneratesTheRecordingOnEveryBuild() throws IOException {
        GoldenTokens recorded = GoldenTokens.recorded();
        assertArrayEquals(new int[] {1}, recorded.prompt(), "the golden story's prompt: BOS alone");
        assertEquals(32, recorded.ids().length);
        if (Boolean.getBoolean("golden.update")) {
            int[] ids = regenerate(AcceleratorConfig.kv260(), recorded);
            String text = Files.readString(SOURCE, StandardCharsets.UTF_8);
            String comment = String.join("\n", text.lines().filter(l -> l.startsWith("#"))
                    .map(l -> l.substring(1).strip()).toList());
            Files.writeString(SOURCE, new GoldenTokens(SOURCE.toString(), recorded.prompt(), ids).format(comment));
            recorded = GoldenTokens.parse(Files.readString(SOURCE), SOURCE.toString());
        }
        // The file in the source tree is the one in the jar.
        assertArrayEquals(recorded.ids(), GoldenTokens.parse(Files.readString(SOURCE), SOURCE.toString()).ids(),
                SOURCE + " differs from the resource on the class path: rebuild");
        for (AcceleratorConfig config : AcceleratorConfig.named().values()) {
            int[] got = regenerate(config, recorded);
            assertEquals(recorded.firstDifference(got), java.util.Optional.empty(), config.name() + ": the reference"
                    + " device generates " + Arrays.toString(got) + "; if the change is intended, regenerate "
                    + SOURCE + " with -Dgolden.update=true and review the diff");
        }
    }
}
