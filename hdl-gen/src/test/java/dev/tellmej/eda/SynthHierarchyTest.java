package dev.tellmej.eda;

import static dev.tellmej.hdl.Hdl.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.UInt;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SynthHierarchy}: each module's cells from {@code stat -top}, and the totals of each instance. */
class SynthHierarchyTest {
    /** A registered 16 x 16 product: one DSP48E2. */
    static final class Product extends Module {
        final UInt a = in("a", uint(16));
        final UInt b = in("b", uint(16));
        final UInt y = out("y", uint(32));

        Product() {
            UInt product = reg("product", uint(32), 0);
            product.set(a.mul(b));
            y.set(product);
        }
    }

    /** Two products and their registered sum, the top's own logic. */
    static final class Pair extends Module {
        Pair() {
            UInt y = out("y", uint(32));
            Product left = instance("left", new Product());
            Product right = instance("right", new Product());
            for (Product p : List.of(left, right)) {
                String side = p == left ? "left" : "right";
                // Not "left_a": an instance's port wires are named instance_port.
                p.a.set(in("a_of_" + side, uint(16)));
                p.b.set(in("b_of_" + side, uint(16)));
            }
            UInt sum = reg("sum", uint(32), 0);
            sum.set(left.y.add(right.y));
            y.set(sum);
        }
    }

    @Test
    void theTotalsOfTheInstancesAndTheTopsOwnCellsAreYosyssTotals(@TempDir Path dir) throws IOException {
        Design<Pair> design = Hdl.elaborate(Pair::new);
        List<Path> files = new ArrayList<>(design.writeVerilog(dir));
        files.removeLast();
        String top = design.topName();
        String product = design.top().node().instances().getFirst().child().definitionName();
        SynthHierarchy hierarchy = YosysSynth.runHierarchy(dir, files, top, Duration.ofMinutes(5));

        // Yosys's own totals of the hierarchy are the last table of the same statistics.
        ResourceReport yosys = YosysSynth.parse(top, Files.readString(dir.resolve("yosys-" + top + ".stat")));
        assertEquals(yosys.cells(), hierarchy.total().cells());
        assertEquals(2, hierarchy.total().dsp(), hierarchy.toString());
        assertEquals(1, hierarchy.total(product).dsp(), hierarchy.toString());
        ResourceReport own = hierarchy.own(top);
        assertEquals(0, own.dsp(), own.toString());
        assertTrue(own.flipFlops() >= 32 && own.luts() > 0, "the sum's register and adder: " + own);
        for (String type : ResourceReport.COUNTED_TYPES) {
            assertEquals(hierarchy.total().count(type), own.count(type) + 2 * hierarchy.total(product).count(type),
                    type + ": the top's own cells and two products' make the whole; " + hierarchy);
        }
    }

    @Test
    void parsingExpandsInstancesOfModulesAndSkipsTheHierarchySection() {
        String stat = """
                === Leaf ===

                   Number of wires:                  4
                   Number of cells:                  3
                     DSP48E2                         1
                     FDRE                            2

                === \\Top ===

                   Number of wires:                  9
                   Number of cells:                  5
                     FDRE                            1
                     LUT2                            1
                     Leaf                            3

                === design hierarchy ===

                   Top                               1
                     Leaf                            3

                   Number of cells:                 11
                     DSP48E2                         3
                     FDRE                            7
                     LUT2                            1
                """;
        SynthHierarchy hierarchy = SynthHierarchy.parse("Top", stat);
        assertEquals(List.of("Leaf", "Top"), List.copyOf(hierarchy.modules().keySet()));
        assertEquals(Map.of("DSP48E2", 3, "FDRE", 7, "LUT2", 1), hierarchy.total().cells());
        assertEquals(Map.of("FDRE", 1, "LUT2", 1), hierarchy.own("Top").cells());
        assertEquals(Map.of("DSP48E2", 1, "FDRE", 2), hierarchy.total("Leaf").cells());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> SynthHierarchy.parse("Other", stat));
        assertTrue(missing.getMessage().contains("Other"), missing.getMessage());
    }
}
