package dev.tellmej.eda.timing;

/**
 * A file given as a Yosys JSON netlist is not one: not JSON, or JSON without the modules, ports, cells and net
 * names Yosys's {@code json} command writes. The message names the file and what is wrong where.
 */
public final class NetlistFormatException extends RuntimeException {
    private final String origin;

    public NetlistFormatException(String origin, String problem) {
        super("the Yosys netlist " + origin + " " + problem);
        this.origin = origin;
    }

    /** The file (or other origin) that was read. */
    public String origin() {
        return origin;
    }
}
