package dev.tellmej.hdl.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tellmej.eda.EdaTool;
import dev.tellmej.eda.ExternalCommand;
import dev.tellmej.hdl.ActiveLevel;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.ir.ClockDomainNode;
import dev.tellmej.hdl.ir.ModuleNode;
import dev.tellmej.hdl.ir.Signal;
import dev.tellmej.hdl.ir.SignalRole;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A cycle-by-cycle Icarus Verilog run of a small clocked design, for checking the emitter's sequential
 * semantics (the Verilator bridge lives in the sim module). Reset is held for two cycles, then in cycle k
 * the inputs of {@code stimulus.get(k)} are applied just after the clock edge and every output is sampled
 * just before the next edge. Any X or Z in a sampled output fails the test.
 */
@dev.tellmej.hdl.ElaborationHelper
public final class IcarusBench {
    private IcarusBench() {}

    /** The sampled outputs, one map (port name -> value) per cycle of stimulus; no output may be X. */
    public static List<Map<String, BigInteger>> run(Design<?> design, String label, List<Map<String, Long>> stimulus) {
        return run(design, label, stimulus, java.util.Set.of());
    }

    /**
     * As {@link #run(Design, String, List)}, but the outputs in {@code mayBeUnknown} (payloads whose value
     * is meaningless while not valid) may be X or Z; they then sample as null.
     */
    public static List<Map<String, BigInteger>> run(Design<?> design, String label, List<Map<String, Long>> stimulus,
            java.util.Set<String> mayBeUnknown) {
        DesignVerifier.verify(design, label);
        List<Path> files = DesignVerifier.lint(design, label);
        ModuleNode top = design.top().node();
        Path dir = files.getFirst().getParent().resolveSibling(label + "-icarus");
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("tb.v"), testbench(design.topName(), top, stimulus));
            List<String> compile = new ArrayList<>(List.of(EdaTool.IVERILOG.require().toString(), "-g2005", "-Wall",
                    "-o", "sim.vvp", "tb.v"));
            for (Path file : files.subList(0, files.size() - 1)) {
                compile.add(file.toString());
            }
            ExternalCommand.Result built = ExternalCommand.of(compile).directory(dir).run().requireSuccess("compile " + label);
            assertEquals("", built.output().strip(), "iverilog -Wall warnings for " + label);
            ExternalCommand.of(EdaTool.VVP.require().toString(), "-n", "sim.vvp").directory(dir)
                    .timeout(Duration.ofMinutes(2)).run().requireSuccess("simulate " + label);
            List<Signal> outputs = top.ports().stream().filter(p -> p.role() == SignalRole.OUTPUT).toList();
            List<Map<String, BigInteger>> samples = new ArrayList<>();
            List<String> lines = Files.readAllLines(dir.resolve("out.txt"));
            assertEquals(stimulus.size(), lines.size(), "sampled cycles of " + label);
            for (int cycle = 0; cycle < lines.size(); cycle++) {
                String[] fields = lines.get(cycle).trim().split("\\s+");
                Map<String, BigInteger> sample = new LinkedHashMap<>();
                for (int k = 0; k < outputs.size(); k++) {
                    if (fields[k].matches(".*[xXzZ].*")) {
                        if (mayBeUnknown.contains(outputs.get(k).name())) {
                            sample.put(outputs.get(k).name(), null);
                            continue;
                        }
                        fail(label + ": output " + outputs.get(k).name() + " is " + fields[k] + " in cycle " + cycle);
                    }
                    sample.put(outputs.get(k).name(), new BigInteger(fields[k], 16));
                }
                samples.add(sample);
            }
            return samples;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String testbench(String topName, ModuleNode top, List<Map<String, Long>> stimulus) {
        ClockDomainNode domain = top.domains().getFirst();
        String clock = domain.clock().name();
        Signal reset = domain.reset();
        StringBuilder tb = new StringBuilder("`timescale 1ns / 1ps\nmodule tb;\n");
        StringBuilder connections = new StringBuilder();
        StringBuilder format = new StringBuilder();
        StringBuilder args = new StringBuilder();
        for (Signal port : top.ports()) {
            String range = port.width() == 1 ? "" : "[" + (port.width() - 1) + ":0] ";
            boolean input = port.role() == SignalRole.INPUT;
            tb.append("  ").append(input ? "reg  " : "wire ").append(range).append(port.name())
                    .append(input ? " = 0" : "").append(";\n");
            connections.append(connections.isEmpty() ? "" : ", ").append('.').append(port.name()).append('(')
                    .append(port.name()).append(')');
            if (!input) {
                format.append(format.isEmpty() ? "" : " ").append("%h");
                args.append(", ").append(port.name());
            }
        }
        tb.append("  integer f;\n");
        tb.append("  ").append(topName).append(" dut (").append(connections).append(");\n");
        tb.append("  always #5 ").append(clock).append(" = ~").append(clock).append(";\n");
        tb.append("  initial begin\n    f = $fopen(\"out.txt\", \"w\");\n");
        String asserted = reset == null ? null : domain.level() == ActiveLevel.HIGH ? "1'b1" : "1'b0";
        String released = reset == null ? null : domain.level() == ActiveLevel.HIGH ? "1'b0" : "1'b1";
        if (reset != null) {
            tb.append("    ").append(reset.name()).append(" = ").append(asserted).append(";\n");
            tb.append("    repeat (2) @(posedge ").append(clock).append(");\n");
            tb.append("    #1 ").append(reset.name()).append(" = ").append(released).append(";\n");
        }
        for (Map<String, Long> inputs : stimulus) {
            tb.append("    #1;");
            for (Map.Entry<String, Long> input : inputs.entrySet()) {
                tb.append(' ').append(input.getKey()).append(" = ").append(input.getValue()).append(';');
            }
            tb.append("\n    #7 $fwrite(f, \"").append(format).append("\\n\"").append(args).append(");\n");
            tb.append("    @(posedge ").append(clock).append(");\n");
        }
        tb.append("    $fclose(f);\n    $finish;\n  end\nendmodule\n");
        return tb.toString();
    }
}
