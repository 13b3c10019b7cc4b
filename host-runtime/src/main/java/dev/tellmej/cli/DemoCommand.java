package dev.tellmej.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code tellme demo}: the main job on the embedded default model. Until the pipeline exists it checks the
 * toolchain and lists which stages are built; it exits non-zero when a required tool is missing.
 */
@Command(name = "demo", description = "Run the end-to-end demo on the embedded default model.")
final class DemoCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.println("TeLLMe-J demo");
        out.println();
        out.println("Toolchain:");
        List<ToolchainCheck.Line> tools = ToolchainCheck.probe();
        for (ToolchainCheck.Line line : tools) {
            out.printf("  %-4s %-10s %s%n", line.ok() ? "ok" : "MISSING", line.name(), line.detail());
        }
        out.println();
        out.println("Pipeline stages:");
        for (PipelineStage stage : PipelineStage.values()) {
            out.printf("  %-9s %s%n", stage.built() ? "built" : "not built", stage.description());
        }
        long missingStages = java.util.Arrays.stream(PipelineStage.values()).filter(s -> !s.built()).count();
        if (missingStages > 0) {
            out.println();
            out.println(missingStages + " of " + PipelineStage.values().length
                    + " stages are not built yet, so the demo stops here: no tokens are generated.");
        }
        out.flush();
        return tools.stream().allMatch(ToolchainCheck.Line::ok) ? 0 : 1;
    }
}
