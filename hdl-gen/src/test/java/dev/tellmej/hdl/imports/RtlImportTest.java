package dev.tellmej.hdl.imports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.accel.AcceleratorDesigns;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.DesignEntry;
import dev.tellmej.hdl.ir.Instance;
import dev.tellmej.hdl.ir.ModuleNode;
import dev.tellmej.hdl.ir.Signal;
import dev.tellmej.hdl.ir.SignalRole;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The importer reads every module of the repository's rtl/ folder (the project's own output) back to the
 * ports the Java definition declared: names, order, directions and widths.
 */
class RtlImportTest {
    static final Path RTL = Path.of(System.getProperty("tellme.repo.root", "..")).resolve("rtl");

    @Test
    void everyCheckedInModuleImportsToItsJavaDefinitionsPorts() {
        int modules = 0;
        for (DesignEntry entry : AcceleratorDesigns.entries()) {
            for (String config : entry.configurationNames()) {
                Design<?> design = entry.elaborate(config);
                Path folder = RTL.resolve(entry.name() + "-" + config);
                for (Map.Entry<String, ModuleNode> definition : definitions(design.top().node()).entrySet()) {
                    Path file = folder.resolve(definition.getKey() + ".v");
                    assertTrue(Files.isRegularFile(file), file + " is missing");
                    ResolvedModule imported = VerilogSource.read(file).onlyModule().resolve();
                    assertEquals(definition.getKey(), imported.name());
                    assertEquals(expected(definition.getValue()), VerilogImportTest.ports(imported).stream()
                            .map(p -> p.replace(":signed", "")).toList(), file.toString());
                    modules++;
                }
            }
        }
        assertTrue(modules >= 100, "modules checked: " + modules);
    }

    /** Every distinct emitted definition under {@code top}, by its Verilog name (black boxes excluded). */
    static Map<String, ModuleNode> definitions(ModuleNode top) {
        Map<String, ModuleNode> found = new LinkedHashMap<>();
        List<ModuleNode> work = new ArrayList<>(List.of(top));
        while (!work.isEmpty()) {
            ModuleNode node = work.removeLast();
            if (node.isBlackBox() || found.putIfAbsent(node.definitionName(), node) != null) {
                continue;
            }
            for (Instance instance : node.instances()) {
                work.add(instance.child());
            }
        }
        return found;
    }

    private static List<String> expected(ModuleNode node) {
        List<String> ports = new ArrayList<>();
        for (Signal port : node.ports()) {
            ports.add(port.name() + ":" + (port.role() == SignalRole.INPUT ? "input" : "output") + ":"
                    + port.type().width());
        }
        return ports;
    }
}
