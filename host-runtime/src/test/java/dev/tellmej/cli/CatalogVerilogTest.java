package dev.tellmej.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.DesignEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every design {@code tellme rtl} can emit, in every configuration, reads as the emitter promises: no line
 * over 120 characters and no constant left unfolded. (Lint, synthesis and determinism of the same designs
 * are checked in hdl-gen's tests, which also hold every linted design to the line width.)
 */
class CatalogVerilogTest {
    private static final int MAX_LINE = 120;

    /** Constant operands and selects constant folding removes, as they would appear in the Verilog. */
    private static final List<Pattern> UNFOLDED = List.of(
            Pattern.compile("1'b1 &|& 1'b1\\b|1'b0 \\||\\| 1'b0\\b"),
            Pattern.compile("[+^-] \\d+'[dh]0\\b|\\b\\d+'[dh]0 [+^]"),
            Pattern.compile("~\\d+'"),
            Pattern.compile("\\b1'b[01] \\?"),
            Pattern.compile("\\b\\d+'[dh][0-9a-f]+ (==|!=|<|<=|>|>=) \\d+'[dh]"));

    @TestFactory
    Stream<DynamicTest> everyDesignFitsTheLineWidthAndIsFolded() {
        List<DynamicTest> tests = new ArrayList<>();
        for (DesignEntry entry : DesignCatalog.entries()) {
            for (String configuration : entry.configurationNames()) {
                String label = entry.name() + "-" + configuration;
                tests.add(DynamicTest.dynamicTest(label, () -> {
                    Design<?> design = entry.elaborate(configuration);
                    for (Map.Entry<String, String> definition : design.definitions().entrySet()) {
                        String[] lines = definition.getValue().split("\n", -1);
                        for (int i = 0; i < lines.length; i++) {
                            String where = label + ": " + definition.getKey() + ".v line " + (i + 1) + ": " + lines[i];
                            assertTrue(lines[i].length() <= MAX_LINE, where + " (" + lines[i].length() + " characters)");
                            String code = lines[i].replaceFirst("//.*", "");
                            for (Pattern pattern : UNFOLDED) {
                                Matcher matcher = pattern.matcher(code);
                                assertFalse(matcher.find(), () -> where + " (unfolded: " + matcher.group() + ")");
                            }
                        }
                    }
                }));
            }
        }
        return tests.stream();
    }
}
