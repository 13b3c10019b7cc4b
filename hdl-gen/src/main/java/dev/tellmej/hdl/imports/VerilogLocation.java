package dev.tellmej.hdl.imports;

import java.nio.file.Path;

/**
 * A place in a Verilog file.
 *
 * @param file   the file as it was given
 * @param line   1-based line
 * @param column 1-based column (0 when only the line is known)
 */
public record VerilogLocation(Path file, int line, int column) {
    @Override
    public String toString() {
        return file + ":" + line + (column > 0 ? ":" + column : "");
    }
}
