package dev.tellmej.hdl.ir;

/**
 * One process of a module (a {@code dev.tellmej.hdl.Area}): the registers, wires and memories declared while
 * it was open belong to it, and the emitter writes its logic as one section with a banner comment. Areas
 * are compared by identity.
 */
public final class AreaNode {
    private final String name;
    private final String description;
    private final SourceLocation location;
    private final AreaNode parent;

    /**
     * @param name        the process's name, shown in the banner ({@code sweep})
     * @param description one sentence saying what the process does, shown under the banner
     * @param location    where the area was constructed
     * @param parent      the enclosing area, or null for one made directly in the module
     */
    public AreaNode(String name, String description, SourceLocation location, AreaNode parent) {
        this.name = name;
        this.description = description;
        this.location = location;
        this.parent = parent;
    }

    public String name() {
        return name;
    }

    public String description() {
        return description;
    }

    public SourceLocation location() {
        return location;
    }

    /** The enclosing area, or null. */
    public AreaNode parent() {
        return parent;
    }

    /** {@code engine.sweep} for a nested area: the names from the outermost area down. */
    public String path() {
        return parent == null ? name : parent.path() + "." + name;
    }

    @Override
    public String toString() {
        return "area '" + path() + "' (" + location + ")";
    }
}
