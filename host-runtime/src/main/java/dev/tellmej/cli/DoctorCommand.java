package dev.tellmej.cli;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.device.Device;
import dev.tellmej.device.OpenClDevice;
import dev.tellmej.device.RtlDevice;
import dev.tellmej.eda.EdaTool;
import dev.tellmej.eda.ExternalCommand;
import dev.tellmej.host.doctor.Check;
import dev.tellmej.host.doctor.CheckStatus;
import dev.tellmej.host.doctor.DoctorChecks;
import dev.tellmej.host.doctor.DoctorReport;
import dev.tellmej.host.doctor.GoldenTokens;
import dev.tellmej.host.doctor.ImageIdentity;
import dev.tellmej.host.doctor.MalformedGoldenFileException;
import dev.tellmej.host.doctor.MalformedManifestException;
import dev.tellmej.host.doctor.PlClocks;
import dev.tellmej.host.doctor.SystemFiles;
import dev.tellmej.host.doctor.XclbinManifest;
import dev.tellmej.host.doctor.XrtInstall;
import dev.tellmej.image.MalformedImageException;
import dev.tellmej.image.MemoryImage;
import dev.tellmej.image.TokenizerSection;
import dev.tellmej.image.WrongConfigurationException;
import dev.tellmej.model.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tellme doctor}: checks what the chosen device needs (the JDK; for opencl the OpenCL platforms and the one
 * chosen, and on a board XRT's version, the xclbin's build manifest against the image's configuration hash, free
 * contiguous memory and the PL clock; for rtl Verilator) and runs the recorded golden test on the device: the
 * embedded student's first greedy ids. One line per check, PASS, FAIL or SKIP, a failure with what to do; exit
 * code 0 when none failed, 1 otherwise. {@code --json} prints the {@link DoctorReport} instead (docs/host.md,
 * Doctor).
 */
@Command(name = "doctor", description = {"Check the environment of a device (OpenCL platforms, XRT, the xclbin's"
        + " manifest against the image, free CMA and the PL clock on a board) and run the recorded golden test on it;"
        + " each failed check says what to do. Exit code 0 when every check passes.",
        "  tellme doctor --device reference",
        "  tellme doctor --device opencl [--platform NAME|INDEX] [--cl-device NAME|INDEX]",
        "  tellme doctor --device opencl --binary tellme.xclbin --image model.tlmi"})
final class DoctorCommand implements Callable<Integer>, PrintsJson {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    JsonOption json;

    @Option(names = "--device", paramLabel = "reference|opencl|rtl", converter = RunCommand.DeviceConverter.class,
            description = "the device to check (default: the one 'tellme run' takes: opencl when there is an OpenCL"
                    + " platform or --binary is given, else reference)")
    DeviceKind device;

    @Option(names = "--config", paramLabel = "NAME", description = "the accelerator build (default: the --image's,"
            + " else sim-small for rtl and kv260 for the others)")
    String configName;

    @Option(names = "--image", paramLabel = "FILE", description = "the memory image to run on the device: its header"
            + " is checked, matched with the xclbin's manifest and sized against the CMA pool")
    Path image;

    @Option(names = "--platform", paramLabel = "NAME|INDEX", description = "opencl: the OpenCL platform (as for run)")
    String platform;

    @Option(names = "--cl-device", paramLabel = "NAME|INDEX", description = "opencl: the device of the platform (as"
            + " for run)")
    String clDevice;

    @Option(names = "--binary", paramLabel = "FILE", description = "opencl: the program binary, on the board the"
            + " xclbin (its tellme-build.json beside it is checked)")
    Path binary;

    @Range(min = 1, max = 86_400)
    @Option(names = "--timeout", defaultValue = "600", description = "opencl: seconds one call may take (default:"
            + " ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Range(min = 1, max = 256)
    @Option(names = {"-t", "--threads"}, defaultValue = "2", description = "reference: worker threads (default:"
            + " ${DEFAULT-VALUE})")
    int threads;

    /**
     * Where the doctor looks, replaceable by tests: the machine's files, the recorded golden run, and how a
     * command's output is read.
     *
     * @param files  {@code /proc}, {@code /sys}, {@code /etc}, {@code /opt} and {@code /usr}
     * @param golden the recorded golden run
     * @param run    runs a command line and returns its output, or empty when it cannot
     */
    record Environment(SystemFiles files, Supplier<GoldenTokens> golden,
                       Function<List<String>, Optional<String>> run) {
        /** This machine, and the recording tellme ships. */
        static final Environment REAL = new Environment(SystemFiles.real(), GoldenTokens::recorded,
                Environment::runCommand);

        private static Optional<String> runCommand(List<String> commandLine) {
            try {
                return Optional.of(ExternalCommand.of(commandLine).timeout(Duration.ofSeconds(20)).run().output());
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        }
    }

    private static final ScopedValue<Environment> ENVIRONMENT = ScopedValue.newInstance();

    /** Runs {@code body} with the doctor looking at {@code environment} instead of this machine (tests). */
    static <T> T with(Environment environment, Callable<T> body) throws Exception {
        return ScopedValue.where(ENVIRONMENT, environment).call(body::call);
    }

    @Override
    public List<Class<? extends Record>> jsonRecords() {
        return List.of(DoctorReport.class);
    }

    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        Environment env = ENVIRONMENT.isBound() ? ENVIRONMENT.get() : Environment.REAL;
        DeviceKind kind = device;
        if (kind == null) {
            kind = binary != null || !DoctorChecks.platformNames().isEmpty() ? DeviceKind.OPENCL : DeviceKind.REFERENCE;
        }
        if (!kind.built()) {
            throw kind.notBuilt();
        }
        if ((binary != null || platform != null || clDevice != null) && kind != DeviceKind.OPENCL) {
            throw new CommandLine.ParameterException(cl, (binary != null ? "--binary" : platform != null
                    ? "--platform" : "--cl-device") + " is for the OpenCL device: add --device opencl");
        }
        if (image != null && !Files.isRegularFile(image)) {
            throw new CommandLine.ParameterException(cl, "image file not found: " + image);
        }

        List<Check> checks = new ArrayList<>();
        checks.add(DoctorChecks.java(Runtime.version(), System.getProperty("java.vendor"),
                System.getProperty("java.home"), ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()));
        if (kind == DeviceKind.RTL) {
            checks.add(verilator());
        }

        // The image's header names its build, which is then the default build of every check.
        ImageIdentity identity = null;
        Check imageFailure = null;
        if (image != null) {
            try {
                identity = ImageIdentity.read(image);
            } catch (MalformedImageException e) {
                imageFailure = Check.fail("image", e.getMessage(), "Repack the model: tellme pack MODEL --config NAME"
                        + " -o FILE.");
            }
        }
        String buildName = configName != null ? configName
                : identity != null && AcceleratorConfig.named().containsKey(identity.configName()) ? identity.configName()
                : kind == DeviceKind.RTL ? RtlDevice.BUILD : AcceleratorConfig.kv260().name();
        AcceleratorConfig config = ConfigCommand.build(cl, buildName);
        String configHash = HexFormat.of().formatHex(config.hash());

        // The golden test runs the embedded student packed for the build (the cache's image, as run packs it).
        Path student = null;
        Check studentFailure = null;
        try {
            student = DeviceImages.packed(cl, null, null, config, cl.getErr());
        } catch (CommandFailedException e) {
            studentFailure = Check.fail("golden", "cannot pack the embedded student for " + config.name() + ": "
                    + e.getMessage(), e.hint());
        }

        if (kind == DeviceKind.OPENCL) {
            checks.add(DoctorChecks.opencl(platform, clDevice));
            XrtInstall xrt = XrtInstall.probe(env.files(), DoctorChecks.platformNames(), env.run());
            checks.add(DoctorChecks.xrt(xrt));
            if (image != null) {
                checks.add(imageFailure != null ? imageFailure : imageCheck(identity, kind, config));
            }
            XclbinManifest[] manifest = new XclbinManifest[1];
            checks.add(xclbin(xrt.board(), config, configHash, identity, manifest));
            ImageIdentity runs = identity != null ? identity : studentIdentity(student);
            checks.add(runs != null ? DoctorChecks.cma(xrt.board(), env.files().read("/proc/meminfo"), runs)
                    : Check.fail("cma", "no image to size the pool for (the student could not be packed)",
                            "Fix the golden check's packing first."));
            double mhz = manifest[0] != null ? manifest[0].clockMhz() : config.clock().targetMhz();
            String from = manifest[0] != null ? XclbinManifest.FILE_NAME : config.name() + "'s target clock";
            checks.add(DoctorChecks.clock(xrt.board(), xrt.board() ? PlClocks.read(env.files())
                    : new PlClocks.Readout(List.of(), "not a board"), mhz, from));
        } else if (image != null) {
            checks.add(imageFailure != null ? imageFailure : imageCheck(identity, kind, config));
        }
        checks.add(studentFailure != null ? studentFailure : golden(kind, student, config, env));

        DoctorReport report = DoctorReport.of(kind.name().toLowerCase(Locale.ROOT), config.name(), checks);
        if (json.enabled()) {
            json.print(report);
        } else {
            print(cl.getOut(), report);
        }
        return report.passed() ? 0 : ErrorReporter.FAILURE;
    }

    /** The report as text: one line per check, then a summary line. */
    static void print(PrintWriter out, DoctorReport report) {
        int width = report.checks().stream().mapToInt(c -> c.name().length()).max().orElse(0);
        for (Check c : report.checks()) {
            String found = c.found();
            int lines = (int) found.lines().count();
            if (lines > 1) {
                found = found.lines().findFirst().orElse("") + " (" + (lines - 1) + " more lines in --json)";
            }
            out.printf(Locale.ROOT, "%-4s  %-" + width + "s  %s%s%n", c.status(), c.name(), found,
                    c.status() == CheckStatus.FAIL ? ". To fix: " + c.advice() : "");
        }
        long skipped = report.checks().stream().filter(c -> c.status() == CheckStatus.SKIP).count();
        out.printf(Locale.ROOT, "%s: %d checks on the %s device for %s, %d failed, %d skipped%n",
                report.passed() ? "ok" : "FAILED", report.checks().size(), report.device(), report.config(),
                report.failed(), skipped);
        out.flush();
    }

    private static Check verilator() {
        try {
            return Check.pass("verilator", EdaTool.VERILATOR.version().banner());
        } catch (RuntimeException e) {
            return Check.fail("verilator", e.getMessage(), "Run scripts/setup, which installs Verilator 5.006 or"
                    + " newer (the rtl device builds the kernel with it).");
        }
    }

    /** The --image: it opens (every checksum, the program) for this tellme's build, and suits the device. */
    private Check imageCheck(ImageIdentity identity, DeviceKind kind, AcceleratorConfig config) {
        String repack = "repack the model with this tellme: tellme pack MODEL --config " + config.name() + " -o FILE.";
        if (!identity.configName().equals(config.name())) {
            return Check.fail("image", image + " was packed for " + identity.configName() + ", not for --config "
                    + config.name(), "Leave --config out (doctor then takes the image's build), or " + repack);
        }
        if (kind == DeviceKind.RTL && !config.name().equals(RtlDevice.BUILD)) {
            return Check.fail("image", image + " is packed for " + config.name() + "; the rtl device runs "
                    + RtlDevice.BUILD + " images only", "Pack the model for " + RtlDevice.BUILD + ": tellme pack MODEL"
                    + " --config " + RtlDevice.BUILD + " -o FILE.");
        }
        try (MemoryImage opened = MemoryImage.open(image)) {
            return Check.pass("image", String.format(Locale.ROOT, "%s: %s packed for %s (hash %s...), context %d;"
                            + " image %.1f MB, KV cache %.1f MB; every checksum verified",
                    image.getFileName(), identity.modelName(), identity.configName(),
                    identity.configHash().substring(0, 16), identity.context(), identity.imageBytes() / 1e6,
                    identity.kvCacheBytes() / 1e6));
        } catch (WrongConfigurationException | MalformedImageException e) {
            return Check.fail("image", e.getMessage(), "The image is stale or damaged: " + repack);
        }
    }

    /** The --binary: present, and its manifest matching the build and the image. */
    private Check xclbin(boolean board, AcceleratorConfig config, String configHash, ImageIdentity identity,
                         XclbinManifest[] manifestOut) {
        if (binary == null) {
            return board
                    ? Check.fail("xclbin", "no --binary: XRT runs the kernel only from an xclbin",
                            "Add --binary /lib/firmware/xilinx/tellme/tellme.xclbin (docs/board.md, On the board).")
                    : Check.skip("xclbin", "no --binary: the kernel's OpenCL C twin is built from source (an xclbin"
                            + " is for the board)");
        }
        if (!Files.isRegularFile(binary)) {
            return Check.fail("xclbin", "--binary " + binary + ": no such file", "Give the xclbin's path (on the board"
                    + " /lib/firmware/xilinx/tellme/tellme.xclbin once the app is installed; docs/board.md).");
        }
        Path manifestFile = XclbinManifest.beside(binary);
        boolean xclbin = isXclbin(binary);
        if (!Files.isRegularFile(manifestFile)) {
            if (xclbin || board) {
                return Check.fail("xclbin", "no " + XclbinManifest.FILE_NAME + " beside " + binary + ", so its build"
                        + " cannot be matched with the image", "Copy the whole app folder: scripts/build-xclbin writes "
                        + XclbinManifest.FILE_NAME + " beside tellme.xclbin (docs/board.md).");
            }
            return Check.skip("xclbin", binary + " is not an xclbin (no xclbin2 magic) but a program binary, which has"
                    + " no build manifest: the golden test runs it");
        }
        XclbinManifest manifest;
        try {
            manifest = XclbinManifest.read(manifestFile);
        } catch (MalformedManifestException e) {
            return Check.fail("xclbin", e.getMessage(), "Rebuild the xclbin with scripts/build-xclbin, which writes the"
                    + " manifest (docs/board.md).");
        }
        manifestOut[0] = manifest;
        return DoctorChecks.manifest(manifest, config.name(), configHash, identity);
    }

    /** True when the file starts with an xclbin's magic, {@code xclbin2}. */
    static boolean isXclbin(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return new String(in.readNBytes(7), StandardCharsets.US_ASCII).equals("xclbin2");
        } catch (IOException e) {
            return false;
        }
    }

    private static ImageIdentity studentIdentity(Path student) {
        return student == null ? null : ImageIdentity.read(student);
    }

    /** The golden test: the recorded greedy run of the student, on the device. */
    private Check golden(DeviceKind kind, Path student, AcceleratorConfig config, Environment env) {
        GoldenTokens recorded;
        try {
            recorded = env.golden().get();
        } catch (MalformedGoldenFileException e) {
            return Check.fail("golden", "the recorded run cannot be read: " + e.getMessage(), "The recording is part"
                    + " of tellme: rebuild tellme from a clean checkout (scripts/tellme rebuilds it); GoldenTokensTest"
                    + " regenerates the file (docs/host.md, Doctor).");
        }
        OpenClDevice.Options opencl = new OpenClDevice.Options(platform, clDevice, 0,
                Duration.ofSeconds(timeoutSeconds), binary);
        Device d;
        try {
            d = DeviceImages.open(kind, student, threads, opencl);
        } catch (CommandFailedException e) {
            return Check.fail("golden", "cannot open the " + name(kind) + " device on the student's image: "
                    + e.getMessage(), e.hint());
        } catch (RuntimeException e) {
            return Check.fail("golden", "cannot open the " + name(kind) + " device on the student's image: " + e,
                    "Run tellme run --device " + name(kind) + " --config " + config.name() + " to see the whole"
                            + " error.");
        }
        try {
            long start = System.nanoTime();
            int[] got = GoldenTokens.greedy(d, recorded.prompt(), recorded.ids().length);
            double seconds = (System.nanoTime() - start) / 1e9;
            Tokenizer tokenizer = TokenizerSection.read(DeviceImages.imageOf(d));
            int[] prompt = recorded.prompt();
            Function<int[], String> text = ids -> tokenizer == null ? Arrays.toString(ids)
                    : tokenizer.decode(IntStream.concat(Arrays.stream(prompt), Arrays.stream(ids)).toArray());
            return DoctorChecks.golden(recorded, got, text, seconds, onMismatch(kind, config));
        } catch (RuntimeException e) {
            RuntimeException failure = DeviceImages.failed(e);
            if (failure instanceof CommandFailedException f) {
                return Check.fail("golden", "the run failed: " + f.getMessage(), f.hint());
            }
            return Check.fail("golden", "the run failed: " + e, "Run tellme run --device " + name(kind) + " --config "
                    + config.name() + " -n 32 --temp 0 to see the whole error; --device reference runs the same"
                    + " image.");
        } finally {
            d.close();
        }
    }

    /** What to do when the device's ids differ from the recording. */
    private String onMismatch(DeviceKind kind, AcceleratorConfig config) {
        if (kind == DeviceKind.REFERENCE) {
            return "The reference device is the oracle, so this tellme or its recording is broken: rebuild tellme from"
                    + " a clean checkout and run GoldenTokensTest (docs/host.md, Doctor).";
        }
        StringBuilder run = new StringBuilder("tellme run --device " + name(kind) + " --check reference --config "
                + config.name());
        if (platform != null) {
            run.append(" --platform ").append(platform);
        }
        if (clDevice != null) {
            run.append(" --cl-device ").append(clDevice);
        }
        if (binary != null) {
            run.append(" --binary ").append(binary);
        }
        run.append(" -n 32 --temp 0");
        return "Find the first instruction that differs from the reference: " + run
                + " (docs/host.md, Cross-check mode).";
    }

    private static String name(DeviceKind kind) {
        return kind.name().toLowerCase(Locale.ROOT);
    }
}
