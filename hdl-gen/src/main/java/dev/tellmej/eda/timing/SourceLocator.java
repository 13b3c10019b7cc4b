package dev.tellmej.eda.timing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns Yosys {@code src} attributes ({@code /dir/Fp32Add.v:56.15-56.20}) into source terms: the Java line the
 * generated Verilog names in a trailing comment ({@code // Fp32Add.java:56}, or a comment line just above a long
 * statement), else the Verilog file and line ({@code Fp32Add.v:88}). Yosys's own library files ({@code
 * .../share/yosys/...}) are skipped. Files are read once, on first use; a file that cannot be read gives Verilog
 * lines only.
 */
public final class SourceLocator {
    private static final Pattern JAVA_REF = Pattern.compile("//\\s*([A-Za-z_$][\\w$.]*\\.java:\\d+)");
    private static final Pattern SRC = Pattern.compile("^(.*\\.s?v):(\\d+)(?:\\.\\d+(?:-\\d+\\.\\d+)?)?$");
    private static final Pattern NAME_SRC = Pattern.compile("([A-Za-z_][\\w]*\\.s?v):(\\d+)");

    private final Map<String, Path> byName = new HashMap<>();
    private final Map<Path, List<String>> lines = new HashMap<>();
    private final boolean read;

    private SourceLocator(Collection<Path> files, boolean read) {
        for (Path file : files) {
            byName.put(file.getFileName().toString(), file);
        }
        this.read = read;
    }

    /**
     * A locator that reads the Verilog files {@code files} (found again by file name, as Yosys's generated
     * names hold only that) and any other file a {@code src} attribute names by a path that exists.
     */
    public static SourceLocator reading(Collection<Path> files) {
        return new SourceLocator(files, true);
    }

    /** A locator that reads no file: Verilog lines only. */
    public static SourceLocator none() {
        return new SourceLocator(List.of(), false);
    }

    /**
     * The source terms of a {@code src} attribute: the Java reference of its first line that is not in
     * Yosys's library, else that line as {@code File.v:LINE}; empty when it names only library lines.
     */
    public String describe(String src) {
        if (src == null || src.isEmpty()) {
            return "";
        }
        String verilog = "";
        for (String part : src.split("\\|")) {
            Matcher m = SRC.matcher(part.strip());
            if (!m.matches() || isLibrary(m.group(1))) {
                continue;
            }
            int line = Integer.parseInt(m.group(2));
            Optional<String> java = javaReference(m.group(1), line);
            if (java.isPresent()) {
                return java.get();
            }
            if (verilog.isEmpty()) {
                verilog = fileName(m.group(1)) + ":" + line;
            }
        }
        return verilog;
    }

    /**
     * The source terms of a name Yosys made up that embeds a line ({@code $abc$12$and$Fp32Add.v:100$1417_Y}), as
     * {@link #describe}; empty when the name holds none.
     */
    public String describeName(String name) {
        Matcher m = NAME_SRC.matcher(name);
        String verilog = "";
        while (m.find()) {
            if (isLibrary(m.group(1))) {
                continue;
            }
            int line = Integer.parseInt(m.group(2));
            Optional<String> java = javaReference(m.group(1), line);
            if (java.isPresent()) {
                return java.get();
            }
            if (verilog.isEmpty()) {
                verilog = m.group(1) + ":" + line;
            }
        }
        return verilog;
    }

    private static boolean isLibrary(String file) {
        String f = file.replace('\\', '/');
        return f.contains("/share/yosys/") || f.endsWith("cells_sim.v") || f.endsWith("cells_xtra.v")
                || f.endsWith("_map.v");
    }

    private static String fileName(String file) {
        int slash = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
        return file.substring(slash + 1);
    }

    /** The Java reference on line {@code line} of {@code file}, or on a comment-only line just above it. */
    private Optional<String> javaReference(String file, int line) {
        if (!read) {
            return Optional.empty();
        }
        List<String> text = text(file);
        if (line < 1 || line > text.size()) {
            return Optional.empty();
        }
        Matcher here = JAVA_REF.matcher(text.get(line - 1));
        if (here.find()) {
            return Optional.of(here.group(1));
        }
        if (line >= 2) {
            String above = text.get(line - 2).strip();
            Matcher m = JAVA_REF.matcher(above);
            if (above.startsWith("//") && m.find()) {
                return Optional.of(m.group(1));
            }
        }
        return Optional.empty();
    }

    private List<String> text(String file) {
        Path path = byName.get(fileName(file));
        if (path == null) {
            try {
                Path given = Path.of(file);
                path = Files.isRegularFile(given) ? given : null;
            } catch (java.nio.file.InvalidPathException e) {
                path = null;
            }
        }
        if (path == null) {
            return List.of();
        }
        return lines.computeIfAbsent(path, p -> {
            try {
                return Files.readAllLines(p, StandardCharsets.UTF_8);
            } catch (IOException | java.io.UncheckedIOException e) {
                return List.of();
            }
        });
    }
}
