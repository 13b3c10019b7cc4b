package dev.tellmej.eda;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The state of the toolchain the project needs: the JVM, every required external tool with its version, and
 * the OpenCL platforms. Probing never throws: each entry says found or missing, and why.
 */
public final class Toolchain {
    /**
     * One tool's state.
     *
     * @param name   the tool ({@code java}, {@code verilator}, ..., {@code opencl})
     * @param ok     false when it is missing or unusable
     * @param detail its version banner, or why it is not usable
     */
    public record Status(String name, boolean ok, String detail) {}

    private Toolchain() {}

    /** Probes the JVM (25 or newer), every {@link EdaTool#required()} tool and the OpenCL platforms. */
    public static List<Status> probe() {
        List<Status> lines = new ArrayList<>();
        lines.add(new Status("java", Runtime.version().feature() >= 25, "Java " + Runtime.version()));
        for (EdaTool tool : EdaTool.required()) {
            try {
                lines.add(new Status(tool.command(), true, tool.version().banner()));
            } catch (RuntimeException e) {
                lines.add(new Status(tool.command(), false, e.getMessage()));
            }
        }
        lines.add(openClPlatforms());
        return lines;
    }

    private static Status openClPlatforms() {
        try {
            ExternalCommand.Result result = ExternalCommand.of(EdaTool.CLINFO.require().toString(), "-l")
                    .timeout(Duration.ofSeconds(30)).run();
            List<String> platforms = result.stdout().lines()
                    .filter(line -> line.startsWith("Platform #"))
                    .map(line -> line.substring(line.indexOf(':') + 1).strip())
                    .toList();
            return platforms.isEmpty()
                    ? new Status("opencl", false, "no OpenCL platform (install pocl-opencl-icd: scripts/setup)")
                    : new Status("opencl", true, String.join(", ", platforms));
        } catch (RuntimeException e) {
            return new Status("opencl", false, e.getMessage());
        }
    }
}
