package dev.tellmej.cli;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.protocol.KernelInterface;
import dev.tellmej.accel.tlmm.TlmmConfig;
import dev.tellmej.accel.tlmm.TlmmEngine;
import dev.tellmej.eda.YosysFormal;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.lib.axi.Axi4Config;
import dev.tellmej.hdl.lib.axi.Axi4LiteRegisterBank;
import dev.tellmej.hdl.lib.axi.AxiBurstConfig;
import dev.tellmej.hdl.lib.axi.AxiBurstReader;
import dev.tellmej.hdl.lib.axi.AxiBurstWriter;
import dev.tellmej.hdl.lib.axi.AxiProtocolHarness;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tellme verify formal DESIGN}: binds the project's AXI protocol checkers beside every AXI port of a
 * design and runs Yosys with ABC's bmc3 (and pdr with {@code --prove}); see docs/verification.md.
 */
@Command(name = "formal", description = {"Check every AXI port of a design against the project's AXI4/AXI4-Lite"
        + " properties (Yosys + ABC bmc3, pdr with --prove).",
        "  tellme verify formal DESIGN [--config NAME] [--depth N] [--prove] [--work DIR]",
        "DESIGN: axi-burst-reader, axi-burst-writer (32-bit beats, 4-beat bursts, 2 in flight),",
        "        control-bank (the kernel's s_axi_control register bank), tlmm (every weight port).",
        "A violation exits 1 naming the property and its source line, with a VCD of the trace."})
final class VerifyFormalCommand implements Callable<Integer> {
    /** A design the command checks: how to build it, the bursts its masters may have in flight, its depth. */
    private record Target(Function<AcceleratorConfig, Design<?>> design, Function<AcceleratorConfig, Integer> bursts,
            int depth, boolean prove) {}

    static final AxiBurstConfig ENGINE_PORT = AxiBurstConfig.of(new Axi4Config(16, 32, 0), 4, 2).withLengthBits(8);

    private static final Map<String, Target> TARGETS = new LinkedHashMap<>();

    static {
        TARGETS.put("axi-burst-reader", new Target(c -> Hdl.elaborate(() -> new AxiBurstReader(ENGINE_PORT)),
                c -> 2, 20, false));
        TARGETS.put("axi-burst-writer", new Target(c -> Hdl.elaborate(() -> new AxiBurstWriter(ENGINE_PORT)),
                c -> 2, 20, false));
        TARGETS.put("control-bank", new Target(c -> Hdl.elaborate(() -> new Axi4LiteRegisterBank(
                KernelInterface.of(c).registerMap())), c -> 1, 20, true));
        TARGETS.put("tlmm", new Target(c -> {
            TlmmConfig t = c.tlmmConfig();
            return Hdl.elaborate(() -> new TlmmEngine(t));
        }, c -> c.tlmmConfig().outstandingBursts(), 40, false));
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "DESIGN", description = "axi-burst-reader, axi-burst-writer, control-bank"
            + " or tlmm.")
    String design;

    @Option(names = "--config", paramLabel = "NAME", description = "Accelerator configuration (default sim-small).")
    String configuration = "sim-small";

    @Range(min = 1, max = 1000)
    @Option(names = "--depth", paramLabel = "N", description = "Cycles of the bounded check (default: the design's,"
            + " the depth docs/verification.md quotes).")
    Integer depth;

    @Option(names = "--prove", description = "Also try an unbounded proof with ABC pdr (up to --proof-seconds).")
    boolean prove;

    @Range(min = 1, max = 86_400)
    @Option(names = "--proof-seconds", paramLabel = "S", description = "Time limit of the proof (default 120).")
    int proofSeconds = 120;

    @Option(names = "--work", paramLabel = "DIR", description = "Folder for the harness, model, logs and trace"
            + " (default: a new temporary folder).")
    Path work;

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        if (design == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "name a design: "
                    + String.join(", ", TARGETS.keySet()));
        }
        Target target = TARGETS.get(design);
        if (target == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "unknown design '" + design + "'"
                    + ClosestName.of(design, TARGETS.keySet().stream().toList()).map(n -> "; did you mean '" + n + "'?")
                    .orElse("") + "; the designs are " + String.join(", ", TARGETS.keySet()));
        }
        AcceleratorConfig config;
        try {
            config = AcceleratorConfig.named(configuration);
        } catch (RuntimeException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Design<?> elaborated = target.design().apply(config);
        AxiProtocolHarness harness = AxiProtocolHarness.of(elaborated, target.bursts().apply(config));
        Path dir = work != null ? work : Files.createTempDirectory("tellme-formal-");
        var files = harness.write(dir);
        int cycles = depth != null ? depth : target.depth();
        boolean proof = prove || target.prove();
        stdout.printf("%s (%s): checking %s to %d cycles%s in %s%n", design, configuration,
                harness.ports().stream().map(AxiProtocolHarness.CheckedPort::prefix).toList(), cycles,
                proof ? ", then pdr" : "", dir);
        stdout.flush();
        YosysFormal.Result result = YosysFormal.check(dir, files, harness.topName(), cycles, proof,
                Duration.ofSeconds(proofSeconds), Duration.ofMinutes(30));
        if (result.failure().isPresent()) {
            YosysFormal.Failure f = result.failure().get();
            stdout.printf("FAILED: %s (%s:%d) at cycle %d; trace %s%n", f.property(), f.file(), f.line(), f.cycle(),
                    f.vcd());
            return 1;
        }
        stdout.printf("%s: %s; bmc3 to %d cycles in %.1f s%s%n", design,
                result.outcome() == YosysFormal.Outcome.PROVEN ? "proven for all time" : "no violation",
                result.depth(), result.bmcTime().toMillis() / 1000.0,
                proof ? String.format(", pdr %.1f s%s", result.proofTime().toMillis() / 1000.0,
                        result.proofMessage().isEmpty() ? "" : " (" + result.proofMessage() + ")") : "");
        return 0;
    }
}
