package dev.tellmej.host;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.device.ReferenceDevice;
import dev.tellmej.image.ImagePacker;
import dev.tellmej.image.MemoryImage;
import dev.tellmej.image.TokenizerSection;
import dev.tellmej.model.EmbeddedModel;
import dev.tellmej.model.gguf.GgufFile;
import dev.tellmej.model.inference.WeightLoader;
import dev.tellmej.model.tokenizer.Tokenizer;
import java.nio.file.Path;

/** The embedded student packed for sim-small, and sessions on the reference device that runs it. */
final class StudentImage {
    final Path image;
    final PromptEncoder encoder;

    StudentImage(Path dir, int context) {
        Path model = EmbeddedModel.STORIES_260K_TERNARY.extractTo(dir);
        image = dir.resolve("student-" + context + ".tlmi");
        try (GgufFile gguf = GgufFile.open(model)) {
            ImagePacker.pack(WeightLoader.gguf(gguf), gguf, "student", AcceleratorConfig.simSmall(), context, image,
                    true, ImagePacker.Progress.NONE);
            encoder = PromptEncoder.of(Tokenizer.fromGguf(gguf), gguf);
        }
    }

    /** A session on a new reference device. */
    DeviceSession session() {
        return new DeviceSession(ReferenceDevice.open(image, 1), encoder.tokenizer());
    }

    /** The image's own tokenizer (what the devices use). */
    Tokenizer imageTokenizer() {
        try (MemoryImage m = MemoryImage.open(image)) {
            return TokenizerSection.read(m);
        }
    }

}
