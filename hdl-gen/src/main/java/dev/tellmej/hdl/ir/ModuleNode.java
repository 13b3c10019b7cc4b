package dev.tellmej.hdl.ir;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The elaborated contents of one module instance: ports in declaration order, internal signals, memories,
 * child instances and the body's statements. Every instance is elaborated separately; the dedup pass
 * later gives structurally identical ones one definition name.
 */
public final class ModuleNode {
    private final Class<?> sourceClass;
    private String baseName;
    private final Map<String, Object> parameters = new LinkedHashMap<>();
    private final SourceLocation location;
    private final List<Signal> ports = new ArrayList<>();
    private final List<Signal> signals = new ArrayList<>();
    private final List<MemoryNode> memories = new ArrayList<>();
    private final List<Instance> instances = new ArrayList<>();
    private final List<ClockDomainNode> domains = new ArrayList<>();
    private final List<AreaNode> areas = new ArrayList<>();
    private final List<Assertion> assertions = new ArrayList<>();
    private final Block body = new Block();
    private final Map<String, SourceLocation> names = new LinkedHashMap<>();
    private String blackBoxDefinition;
    private final List<String> blackBoxSources = new ArrayList<>();
    private String definitionName;
    private String instancePath;

    public ModuleNode(Class<?> sourceClass, String baseName, SourceLocation location) {
        this.sourceClass = sourceClass;
        this.baseName = baseName;
        this.location = location;
    }

    /** The user's Module subclass. */
    public Class<?> sourceClass() {
        return sourceClass;
    }

    /** The name before parameters are appended (normally the class's simple name). */
    public String baseName() {
        return baseName;
    }

    public void setBaseName(String name) {
        this.baseName = name;
    }

    /** Generator parameters in declaration order; they form the definition name and the header comment. */
    public Map<String, Object> parameters() {
        return parameters;
    }

    /** {@code SyncFifo_w64_d512}: the base name followed by {@code _<name><value>} per parameter. */
    public String parameterizedName() {
        if (blackBoxDefinition != null) {
            return blackBoxDefinition;
        }
        StringBuilder name = new StringBuilder(baseName);
        parameters.forEach((key, value) -> name.append('_').append(key).append(sanitize(String.valueOf(value))));
        return name.toString();
    }

    private static String sanitize(String value) {
        StringBuilder out = new StringBuilder();
        for (char c : value.toCharArray()) {
            out.append(Character.isLetterOrDigit(c) ? c : (c == '-' ? 'm' : '_'));
        }
        return out.toString();
    }

    public SourceLocation location() {
        return location;
    }

    public List<Signal> ports() {
        return ports;
    }

    /** Wires and registers (not ports), in declaration order. */
    public List<Signal> signals() {
        return signals;
    }

    public List<MemoryNode> memories() {
        return memories;
    }

    public List<Instance> instances() {
        return instances;
    }

    public List<ClockDomainNode> domains() {
        return domains;
    }

    /** The module's processes, in the order they were constructed (outer areas before the ones inside). */
    public List<AreaNode> areas() {
        return areas;
    }

    /** Simulation-only checks ({@code Hdl.assertAlways}), in description order. */
    public List<Assertion> assertions() {
        return assertions;
    }

    public Block body() {
        return body;
    }

    /**
     * Reserves a name in this module's namespace (signals, memories, instances share it).
     *
     * @return the location that already holds the name, or null when it was free
     */
    public SourceLocation claimName(String name, SourceLocation where) {
        return names.putIfAbsent(name, where);
    }

    public boolean nameInUse(String name) {
        return names.containsKey(name);
    }

    /** For a black box, the name of the existing Verilog module; null for generated modules. */
    public String blackBoxDefinition() {
        return blackBoxDefinition;
    }

    public void setBlackBoxDefinition(String definition) {
        this.blackBoxDefinition = definition;
    }

    public boolean isBlackBox() {
        return blackBoxDefinition != null;
    }

    /** Verilog files that define a black box, listed in the design's file list. */
    public List<String> blackBoxSources() {
        return blackBoxSources;
    }

    /** The emitted module name, set by the dedup pass (null before). */
    public String definitionName() {
        return definitionName;
    }

    public void setDefinitionName(String name) {
        this.definitionName = name;
    }

    /** A name for messages: the definition name when known, else the parameterized name. */
    public String definitionHint() {
        return definitionName != null ? definitionName : parameterizedName();
    }

    /** The instance path from the top, for example {@code Top.fifo.ram}. */
    public String instancePath() {
        return instancePath;
    }

    public void setInstancePath(String path) {
        this.instancePath = path;
    }
}
