package dev.tellmej.accel.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tellmej.accel.config.AcceleratorConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/device.md cannot drift: every table between {@code <!-- generated: NAME -->} and
 * {@code <!-- end generated -->} is {@link ProtocolTables}' table of that name for the kv260 build. After an
 * intended change, rewrite them with {@code scripts/test -pl hdl-gen -Dtest=DeviceDocTest -Dgolden.update=true}.
 */
class DeviceDocTest {
    private static final Path DOC = Path.of("..", "docs", "device.md");
    private static final Pattern BLOCK = Pattern.compile("<!-- generated: (\\S+) -->\\n(.*?)<!-- end generated -->",
            Pattern.DOTALL);

    @Test
    void theTablesInDeviceMdAreTheGeneratedOnes() throws IOException {
        Map<String, String> tables = ProtocolTables.of(KernelInterface.of(AcceleratorConfig.kv260()));
        String doc = Files.readString(DOC);
        Matcher matcher = BLOCK.matcher(doc);
        List<String> seen = new ArrayList<>();
        StringBuilder updated = new StringBuilder();
        while (matcher.find()) {
            String name = matcher.group(1);
            String table = tables.get(name);
            if (table == null) {
                throw new AssertionError("docs/device.md marks a table '" + name + "'; ProtocolTables has "
                        + tables.keySet());
            }
            seen.add(name);
            matcher.appendReplacement(updated, Matcher.quoteReplacement("<!-- generated: " + name + " -->\n" + table
                    + "<!-- end generated -->"));
            if (!Boolean.getBoolean("golden.update")) {
                assertEquals(table, matcher.group(2), "docs/device.md table '" + name + "' differs from the"
                        + " generated one (rewrite it with -Dgolden.update=true if the change is intended)");
            }
        }
        matcher.appendTail(updated);
        if (Boolean.getBoolean("golden.update")) {
            Files.writeString(DOC, updated);
        }
        assertEquals(List.copyOf(tables.keySet()), seen, "the tables docs/device.md shows, in order");
    }
}
