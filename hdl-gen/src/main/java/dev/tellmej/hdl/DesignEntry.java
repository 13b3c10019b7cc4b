package dev.tellmej.hdl;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A design the tool can emit by name ({@code tellme rtl NAME}), with one or more named configurations.
 *
 * @param name           the name users type ({@code counter})
 * @param description    one line for {@code rtl --list}
 * @param configurations configuration name -> the top module's constructor call; the first is the default
 * @param options        elaboration options (clock and reset naming)
 */
public record DesignEntry(String name, String description, Map<String, Supplier<? extends Module>> configurations,
        ElaborationOptions options) {
    public DesignEntry {
        if (configurations.isEmpty()) {
            throw new IllegalArgumentException("design " + name + " has no configuration");
        }
    }

    /** A design with a single configuration named {@code default}. */
    public static DesignEntry of(String name, String description, Supplier<? extends Module> top) {
        return new DesignEntry(name, description, Map.of("default", top), ElaborationOptions.DEFAULT);
    }

    /** The configuration names, default first. */
    public List<String> configurationNames() {
        return List.copyOf(configurations.keySet());
    }

    /** The default configuration's name. */
    public String defaultConfiguration() {
        return configurations.keySet().iterator().next();
    }

    /** Elaborates one configuration. */
    public Design<? extends Module> elaborate(String configuration) {
        Supplier<? extends Module> top = configurations.get(configuration);
        if (top == null) {
            throw new IllegalArgumentException("design " + name + " has no configuration '" + configuration
                    + "'; it has " + String.join(", ", configurations.keySet()));
        }
        return Hdl.elaborate(options, top::get);
    }
}
