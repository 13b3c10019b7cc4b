package dev.tellmej.cli;

import dev.tellmej.eda.Toolchain;
import dev.tellmej.model.inference.ExactModel;
import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.model.sample.Sampler;
import dev.tellmej.model.sample.SamplerConfig;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code tellme demo}: the main job on the embedded default model. It checks the toolchain, lists which stages
 * are built, and runs what exists: today the software model, generating text from the embedded ternary student
 * on the hardware-exact path. It exits non-zero when a required tool is missing.
 */
@Command(name = "demo", description = "Run the end-to-end demo on the embedded default model.")
final class DemoCommand implements Callable<Integer> {
    private static final int DEMO_TOKENS = 64;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.println("TeLLMe-J demo");
        out.println();
        out.println("Toolchain:");
        List<Toolchain.Status> tools = Toolchain.probe();
        for (Toolchain.Status line : tools) {
            out.printf("  %-4s %-10s %s%n", line.ok() ? "ok" : "MISSING", line.name(), line.detail());
        }
        out.println();
        out.println("Pipeline stages:");
        for (PipelineStage stage : PipelineStage.values()) {
            out.printf("  %-9s %s%n", stage.built() ? "built" : "not built", stage.description());
        }
        long missingStages = java.util.Arrays.stream(PipelineStage.values()).filter(s -> !s.built()).count();
        out.println();
        out.println("Software model: the embedded ternary stories260K student, hardware-exact path (docs/NUMERICS.md),"
                + " " + DEMO_TOKENS + " tokens, greedy:");
        out.println();
        out.flush();
        ModelFiles.Loaded loaded = ModelFiles.load(spec.commandLine(), null, null);
        ExactModel model = new ExactModel(loaded.weights(), AcceleratorConfig.simSmall().exact(), DEMO_TOKENS + 1, 2);
        try {
            RunCommand.generate(out, model, loaded.tokenizer(), new int[] {loaded.tokenizer().bos()}, DEMO_TOKENS,
                    new Sampler(SamplerConfig.greedy()), "software model, exact path");
        } finally {
            model.close();
        }
        if (missingStages > 0) {
            out.println();
            out.println(missingStages + " of " + PipelineStage.values().length
                    + " stages are not built yet: the tokens above come from the software model alone, not from"
                    + " the accelerator RTL in simulation or on the board.");
        }
        out.flush();
        List<String> missing = tools.stream().filter(line -> !line.ok()).map(Toolchain.Status::name).toList();
        if (!missing.isEmpty()) {
            throw new CommandFailedException("the toolchain is incomplete: " + String.join(", ", missing)
                    + " (see the list above)", "Run scripts/setup to install what is missing.");
        }
        return 0;
    }
}
