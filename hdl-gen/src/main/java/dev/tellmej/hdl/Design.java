package dev.tellmej.hdl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An elaborated, checked design: the top module and the Verilog of every distinct module definition.
 *
 * @param <M> the top module's class
 */
public final class Design<M extends Module> {
    private final M top;
    private final Map<String, String> definitions;
    private final List<String> blackBoxSources;

    Design(M top, Map<String, String> definitions, List<String> blackBoxSources) {
        this.top = top;
        this.definitions = Collections.unmodifiableMap(new LinkedHashMap<>(definitions));
        this.blackBoxSources = List.copyOf(blackBoxSources);
    }

    /** The top module, with its ports for tools and test benches. */
    public M top() {
        return top;
    }

    /** The top module's Verilog name. */
    public String topName() {
        return top.node().definitionName();
    }

    /** Definition name -> Verilog text, children before parents (the order of the file list). */
    public Map<String, String> definitions() {
        return definitions;
    }

    /** Verilog files of black boxes, as given to {@code BlackBox.source}. */
    public List<String> blackBoxSources() {
        return blackBoxSources;
    }

    /**
     * Writes {@code <Module>.v} for every definition and {@code <listName>.f}, a file list of them in
     * dependency order (black-box sources last), into {@code dir}.
     *
     * @return the files written, the file list last
     */
    public List<Path> writeVerilog(Path dir, String listName) {
        try {
            Files.createDirectories(dir);
            List<Path> written = new ArrayList<>();
            StringBuilder fileList = new StringBuilder();
            for (Map.Entry<String, String> definition : definitions.entrySet()) {
                Path file = dir.resolve(definition.getKey() + ".v");
                Files.writeString(file, definition.getValue(), StandardCharsets.UTF_8);
                written.add(file);
                fileList.append(file.getFileName()).append('\n');
            }
            for (String source : blackBoxSources) {
                fileList.append(source).append('\n');
            }
            Path list = dir.resolve(listName + ".f");
            Files.writeString(list, fileList.toString(), StandardCharsets.UTF_8);
            written.add(list);
            return written;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write Verilog to " + dir, e);
        }
    }

    /** Writes the files with the top module's name as the file list's name. */
    public List<Path> writeVerilog(Path dir) {
        return writeVerilog(dir, topName());
    }
}
