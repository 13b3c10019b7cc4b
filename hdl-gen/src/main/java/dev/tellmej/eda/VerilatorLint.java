package dev.tellmej.eda;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs {@code verilator --lint-only -Wall} over a set of Verilog files. The project's bar for generated
 * Verilog is zero warnings with every warning enabled and none waived.
 */
public final class VerilatorLint {
    private VerilatorLint() {}

    /** The outcome: the messages Verilator printed (empty when clean). */
    public record Result(List<String> command, int exitCode, String output) {
        /** True when Verilator reported nothing and succeeded. */
        public boolean clean() {
            return exitCode == 0 && output.isBlank();
        }
    }

    /**
     * Lints {@code files} with {@code top} as the top module, in {@code dir}.
     *
     * @throws ToolNotFoundException when Verilator is not installed
     */
    public static Result run(Path dir, List<Path> files, String top) {
        List<String> command = new ArrayList<>(List.of(EdaTool.VERILATOR.require().toString(),
                "--lint-only", "-Wall", "--top-module", top));
        for (Path file : files) {
            command.add(file.toAbsolutePath().toString());
        }
        ExternalCommand.Result result = ExternalCommand.of(command).directory(dir).timeout(Duration.ofMinutes(5)).run();
        return new Result(command, result.exitCode(), result.output());
    }
}
