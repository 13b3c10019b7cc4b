package dev.tellmej.eda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One run of an external program: command line, working directory, environment additions, time limit.
 * Output is captured in full (both streams, read concurrently so a chatty tool never blocks).
 *
 * <pre>{@code
 * ExternalCommand.Result r = ExternalCommand.of("verilator", "--lint-only", "-Wall", "top.v")
 *         .directory(dir).timeout(Duration.ofMinutes(1)).run();
 * r.requireSuccess("lint top.v");
 * }</pre>
 */
public final class ExternalCommand {
    private final List<String> command;
    private Path directory;
    private Duration timeout = Duration.ofMinutes(10);
    private final Map<String, String> environment = new HashMap<>();

    private ExternalCommand(List<String> command) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("empty command line");
        }
        this.command = List.copyOf(command);
    }

    /** A command line: the program, then its arguments. */
    public static ExternalCommand of(String... commandLine) {
        return new ExternalCommand(List.of(commandLine));
    }

    /** A command line: the program, then its arguments. */
    public static ExternalCommand of(List<String> commandLine) {
        return new ExternalCommand(commandLine);
    }

    /** Runs in {@code dir} instead of the JVM's working directory. */
    public ExternalCommand directory(Path dir) {
        this.directory = dir;
        return this;
    }

    /** Kills the process and fails after {@code limit} (default 10 minutes). */
    public ExternalCommand timeout(Duration limit) {
        this.timeout = limit;
        return this;
    }

    /** Adds or replaces one environment variable of the child process. */
    public ExternalCommand env(String name, String value) {
        environment.put(name, value);
        return this;
    }

    /**
     * Runs the command to completion.
     *
     * @return its exit code and output; a non-zero exit is not an error here (see {@link Result#requireSuccess})
     * @throws ToolFailedException when the program cannot be started or exceeds its time limit
     */
    public Result run() {
        ProcessBuilder builder = new ProcessBuilder(command);
        if (directory != null) {
            builder.directory(directory.toFile());
        }
        builder.environment().putAll(environment);
        // Tools never read stdin here; an empty input keeps an interactive prompt from hanging a run.
        builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        long start = System.nanoTime();
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new ToolFailedException("cannot start " + command.getFirst() + ": " + e.getMessage()
                    + " (run scripts/setup to install the toolchain)", command, -1, "");
        }
        CompletableFuture<String> stdout = drain(process.getInputStream());
        CompletableFuture<String> stderr = drain(process.getErrorStream());
        boolean finished;
        try {
            finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new ToolFailedException("interrupted while running " + String.join(" ", command), command, -1, "");
        }
        if (!finished) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            String output = stdout.join() + stderr.join();
            throw new ToolFailedException(String.join(" ", command) + " did not finish within " + timeout
                    + "; last output:\n" + tail(output, 40), command, -1, output);
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        return new Result(command, process.exitValue(), stdout.join(), stderr.join(), elapsed);
    }

    private static CompletableFuture<String> drain(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, Thread::startVirtualThread);
    }

    /** The last {@code lines} lines of {@code text}. */
    static String tail(String text, int lines) {
        List<String> all = new ArrayList<>(text.lines().toList());
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /** What a finished command returned. */
    public record Result(List<String> command, int exitCode, String stdout, String stderr, Duration elapsed) {
        /** True when the exit code is 0. */
        public boolean succeeded() {
            return exitCode == 0;
        }

        /** Both streams, stdout first. */
        public String output() {
            return stdout + stderr;
        }

        /**
         * Returns this result when the command succeeded.
         *
         * @param what what the command was doing, for the message ("lint Counter.v")
         * @throws ToolFailedException with the exit code and the last 60 lines of output otherwise
         */
        public Result requireSuccess(String what) {
            if (!succeeded()) {
                throw new ToolFailedException("failed to " + what + ": " + String.join(" ", command)
                        + " exited with " + exitCode + ":\n" + tail(output(), 60), command, exitCode, output());
            }
            return this;
        }
    }
}
