package dev.tellmej.hdl;

import static dev.tellmej.hdl.Hdl.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.hdl.examples.Counter;
import dev.tellmej.hdl.lib.SyncFifo;
import dev.tellmej.hdl.testing.DesignVerifier;
import dev.tellmej.hdl.testing.TestModule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Module naming and deduplication, black boxes, file output, and the stability of emitted names. */
class EmitterTest {
    @Test
    void identicalInstancesShareOneDefinitionAndParametersNameIt() {
        Design<TestModule> design = TestModule.elaborate("Top", m -> {
            UInt y = m.output("y", uint(8));
            Bool enable = m.input("enable", bool());
            Counter first = m.child("first", new Counter(4));
            Counter second = m.child("second", new Counter(4));
            Counter wide = m.child("wide", new Counter(6));
            for (Counter counter : List.of(first, second, wide)) {
                counter.enable.set(enable);
                counter.clear.set(false);
            }
            y.set(first.count.add(second.count).add(wide.count));
        });
        assertEquals(List.of("Counter_w4", "Counter_w6", "Top"), List.copyOf(design.definitions().keySet()));
        DesignVerifier.verify(design, "dedup");
    }

    /** Same class and parameters, different structure: the later one gets a version suffix. */
    static final class Shape extends Module {
        final UInt a;
        final UInt y;

        Shape(boolean inverted) {
            param("w", 4);
            a = in("a", uint(4));
            y = out("y", uint(4));
            y.set(inverted ? a.not() : a);
        }
    }

    @Test
    void differentElaborationsUnderOneNameGetVersions() {
        Design<TestModule> design = TestModule.elaborate("Top", m -> {
            UInt a = m.input("a", uint(4));
            UInt y = m.output("y", uint(4));
            Shape plain = m.child("plain", new Shape(false));
            Shape inverted = m.child("inverted", new Shape(true));
            plain.a.set(a);
            inverted.a.set(a);
            y.set(plain.y.xor(inverted.y));
        });
        assertEquals(List.of("Shape_w4", "Shape_w4_v2", "Top"), List.copyOf(design.definitions().keySet()));
        DesignVerifier.verify(design, "versions");
    }

    /** An existing Verilog module with parameters. */
    static final class ExternalAdder extends BlackBox {
        final UInt a = in("a", uint(8));
        final UInt b = in("b", uint(8));
        final UInt sum = out("sum", uint(9));

        ExternalAdder(int latency, Path source) {
            definition("external_adder");
            verilogParameter("LATENCY", latency);
            verilogParameter("MODE", "fast");
            source(source);
        }
    }

    @Test
    void blackBoxesAreInstantiatedWithParametersAndListedNotEmitted(@TempDir Path dir) throws IOException {
        Path source = dir.resolve("external_adder.v");
        Files.writeString(source, """
                `timescale 1ns / 1ps
                `default_nettype none
                module external_adder #(parameter integer LATENCY = 0, parameter MODE = "slow") (
                  input  wire [7:0] a,
                  input  wire [7:0] b,
                  output wire [8:0] sum
                );
                  localparam [8:0] BIAS = (MODE == "fast") ? 9'd0 : LATENCY[8:0];
                  assign sum = {1'b0, a} + {1'b0, b} + BIAS;
                endmodule
                `default_nettype wire
                """);
        Design<TestModule> design = TestModule.elaborate("UsesBlackBox", m -> {
            UInt a = m.input("a", uint(8));
            UInt y = m.output("y", uint(9));
            ExternalAdder adder = m.child("adder", new ExternalAdder(2, source));
            adder.a.set(a);
            adder.b.set(a.add(1));
            y.set(adder.sum);
        });
        assertEquals(List.of("UsesBlackBox"), List.copyOf(design.definitions().keySet()));
        String text = design.definitions().get("UsesBlackBox");
        assertTrue(text.contains("external_adder #(.LATENCY(2), .MODE(\"fast\")) adder ("), text);
        List<Path> files = design.writeVerilog(dir.resolve("out"));
        String fileList = Files.readString(files.getLast());
        assertEquals("UsesBlackBox.v\n" + source + "\n", fileList);
        var lint = dev.tellmej.eda.VerilatorLint.run(dir, List.of(files.getFirst(), source), "UsesBlackBox");
        assertTrue(lint.clean(), lint.output());
        var report = dev.tellmej.eda.YosysSynth.run(dir, List.of(files.getFirst(), source), "UsesBlackBox",
                java.time.Duration.ofMinutes(5));
        assertTrue(report.luts() > 0, report.toString());
    }

    @Test
    void outputIsByteIdenticalAndTemporariesDoNotRenumberAfterUnrelatedEdits() {
        java.util.function.Consumer<TestModule> body = m -> {
            UInt a = m.input("a", uint(8));
            UInt b = m.input("b", uint(8));
            UInt y = m.output("y", uint(4));
            UInt z = m.output("z", uint(8));
            y.set(a.add(b).slice(5, 2));
            z.set(a.mul(b).trunc(8));
        };
        Design<TestModule> first = TestModule.elaborate("Stable", body);
        Design<TestModule> again = TestModule.elaborate("Stable", body);
        DesignVerifier.assertDeterministic(first, again);
        String text = first.definitions().get("Stable");
        assertTrue(text.contains("wire [7:0] y_sum;"), text);
        assertTrue(text.contains("assign y = y_sum[5:2];"), text);

        Design<TestModule> edited = TestModule.elaborate("Stable", m -> {
            UInt a = m.input("a", uint(8));
            UInt b = m.input("b", uint(8));
            UInt y = m.output("y", uint(4));
            UInt z = m.output("z", uint(8));
            UInt extra = m.output("extra", uint(8));
            extra.set(a.sub(b).slice(7, 0));
            y.set(a.add(b).slice(5, 2));
            z.set(a.mul(b).trunc(8));
        });
        String editedText = edited.definitions().get("Stable");
        assertTrue(editedText.contains("assign y = y_sum[5:2];"), editedText);
        assertTrue(editedText.contains("wire [15:0] z_prod;"), editedText);
        DesignVerifier.verify(first, "stable-names");
        DesignVerifier.verify(edited, "stable-names-edited");
    }

    @Test
    void userNamesPassThroughAndLocationsAreCommented() {
        Design<SyncFifo> design = Hdl.elaborate(() -> new SyncFifo(8, 4, RamStyle.DISTRIBUTED));
        String text = design.definitions().get("SyncFifo_w8_d4");
        for (String name : List.of("push_valid", "pop_payload", "occupancy", "write_pointer", "read_pointer", "stored")) {
            assertTrue(text.contains(name), name);
        }
        assertTrue(text.contains("// SyncFifo.java:"), text);
        assertTrue(text.startsWith("// Generated by TeLLMe-J hdl-gen from dev.tellmej.hdl.lib.SyncFifo"), text);
        assertTrue(text.contains("`default_nettype none"), text);
        assertFalse(text.contains("_zz_") || text.contains("_GEN_"), text);
    }

    @Test
    void vendorAttributesAreEmitted() {
        Design<TestModule> design = TestModule.elaborate("Attributes", m -> {
            Bool a = m.input("a", bool());
            Bool y = m.output("y", bool());
            ClockDomain other = m.domain("other_clk", "other_reset");
            y.set(dev.tellmej.hdl.lib.Synchronizer.bit("a_sync", a, other, 2));
        });
        String text = design.definitions().get("Attributes");
        assertTrue(text.contains("(* async_reg = \"true\", shreg_extract = \"no\" *)"), text);
        DesignVerifier.verify(design, "attributes");
    }
}
