package dev.tellmej.cli;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.device.Device;
import dev.tellmej.device.DeviceCounters;
import dev.tellmej.device.OpenClDevice;
import dev.tellmej.eda.Toolchain;
import dev.tellmej.host.DeviceSession;
import dev.tellmej.host.GenerationRequest;
import dev.tellmej.host.GenerationResult;
import dev.tellmej.host.SamplingParams;
import dev.tellmej.model.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code tellme demo}: the main job on the embedded default model. It checks the toolchain, lists which stages
 * are built, and runs the embedded ternary student, packed into a memory image for the sim-small build, through
 * the kernel in Verilator (the rtl device), with the kernel's cycles per call; then the Java reference device
 * runs the same and the tokens must be the same; last, the KV260 projection the last {@code bench accelerator} saved
 * ({@link SavedProjection}). It exits non-zero when a required tool is missing or the two devices disagree.
 */
@Command(name = "demo", description = "Run the end-to-end demo on the embedded default model.")
final class DemoCommand implements Callable<Integer> {
    private static final int DEMO_TOKENS = 40;

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
                + " build (docs/image.md) and run by the kernel tellme in Verilator, driven as a host drives the"
                + " board (the RTL virtual board, docs/host.md); " + DEMO_TOKENS + " tokens, greedy:");
        out.println();
        out.flush();
        Path image = DeviceImages.packed(spec.commandLine(), null, null, build, spec.commandLine().getErr());
        GenerationRequest request;
        GenerationResult onKernel;
        List<DeviceCounters> calls = new ArrayList<>();
        try (Device device = DeviceImages.open(DeviceKind.RTL, image, 1, OpenClDevice.Options.DEFAULT)) {
            Tokenizer tok = DeviceImages.tokenizer(spec.commandLine(), device, null, null);
            request = new GenerationRequest(new int[] {tok.bos()}, DEMO_TOKENS, SamplingParams.greedy(), List.of(),
                    false);
            onKernel = new DeviceSession(device, tok).generate(request, (piece, token) -> {
                calls.add(device.counters());
                out.print(piece);
                out.flush();
                return true;
            }, () -> false);
            out.println();
            out.println();
            out.println(onKernel.stopReason().label());
            out.print(onKernel.timings().describe(0, build.memory().portBytesPerCycle()));
            out.println("on " + device.describe());
        }
        out.println();
        printCycles(out, calls, build);
        out.println();
        try (Device reference = DeviceImages.open(DeviceKind.REFERENCE, image, 2, OpenClDevice.Options.DEFAULT)) {
            Tokenizer tok = DeviceImages.tokenizer(spec.commandLine(), reference, null, null);
            GenerationResult onReference = new DeviceSession(reference, tok).generate(request, (piece, token) -> true,
                    () -> false);
            int[] a = onKernel.tokens();
            int[] b = onReference.tokens();
            int first = java.util.Arrays.mismatch(a, b);
            if (first >= 0) {
                throw new CommandFailedException("the kernel and the reference device disagree at generated token "
                        + first + " (kernel " + (first < a.length ? a[first] : "none") + ", reference "
                        + (first < b.length ? b[first] : "none") + "): the RTL is not bit-exact",
                        "Run tellme run --device rtl --check reference to find the first differing instruction.");
            }
            out.println("Cross-check: the reference device (Java, the hardware-exact operations of docs/NUMERICS.md)"
                    + " generates the same " + a.length + " tokens.");
        }
        out.println();
        printProjection(out);
        if (missingStages > 0) {
            out.println();
            out.println(missingStages + " of " + PipelineStage.values().length + " stages are not built yet (above).");
        }
        out.flush();
        List<String> missing = tools.stream().filter(line -> !line.ok()).map(Toolchain.Status::name).toList();
        if (!missing.isEmpty()) {
            throw new CommandFailedException("the toolchain is incomplete: " + String.join(", ", missing)
                    + " (see the list above)", "Run scripts/setup to install what is missing.");
        }
        return 0;
    }

    /**
     * The KV260 projection saved by the last {@code bench accelerator --config kv260} (simulating the kv260 kernel
     * takes about half an hour, too long for a demo), or how to measure it.
     */
    private static void printProjection(PrintWriter out) {
        String kv260 = AcceleratorConfig.kv260().name();
        Path file = SavedProjection.file(ModelFiles.cacheDir(), kv260);
        if (!Files.isRegularFile(file)) {
            out.println("KV260 projection: not measured on this machine yet. `scripts/tellme bench accelerator` runs"
                    + " the kv260 kernel in Verilator on bitnet_b1_58-large's shape (about half an hour) and saves it;"
                    + " the demo shows it from then on (docs/kernel.md has the project's own figures).");
            return;
        }
        try {
            out.println(SavedProjection.read(file).describe(kv260));
        } catch (IOException | RuntimeException e) {
            out.println("KV260 projection: cannot read " + file + " (" + e.getMessage() + "); run `scripts/tellme"
                    + " bench accelerator` again to replace it.");
        }
    }

    /** The kernel's cycles per call: the prompt's prefill, then the decode steps' median and range. */
    private static void printCycles(PrintWriter out, List<DeviceCounters> calls, AcceleratorConfig build) {
        if (calls.isEmpty()) {
            return;
        }
        DeviceCounters prefill = calls.getFirst();
        out.printf("Kernel cycles: the prompt's prefill %,d; ", prefill.cycles());
        if (calls.size() > 1) {
            long[] decode = calls.subList(1, calls.size()).stream().mapToLong(DeviceCounters::cycles).sorted()
                    .toArray();
            long busy = calls.subList(1, calls.size()).stream().mapToLong(DeviceCounters::ddrBusyCycles).sum();
            long all = java.util.Arrays.stream(decode).sum();
            out.printf("%d decode steps, a median of %,d cycles each (%,d to %,d), the DDR busy %.0f %% of them;"
                    + " at the %s build's %d MHz, %.0f tokens/s.%n", decode.length, decode[decode.length / 2],
                    decode[0], decode[decode.length - 1], 100.0 * busy / all, build.name(),
                    (int) build.clock().targetMhz(), build.clock().targetMhz() * 1e6 / decode[decode.length / 2]);
        } else {
            out.println();
        }
    }
}
