package dev.tellmej.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.accel.AcceleratorDesigns;
import dev.tellmej.hdl.DesignEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The repository's rtl/ folder is what the generator emits now, and its marker lists exactly those files, so
 * the documented command regenerates it (scripts/tellme rtl --accelerator --out rtl --force).
 */
class CheckedInRtlTest {
    private static final String HOW = "; regenerate with: scripts/tellme rtl --accelerator --out rtl --force";

    @Test
    void everyAcceleratorBlockIsCheckedInUpToDate() throws IOException {
        Path rtl = Path.of(System.getProperty("tellme.repo.root", "..")).resolve("rtl");
        assertTrue(Files.isDirectory(rtl), rtl + " is missing" + HOW);
        List<String> generated = new ArrayList<>();
        TreeSet<String> folders = new TreeSet<>();
        for (DesignEntry entry : AcceleratorDesigns.entries()) {
            for (String config : entry.configurationNames()) {
                String folder = entry.name() + "-" + config;
                folders.add(folder);
                Path dir = rtl.resolve(folder);
                assertTrue(Files.isDirectory(dir), dir + " is missing" + HOW);
                Map<String, String> files = entry.elaborate(config).verilogFiles(entry.name());
                TreeSet<String> present;
                try (var list = Files.list(dir)) {
                    present = list.map(f -> f.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
                }
                assertEquals(new TreeSet<>(files.keySet()), present, dir + " holds other files than the generator writes" + HOW);
                for (Map.Entry<String, String> file : files.entrySet()) {
                    assertEquals(file.getValue(), Files.readString(dir.resolve(file.getKey())),
                            dir.resolve(file.getKey()) + " is stale" + HOW);
                    generated.add(folder + "/" + file.getKey());
                }
            }
        }
        assertEquals(generated, OutputFolder.readMarker(rtl.resolve(OutputFolder.RTL.marker())),
                "rtl/" + OutputFolder.RTL.marker() + " must list exactly the generated files" + HOW);
        TreeSet<String> expected = new TreeSet<>(folders);
        expected.add("README.md");
        expected.add(OutputFolder.RTL.marker());
        try (var list = Files.list(rtl)) {
            assertEquals(expected, list.map(f -> f.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new)),
                    "rtl/ holds a folder the generator no longer writes" + HOW);
        }
    }
}
