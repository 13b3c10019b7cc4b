package dev.tellmej.hdl;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An existing Verilog module used as-is: declare its ports with {@link #in}/{@link #out} under their Verilog
 * names, its parameters with {@link #verilogParameter}, and its name with {@link #definition}. Nothing is
 * emitted for it; its source file, when given, is added to the design's file list.
 *
 * <pre>{@code
 * final class Xpm extends BlackBox {
 *     final Bool clk = in("wr_clk", bool());
 *     Xpm(int width) {
 *         definition("xpm_fifo_sync");
 *         verilogParameter("WRITE_DATA_WIDTH", width);
 *     }
 * }
 * }</pre>
 *
 * <p>{@link #importVerilog} reads the ports and parameters from the Verilog file instead.
 */
public abstract class BlackBox extends Module {
    private final Map<String, Object> verilogParameters = new LinkedHashMap<>();

    protected BlackBox() {
        node().setBlackBoxDefinition(getClass().getSimpleName());
    }

    /**
     * Imports module {@code module} of a Verilog or SystemVerilog file as a black box: its ports with the
     * widths its parameters give ({@link ImportedBlackBox}).
     *
     * <pre>{@code
     * ImportedBlackBox fifo = instance("fifo", BlackBox.importVerilog(path, "fifo").parameter("WIDTH", 16).build());
     * fifo.uint("din").set(data);
     * }</pre>
     */
    public static ImportedBlackBox.Builder importVerilog(Path file, String module) {
        return new ImportedBlackBox.Builder(file, module);
    }

    /** The Verilog module's name (default: this class's simple name). */
    protected final void definition(String verilogModuleName) {
        node().setBlackBoxDefinition(verilogModuleName);
    }

    /** A Verilog parameter passed at instantiation: integers, booleans (as 1/0) or strings. */
    protected final void verilogParameter(String name, Object value) {
        if (!(value instanceof Number || value instanceof String || value instanceof Boolean)) {
            throw new IllegalArgumentException("Verilog parameter " + name + " must be a number, string or boolean");
        }
        verilogParameters.put(name, value);
    }

    /** A Verilog file that defines the module, listed in the file list after the generated files. */
    protected final void source(Path verilogFile) {
        node().blackBoxSources().add(verilogFile.toString());
    }

    Map<String, Object> verilogParameters() {
        return verilogParameters;
    }
}
