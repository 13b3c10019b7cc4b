package dev.tellmej.host.doctor;

import dev.tellmej.device.OpenClException;
import dev.tellmej.device.OpenClPlatforms;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The checks of {@code tellme doctor} that need no device: each returns one {@link Check} and never throws, so
 * that one broken part of the environment never hides the others. (Opening a device and running the golden test
 * on it is the command's; {@link #golden} judges its result.)
 */
public final class DoctorChecks {
    /** The JDK the project is built for. */
    public static final int JAVA_FEATURE = 25;

    /** What to do when the machine has no OpenCL platform. */
    public static final String INSTALL_OPENCL = "Install an OpenCL driver: scripts/setup does, with 'apt-get install"
            + " pocl-opencl-icd ocl-icd-libopencl1' (PoCL); on the board, XRT and its OpenCL ICD (docs/board.md)";

    /** How far a clock may be from the one asked for and still count as it (the PS's PLLs round). */
    static final double CLOCK_TOLERANCE = 0.01;

    private DoctorChecks() {}

    /** The JVM: {@value #JAVA_FEATURE} or newer, and whether the Vector API's module is resolved. */
    public static Check java(Runtime.Version version, String vendor, String home, boolean vectorApi) {
        String found = "Java " + version + " (" + vendor + ") at " + home + "; the Vector API (jdk.incubator.vector) is "
                + (vectorApi ? "on" : "off, so the software model's kernels run scalar");
        if (version.feature() < JAVA_FEATURE) {
            return Check.fail("java", found, "Run tellme on a JDK " + JAVA_FEATURE + " or newer: scripts/tellme finds"
                    + " one through JAVA_HOME or /usr/lib/jvm (on the board, Temurin's linux-arm64 build).");
        }
        return Check.pass("java", found);
    }

    /**
     * The OpenCL platforms and devices, and the one {@code --platform} and {@code --cl-device} choose (the rules of
     * {@code tellme run}: a part of the name or an index, the only one when not given).
     */
    public static Check opencl(String platform, String device) {
        List<String> listing;
        try {
            listing = OpenClPlatforms.describe();
        } catch (OpenClException.Unavailable e) {
            // The message ends with what to install; the advice says it once.
            String message = e.getMessage();
            int advice = message.indexOf(". Install ");
            return Check.fail("opencl", advice > 0 ? message.substring(0, advice) : message, INSTALL_OPENCL + ".");
        } catch (RuntimeException e) {
            return Check.fail("opencl", "the OpenCL platforms cannot be listed: " + e.getMessage(),
                    "Check the OpenCL driver with clinfo; scripts/setup reinstalls PoCL.");
        }
        String list = listing.stream().map(String::strip).collect(Collectors.joining("; "));
        try {
            OpenClPlatforms.Choice choice = OpenClPlatforms.choose(platform, device);
            return Check.pass("opencl", list + "; chosen: " + choice.platformName() + ", " + choice.deviceName());
        } catch (OpenClException.NoSuchDevice e) {
            return Check.fail("opencl", e.getMessage(), "Choose with --platform NAME|INDEX and --cl-device NAME|INDEX"
                    + " (the names or indices listed).");
        } catch (RuntimeException e) {
            return Check.fail("opencl", list + "; choosing one failed: " + e.getMessage(),
                    "Check the OpenCL driver with clinfo.");
        }
    }

    /** The OpenCL platforms' names, or none when there is no OpenCL. */
    public static List<String> platformNames() {
        try {
            return OpenClPlatforms.describe().stream().filter(line -> line.startsWith("platform "))
                    .map(line -> line.substring(line.indexOf(':') + 1).strip()).toList();
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    /** XRT's version, on a board. */
    public static Check xrt(XrtInstall xrt) {
        if (!xrt.board()) {
            return Check.skip("xrt", xrt.evidence());
        }
        if (xrt.version() == null) {
            return Check.fail("xrt", "XRT is there (" + xrt.evidence() + ") but its version cannot be read: "
                    + xrt.versionSource(), "Install XRT's utilities (xbutil), or XRT itself with its OpenCL ICD: Kria"
                    + " Ubuntu 22.04 comes with them (docs/board.md, On the board).");
        }
        return Check.pass("xrt", "XRT " + xrt.version() + " (" + xrt.versionSource() + "); " + xrt.evidence());
    }

    /**
     * Free contiguous memory against what a run allocates from it, on a board.
     *
     * @param meminfo the text of {@code /proc/meminfo}, or empty when it cannot be read
     * @param image   the image whose image, KV cache and I/O region the device allocates
     */
    public static Check cma(boolean board, Optional<String> meminfo, ImageIdentity image) {
        if (!board) {
            return Check.skip("cma", "not a board: buffers come from ordinary memory, not a CMA pool");
        }
        if (meminfo.isEmpty()) {
            return Check.fail("cma", "/proc/meminfo cannot be read", "Run doctor on the board itself, where Linux"
                    + " reports its memory in /proc/meminfo.");
        }
        Optional<CmaPool> pool = CmaPool.parse(meminfo.get());
        String need = String.format(Locale.ROOT, "%s needs %s (image %s, KV cache %s, I/O region %s)",
                image.path().getFileName(), mb(image.deviceBytes()), mb(image.imageBytes()), mb(image.kvCacheBytes()),
                mb(image.ioBytes()));
        if (pool.isEmpty()) {
            return Check.fail("cma", "no CMA pool (no CmaTotal and CmaFree in /proc/meminfo); " + need,
                    "Boot with a contiguous memory pool large enough for the image and the KV cache: the kernel's"
                            + " cma= argument (docs/board.md, Contiguous memory).");
        }
        CmaPool p = pool.get();
        String found = "CmaFree " + mb(p.freeBytes()) + " of CmaTotal " + mb(p.totalBytes()) + "; " + need;
        if (p.freeBytes() < image.deviceBytes()) {
            return Check.fail("cma", found, "Free the pool (close other programs that hold XRT buffers, or sudo"
                    + " xmutil unloadapp of another app), raise it with the kernel's cma= boot argument, or pack the"
                    + " image with a shorter --context (docs/board.md, Contiguous memory).");
        }
        return Check.pass("cma", found);
    }

    /**
     * The PL's clock as Linux reports it against the clock the xclbin was linked for, on a board.
     *
     * @param expectedMhz the manifest's {@code clock_mhz}, or else the build's target clock
     * @param expectedFrom where {@code expectedMhz} comes from ({@code tellme-build.json}, {@code kv260's target})
     */
    public static Check clock(boolean board, PlClocks.Readout readout, double expectedMhz, String expectedFrom) {
        if (!board) {
            return Check.skip("clock", "not a board: no programmable logic");
        }
        if (readout.unreadable() != null) {
            return Check.skip("clock", "cannot read the PL clocks: " + readout.unreadable() + "; run 'sudo tellme"
                    + " doctor' (or 'sudo cat " + PlClocks.DEBUG_DIR + "/clk_summary') to compare them with the "
                    + fmt(expectedMhz) + " MHz of " + expectedFrom);
        }
        String clocks = readout.clocks().stream().map(PlClocks.Clock::toString).collect(Collectors.joining(", "));
        // Only a clocking wizard's outputs can drive the kernel; the PS reference clocks only feed the wizard.
        List<PlClocks.Clock> outputs = readout.clocks().stream().filter(c -> !c.reference()).toList();
        List<PlClocks.Clock> matching = new ArrayList<>();
        for (PlClocks.Clock c : outputs) {
            if (Math.abs(c.mhz() - expectedMhz) <= expectedMhz * CLOCK_TOLERANCE) {
                matching.add(c);
            }
        }
        boolean oneFrequency = outputs.stream().allMatch(c -> Math.abs(c.mhz() - outputs.getFirst().mhz())
                <= outputs.getFirst().mhz() * CLOCK_TOLERANCE);
        if (!matching.isEmpty() && oneFrequency) {
            return Check.pass("clock", matching.getFirst().name() + " runs at the " + fmt(expectedMhz) + " MHz of "
                    + expectedFrom + " (" + clocks + ")");
        }
        if (!matching.isEmpty()) {
            // A platform's wizard makes several fixed clocks; Linux does not say which one the link gave the kernel,
            // and a link that fell back to the default would still find the asked one among them.
            return Check.skip("clock", matching.getFirst().name() + " runs at the " + fmt(expectedMhz) + " MHz of "
                    + expectedFrom + ", but the wizard makes other clocks too (" + clocks + ") and Linux does not"
                    + " say which one drives the kernel; read the clock v++ linked in v++-link's log, or with"
                    + " 'xclbinutil --info --input tellme.xclbin'");
        }
        boolean wizard = !outputs.isEmpty();
        if (!wizard) {
            return Check.skip("clock", "the kernel clock comes from the platform's clocking wizard, which Linux does"
                    + " not list, so the " + fmt(expectedMhz) + " MHz of " + expectedFrom + " cannot be read back ("
                    + clocks + "); read the clock v++ linked in v++-link's log, or with 'xclbinutil --info --input"
                    + " tellme.xclbin'");
        }
        return Check.fail("clock", "no PL clock runs at the " + fmt(expectedMhz) + " MHz of " + expectedFrom + ": "
                + clocks, "The link may have connected the platform's default 150 MHz clock: read v++-link's log for"
                + " a clock warning, and link again at a clock the platform makes (scripts/build-xclbin --clock 300,"
                + " or 275 when timing fails; docs/board.md, The clock).");
    }

    /**
     * An xclbin's manifest against the configuration this tellme packs for and, when given, the image's.
     *
     * @param manifest   the manifest beside the xclbin
     * @param configName the build this tellme packs for ({@code --config}, or the image's)
     * @param configHash that build's configuration hash in this tellme, lowercase hex
     * @param image      the image to run on it, or null
     */
    public static Check manifest(XclbinManifest manifest, String configName, String configHash, ImageIdentity image) {
        String rebuildXclbin = "Rebuild the xclbin with this tellme: scripts/build-xclbin --config " + configName
                + " --force, then copy the app folder to the board (docs/board.md)";
        String repack = "repack the image with this tellme: tellme pack MODEL --config " + configName + " -o FILE";
        String from = "the xclbin's " + XclbinManifest.FILE_NAME + " (kernel " + manifest.kernel() + ", config "
                + manifest.config() + ", hash " + shortHash(manifest.configHash()) + ", " + fmt(manifest.clockMhz())
                + " MHz, platform " + manifest.platform() + ", generator " + manifest.generatorVersion() + ")";
        if (!manifest.kernel().equals("tellme")) {
            return Check.fail("xclbin", from + " holds kernel '" + manifest.kernel() + "', not tellme",
                    "Give the xclbin of tellme's kernel (scripts/build-xclbin builds it).");
        }
        if (!manifest.config().equals(configName)) {
            return Check.fail("xclbin", from + " was built for configuration " + manifest.config() + ", but the"
                    + (image != null ? " image" : " run") + " is for " + configName,
                    "Give the xclbin built for " + configName + " (scripts/build-xclbin --config " + configName
                            + "), or run an image packed for " + manifest.config() + ".");
        }
        String m = manifest.configHash();
        boolean toolAgrees = m.equals(configHash);
        if (image == null) {
            if (toolAgrees) {
                return Check.pass("xclbin", from + ": the hash is this tellme's " + configName + "'s");
            }
            return Check.fail("xclbin", from + ": this tellme's " + configName + " hashes to " + shortHash(configHash)
                    + ", so the configuration's parameters changed since the xclbin was built", rebuildXclbin + ".");
        }
        String i = image.configHash();
        String imageIs = "the image " + image.path().getFileName() + " was packed for " + image.configName()
                + " with hash " + shortHash(i);
        boolean imageAgrees = i.equals(m);
        if (toolAgrees && imageAgrees) {
            return Check.pass("xclbin", from + ": the image's and this tellme's " + configName + " hash are the same");
        }
        if (imageAgrees) {
            return Check.fail("xclbin", from + " and " + imageIs + " agree, but this tellme's " + configName
                    + " hashes to " + shortHash(configHash) + " and will not run that image",
                    rebuildXclbin + ", and " + repack + "; or run the tellme " + manifest.generatorVersion()
                            + " that built them.");
        }
        if (toolAgrees) {
            return Check.fail("xclbin", from + " is this tellme's " + configName + ", but " + imageIs,
                    "The image is stale: " + repack + ".");
        }
        if (i.equals(configHash)) {
            return Check.fail("xclbin", imageIs + ", this tellme's; but " + from + " has another hash",
                    "The xclbin is stale. " + rebuildXclbin + ".");
        }
        return Check.fail("xclbin", from + ", " + imageIs + ", and this tellme's " + configName + " hashes to "
                + shortHash(configHash) + ": all three differ", rebuildXclbin + ", and " + repack + ".");
    }

    /**
     * The golden test's outcome: the ids {@code got} on the device against the recorded ones.
     *
     * @param text       the text of token ids (for the message)
     * @param seconds    how long the run took
     * @param onMismatch what to do when they differ
     */
    public static Check golden(GoldenTokens recorded, int[] got, Function<int[], String> text, double seconds,
                               String onMismatch) {
        int n = recorded.ids().length;
        Optional<GoldenTokens.Mismatch> mismatch = recorded.firstDifference(got);
        String run = String.format(Locale.ROOT, "greedy from the prompt %s: 1 prefill and %d decodes in %.2f s",
                Arrays.toString(recorded.prompt()), n - 1, seconds);
        if (mismatch.isEmpty()) {
            return Check.pass("golden", "all " + n + " ids equal the recording (" + run + "): \""
                    + quote(text, got) + "\"");
        }
        GoldenTokens.Mismatch d = mismatch.get();
        int equal = 0;
        for (int i = 0; i < Math.min(got.length, n); i++) {
            equal += got[i] == recorded.ids()[i] ? 1 : 0;
        }
        return Check.fail("golden", String.format(Locale.ROOT, "the ids differ first at position %d of %d (0: the"
                + " prefill's id): recorded %s, got %s; %d of %d ids equal (%s; recording %s)", d.position(), n,
                describe(d.recorded(), text), describe(d.got(), text), equal, n, run, recorded.source()), onMismatch);
    }

    private static String describe(int id, Function<int[], String> text) {
        return id < 0 ? "nothing" : id + " (\"" + quote(text, new int[] {id}) + "\")";
    }

    private static String quote(Function<int[], String> text, int[] ids) {
        try {
            return text.apply(ids).replace("\n", "\\n");
        } catch (RuntimeException e) {
            return "?";
        }
    }

    /** The first 16 hex digits of a hash, enough to tell two apart in a message. */
    static String shortHash(String hex) {
        return hex.length() > 16 ? hex.substring(0, 16) + "..." : hex;
    }

    static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    private static String fmt(double mhz) {
        return mhz == Math.rint(mhz) ? Long.toString((long) mhz) : String.format(Locale.ROOT, "%.3f", mhz);
    }
}
