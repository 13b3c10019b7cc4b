package dev.tellmej.hdl.examples;

import dev.tellmej.hdl.DesignEntry;
import dev.tellmej.hdl.ElaborationOptions;
import dev.tellmej.hdl.lib.AdderTree;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The example designs {@code tellme rtl} can emit: small, complete, and pinned by golden files. */
public final class Examples {
    private Examples() {}

    public static List<DesignEntry> entries() {
        return List.of(
                DesignEntry.of("counter", "8-bit up-counter with enable, clear and wrap pulse", () -> new Counter(8)),
                DesignEntry.of("stream-pipeline", "valid/ready pipeline: map, stage, 16-deep FIFO, skid buffer",
                        () -> new StreamPipeline(16, 16)),
                DesignEntry.of("uram-buffer", "4,096 x 72 UltraRAM buffer, read latency 2 (one URAM288)",
                        () -> new UramBuffer(4096, 72)),
                new DesignEntry("bram-buffer", "block RAM with byte-enable writes (1,024 x 32: one RAMB36E2)",
                        configurations(
                                "ramb36", () -> new BlockRamBuffer(1024, 32),
                                "ramb18", () -> new BlockRamBuffer(512, 32)),
                        ElaborationOptions.DEFAULT),
                DesignEntry.of("adder-tree", "8 x 16-bit signed adder tree, a register after every level",
                        () -> new AdderTree(8, 16, 1)));
    }

    private static Map<String, Supplier<? extends dev.tellmej.hdl.Module>> configurations(
            String firstName, Supplier<? extends dev.tellmej.hdl.Module> first,
            String secondName, Supplier<? extends dev.tellmej.hdl.Module> second) {
        Map<String, Supplier<? extends dev.tellmej.hdl.Module>> map = new LinkedHashMap<>();
        map.put(firstName, first);
        map.put(secondName, second);
        return map;
    }
}
