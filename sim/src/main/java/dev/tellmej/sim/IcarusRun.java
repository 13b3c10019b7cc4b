package dev.tellmej.sim;

import dev.tellmej.eda.EdaTool;
import dev.tellmej.eda.ExternalCommand;
import dev.tellmej.hdl.ActiveLevel;
import dev.tellmej.hdl.Data;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.Stream;
import dev.tellmej.hdl.lib.axi.Axi4;
import dev.tellmej.hdl.lib.axi.Axi4Lite;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntToLongFunction;

/**
 * A four-state run of a small design in Icarus Verilog, the second simulator: a generated testbench
 * holds reset for a few cycles, then applies one input vector per cycle (seeded random values unless
 * given) and checks every output before each clock edge. An output at X or Z after reset fails the run
 * with an {@link UnknownValueException}: Verilator, being two-state, cannot see those. Payloads of
 * streams and flows the top declares (and AXI channels) only count while their valid is high.
 *
 * <pre>{@code
 * IcarusRun.Result result = IcarusRun.of(design).cycles(200).seed(1).run();
 * BigInteger count = result.value("count", 10);
 * }</pre>
 */
public final class IcarusRun {
    private static final String TESTBENCH = "tlm_icarus_tb";

    private final Design<?> design;
    private final ModelLayout layout;
    private final Map<String, IntToLongFunction> stimulus = new HashMap<>();
    private final Map<String, String> qualifiers = new LinkedHashMap<>();
    private int cycles = 100;
    private int resetCycles = SimModel.DEFAULT_RESET_CYCLES;
    private long seed;
    private Path workDir;

    private IcarusRun(Design<?> design) {
        this.design = design;
        this.layout = ModelLayout.of(design);
        qualifyInterfaces(design.top());
    }

    /** A run of {@code design}: 100 cycles after 2 of reset, random inputs from seed 0. */
    public static IcarusRun of(Design<?> design) {
        return new IcarusRun(design);
    }

    /** Cycles to run after reset. */
    public IcarusRun cycles(int count) {
        this.cycles = count;
        return this;
    }

    /** Cycles reset is held at the start (ignored for a design without reset). */
    public IcarusRun resetCycles(int count) {
        this.resetCycles = count;
        return this;
    }

    /** Seeds the random values of inputs without explicit stimulus. */
    public IcarusRun seed(long value) {
        this.seed = value;
        return this;
    }

    /** Drives input {@code port} with {@code valueOfCycle.applyAsLong(cycle)} in each cycle after reset. */
    public IcarusRun drive(Data port, IntToLongFunction valueOfCycle) {
        stimulus.put(portInfo(port).name(), valueOfCycle);
        return this;
    }

    /** Checks output {@code payload} for X only in cycles where output {@code valid} is 1. */
    public IcarusRun qualify(Data payload, Data valid) {
        qualifiers.put(portInfo(payload).name(), portInfo(valid).name());
        return this;
    }

    /** Where the testbench, vectors and compiled model go (default {@code target/icarus/<top>}). */
    public IcarusRun workDir(Path dir) {
        this.workDir = dir;
        return this;
    }

    private ModelLayout.PortInfo portInfo(Data handle) {
        ModelLayout.PortInfo info = handle.isTemplate() ? null : layout.portOf(handle.signal());
        if (info == null) {
            throw new NotAPortException(handle + " is not a port of " + layout.topName());
        }
        return info;
    }

    /** Streams, flows and AXI ports among the top's public fields: their payloads count only when valid. */
    private void qualifyInterfaces(Module top) {
        for (Field field : top.getClass().getFields()) {
            if (Modifier.isStatic(field.getModifiers())) {
                continue;
            }
            Object value;
            try {
                value = field.get(top);
            } catch (IllegalAccessException e) {
                continue;
            }
            switch (value) {
                case Stream<?> s -> qualifyAll(s.payload, s.valid);
                case Flow<?> f -> qualifyAll(f.payload, f.valid);
                case Axi4 a -> {
                    for (Stream<?> channel : List.of(a.aw(), a.w(), a.b(), a.ar(), a.r())) {
                        qualifyAll(channel.payload, channel.valid);
                    }
                }
                case Axi4Lite l -> {
                    qualifyAll(List.of(l.awaddr), l.awvalid);
                    qualifyAll(List.of(l.wdata, l.wstrb), l.wvalid);
                    qualifyAll(List.of(l.bresp), l.bvalid);
                    qualifyAll(List.of(l.araddr), l.arvalid);
                    qualifyAll(List.of(l.rdata, l.rresp), l.rvalid);
                }
                case null, default -> { }
            }
        }
    }

    private void qualifyAll(Object payload, Data valid) {
        ModelLayout.PortInfo validPort = valid.isTemplate() ? null : layout.portOf(valid.signal());
        if (validPort == null) {
            return;
        }
        for (Data leaf : Hdl.leaves(payload)) {
            ModelLayout.PortInfo port = leaf.isTemplate() ? null : layout.portOf(leaf.signal());
            if (port != null) {
                qualifiers.put(port.name(), validPort.name());
            }
        }
    }

    /**
     * What a run saw: every output's value before each clock edge after reset.
     *
     * @param outputs the outputs' names, in port order
     * @param values  {@code values.get(cycle).get(i)}: output i in that cycle, or null where it was X or Z
     * @param inputs  {@code inputs.get(cycle)}: the value applied to each input in that cycle
     */
    public record Result(List<String> outputs, List<List<BigInteger>> values, List<Map<String, Long>> inputs) {
        /** Output {@code port} in {@code cycle} (null when unknown). */
        public BigInteger value(String port, int cycle) {
            int index = outputs.indexOf(port);
            if (index < 0) {
                throw new IllegalArgumentException("no output " + port + "; outputs are " + outputs);
            }
            return values.get(cycle).get(index);
        }
    }

    /**
     * Compiles and runs the testbench.
     *
     * @throws UnknownValueException when an output is X or Z after reset
     * @throws dev.tellmej.eda.ToolNotFoundException when Icarus Verilog is not installed
     */
    public Result run() {
        Path dir = (workDir != null ? workDir : Path.of("target", "icarus", layout.topName())).toAbsolutePath();
        List<ModelLayout.PortInfo> inputs = new ArrayList<>();
        List<ModelLayout.PortInfo> outputs = new ArrayList<>();
        for (ModelLayout.PortInfo port : layout.ports()) {
            if (port.index() == layout.clock() || port.index() == layout.reset()) {
                continue;
            }
            (port.input() ? inputs : outputs).add(port);
        }
        List<Map<String, Long>> applied = stimulus(inputs);
        try {
            Files.createDirectories(dir);
            List<Path> files = new ArrayList<>(design.writeVerilog(dir));
            files.removeLast();  // the file list
            for (String source : design.blackBoxSources()) {
                files.add(Path.of(source));
            }
            Files.writeString(dir.resolve("stimulus.hex"), vectors(inputs, applied));
            Files.writeString(dir.resolve(TESTBENCH + ".v"), testbench(inputs, outputs));
            List<String> compile = new ArrayList<>(List.of(EdaTool.IVERILOG.require().toString(), "-g2012", "-o",
                    "tb.vvp", "-s", TESTBENCH, TESTBENCH + ".v"));
            files.forEach(f -> compile.add(f.toString()));
            ExternalCommand.of(compile).directory(dir).timeout(Duration.ofMinutes(5)).run()
                    .requireSuccess("compile " + layout.topName() + " with Icarus Verilog");
            ExternalCommand.Result run = ExternalCommand.of(EdaTool.VVP.require().toString(), "-n", "tb.vvp")
                    .directory(dir).timeout(Duration.ofMinutes(10)).run()
                    .requireSuccess("run " + layout.topName() + " in Icarus Verilog");
            return parse(run.stdout(), outputs, applied);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the Icarus testbench to " + dir, e);
        }
    }

    private List<Map<String, Long>> stimulus(List<ModelLayout.PortInfo> inputs) {
        Random random = new Random(seed);
        List<Map<String, Long>> applied = new ArrayList<>(cycles);
        for (int cycle = 0; cycle < cycles; cycle++) {
            Map<String, Long> vector = new LinkedHashMap<>();
            for (ModelLayout.PortInfo port : inputs) {
                IntToLongFunction given = stimulus.get(port.name());
                long value = given != null ? given.applyAsLong(cycle) : random.nextLong();
                vector.put(port.name(), port.width() >= 64 ? value : value & ((1L << port.width()) - 1));
            }
            applied.add(vector);
        }
        return applied;
    }

    private static int vectorWidth(List<ModelLayout.PortInfo> inputs) {
        return Math.max(1, inputs.stream().mapToInt(ModelLayout.PortInfo::width).sum());
    }

    /** One line per cycle: the inputs concatenated, the first input least significant. */
    private static String vectors(List<ModelLayout.PortInfo> inputs, List<Map<String, Long>> applied) {
        StringBuilder text = new StringBuilder();
        for (Map<String, Long> vector : applied) {
            BigInteger bits = BigInteger.ZERO;
            int shift = 0;
            for (ModelLayout.PortInfo port : inputs) {
                // Ports wider than 64 bits get the 64-bit value zero-extended.
                bits = bits.or(new BigInteger(Long.toUnsignedString(vector.get(port.name()))).shiftLeft(shift));
                shift += port.width();
            }
            text.append(bits.toString(16)).append('\n');
        }
        return text.toString();
    }

    private String testbench(List<ModelLayout.PortInfo> inputs, List<ModelLayout.PortInfo> outputs) {
        int width = vectorWidth(inputs);
        StringBuilder v = new StringBuilder();
        v.append("// Generated by TeLLMe-J sim (IcarusRun) for ").append(layout.topName()).append(". Do not edit.\n");
        v.append("`timescale 1ns / 1ps\n`default_nettype none\n\n");
        v.append("module ").append(TESTBENCH).append(";\n");
        v.append("  reg tlm_clk = 1'b0;\n");
        boolean hasReset = layout.reset() >= 0;
        String active = layout.resetLevel() == ActiveLevel.HIGH ? "1'b1" : "1'b0";
        String inactive = layout.resetLevel() == ActiveLevel.HIGH ? "1'b0" : "1'b1";
        if (hasReset) {
            v.append("  reg tlm_rst = ").append(active).append(";\n");
        }
        v.append("  reg [").append(width - 1).append(":0] tlm_stimulus [0:").append(Math.max(0, cycles - 1)).append("];\n");
        v.append("  reg [").append(width - 1).append(":0] tlm_vector = ").append(width).append("'d0;\n");
        v.append("  integer tlm_cycle;\n");
        for (ModelLayout.PortInfo port : outputs) {
            v.append("  wire [").append(port.width() - 1).append(":0] ").append(port.name()).append(";\n");
        }
        v.append("\n  ").append(layout.topName()).append(" dut (\n");
        List<String> connections = new ArrayList<>();
        int shift = 0;
        Map<String, Integer> offsets = new HashMap<>();
        for (ModelLayout.PortInfo port : inputs) {
            offsets.put(port.name(), shift);
            shift += port.width();
        }
        for (ModelLayout.PortInfo port : layout.ports()) {
            String signal;
            if (port.index() == layout.clock()) {
                signal = "tlm_clk";
            } else if (port.index() == layout.reset()) {
                signal = "tlm_rst";
            } else if (port.input()) {
                int lo = offsets.get(port.name());
                signal = "tlm_vector[" + (lo + port.width() - 1) + ":" + lo + "]";
            } else {
                signal = port.name();
            }
            connections.add("    ." + port.name() + "(" + signal + ")");
        }
        v.append(String.join(",\n", connections)).append("\n  );\n\n");
        v.append("  always #5 tlm_clk = ~tlm_clk;\n\n");
        v.append("  initial begin\n");
        v.append("    $readmemh(\"stimulus.hex\", tlm_stimulus);\n");
        if (hasReset) {
            v.append("    repeat (").append(resetCycles).append(") @(posedge tlm_clk);\n");
            v.append("    #1 tlm_rst = ").append(inactive).append(";\n");
        } else {
            v.append("    #1;\n");
        }
        v.append("    for (tlm_cycle = 0; tlm_cycle < ").append(cycles).append("; tlm_cycle = tlm_cycle + 1) begin\n");
        v.append("      tlm_vector = tlm_stimulus[tlm_cycle];\n");
        v.append("      #8;\n");
        for (ModelLayout.PortInfo port : outputs) {
            String valid = qualifiers.get(port.name());
            String condition = valid == null ? "^" + port.name() + " === 1'bx"
                    : valid + " !== 1'b0 && ^" + port.name() + " === 1'bx";
            v.append("      if (").append(condition).append(") $display(\"TLM_X %0d ").append(port.name())
                    .append(" %b\", tlm_cycle, ").append(port.name()).append(");\n");
        }
        v.append("      $display(\"TLM_OUT %0d");
        outputs.forEach(port -> v.append(" %h"));
        v.append("\", tlm_cycle");
        outputs.forEach(port -> v.append(", ").append(port.name()));
        v.append(");\n");
        v.append("      @(posedge tlm_clk);\n      #1;\n");
        v.append("    end\n    $display(\"TLM_DONE\");\n    $finish;\n  end\nendmodule\n\n`default_nettype wire\n");
        return v.toString();
    }

    private Result parse(String stdout, List<ModelLayout.PortInfo> outputs, List<Map<String, Long>> applied) {
        List<List<BigInteger>> values = new ArrayList<>();
        List<UnknownValueException.Unknown> unknowns = new ArrayList<>();
        boolean done = false;
        for (String line : stdout.lines().toList()) {
            String[] parts = line.strip().split("\\s+");
            switch (parts[0]) {
                case "TLM_X" -> unknowns.add(new UnknownValueException.Unknown(parts[2], Integer.parseInt(parts[1]),
                        parts[3]));
                case "TLM_OUT" -> {
                    List<BigInteger> row = new ArrayList<>();
                    for (int i = 0; i < outputs.size(); i++) {
                        String hex = parts[2 + i];
                        boolean unknown = hex.chars().anyMatch(c -> "xXzZ".indexOf(c) >= 0);
                        row.add(unknown ? null : new BigInteger(hex, 16));
                    }
                    values.add(row);
                }
                case "TLM_DONE" -> done = true;
                default -> { }
            }
        }
        if (!unknowns.isEmpty()) {
            throw new UnknownValueException(layout.topName(), unknowns);
        }
        if (!done || values.size() != cycles) {
            throw new SimFailureException("the Icarus run of " + layout.topName() + " ended early after "
                    + values.size() + " of " + cycles + " cycles:\n" + stdout, values.size());
        }
        return new Result(outputs.stream().map(ModelLayout.PortInfo::name).toList(), values, applied);
    }
}
