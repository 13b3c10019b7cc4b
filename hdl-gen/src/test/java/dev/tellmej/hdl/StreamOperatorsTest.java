package dev.tellmej.hdl;

import static dev.tellmej.hdl.Hdl.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.eda.EdaTool;
import dev.tellmej.eda.ExternalCommand;
import dev.tellmej.hdl.lib.Stream;
import dev.tellmej.hdl.testing.DesignVerifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stream operators under random valid/ready in Icarus Verilog: a Verilog test bench drives each input
 * by the handshake rules (valid held until the transfer, payload a per-stream sequence) and randomizes
 * every ready; it logs each transfer and flags any output that drops valid or changes its payload while
 * stalled. Java then checks the logs against what each operator promises.
 */
class StreamOperatorsTest {
    private static final int SEED = 20261121;
    private static final int CYCLES = 3000;

    static final class Operators extends Module {
        Operators() {
            Stream<UInt> a = in("a", Stream.of(uint(8)));
            Stream<UInt> b = in("b", Stream.of(uint(8)));
            Stream<UInt> c = in("c", Stream.of(uint(8)));
            Stream<UInt> d = in("d", Stream.of(uint(8)));
            Stream<UInt> e = in("e", Stream.of(uint(8)));
            Stream<UInt> f = in("f", Stream.of(uint(8)));
            Bool halt = in("halt", bool());
            Stream<UInt> even = out("even", Stream.of(uint(8)));
            Stream<UInt> all = out("all", Stream.of(uint(8)));
            Stream<Bits> pair = out("pair", Stream.of(bits(16)));
            Stream<UInt> arbitrated = out("arbitrated", Stream.of(uint(8)));

            List<Stream<UInt>> copies = a.fork("a_fork", 2);
            copies.get(0).throwWhen(copies.get(0).payload.lsb()).connectTo(even);
            copies.get(1).fullPipe("a_pipe").connectTo(all);
            Stream.join("bc", b, c).map(p -> cat(p.first(), p.second())).s2mPipe("bc_skid").connectTo(pair);
            Stream.roundRobin("rr", List.of(d, e, f)).haltWhen(halt).stage("rr_out").connectTo(arbitrated);
        }
    }

    private static final List<String> INPUTS = List.of("a", "b", "c", "d", "e", "f");
    private static final Map<String, Integer> OUTPUT_WIDTHS = new LinkedHashMap<>();

    static {
        OUTPUT_WIDTHS.put("even", 8);
        OUTPUT_WIDTHS.put("all", 8);
        OUTPUT_WIDTHS.put("pair", 16);
        OUTPUT_WIDTHS.put("arbitrated", 8);
    }

    /** Stream d, e, f words carry their source in the top two bits: 01, 10, 11. */
    private static int first(String input) {
        return switch (input) {
            case "d" -> 0x40;
            case "e" -> 0x80;
            case "f" -> 0xc0;
            default -> 0;
        };
    }

    @Test
    void operatorsKeepOrderDataAndTheHandshakeRules(@TempDir Path dir) throws IOException {
        Design<Operators> design = elaborate(Operators::new);
        DesignVerifier.verify(design, "stream-operators");
        List<Path> files = DesignVerifier.lint(design, "stream-operators");
        Files.writeString(dir.resolve("tb.v"), testbench(design.topName()));
        List<String> compile = new ArrayList<>(List.of(EdaTool.IVERILOG.require().toString(), "-g2005", "-Wall",
                "-o", "sim.vvp", "tb.v"));
        for (Path file : files.subList(0, files.size() - 1)) {
            compile.add(file.toString());
        }
        ExternalCommand.of(compile).directory(dir).run().requireSuccess("compile the stream test bench");
        ExternalCommand.of(EdaTool.VVP.require().toString(), "-n", "sim.vvp").directory(dir)
                .timeout(Duration.ofMinutes(2)).run().requireSuccess("simulate the stream test bench");

        Map<String, List<Integer>> transfers = new LinkedHashMap<>();
        List<String> violations = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("log.txt"))) {
            String[] fields = line.trim().split("\\s+");
            if (fields[0].equals("violation")) {
                violations.add(line);
                continue;
            }
            transfers.computeIfAbsent(fields[0], k -> new ArrayList<>()).add(Integer.parseInt(fields[1], 16));
        }
        assertEquals(List.of(), violations, "handshake violations (seed " + SEED + ")");

        List<Integer> fromA = transfers.get("a");
        assertTrue(fromA.size() > 300, "a transfers: " + fromA.size());
        assertSamePrefix(fromA, transfers.get("all"), "fork + fullPipe pass every word in order");
        assertSamePrefix(fromA.stream().filter(w -> (w & 1) == 0).toList(), transfers.get("even"),
                "fork + throwWhen drop exactly the odd words");

        List<Integer> b = transfers.get("b");
        List<Integer> c = transfers.get("c");
        List<Integer> pairs = transfers.get("pair");
        assertEquals(b.size(), c.size(), "join consumes both sides together");
        assertTrue(b.size() - pairs.size() <= 2 && pairs.size() <= b.size(), "pairs in flight");
        for (int i = 0; i < pairs.size(); i++) {
            assertEquals((b.get(i) << 8) | c.get(i), pairs.get(i), "pair " + i);
        }

        List<Integer> merged = transfers.get("arbitrated");
        int total = 0;
        for (String input : List.of("d", "e", "f")) {
            List<Integer> sent = transfers.get(input);
            List<Integer> received = merged.stream().filter(w -> (w & 0xc0) == first(input)).toList();
            assertEquals(sent.subList(0, received.size()), received, "round robin keeps " + input + "'s order");
            assertTrue(sent.size() - received.size() <= 2, "at most the words in flight are missing");
            assertTrue(received.size() > 150, input + " got " + received.size() + " grants: starved");
            total += received.size();
        }
        assertEquals(merged.size(), total);
    }

    /** One list is a prefix of the other, and they differ by at most the two words still in flight. */
    private static void assertSamePrefix(List<Integer> expected, List<Integer> actual, String what) {
        int common = Math.min(expected.size(), actual.size());
        assertEquals(expected.subList(0, common), actual.subList(0, common), what + " (seed " + SEED + ")");
        assertTrue(Math.abs(expected.size() - actual.size()) <= 2, what + ": " + expected.size() + " vs " + actual.size());
        assertTrue(common > 100, what + ": only " + common + " words");
    }

    private static String testbench(String top) {
        StringBuilder tb = new StringBuilder("`timescale 1ns / 1ps\nmodule tb;\n");
        tb.append("  reg clk = 1'b0; reg reset = 1'b1; reg halt = 1'b0;\n  integer seed = ").append(SEED)
                .append(";\n  integer f; integer cycle = 0;\n");
        StringBuilder ports = new StringBuilder(".clk(clk), .reset(reset), .halt(halt)");
        for (String input : INPUTS) {
            tb.append("  reg ").append(input).append("_valid = 1'b0; wire ").append(input).append("_ready; reg [7:0] ")
                    .append(input).append("_payload = 8'h").append(Integer.toHexString(first(input))).append(";\n");
            ports.append(", .").append(input).append("_valid(").append(input).append("_valid), .").append(input)
                    .append("_ready(").append(input).append("_ready), .").append(input).append("_payload(")
                    .append(input).append("_payload)");
        }
        for (Map.Entry<String, Integer> output : OUTPUT_WIDTHS.entrySet()) {
            String name = output.getKey();
            int width = output.getValue();
            tb.append("  wire ").append(name).append("_valid; reg ").append(name).append("_ready = 1'b0; wire [")
                    .append(width - 1).append(":0] ").append(name).append("_payload;\n");
            tb.append("  reg ").append(name).append("_stalled = 1'b0; reg [").append(width - 1).append(":0] ")
                    .append(name).append("_held;\n");
            ports.append(", .").append(name).append("_valid(").append(name).append("_valid), .").append(name)
                    .append("_ready(").append(name).append("_ready), .").append(name).append("_payload(")
                    .append(name).append("_payload)");
        }
        tb.append("  ").append(top).append(" dut (").append(ports).append(");\n");
        tb.append("  always #5 clk = ~clk;\n");
        // Sample at the falling edge, when everything of this cycle is settled.
        tb.append("  always @(negedge clk) if (!reset) begin\n    cycle = cycle + 1;\n");
        for (String input : INPUTS) {
            tb.append("    if (").append(input).append("_valid && ").append(input).append("_ready) $fwrite(f, \"")
                    .append(input).append(" %h\\n\", ").append(input).append("_payload);\n");
        }
        for (String name : OUTPUT_WIDTHS.keySet()) {
            tb.append("    if (").append(name).append("_stalled && (!").append(name).append("_valid || ").append(name)
                    .append("_payload != ").append(name).append("_held)) $fwrite(f, \"violation ").append(name)
                    .append(" cycle %0d\\n\", cycle);\n");
            tb.append("    if (").append(name).append("_valid && ").append(name).append("_ready) $fwrite(f, \"")
                    .append(name).append(" %h\\n\", ").append(name).append("_payload);\n");
            tb.append("    ").append(name).append("_stalled = ").append(name).append("_valid && !").append(name)
                    .append("_ready;\n    ").append(name).append("_held = ").append(name).append("_payload;\n");
        }
        tb.append("  end\n");
        // Drive after the rising edge: inputs by the rules, readies at random.
        tb.append("  always @(posedge clk) if (!reset) begin\n");
        for (String input : INPUTS) {
            tb.append("    if (").append(input).append("_valid && ").append(input).append("_ready) ").append(input)
                    .append("_payload <= {").append(input).append("_payload[7:6], ").append(input)
                    .append("_payload[5:0] + 6'd1};\n");
            tb.append("    if (!").append(input).append("_valid || ").append(input).append("_ready) ").append(input)
                    .append("_valid <= ($random(seed) & 3) != 0;\n");
        }
        for (String name : OUTPUT_WIDTHS.keySet()) {
            tb.append("    ").append(name).append("_ready <= ($random(seed) & 3) != 0;\n");
        }
        tb.append("    halt <= ($random(seed) & 7) == 0;\n  end\n");
        tb.append("  initial begin\n    f = $fopen(\"log.txt\", \"w\");\n    repeat (3) @(posedge clk);\n")
                .append("    #1 reset = 1'b0;\n    repeat (").append(CYCLES).append(") @(posedge clk);\n")
                .append("    $fclose(f);\n    $finish;\n  end\nendmodule\n");
        return tb.toString();
    }
}
