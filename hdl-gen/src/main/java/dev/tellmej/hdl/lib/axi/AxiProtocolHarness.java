package dev.tellmej.hdl.lib.axi;

import dev.tellmej.hdl.Design;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Binds the project's AXI protocol checkers beside every AXI port of a design, for the formal flow
 * ({@code dev.tellmej.eda.YosysFormal}, {@code tellme verify formal}).
 *
 * <p>The checkers are hand-written SystemVerilog kept in this package's resources: {@code
 * tellme_axi4_master_check.sv} (an AXI4 master port) and {@code tellme_axi4lite_slave_check.sv} (an AXI4-Lite
 * slave port). They are files rather than HDL-generated modules because their properties are sequential
 * statements about the previous cycle best reviewed side by side with the specification, and the HDL emits no
 * {@code assert}/{@code assume} for formal tools. Yosys 0.23 has no {@code bind}, so this class writes a top
 * module, {@code tellme_formal_<design top>}, that instantiates the design with every input free and one checker
 * per port. A port is the group of top-level signals {@code P_awvalid}, {@code P_arvalid}, ... of one prefix
 * {@code P}; it is AXI4 when it has {@code P_arlen}, AXI4-Lite otherwise, a master when {@code P_arvalid} is an
 * output. The clock is {@code clk} (or {@code ap_clk}), the reset {@code reset} (or active-low
 * {@code ap_rst_n}).
 */
public final class AxiProtocolHarness {
    /** The checker of an AXI4 master port. */
    public static final String MASTER_CHECKER = "tellme_axi4_master_check";
    /** The checker of an AXI4-Lite slave port. */
    public static final String LITE_SLAVE_CHECKER = "tellme_axi4lite_slave_check";

    private static final Pattern PORT = Pattern.compile(
            "^\\s*(input|output)\\s+wire\\s+(?:\\[(\\d+):0\\]\\s+)?([A-Za-z_][A-Za-z0-9_$]*)");

    /**
     * One checked port.
     *
     * @param prefix     the signal prefix, for example {@code m_axi_w0}
     * @param lite       AXI4-Lite rather than AXI4
     * @param checker    the checker instance's name in the harness
     */
    public record CheckedPort(String prefix, boolean lite, String checker) {}

    private record Signal(boolean input, int width, String name) {}

    private final String top;
    private final String harnessName;
    private final Map<String, String> files = new LinkedHashMap<>();
    private final List<CheckedPort> ports = new ArrayList<>();

    private AxiProtocolHarness(Design<?> design, int maxBursts) {
        top = design.topName();
        harnessName = "tellme_formal_" + top;
        String definition = design.definitions().get(top);
        Map<String, Signal> signals = new LinkedHashMap<>();
        for (String line : definition.lines().toList()) {
            if (line.startsWith(");")) {
                break;
            }
            Matcher m = PORT.matcher(line);
            if (m.find()) {
                int width = m.group(2) == null ? 1 : Integer.parseInt(m.group(2)) + 1;
                signals.put(m.group(3), new Signal(m.group(1).equals("input"), width, m.group(3)));
            }
        }
        String clock = signals.containsKey("clk") ? "clk" : signals.containsKey("ap_clk") ? "ap_clk" : null;
        if (clock == null) {
            throw new IllegalArgumentException(top + " has no clock input clk or ap_clk to check its AXI ports on");
        }
        String reset = signals.containsKey("reset") ? "reset" : signals.containsKey("ap_rst_n") ? "!ap_rst_n" : null;
        if (reset == null) {
            throw new IllegalArgumentException(top + " has no reset input reset or ap_rst_n");
        }

        StringBuilder body = new StringBuilder();
        for (Signal s : signals.values()) {
            if (!s.input()) {
                body.append("  wire ").append(range(s.width())).append(s.name()).append(";\n");
            }
        }
        body.append("\n  ").append(top).append(" dut (\n");
        List<String> connections = new ArrayList<>();
        for (Signal s : signals.values()) {
            connections.add("    ." + s.name() + "(" + s.name() + ")");
        }
        body.append(String.join(",\n", connections)).append("\n  );\n");

        for (Signal s : signals.values()) {
            if (!s.name().endsWith("_arvalid")) {
                continue;
            }
            String prefix = s.name().substring(0, s.name().length() - "_arvalid".length());
            boolean lite = !signals.containsKey(prefix + "_arlen");
            boolean master = !s.input();
            String instance = "check_" + prefix;
            if (lite && !master) {
                body.append(liteSlave(prefix, instance, signals, clock, reset));
            } else if (!lite && master) {
                body.append(axi4Master(prefix, instance, signals, clock, reset, maxBursts));
            } else {
                throw new IllegalArgumentException("port " + prefix + " of " + top + " is an AXI" + (lite ? "4-Lite" : "4")
                        + (master ? " master" : " slave") + "; the checkers cover AXI4 masters and AXI4-Lite slaves");
            }
            ports.add(new CheckedPort(prefix, lite, instance));
        }
        if (ports.isEmpty()) {
            throw new IllegalArgumentException(top + " has no AXI port (no top-level signal named *_arvalid)");
        }

        StringBuilder harness = new StringBuilder();
        harness.append("// Generated by TeLLMe-J: ").append(top).append(" with a protocol checker beside each AXI port")
                .append(" (AxiProtocolHarness). Do not edit.\n`default_nettype none\n\nmodule ").append(harnessName)
                .append(" (\n");
        List<String> inputs = new ArrayList<>();
        for (Signal s : signals.values()) {
            if (s.input()) {
                inputs.add("  input wire " + range(s.width()) + s.name());
            }
        }
        harness.append(String.join(",\n", inputs)).append("\n);\n").append(body).append("endmodule\n\n`default_nettype wire\n");
        files.put(harnessName + ".sv", harness.toString());
        files.put(MASTER_CHECKER + ".sv", resource(MASTER_CHECKER + ".sv"));
        files.put(LITE_SLAVE_CHECKER + ".sv", resource(LITE_SLAVE_CHECKER + ".sv"));
        design.verilogFiles(top).forEach((name, text) -> {
            if (name.endsWith(".v") || name.endsWith(".sv")) {
                files.put(name, text);
            }
        });
    }

    /**
     * The harness of {@code design}: every AXI4 master port checked with at most {@code maxBursts} bursts in
     * flight per direction (the checker's capacity and a property of the master), every AXI4-Lite slave port
     * with one write and one read pending.
     *
     * @throws IllegalArgumentException when the design has no clock, reset or AXI port, or a port of a kind
     *                                  without a checker
     */
    public static AxiProtocolHarness of(Design<?> design, int maxBursts) {
        if (maxBursts < 1 || maxBursts > 64) {
            throw new IllegalArgumentException("bursts in flight must be 1..64, got " + maxBursts);
        }
        return new AxiProtocolHarness(design, maxBursts);
    }

    /** The harness top module's name: {@code tellme_formal_<design top>}. */
    public String topName() {
        return harnessName;
    }

    /** The ports that got a checker, in port order. */
    public List<CheckedPort> ports() {
        return List.copyOf(ports);
    }

    /** Every file of the check by name: the harness, the two checkers, the design's Verilog. */
    public Map<String, String> files() {
        return java.util.Collections.unmodifiableMap(files);
    }

    /** Writes {@link #files()} into {@code dir} (created if needed) and returns their paths, harness first. */
    public List<Path> write(Path dir) {
        try {
            Files.createDirectories(dir);
            List<Path> written = new ArrayList<>();
            for (Map.Entry<String, String> file : files.entrySet()) {
                Path path = dir.resolve(file.getKey());
                Files.writeString(path, file.getValue());
                written.add(path);
            }
            return written;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the formal harness into " + dir, e);
        }
    }

    private static String axi4Master(String prefix, String instance, Map<String, Signal> signals, String clock,
            String reset, int maxBursts) {
        int addressWidth = signals.get(prefix + "_araddr").width();
        int dataWidth = signals.get(prefix + "_rdata").width();
        Signal id = signals.get(prefix + "_arid");
        int idWidth = id == null ? 1 : id.width();
        StringBuilder text = new StringBuilder();
        text.append("\n  ").append(MASTER_CHECKER).append(" #(.ADDR_W(").append(addressWidth).append("), .DATA_W(")
                .append(dataWidth).append("), .ID_W(").append(idWidth).append("), .MAX_BURSTS(").append(maxBursts)
                .append(")) ").append(instance).append(" (\n");
        List<String> pins = new ArrayList<>();
        pins.add("    .clk(" + clock + ")");
        pins.add("    .reset(" + reset + ")");
        for (String member : List.of("awvalid", "awready", "awaddr", "awlen", "awsize", "awburst", "awid", "wvalid",
                "wready", "wdata", "wstrb", "wlast", "bvalid", "bready", "bresp", "arvalid", "arready", "araddr", "arlen",
                "arsize", "arburst", "arid", "rvalid", "rready", "rdata", "rresp", "rlast")) {
            String name = prefix + "_" + member;
            pins.add("    ." + member + "(" + (signals.containsKey(name) ? name : "1'b0") + ")");
        }
        return text.append(String.join(",\n", pins)).append("\n  );\n").toString();
    }

    private static String liteSlave(String prefix, String instance, Map<String, Signal> signals, String clock,
            String reset) {
        int addressWidth = signals.get(prefix + "_araddr").width();
        StringBuilder text = new StringBuilder();
        text.append("\n  ").append(LITE_SLAVE_CHECKER).append(" #(.ADDR_W(").append(addressWidth).append("), .MAX_PENDING(1)) ")
                .append(instance).append(" (\n");
        List<String> pins = new ArrayList<>();
        pins.add("    .clk(" + clock + ")");
        pins.add("    .reset(" + reset + ")");
        for (String member : List.of("awvalid", "awready", "awaddr", "wvalid", "wready", "wdata", "wstrb", "bvalid",
                "bready", "bresp", "arvalid", "arready", "araddr", "rvalid", "rready", "rdata", "rresp")) {
            pins.add("    ." + member + "(" + prefix + "_" + member + ")");
        }
        return text.append(String.join(",\n", pins)).append("\n  );\n").toString();
    }

    private static String range(int width) {
        return width == 1 ? "" : "[" + (width - 1) + ":0] ";
    }

    private static String resource(String name) {
        try (InputStream in = AxiProtocolHarness.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the checker " + name + " is missing from the hdl-gen jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the checker " + name, e);
        }
    }
}
