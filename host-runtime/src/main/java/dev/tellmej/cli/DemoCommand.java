package dev.tellmej.cli;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.device.Device;
import dev.tellmej.device.OpenClDevice;
import dev.tellmej.eda.Toolchain;
import dev.tellmej.host.DeviceSession;
import dev.tellmej.host.GenerationRequest;
import dev.tellmej.host.GenerationResult;
import dev.tellmej.host.SamplingParams;
import dev.tellmej.model.tokenizer.Tokenizer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code tellme demo}: the main job on the embedded default model. It checks the toolchain, lists which stages
 * are built, and runs what exists: today the embedded ternary student packed into a memory image for the
 * sim-small build and run on the Java reference device, which executes the accelerator's program with the
 * hardware-exact operations. It exits non-zero when a required tool is missing.
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
        AcceleratorConfig build = AcceleratorConfig.simSmall();
        out.println("The embedded ternary stories260K student, packed into a memory image for the " + build.name()
                + " build (docs/image.md) and run on the reference device, which executes the accelerator's program"
                + " with the hardware-exact operations (docs/NUMERICS.md); " + DEMO_TOKENS + " tokens, greedy:");
        out.println();
        out.flush();
        Path image = DeviceImages.packed(spec.commandLine(), null, null, build, spec.commandLine().getErr());
        try (Device device = DeviceImages.open(DeviceKind.REFERENCE, image, 2, OpenClDevice.Options.DEFAULT)) {
            Tokenizer tok = DeviceImages.tokenizer(spec.commandLine(), device, null, null);
            GenerationResult result = new DeviceSession(device, tok).generate(new GenerationRequest(
                    new int[] {tok.bos()}, DEMO_TOKENS, SamplingParams.greedy(), List.of(), false), (piece, token) -> {
                        out.print(piece);
                        out.flush();
                        return true;
                    }, () -> false);
            out.println();
            out.println();
            out.println(result.stopReason().label());
            out.print(result.timings().describe(0, 1));
            out.println("on " + device.describe());
        }
        if (missingStages > 0) {
            out.println();
            out.println(missingStages + " of " + PipelineStage.values().length
                    + " stages are not built yet: the tokens above come from the reference device (Java), not from"
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
