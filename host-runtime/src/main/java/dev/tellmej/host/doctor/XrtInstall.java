package dev.tellmej.host.doctor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether this machine has XRT (the Xilinx runtime, which runs the xclbin on the board) and which version.
 *
 * <p>XRT is there when {@code /etc/xrt} or {@code /opt/xilinx/xrt} exists, or an OpenCL platform is named
 * {@code Xilinx} (XRT's ICD); a Zynq UltraScale+ device tree ({@code xlnx,zynqmp} in
 * {@code /proc/device-tree/compatible}) makes the machine a board too. The version comes from the first that
 * answers: {@code /opt/xilinx/xrt/version.json} ({@code BUILD_VERSION}; XRT installs it except on embedded
 * platforms), {@code xbutil --version} or {@code xrt-smi --version} (its {@code Version :} line; older XRTs print
 * {@code XRT Build Version:}), then the development header {@code xrt/detail/version.h}
 * ({@code xrt_build_version[]}).
 *
 * @param board         true on a board or a machine with XRT
 * @param evidence      what made it one (the paths, the platform name), or why it is not
 * @param version       XRT's version ({@code 2.14.354}), or null when none could be read
 * @param versionSource where the version was read, or everything that was tried
 */
public record XrtInstall(boolean board, String evidence, String version, String versionSource) {
    private static final Pattern JSON_VERSION = Pattern.compile("\"BUILD_VERSION\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern BANNER_VERSION = Pattern.compile("(?m)^\\s*(?:XRT Build Version|Version)\\s*:\\s*(\\S+)");
    private static final Pattern HEADER_VERSION = Pattern.compile("xrt_build_version\\[\\]\\s*=\\s*\"([^\"]+)\"");

    /** The tools whose {@code --version} reports XRT's version, newest name last. */
    static final List<String> TOOLS = List.of("/opt/xilinx/xrt/bin/xbutil", "/opt/xilinx/xrt/bin/xrt-smi",
            "/usr/bin/xbutil", "/usr/bin/xrt-smi");

    /** The development headers that hold the version. */
    static final List<String> HEADERS = List.of("/opt/xilinx/xrt/include/xrt/detail/version.h",
            "/usr/include/xrt/detail/version.h", "/opt/xilinx/xrt/include/version.h");

    /** {@code BUILD_VERSION} of XRT's {@code version.json}. */
    public static Optional<String> versionFromJson(String json) {
        Matcher m = JSON_VERSION.matcher(json);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** The version in the output of {@code xbutil --version} (or {@code xrt-smi --version}). */
    public static Optional<String> versionFromBanner(String output) {
        Matcher m = BANNER_VERSION.matcher(output);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** {@code xrt_build_version} of XRT's {@code version.h}. */
    public static Optional<String> versionFromHeader(String header) {
        Matcher m = HEADER_VERSION.matcher(header);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /**
     * Probes the machine.
     *
     * @param files     where {@code /etc}, {@code /opt}, {@code /usr} and {@code /proc} are
     * @param platforms the OpenCL platforms' names (empty when there is none or OpenCL was not asked)
     * @param run       runs a command line and returns its output, or empty when it cannot be run
     */
    public static XrtInstall probe(SystemFiles files, List<String> platforms, Function<List<String>, Optional<String>> run) {
        List<String> evidence = new ArrayList<>();
        for (String path : List.of("/etc/xrt", "/opt/xilinx/xrt")) {
            if (files.exists(path)) {
                evidence.add(path);
            }
        }
        platforms.stream().filter(p -> p.toLowerCase(Locale.ROOT).contains("xilinx"))
                .forEach(p -> evidence.add("OpenCL platform '" + p + "'"));
        files.read("/proc/device-tree/compatible")
                .filter(c -> c.contains("xlnx,zynqmp"))
                .ifPresent(c -> evidence.add("a Zynq UltraScale+ device tree (" + c.replace('\0', ' ').trim() + ")"));
        if (evidence.isEmpty()) {
            return new XrtInstall(false, "not a board: no /etc/xrt, no /opt/xilinx/xrt, no OpenCL platform named"
                    + " Xilinx, no Zynq UltraScale+ device tree", null, null);
        }
        String found = String.join(", ", evidence);
        List<String> tried = new ArrayList<>();
        String json = "/opt/xilinx/xrt/version.json";
        Optional<String> v = files.read(json).flatMap(XrtInstall::versionFromJson);
        if (v.isPresent()) {
            return new XrtInstall(true, found, v.get(), json);
        }
        tried.add(json);
        for (String tool : TOOLS) {
            if (files.exists(tool)) {
                String line = tool + " --version";
                v = run.apply(List.of(files.resolve(tool).toString(), "--version")).flatMap(XrtInstall::versionFromBanner);
                if (v.isPresent()) {
                    return new XrtInstall(true, found, v.get(), line);
                }
                tried.add(line);
            }
        }
        for (String header : HEADERS) {
            v = files.read(header).flatMap(XrtInstall::versionFromHeader);
            if (v.isPresent()) {
                return new XrtInstall(true, found, v.get(), header);
            }
        }
        tried.addAll(HEADERS);
        return new XrtInstall(true, found, null, "tried " + String.join(", ", tried));
    }
}
