package dev.tellmej.sim.elementwise;

import dev.tellmej.model.EmbeddedModel;
import dev.tellmej.model.config.ModelConfig;
import dev.tellmej.model.gguf.GgufFile;
import dev.tellmej.model.inference.ExactModel;
import dev.tellmej.model.inference.ExactProbe;
import dev.tellmej.model.inference.ModelWeights;
import dev.tellmej.model.inference.WeightLoader;
import dev.tellmej.model.numerics.ExactConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Real activations: the embedded stories260K ternary student run through the model's hardware-exact path
 * ({@code ExactModel}, default configuration: 16 lanes, binary16 storage) over a fixed prompt and a greedy
 * continuation, with every intermediate vector of N17 captured by an {@link ExactProbe}. Computed once per JVM.
 */
final class StudentActivations implements ExactProbe {
    /** Tokens run: the prompt of the model's own tests, then greedy choices. */
    static final int[] PROMPT = {1, 403, 407, 261, 378, 432};
    static final int POSITIONS = 12;

    record Norm(float[] in, float[] gamma, float eps, float[] out) {}

    record Quantization(float[] x, byte[] q, float mc) {}

    record Dequantization(int[] acc, float mc, float weightScale, float[] y) {}

    record Rotation(float[] before, int position, float[] after) {}

    record Residual(float[] h, float[] y, float[] out) {}

    record Gate(float[] gate, float[] up, float[] out) {}

    final List<Norm> norms = new ArrayList<>();
    final List<Quantization> quantizations = new ArrayList<>();
    final List<Dequantization> dequantizations = new ArrayList<>();
    final List<Rotation> rotations = new ArrayList<>();
    final List<Residual> residuals = new ArrayList<>();
    final List<Gate> gates = new ArrayList<>();
    private ModelConfig config;

    private static StudentActivations instance;

    private StudentActivations() {}

    /** The captured activations (the model runs on first use). */
    static synchronized StudentActivations get() {
        if (instance == null) {
            StudentActivations capture = new StudentActivations();
            capture.run();
            instance = capture;
        }
        return instance;
    }

    /** The student's configuration (dimensions, RoPE theta and style, eps). */
    ModelConfig config() {
        return config;
    }

    private void run() {
        Path file = EmbeddedModel.STORIES_260K_TERNARY.extractTo(Path.of("target", "models").toAbsolutePath());
        ModelWeights weights;
        try (GgufFile gguf = GgufFile.open(file)) {
            weights = WeightLoader.fromGguf(gguf);
        }
        config = weights.config();
        ExactModel model = new ExactModel(weights, ExactConfig.defaults(), POSITIONS, 1);
        try {
            model.probe(this);
            int token = PROMPT[0];
            for (int position = 0; position < POSITIONS; position++) {
                float[] logits = model.forward(token, position);
                token = position + 1 < PROMPT.length ? PROMPT[position + 1] : argmax(logits);
            }
        } finally {
            model.close();
        }
    }

    private static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    @Override
    public void rmsNorm(float[] in, float[] gamma, float eps, float[] out) {
        norms.add(new Norm(in, gamma, eps, out));
    }

    @Override
    public void quantize(float[] x, byte[] q, float mc) {
        quantizations.add(new Quantization(x, q, mc));
    }

    @Override
    public void dequantize(int[] acc, float mc, float weightScale, float[] y) {
        dequantizations.add(new Dequantization(acc, mc, weightScale, y));
    }

    @Override
    public void rope(float[] before, int position, float[] after) {
        rotations.add(new Rotation(before, position, after));
    }

    @Override
    public void residual(float[] h, float[] y, float[] out) {
        residuals.add(new Residual(h, y, out));
    }

    @Override
    public void gating(float[] gate, float[] up, float[] out) {
        gates.add(new Gate(gate, up, out));
    }
}
