package dev.tellmej.cli;

import dev.tellmej.eda.EdaTool;
import dev.tellmej.eda.ExternalCommand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Probes the external tools and the OpenCL platforms, never throwing: each line says found or missing. */
final class ToolchainCheck {
    /** One tool's state: {@code ok} false means it is missing or unusable, and {@code detail} says why. */
    record Line(String name, boolean ok, String detail) {}

    static List<Line> probe() {
        List<Line> lines = new ArrayList<>();
        lines.add(new Line("java", Runtime.version().feature() >= 25, "Java " + Runtime.version()));
        for (EdaTool tool : EdaTool.required()) {
            try {
                lines.add(new Line(tool.command(), true, tool.version().banner()));
            } catch (RuntimeException e) {
                lines.add(new Line(tool.command(), false, e.getMessage()));
            }
        }
        lines.add(openClPlatforms());
        return lines;
    }

    private static Line openClPlatforms() {
        try {
            ExternalCommand.Result result = ExternalCommand.of(EdaTool.CLINFO.require().toString(), "-l")
                    .timeout(Duration.ofSeconds(30)).run();
            List<String> platforms = result.stdout().lines()
                    .filter(line -> line.startsWith("Platform #"))
                    .map(line -> line.substring(line.indexOf(':') + 1).strip())
                    .toList();
            return platforms.isEmpty()
                    ? new Line("opencl", false, "no OpenCL platform (install pocl-opencl-icd: scripts/setup)")
                    : new Line("opencl", true, String.join(", ", platforms));
        } catch (RuntimeException e) {
            return new Line("opencl", false, e.getMessage());
        }
    }
}
