package dev.tellmej.cli;

import dev.tellmej.accel.AcceleratorDesigns;
import dev.tellmej.hdl.DesignEntry;
import dev.tellmej.hdl.examples.Examples;
import dev.tellmej.hdl.lib.fp.FloatingPointDesigns;
import java.util.ArrayList;
import java.util.List;

/**
 * Every design {@code tellme rtl} can emit: the HDL examples, the floating-point library units and the
 * accelerator's blocks (the TLMM engine and the fused element-wise units).
 */
final class DesignCatalog {
    private DesignCatalog() {}

    static List<DesignEntry> entries() {
        List<DesignEntry> entries = new ArrayList<>(Examples.entries());
        entries.addAll(FloatingPointDesigns.entries());
        entries.addAll(AcceleratorDesigns.entries());
        return entries;
    }
}
