package dev.tellmej.eda;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An external tool the project runs for real: simulators, synthesis, the OpenCL platform probe, the C compiler.
 *
 * <p>Each tool knows the Debian package that provides it, the argument that prints its version, and the
 * oldest version the project supports. {@link #require()} finds it on {@code PATH} or fails with a
 * {@link ToolNotFoundException} that says how to install it; tests call it so that a missing tool fails
 * loudly instead of skipping.
 */
public enum EdaTool {
    VERILATOR("verilator", "verilator", "--version", "Verilator (\\d+)\\.(\\d+)", new int[] {5, 6}),
    YOSYS("yosys", "yosys", "-V", "Yosys (\\d+)\\.(\\d+)", new int[] {0, 23}),
    IVERILOG("iverilog", "iverilog", "-V", "Icarus Verilog version (\\d+)\\.(\\d+)", new int[] {11, 0}),
    VVP("vvp", "iverilog", "-V", "Icarus Verilog runtime version (\\d+)\\.(\\d+)", new int[] {11, 0}),
    CLINFO("clinfo", "clinfo", "--version", "clinfo version (\\d+)\\.(\\d+)", new int[] {2, 0}),
    /** The C compiler the tests build host programs against the generated {@code tellme.h} with (C11). */
    CC("cc", "gcc", "--version", "(\\d+)\\.(\\d+)\\.\\d+", new int[] {8, 0});

    private final String command;
    private final String debianPackage;
    private final String versionArgument;
    private final Pattern versionPattern;
    private final int[] minimumVersion;

    EdaTool(String command, String debianPackage, String versionArgument, String versionRegex, int[] minimum) {
        this.command = command;
        this.debianPackage = debianPackage;
        this.versionArgument = versionArgument;
        this.versionPattern = Pattern.compile(versionRegex);
        this.minimumVersion = minimum;
    }

    /** The executable's name, as looked up on {@code PATH}. */
    public String command() {
        return command;
    }

    /** The Debian package that installs it ({@code scripts/setup} installs them all). */
    public String debianPackage() {
        return debianPackage;
    }

    /** The executable on {@code PATH}, if there is one. */
    public Optional<Path> find() {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, command);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * The executable on {@code PATH}.
     *
     * @throws ToolNotFoundException when it is not installed, with the command that installs it
     */
    public Path require() {
        return find().orElseThrow(() -> new ToolNotFoundException(this));
    }

    /**
     * Runs the tool's version command and returns its first line, for example
     * {@code "Verilator 5.006 2023-01-22 rev (Debian 5.006-3)"}.
     *
     * @throws ToolNotFoundException when it is not installed
     * @throws ToolVersionException when the version cannot be read or is older than the supported minimum
     */
    public ToolVersion version() {
        ExternalCommand.Result result = ExternalCommand.of(require().toString(), versionArgument)
                .timeout(Duration.ofSeconds(30))
                .run();
        String text = result.stdout() + result.stderr();
        Matcher matcher = versionPattern.matcher(text);
        if (!matcher.find()) {
            throw new ToolVersionException(this, "cannot read a version from '" + command + " "
                    + versionArgument + "', which printed: " + firstLine(text));
        }
        int major = Integer.parseInt(matcher.group(1));
        int minor = Integer.parseInt(matcher.group(2));
        ToolVersion version = new ToolVersion(this, major, minor, firstLine(text));
        if (!version.atLeast(minimumVersion[0], minimumVersion[1])) {
            throw new ToolVersionException(this, command + " " + major + "." + minor
                    + " is older than the supported " + minimumVersion[0] + "." + minimumVersion[1]
                    + "; install a newer " + debianPackage);
        }
        return version;
    }

    private static String firstLine(String text) {
        return text.lines().findFirst().orElse("").strip();
    }

    /** A tool's parsed version. */
    public record ToolVersion(EdaTool tool, int major, int minor, String banner) {
        /** True when this version is {@code major.minor} or newer. */
        public boolean atLeast(int wantMajor, int wantMinor) {
            return major > wantMajor || (major == wantMajor && minor >= wantMinor);
        }
    }

    /** The tools every part of the project needs. */
    public static List<EdaTool> required() {
        return List.of(values());
    }
}
