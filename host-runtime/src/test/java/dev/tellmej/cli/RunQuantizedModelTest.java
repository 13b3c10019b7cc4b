package dev.tellmej.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.model.config.Activation;
import dev.tellmej.model.gguf.GgmlType;
import dev.tellmej.model.gguf.GgufFile;
import dev.tellmej.model.synthetic.SyntheticModel;
import dev.tellmej.model.tensor.Requantizer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tellme run -m FILE} on a file laid out as llama-quantize's TQ2_0 default: TQ2_0 linears, Q6_K embedding. */
class RunQuantizedModelTest {
    @Test
    void runsATq2ModelWithAQ6_KEmbedding(@TempDir Path dir) {
        Path source = dir.resolve("synthetic.gguf");
        SyntheticModel.write(new SyntheticModel.Shape("bitnet", 2, 256, 4, 4, 512, 384, Activation.SILU, true, 128), 3,
                source);
        Path tq2 = dir.resolve("synthetic-tq2_0.gguf");
        try (GgufFile file = GgufFile.open(source)) {
            Requantizer.requantize(file, Requantizer.llamaQuantize(file, GgmlType.TQ2_0)).write(tq2);
        }
        try (GgufFile file = GgufFile.open(tq2)) {
            assertEquals(GgmlType.Q6_K, file.requireTensor("token_embd.weight").type());
            assertEquals(GgmlType.TQ2_0, file.requireTensor("blk.0.attn_q.weight").type());
        }
        TellmeRun run = TellmeRun.of("run", "-m", tq2.toString(), "-p", "tok", "-n", "6", "--temp", "0", "--threads",
                "1");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("[n reached]"), "out: " + run.out() + "\nerr: " + run.err());
        assertTrue(run.err().contains("/     6 tokens"), "six tokens generated: " + run.err());
    }
}
