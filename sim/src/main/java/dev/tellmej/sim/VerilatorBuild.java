package dev.tellmej.sim;

import dev.tellmej.eda.EdaTool;
import dev.tellmej.eda.ExternalCommand;
import dev.tellmej.eda.ToolFailedException;
import dev.tellmej.hdl.Design;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Builds a design into a shared library the JVM loads: writes the design's Verilog and the generated
 * shim, runs {@code verilator --cc --build --exe shim.cpp -o libtlm.so} with position-independent code,
 * and keeps the result in the {@link SimCache} under a content hash of everything that goes into it (the
 * RTL, black-box sources, the shim and runtime, the flags and {@code verilator --version}). A cached
 * model is loaded without running any tool. Verilator's output is shown only when the build fails.
 *
 * <pre>{@code
 * VerilatorBuild.Result built = VerilatorBuild.of(design).trace(true).build();
 * }</pre>
 */
public final class VerilatorBuild {
    /** The library's file name inside a cache entry. */
    static final String LIBRARY = "libtlm.so";
    private static final String COMPLETE = "complete";
    private static final Duration TIMEOUT = Duration.ofMinutes(20);

    /**
     * C++ flags: position-independent code for a shared library; only the shim's entry points
     * exported, so two models in one process never bind to each other's copy of Verilator's runtime;
     * and the prelude that routes $stop/$fatal and printing into the shim.
     */
    private static final String CFLAGS = "-fPIC -fvisibility=hidden -include tlm_prelude.h";
    private static final String LDFLAGS = "-shared -Wl,-Bsymbolic";
    /** Verilator's default -Os compiles fastest; -O2 runs the model faster, which the tests and benchmarks want. */
    private static final String MAKEFLAGS = "OPT_FAST=-O2 OPT_GLOBAL=-O2";

    private final Design<?> design;
    private boolean trace;
    private Path cacheRoot;
    private boolean ccache = true;
    private int jobs = 2;

    private VerilatorBuild(Design<?> design) {
        this.design = design;
    }

    /** A build of {@code design} without waveform support, into the default cache. */
    public static VerilatorBuild of(Design<?> design) {
        return new VerilatorBuild(design);
    }

    /** Builds the tracing variant ({@code --trace-fst}), which can write FST waveforms. */
    public VerilatorBuild trace(boolean enabled) {
        this.trace = enabled;
        return this;
    }

    /** Uses {@code root} as the cache instead of {@link SimCache#defaultRoot()}. */
    public VerilatorBuild cacheRoot(Path root) {
        this.cacheRoot = root;
        return this;
    }

    /** Compiles through ccache when it is installed (default true). */
    public VerilatorBuild ccache(boolean enabled) {
        this.ccache = enabled;
        return this;
    }

    /** Parallel compile jobs (default 2). */
    public VerilatorBuild jobs(int count) {
        this.jobs = Math.max(1, count);
        return this;
    }

    /**
     * A built model.
     *
     * @param library  the shared library to load
     * @param key      the content hash it is cached under
     * @param layout   the design's ports and memories, in the shim's order
     * @param compiled true when this call built it, false when it came from the cache
     * @param elapsed  time spent in this call (building, or finding it in the cache)
     */
    public record Result(Path library, String key, ModelLayout layout, boolean compiled, Duration elapsed) {}

    /**
     * Returns the cached model, building it first when it is missing.
     *
     * @throws SimBuildException when Verilator or the C++ compiler fails, with the tail of their output
     * @throws dev.tellmej.eda.ToolNotFoundException when Verilator is not installed
     */
    public Result build() {
        long start = System.nanoTime();
        ModelLayout layout = ModelLayout.of(design);
        ShimSource shim = ShimSource.generate(layout);
        List<String> flags = flags(layout);
        Path root = cacheRoot != null ? cacheRoot.toAbsolutePath() : SimCache.defaultRoot();
        String key = key(shim, flags, verilatorVersion(root));
        Path entry = root.resolve(key);
        if (Files.isRegularFile(entry.resolve(COMPLETE))) {
            return new Result(entry.resolve("obj").resolve(LIBRARY), key, layout, false, since(start));
        }
        boolean compiled = SimCache.withLock(root, key, () -> {
            if (Files.isRegularFile(entry.resolve(COMPLETE))) {
                return false; // another JVM built it while this one waited
            }
            ModelBuildListener listener = ModelBuildListener.current();
            long began = System.nanoTime();
            boolean succeeded = false;
            listener.building(design.topName());
            try {
                compile(root, key, entry, shim, flags);
                succeeded = true;
            } finally {
                listener.built(design.topName(), since(began), succeeded);
            }
            return true;
        });
        return new Result(entry.resolve("obj").resolve(LIBRARY), key, layout, compiled, since(start));
    }

    private List<String> flags(ModelLayout layout) {
        List<String> flags = new ArrayList<>(List.of("--cc", "--build", "--prefix", ShimSource.MODEL_CLASS,
                "--top-module", layout.topName(), "--assert", "-Wno-fatal", "-Wno-lint", "-Wno-style",
                "-CFLAGS", CFLAGS, "-LDFLAGS", LDFLAGS, "-MAKEFLAGS", MAKEFLAGS));
        if (trace) {
            flags.add("--trace-fst");
        }
        return flags;
    }

    private String key(ShimSource shim, List<String> flags, String version) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            update(digest, "tellmej-sim");
            update(digest, version);
            flags.forEach(flag -> update(digest, flag));
            for (Map.Entry<String, String> definition : design.definitions().entrySet()) {
                update(digest, definition.getKey());
                update(digest, definition.getValue());
            }
            for (String source : design.blackBoxSources()) {
                update(digest, source);
                update(digest, Files.readString(Path.of(source)));
            }
            update(digest, shim.shim());
            update(digest, shim.runtime());
            update(digest, shim.prelude());
            update(digest, shim.config());
            return HexFormat.of().formatHex(digest.digest()).substring(0, 40);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read a black-box source of " + design.topName(), e);
        }
    }

    private static void update(MessageDigest digest, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        digest.update(Integer.toString(bytes.length).getBytes(StandardCharsets.UTF_8));
        digest.update((byte) ':');
        digest.update(bytes);
    }

    /**
     * {@code verilator --version}. Running it costs a process start, which would dominate opening a
     * cached model, so the answer is kept in the cache next to the executable's path, size and time
     * stamp, and asked again only when those change (an upgrade replaces the executable).
     */
    static String verilatorVersion(Path root) {
        Path executable = EdaTool.VERILATOR.require();
        String stamp;
        try {
            BasicFileAttributes attributes = Files.readAttributes(executable, BasicFileAttributes.class);
            stamp = executable + "|" + attributes.size() + "|" + attributes.lastModifiedTime().toMillis();
        } catch (IOException e) {
            return EdaTool.VERILATOR.version().banner();
        }
        Path file = root.resolve("verilator-version.txt");
        try {
            List<String> lines = Files.isRegularFile(file) ? Files.readAllLines(file) : List.of();
            if (lines.size() == 2 && lines.get(0).equals(stamp)) {
                return lines.get(1);
            }
        } catch (IOException e) {
            // unreadable: ask the tool
        }
        String banner = EdaTool.VERILATOR.version().banner();
        try {
            Files.createDirectories(root);
            Path temporary = Files.createTempFile(root, "verilator-version", ".tmp");
            Files.writeString(temporary, stamp + "\n" + banner + "\n");
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // a read-only cache still works, it only asks every time
        }
        return banner;
    }

    private void compile(Path root, String key, Path entry, ShimSource shim, List<String> flags) {
        Path work = root.resolve(key + ".tmp-" + ProcessHandle.current().pid());
        try {
            deleteTree(work);
            Path src = Files.createDirectories(work.resolve("src"));
            Path obj = Files.createDirectories(work.resolve("obj"));
            List<String> command = new ArrayList<>();
            command.add(EdaTool.VERILATOR.require().toString());
            command.addAll(flags);
            // Paths relative to the build directory: Verilog file names in $fatal messages and in the
            // model stay short and do not name the temporary directory, which is renamed when done.
            command.addAll(List.of("-j", Integer.toString(jobs), "-Mdir", "obj", "-o", LIBRARY));
            Files.writeString(src.resolve("sim.vlt"), shim.config());
            command.add("src/sim.vlt");
            for (Map.Entry<String, String> definition : design.definitions().entrySet()) {
                Files.writeString(src.resolve(definition.getKey() + ".v"), definition.getValue());
                command.add("src/" + definition.getKey() + ".v");
            }
            for (String source : design.blackBoxSources()) {
                Path name = Path.of(source).getFileName();
                Files.copy(Path.of(source), src.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                command.add("src/" + name);
            }
            Files.writeString(src.resolve("shim.cpp"), shim.shim());
            Files.writeString(src.resolve("tlm_runtime.h"), shim.runtime());
            // -include looks in the compiler's working directory, which is the Mdir.
            Files.writeString(obj.resolve("tlm_prelude.h"), shim.prelude());
            command.addAll(List.of("--exe", "src/shim.cpp"));

            ExternalCommand run = ExternalCommand.of(command).directory(work).timeout(TIMEOUT);
            if (ccache && isOnPath("ccache")) {
                run.env("OBJCACHE", "ccache");
            }
            ExternalCommand.Result result;
            try {
                result = run.run();
            } catch (ToolFailedException e) {
                throw failure(root, key, work, e.getMessage(), e.output());
            }
            Files.writeString(work.resolve("build.log"), String.join(" ", command) + "\n\n" + result.output());
            if (!result.succeeded() || !Files.isRegularFile(obj.resolve(LIBRARY))) {
                throw failure(root, key, work, "verilator exited with " + result.exitCode(), result.output());
            }
            pruneIntermediates(obj);
            Files.writeString(work.resolve(COMPLETE), key + "\n");
            deleteTree(entry);
            Files.move(work, entry, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build the simulation model of " + design.topName() + " in " + work, e);
        }
    }

    private SimBuildException failure(Path root, String key, Path work, String what, String output) throws IOException {
        Path kept = root.resolve("failed-" + key);
        deleteTree(kept);
        Files.move(work, kept, StandardCopyOption.ATOMIC_MOVE);
        return new SimBuildException("cannot build the simulation model of " + design.topName() + ": " + what
                + " (build directory kept in " + kept + "); last lines of the build output:\n" + tail(output, 60),
                output);
    }

    private static String tail(String text, int lines) {
        List<String> all = text.lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    private static boolean isOnPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    /** Object files and archives are only needed while linking; the cache keeps sources, log and library. */
    private static void pruneIntermediates(Path obj) throws IOException {
        try (var files = Files.list(obj)) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                if (name.endsWith(".o") || name.endsWith(".a") || name.endsWith(".d")) {
                    Files.delete(file);
                }
            }
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static Duration since(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
