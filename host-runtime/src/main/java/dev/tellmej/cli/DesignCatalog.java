package dev.tellmej.cli;

import dev.tellmej.accel.AcceleratorDesigns;
import dev.tellmej.hdl.DesignEntry;
import dev.tellmej.hdl.examples.Examples;
import java.util.ArrayList;
import java.util.List;

/** Every design {@code tellme rtl} can emit: the HDL examples and the accelerator's blocks. */
final class DesignCatalog {
    private DesignCatalog() {}

    static List<DesignEntry> entries() {
        List<DesignEntry> entries = new ArrayList<>(Examples.entries());
        entries.addAll(AcceleratorDesigns.entries());
        return entries;
    }
}
