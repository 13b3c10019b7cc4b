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
     * The files {@link #writeVerilog(Path, String)} writes, in order: {@code <Module>.v} for every definition,
     * then {@code <listName>.f}, a file list of them in dependency order (black-box sources last).
     *
     * @return file name -> text
     */
    public Map<String, String> verilogFiles(String listName) {
        Map<String, String> files = new LinkedHashMap<>();
        StringBuilder fileList = new StringBuilder();
        for (Map.Entry<String, String> definition : definitions.entrySet()) {
            String name = definition.getKey() + ".v";
            files.put(name, definition.getValue());
            fileList.append(name).append('\n');
        }
        for (String source : blackBoxSources) {
            fileList.append(source).append('\n');
        }
        files.put(listName + ".f", fileList.toString());
        return Collections.unmodifiableMap(files);
    }

    /**
     * Writes {@link #verilogFiles(String)} into {@code dir}.
     *
     * @return the files written, the file list last
     */
    public List<Path> writeVerilog(Path dir, String listName) {
        try {
            Files.createDirectories(dir);
            List<Path> written = new ArrayList<>();
            for (Map.Entry<String, String> file : verilogFiles(listName).entrySet()) {
                Path path = dir.resolve(file.getKey());
                Files.writeString(path, file.getValue(), StandardCharsets.UTF_8);
                written.add(path);
            }
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
