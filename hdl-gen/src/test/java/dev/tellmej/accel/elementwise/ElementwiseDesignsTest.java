package dev.tellmej.accel.elementwise;

import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.DesignEntry;
import dev.tellmej.hdl.testing.DesignVerifier;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every configuration of every fused element-wise unit elaborates deterministically and is
 * {@code verilator --lint-only -Wall} clean. (Synthesis runs in {@code tellme report elementwise}; behaviour is
 * tested in the sim module.)
 */
class ElementwiseDesignsTest {
    @TestFactory
    Stream<DynamicTest> everyConfigurationIsLintCleanAndDeterministic() {
        List<DynamicTest> tests = new ArrayList<>();
        for (DesignEntry entry : ElementwiseDesigns.entries()) {
            for (String configuration : entry.configurationNames()) {
                tests.add(DynamicTest.dynamicTest(entry.name() + "-" + configuration, () -> {
                    Design<?> first = entry.elaborate(configuration);
                    Design<?> second = entry.elaborate(configuration);
                    DesignVerifier.assertDeterministic(first, second);
                    DesignVerifier.lint(first, "elementwise-" + entry.name() + "-" + configuration);
                }));
            }
        }
        return tests.stream();
    }
}
