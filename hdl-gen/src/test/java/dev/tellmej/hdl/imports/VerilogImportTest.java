package dev.tellmej.hdl.imports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The importer on hand-written files: header styles, widths from parameters, comments, macros, errors. */
class VerilogImportTest {
    static final Path FILES = Path.of("src", "test", "resources", "verilog-import");

    /** name:direction:width:signed for every port, in order. */
    static List<String> ports(ResolvedModule module) {
        return module.ports().stream().map(p -> p.name() + ":" + p.direction().keyword() + ":" + p.width()
                + (p.signed() ? ":signed" : "")).toList();
    }

    @Test
    void readsAnAnsiHeaderWithParameterizedSignedAndInheritedPorts() {
        VerilogModule alu = VerilogSource.read(FILES.resolve("ansi.v")).module("ansi_alu");
        assertTrue(alu.ansi());
        assertEquals(List.of("WIDTH", "LANES", "MODE", "TOTAL"), alu.parameters().stream().map(VerilogParameter::name)
                .toList());
        assertTrue(alu.parameter("TOTAL").local());
        assertEquals("WIDTH * LANES", alu.parameter("TOTAL").defaultValue().text());
        assertEquals("integer", alu.parameter("WIDTH").type());
        ResolvedModule defaults = alu.resolve();
        assertEquals(List.of("clk:input:1", "rst_n:input:1", "a:input:16", "b:input:16", "bias:input:8:signed",
                "addr:input:6", "sum:output:17", "product:output:16:signed", "count:output:2", "nibble:output:4"),
                ports(defaults));
        assertEquals("[TOTAL-1:0]", alu.port("b").widthExpression());
        assertEquals(BigInteger.valueOf(5), defaults.parameters().get(2).value().integer());

        ResolvedModule wide = alu.resolve(Map.of("WIDTH", ConstantValue.of(32), "LANES", ConstantValue.of(4)));
        assertEquals(List.of("clk:input:1", "rst_n:input:1", "a:input:128", "b:input:128", "bias:input:32:signed",
                "addr:input:6", "sum:output:129", "product:output:64:signed", "count:output:3", "nibble:output:4"),
                ports(wide));
        assertTrue(wide.parameters().getFirst().overridden());
    }

    @Test
    void readsANonAnsiHeaderFromItsBodyDeclarationsSkippingFunctions() {
        VerilogModule counter = VerilogSource.read(FILES.resolve("non_ansi.v")).onlyModule();
        assertFalse(counter.ansi());
        assertEquals(List.of("clk:input:1", "reset:input:1", "enable:input:1", "count:output:4", "wrapped:output:1"),
                ports(counter.resolve()));
        assertEquals(List.of("clk:input:1", "reset:input:1", "enable:input:1", "count:output:10", "wrapped:output:1"),
                ports(counter.resolve(Map.of("WIDTH", ConstantValue.of(10)))));
        assertEquals(BigInteger.valueOf(1023), counter.resolve(Map.of("WIDTH", ConstantValue.of(10))).parameters()
                .get(1).value().integer());
        assertEquals("[TOP:0]", counter.port("count").widthExpression());
    }

    @Test
    void readsSeveralModulesWithCommentsAttributesMacrosAndSystemVerilogTypes() {
        VerilogSource source = VerilogSource.read(FILES.resolve("odd.v"));
        assertEquals(List.of("odd_first", "odd_second", "odd_empty"), source.moduleNames());
        assertEquals(List.of("clk:input:1", "d:input:16", "q:output:16", "s:output:8:signed", "i:output:32:signed"),
                ports(source.module("odd_first").resolve()));
        assertEquals("\"first\"", source.module("odd_first").resolve().parameters().get(1).value().verilog());
        assertEquals(List.of("packed2d:input:8", "y:output:1"), ports(source.module("odd_second").resolve()));
        assertEquals(List.of(), source.module("odd_empty").ports());

        VerilogSource narrow = VerilogSource.read(FILES.resolve("odd.v"), Map.of("NARROW", ""));
        assertEquals(List.of("clk:input:1", "d:input:4", "q:output:8", "s:output:8:signed", "i:output:32:signed"),
                ports(narrow.module("odd_first").resolve()));
    }

    @Test
    void aSyntaxErrorNamesFileLineColumnAndWhatWasExpected() {
        VerilogSyntaxException e = assertThrows(VerilogSyntaxException.class,
                () -> VerilogSource.read(FILES.resolve("broken.v")));
        assertEquals(FILES.resolve("broken.v") + ":3:3: syntax error: expected one of ',', ')', found 'output'",
                e.getMessage());
        assertEquals(3, e.location().line());
    }

    @Test
    void unsupportedPortsAreNamedWithTheirLineAndOtherModulesStillImport() {
        VerilogSource source = VerilogSource.read(FILES.resolve("unsupported.v"));
        UnsupportedVerilogException bus = assertThrows(UnsupportedVerilogException.class,
                () -> source.module("uses_interface"));
        assertTrue(bus.getMessage().startsWith(FILES.resolve("unsupported.v") + ":8:3: port 'bus' is an interface"
                + " port (bus_if.master)"), bus.getMessage());
        UnsupportedVerilogException array = assertThrows(UnsupportedVerilogException.class,
                () -> source.module("uses_array"));
        assertTrue(array.getMessage().contains(":13:") && array.getMessage().contains("port 'lanes' is an unpacked"
                + " array ([0:3])"), array.getMessage());
        assertEquals(List.of("a:input:1", "y:output:1"), ports(source.module("fine").resolve()));
    }

    @Test
    void aWidthThatDoesNotEvaluateSaysWhichParameterOrFunction() {
        VerilogModule module = VerilogSource.read(FILES.resolve("unsupported.v")).module("needs_function");
        VerilogEvaluationException function = assertThrows(VerilogEvaluationException.class, module::resolve);
        assertTrue(function.getMessage().contains(":23:16: port 'address' [clog2(DEPTH)-1:0]: function 'clog2'"),
                function.getMessage());
    }

    @Test
    void unknownParametersAndLocalparamsCannotBeOverridden() {
        VerilogModule alu = VerilogSource.read(FILES.resolve("ansi.v")).module("ansi_alu");
        UnknownVerilogNameException typo = assertThrows(UnknownVerilogNameException.class,
                () -> alu.resolve(Map.of("WDITH", ConstantValue.of(3))));
        assertTrue(typo.getMessage().endsWith("module ansi_alu has no parameter 'WDITH'; it has WIDTH, LANES, MODE,"
                + " TOTAL"), typo.getMessage());
        UnknownVerilogNameException local = assertThrows(UnknownVerilogNameException.class,
                () -> alu.resolve(Map.of("TOTAL", ConstantValue.of(3))));
        assertTrue(local.getMessage().contains("is a localparam"), local.getMessage());
        UnknownVerilogNameException module = assertThrows(UnknownVerilogNameException.class,
                () -> VerilogSource.read(FILES.resolve("odd.v")).module("odd"));
        assertTrue(module.getMessage().endsWith("no module 'odd' in the file; it declares odd_first, odd_second,"
                + " odd_empty"), module.getMessage());
    }

    @Test
    void anUnknownParameterInAWidthIsNamed(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("m.v");
        Files.writeString(file, "module m #(parameter A = 2) (\n  input [B-1:0] x\n);\nendmodule\n");
        VerilogEvaluationException e = assertThrows(VerilogEvaluationException.class,
                () -> VerilogSource.read(file).module("m").resolve());
        assertEquals(file + ":2:10: port 'x' [B-1:0]: unknown parameter 'B' (module m declares A)", e.getMessage());
        Files.writeString(file, "module m #(parameter A = B + 1) (\n  input [A-1:0] x\n);\nendmodule\n");
        VerilogEvaluationException chained = assertThrows(VerilogEvaluationException.class,
                () -> VerilogSource.read(file).module("m").resolve());
        assertTrue(chained.getMessage().contains("port 'x' [A-1:0]: parameter 'A' = B + 1 does not evaluate: unknown"
                + " parameter 'B'"), chained.getMessage());
    }

    @Test
    void macrosMustBeDefinedAndConditionsBalanced(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("m.v");
        Files.writeString(file, "module m (\n  input [`W-1:0] x\n);\nendmodule\n");
        VerilogSyntaxException undefined = assertThrows(VerilogSyntaxException.class, () -> VerilogSource.read(file));
        assertTrue(undefined.getMessage().startsWith(file + ":2:10: macro `W is not defined"), undefined.getMessage());
        assertEquals(List.of("x:input:12"), ports(VerilogSource.read(file, Map.of("W", "12")).module("m").resolve()));
        Files.writeString(file, "`ifdef A\nmodule m; endmodule\n");
        assertThrows(VerilogSyntaxException.class, () -> VerilogSource.read(file));
    }

    @Test
    void evaluatesConstantExpressionsLikeVerilog() {
        assertEquals(BigInteger.valueOf(4), value("$clog2(9)"));
        assertEquals(BigInteger.ZERO, value("$clog2(1)"));
        assertEquals(BigInteger.valueOf(255), value("8'hff"));
        assertEquals(BigInteger.valueOf(-1), value("4'sb1111"));
        assertEquals(BigInteger.valueOf(0x1ab), value("{1'b1, 8'hab}"));
        assertEquals(BigInteger.ONE, value("{3{2'b01}} ^ 6'b010100"));
        assertEquals(BigInteger.valueOf(7), value("2 ** 3 - 1"));
        assertEquals(BigInteger.valueOf(3), value("1 > 2 ? 5 : 3"));
        assertEquals(BigInteger.valueOf(15), value("~4'b0000"));
        assertEquals(BigInteger.valueOf(12), value("(1 << 4) - 4"));
        assertNull(VerilogSource.evaluate(VerilogSource.parseExpression("\"x\"", "--param")).integer());
        assertThrows(VerilogEvaluationException.class, () -> value("4'b1x00"));
        assertThrows(VerilogEvaluationException.class, () -> value("1 / 0"));
        assertThrows(VerilogSyntaxException.class, () -> value("1 +"));
    }

    private static BigInteger value(String expression) {
        return VerilogSource.evaluate(VerilogSource.parseExpression(expression, "test")).integer();
    }
}
