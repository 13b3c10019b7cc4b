package dev.tellmej.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.accel.AcceleratorDesigns;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.DesignEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The repository's rtl/ folder is what the generator emits now (regenerate: tellme rtl --accelerator --out rtl). */
class CheckedInRtlTest {
    private static final String HOW = "; regenerate with: scripts/tellme rtl --accelerator --out rtl";

    @Test
    void everyAcceleratorBlockIsCheckedInUpToDate() throws IOException {
        Path rtl = Path.of(System.getProperty("tellme.repo.root", "..")).resolve("rtl");
        assertTrue(Files.isDirectory(rtl), rtl + " is missing" + HOW);
        for (DesignEntry entry : AcceleratorDesigns.entries()) {
            for (String config : entry.configurationNames()) {
                Path dir = rtl.resolve(entry.name() + "-" + config);
                assertTrue(Files.isDirectory(dir), dir + " is missing" + HOW);
                Design<?> design = entry.elaborate(config);
                TreeSet<String> files;
                try (var list = Files.list(dir)) {
                    files = list.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".v") || n.endsWith(".f"))
                            .collect(Collectors.toCollection(TreeSet::new));
                }
                TreeSet<String> expected = new TreeSet<>();
                design.definitions().keySet().forEach(name -> expected.add(name + ".v"));
                expected.add(entry.name() + ".f");
                assertEquals(expected, files, dir + " holds other files than the generator writes" + HOW);
                for (Map.Entry<String, String> definition : design.definitions().entrySet()) {
                    assertEquals(definition.getValue(), Files.readString(dir.resolve(definition.getKey() + ".v")),
                            dir.resolve(definition.getKey() + ".v") + " is stale" + HOW);
                }
                String list = design.definitions().keySet().stream().map(n -> n + ".v\n").collect(Collectors.joining());
                assertEquals(list, Files.readString(dir.resolve(entry.name() + ".f")), "file list of " + dir + HOW);
            }
        }
    }
}
