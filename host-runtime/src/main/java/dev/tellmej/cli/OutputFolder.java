package dev.tellmej.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A folder a command writes generated files into ({@code tellme rtl --out DIR}, {@code tellme interface --out DIR},
 * {@code tellme report accelerator --out DIR}),
 * and the rule that keeps the command away from files it did not write. It writes into a new or empty folder;
 * into a folder it wrote before (one holding its marker {@code .tellme-<command>}, which lists every file of the
 * last run) only with {@code --force}, and then it deletes only the files the marker lists. Any other file is the
 * user's: never overwritten, never deleted, and if the new output needs one of their names the command refuses.
 */
final class OutputFolder {
    /** Every marker's name starts so; the command's name follows. */
    static final String MARKER_PREFIX = ".tellme-";
    /** The folders of {@code tellme rtl}: marker {@code .tellme-rtl}. */
    static final OutputFolder RTL = new OutputFolder("rtl");
    /** The folders of {@code tellme interface}: marker {@code .tellme-interface}. */
    static final OutputFolder INTERFACE = new OutputFolder("interface");
    /** The folders of {@code tellme vitis}: marker {@code .tellme-vitis}. */
    static final OutputFolder VITIS = new OutputFolder("vitis");
    /** The folders of {@code tellme report accelerator}: marker {@code .tellme-report-accelerator}. */
    static final OutputFolder REPORT_ACCELERATOR = new OutputFolder("report accelerator");

    private final String command;
    private final String marker;
    private final String header;

    private OutputFolder(String command) {
        this.command = "'tellme " + command + "'";
        this.marker = MARKER_PREFIX + command.replace(' ', '-');
        this.header = """
                # Written by %s: the files below are its output. With --force it replaces them (and deletes
                # those it no longer writes); it never touches any other file in this folder. Delete this file to
                # make the folder entirely yours again.
                """.formatted(this.command);
    }

    /** The marker file's name: the relative paths the last run wrote, one a line, after {@code #} comment lines. */
    String marker() {
        return marker;
    }

    /**
     * What a write did.
     *
     * @param written the files written, in order (the marker not included)
     * @param removed files of the earlier output that the new output no longer has, deleted
     */
    record Outcome(List<Path> written, List<Path> removed) {}

    /**
     * Writes {@code files} (relative path with {@code /} -> text) into {@code dir}, then the marker.
     *
     * @throws CommandFailedException when the folder is not the command's to write (nothing is written then)
     */
    Outcome write(Path dir, Map<String, String> files, boolean force) {
        Map<String, byte[]> bytes = new LinkedHashMap<>();
        files.forEach((name, text) -> bytes.put(name, text.getBytes(StandardCharsets.UTF_8)));
        return writeBytes(dir, bytes, force);
    }

    /**
     * Checks, without writing anything, that {@link #write} could write files of these names into {@code dir}
     * (for a command that works for minutes before it writes).
     *
     * @throws CommandFailedException when the folder is not the command's to write
     */
    void checkWritable(Path dir, Collection<String> names, boolean force) {
        try {
            checkNames(dir, names, previousOutput(dir, force));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir, e);
        }
    }

    /**
     * Writes {@code files} (relative path with {@code /} -> contents) into {@code dir}, then the marker.
     *
     * @throws CommandFailedException when the folder is not the command's to write (nothing is written then)
     */
    Outcome writeBytes(Path dir, Map<String, byte[]> files, boolean force) {
        try {
            List<String> previous = previousOutput(dir, force);
            checkNames(dir, files.keySet(), previous);
            Files.createDirectories(dir);
            // List old and new output first, so that an interrupted run leaves no file the marker does not claim.
            Set<String> both = new LinkedHashSet<>(previous);
            both.addAll(files.keySet());
            writeMarker(dir, both);
            List<Path> removed = new ArrayList<>();
            for (String name : previous) {
                if (!files.containsKey(name) && delete(dir, name)) {
                    removed.add(dir.resolve(name));
                }
            }
            List<Path> written = new ArrayList<>();
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                Path target = dir.resolve(file.getKey());
                // Our own earlier file: delete it rather than write through it (it could have become a link).
                Files.deleteIfExists(target);
                Files.createDirectories(target.getParent());
                Files.write(target, file.getValue());
                written.add(target);
            }
            writeMarker(dir, files.keySet());
            return new Outcome(written, removed);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to " + dir, e);
        }
    }

    /** Refuses a name the new output needs that a file of the user's already has. */
    private void checkNames(Path dir, Collection<String> names, List<String> previous) {
        for (String name : names) {
            Path target = dir.resolve(name);
            if (!previous.contains(name) && Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new CommandFailedException(target + " exists and was not written by " + command,
                        "Move it away or choose another folder: " + command + " never writes over a file it did"
                                + " not write.");
            }
        }
    }

    /** The files the marker lists, or none for a new or empty folder; refuses any other folder. */
    private List<String> previousOutput(Path dir, boolean force) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        if (!Files.isDirectory(dir)) {
            throw new CommandFailedException(dir + " is not a folder", "Give --out a new or empty folder.");
        }
        Path markerFile = dir.resolve(marker);
        if (Files.isRegularFile(markerFile, LinkOption.NOFOLLOW_LINKS)) {
            List<String> listed = readMarker(markerFile);
            if (!force) {
                throw new CommandFailedException(dir + " holds the output of an earlier " + command,
                        "Add --force to replace it: " + command + " then deletes only the files " + marker + " lists.");
            }
            return listed;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            if (entries.findAny().isPresent()) {
                throw new CommandFailedException(dir + " is not empty and was not written by " + command
                        + " (it has no " + marker + ")", "Choose a new or empty folder: " + command
                        + " never writes over or deletes files it did not write.");
            }
        }
        return List.of();
    }

    /** The relative paths the marker lists; every one must stay inside the folder. */
    static List<String> readMarker(Path marker) throws IOException {
        List<String> names = new ArrayList<>();
        List<String> lines = Files.readAllLines(marker, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Path path = Path.of(line);
            boolean inside = !path.isAbsolute() && path.normalize().equals(path) && !path.startsWith("..")
                    && !line.contains("\\") && !line.equals(marker.getFileName().toString());
            if (!inside) {
                throw new CommandFailedException(marker + ":" + (i + 1) + ": '" + line + "' is not a file inside the"
                        + " folder", "The marker is damaged: restore it, or empty the folder by hand.");
            }
            names.add(line);
        }
        return names;
    }

    private void writeMarker(Path dir, Set<String> names) throws IOException {
        StringBuilder text = new StringBuilder(header);
        names.forEach(name -> text.append(name).append('\n'));
        Files.writeString(dir.resolve(marker), text, StandardCharsets.UTF_8);
    }

    /** Deletes a listed file (not what a link points to) and the folders inside {@code dir} it leaves empty. */
    private static boolean delete(Path dir, String name) throws IOException {
        Path file = dir.resolve(name);
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(file)) {
            return false;
        }
        Files.delete(file);
        for (Path folder = file.getParent(); folder != null && !folder.equals(dir); folder = folder.getParent()) {
            try {
                Files.delete(folder);
            } catch (DirectoryNotEmptyException e) {
                break;
            }
        }
        return true;
    }
}
