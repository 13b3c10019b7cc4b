package dev.tellmej.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The folder {@code tellme rtl --out DIR} writes into, and the rule that keeps the command away from files it
 * did not write. It writes into a new or empty folder; into a folder it wrote before (one holding the marker
 * {@value #MARKER}, which lists every file of the last run) only with {@code --force}, and then it deletes only
 * the files the marker lists. Any other file is the user's: never overwritten, never deleted, and if the new
 * output needs one of their names the command refuses.
 */
final class RtlOutputFolder {
    /** The marker file: the relative paths the last run wrote, one a line, after {@code #} comment lines. */
    static final String MARKER = ".tellme-rtl";

    private static final String HEADER = """
            # Written by 'tellme rtl': the files below are its output. With --force it replaces them (and deletes
            # those it no longer writes); it never touches any other file in this folder. Delete this file to
            # make the folder entirely yours again.
            """;

    /**
     * What a write did.
     *
     * @param written the files written, in order (the marker not included)
     * @param removed files of the earlier output that the new output no longer has, deleted
     */
    record Outcome(List<Path> written, List<Path> removed) {}

    private RtlOutputFolder() {}

    /**
     * Writes {@code files} (relative path with {@code /} -> text) into {@code dir}, then the marker.
     *
     * @throws CommandFailedException when the folder is not the command's to write (nothing is written then)
     */
    static Outcome write(Path dir, Map<String, String> files, boolean force) {
        try {
            List<String> previous = previousOutput(dir, force);
            for (String name : files.keySet()) {
                Path target = dir.resolve(name);
                if (!previous.contains(name) && Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                    throw new CommandFailedException(target + " exists and was not written by 'tellme rtl'",
                            "Move it away or choose another folder: tellme rtl never writes over a file it did not"
                                    + " write.");
                }
            }
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
            for (Map.Entry<String, String> file : files.entrySet()) {
                Path target = dir.resolve(file.getKey());
                // Our own earlier file: delete it rather than write through it (it could have become a link).
                Files.deleteIfExists(target);
                Files.createDirectories(target.getParent());
                Files.writeString(target, file.getValue(), StandardCharsets.UTF_8);
                written.add(target);
            }
            writeMarker(dir, files.keySet());
            return new Outcome(written, removed);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to " + dir, e);
        }
    }

    /** The files the marker lists, or none for a new or empty folder; refuses any other folder. */
    private static List<String> previousOutput(Path dir, boolean force) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        if (!Files.isDirectory(dir)) {
            throw new CommandFailedException(dir + " is not a folder", "Give --out a new or empty folder.");
        }
        Path marker = dir.resolve(MARKER);
        if (Files.isRegularFile(marker, LinkOption.NOFOLLOW_LINKS)) {
            List<String> listed = readMarker(marker);
            if (!force) {
                throw new CommandFailedException(dir + " holds the output of an earlier 'tellme rtl'",
                        "Add --force to replace it: tellme rtl then deletes only the files " + MARKER + " lists.");
            }
            return listed;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            if (entries.findAny().isPresent()) {
                throw new CommandFailedException(dir + " is not empty and was not written by 'tellme rtl' (it has no "
                        + MARKER + ")", "Choose a new or empty folder: tellme rtl never writes over or deletes files"
                        + " it did not write.");
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
                    && !line.contains("\\") && !line.equals(MARKER);
            if (!inside) {
                throw new CommandFailedException(marker + ":" + (i + 1) + ": '" + line + "' is not a file inside the"
                        + " folder", "The marker is damaged: restore it, or empty the folder by hand.");
            }
            names.add(line);
        }
        return names;
    }

    private static void writeMarker(Path dir, Set<String> names) throws IOException {
        StringBuilder text = new StringBuilder(HEADER);
        names.forEach(name -> text.append(name).append('\n'));
        Files.writeString(dir.resolve(MARKER), text, StandardCharsets.UTF_8);
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
