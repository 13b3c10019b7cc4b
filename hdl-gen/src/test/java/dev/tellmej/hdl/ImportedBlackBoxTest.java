package dev.tellmej.hdl;

import static dev.tellmej.hdl.Hdl.uint;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.hdl.check.ElaborationException;
import dev.tellmej.hdl.check.HdlUsageException;
import dev.tellmej.hdl.check.WidthMismatchException;
import dev.tellmej.hdl.imports.UnsupportedVerilogException;
import dev.tellmej.hdl.testing.TestModule;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Imported black boxes in a design: typed ports, parameters at the instance, the file list, the checks. */
class ImportedBlackBoxTest {
    private static final Path FILES = Path.of("src", "test", "resources", "verilog-import");

    @Test
    void portsHaveTheEvaluatedWidthsAndOnlyOverridesArePassed() {
        Design<TestModule> design = TestModule.elaborate("UsesAlu", m -> {
            UInt a = m.input("a", uint(48));
            UInt y = m.output("y", uint(49));
            ImportedBlackBox alu = m.child("alu", BlackBox.importVerilog(FILES.resolve("ansi.v"), "ansi_alu")
                    .parameter("WIDTH", 16).parameter("LANES", 3).build());
            assertInstanceOf(Bool.class, alu.port("clk"));
            assertEquals(48, alu.uint("a").width());
            assertEquals(16, alu.sint("bias").width());
            assertEquals(32, alu.sint("product").width());
            alu.bool("clk").set(Hdl.FALSE);
            alu.bool("rst_n").set(Hdl.TRUE);
            alu.uint("a").set(a);
            alu.uint("b").set(a);
            alu.sint("bias").set(Hdl.S(0, 16));
            alu.uint("addr").set(Hdl.U(0, 6));
            y.set(alu.uint("sum"));
        });
        String text = design.definitions().get("UsesAlu");
        assertTrue(text.contains("ansi_alu #(.WIDTH(16), .LANES(3)) alu ("), text);
        assertEquals(List.of(FILES.resolve("ansi.v").toString()), design.blackBoxSources());
        assertTrue(design.verilogFiles("UsesAlu").get("UsesAlu.f").endsWith(FILES.resolve("ansi.v") + "\n"));
        // ansi.v exercises the parser, not lint rules; the FIFO example (DocExamplesTest) is linted with its file.
    }

    @Test
    void theWidthCheckAppliesAtTheInstance() {
        ElaborationException e = assertThrows(ElaborationException.class, () -> TestModule.elaborate("Narrow", m -> {
            UInt a = m.input("a", uint(8));
            ImportedBlackBox fifo = m.child("fifo", BlackBox.importVerilog(FILES.resolve("fifo.v"), "fifo")
                    .parameter("WIDTH", 12).build());
            fifo.uint("in_data").set(a);
        }));
        assertTrue(e.errors().stream().anyMatch(error -> error instanceof WidthMismatchException
                && error.getMessage().contains("ImportedBlackBoxTest.java")
                && error.getMessage().contains("UInt(8)") && error.getMessage().contains("UInt(12)")), e.getMessage());
    }

    @Test
    void askingForAPortOfAnotherKindSaysWhichAccessorFits() {
        HdlUsageException e = assertThrows(HdlUsageException.class, () -> TestModule.elaborate("Wrong", m -> {
            ImportedBlackBox fifo = m.child("fifo", BlackBox.importVerilog(FILES.resolve("fifo.v"), "fifo").build());
            fifo.uint("clk");
        }));
        assertTrue(e.getMessage().contains("read it with bool(\"clk\")"), e.getMessage());
    }

    @Test
    void unsupportedPortsFailBeforeAnyHardwareIsMade() {
        UnsupportedVerilogException e = assertThrows(UnsupportedVerilogException.class,
                () -> TestModule.elaborate("Bus", m -> m.child("bus",
                        BlackBox.importVerilog(FILES.resolve("unsupported.v"), "uses_interface").build())));
        assertTrue(e.getMessage().contains("unsupported.v:8:3: port 'bus' is an interface port"), e.getMessage());
    }
}
