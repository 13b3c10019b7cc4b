package dev.tellmej.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.host.doctor.Check;
import dev.tellmej.host.doctor.DoctorReport;
import dev.tellmej.host.doctor.GoldenTokens;
import dev.tellmej.host.doctor.SystemFiles;
import dev.tellmej.host.doctor.XclbinManifest;
import dev.tellmej.model.safetensors.Json;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tellme doctor}: passes on the reference device and on PoCL (an OpenCL test: it fails, never skips, without
 * a platform), fails with the right advice for a changed recording, a stale xclbin, a small CMA pool or a missing
 * OpenCL driver; the board's files come from a folder of samples ({@link DoctorCommand.Environment}).
 */
class DoctorCommandTest {
    @TempDir
    Path dir;

    private static String line(TellmeRun run, String check) {
        return run.out().lines().filter(l -> l.matches("(PASS|FAIL|SKIP)\\s+" + check + "\\s.*")).findFirst()
                .orElse("no line for " + check + " in:\n" + run.out() + run.err());
    }

    private static TellmeRun doctor(DoctorCommand.Environment env, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("doctor"));
        all.addAll(List.of(args));
        return DoctorCommand.with(env, () -> TellmeRun.of(all.toArray(String[]::new)));
    }

    /** An environment with {@code root} standing for / and the shipped recording. */
    private static DoctorCommand.Environment board(Path root) {
        return new DoctorCommand.Environment(new SystemFiles(root), GoldenTokens::recorded, c -> Optional.empty());
    }

    /** This machine's files under a root with nothing in it: no board. */
    private DoctorCommand.Environment noBoard() throws IOException {
        return board(Files.createDirectories(dir.resolve("empty-root")));
    }

    @Test
    void passesOnTheReferenceDeviceAndOnPocl() throws Exception {
        TellmeRun reference = doctor(noBoard(), "--device", "reference");
        assertEquals(0, reference.exitCode(), reference.out() + reference.err());
        assertTrue(line(reference, "java").startsWith("PASS  java    Java "), reference.out());
        assertTrue(line(reference, "golden").startsWith("PASS  golden  all 32 ids equal the recording"), reference.out());
        assertTrue(reference.out().contains("\"Once upon a time, there was a little girl named Lily."), reference.out());
        assertTrue(reference.out().endsWith("ok: 2 checks on the reference device for kv260, 0 failed, 0 skipped\n"),
                reference.out());

        // PoCL must be installed: without a platform this fails (it never skips).
        TellmeRun opencl = doctor(noBoard(), "--device", "opencl", "--config", "sim-small");
        assertEquals(0, opencl.exitCode(), opencl.out() + opencl.err());
        assertTrue(line(opencl, "opencl").startsWith("PASS  opencl  platform 0: "), opencl.out());
        for (String skipped : List.of("xrt", "xclbin", "cma", "clock")) {
            assertTrue(line(opencl, skipped).startsWith("SKIP"), opencl.out());
        }
        assertTrue(line(opencl, "golden").startsWith("PASS"), opencl.out());
        assertTrue(opencl.out().endsWith("ok: 7 checks on the opencl device for sim-small, 0 failed, 4 skipped\n"),
                opencl.out());

        TellmeRun fastest = doctor(noBoard());
        assertEquals(0, fastest.exitCode(), fastest.out() + fastest.err());
        assertTrue(fastest.out().contains(" checks on the opencl device for kv260"), "run's default: " + fastest.out());
    }

    @Test
    void printsTheReportAsDocumentedJson() throws Exception {
        TellmeRun json = doctor(noBoard(), "--device", "reference", "--json");
        assertEquals(0, json.exitCode(), json.err());
        Map<?, ?> report = (Map<?, ?>) Json.parse(json.out());
        assertEquals(names(DoctorReport.class), List.copyOf(report.keySet()));
        assertEquals("reference", report.get("device"));
        assertEquals(true, report.get("passed"));
        List<?> checks = (List<?>) report.get("checks");
        assertEquals(2, checks.size());
        Map<?, ?> golden = (Map<?, ?>) checks.get(1);
        assertEquals(names(Check.class), List.copyOf(golden.keySet()));
        assertEquals("golden", golden.get("name"));
        assertEquals("pass", golden.get("status"));
        assertEquals(null, golden.get("advice"));

        for (Class<? extends Record> record : new DoctorCommand().jsonRecords()) {
            assertEquals(names(record), documented(record.getSimpleName()), "docs/host.md, ### `"
                    + record.getSimpleName() + "`");
        }
        assertEquals(names(Check.class), documented("Check"));
    }

    private static List<String> names(Class<? extends Record> record) {
        return Arrays.stream(record.getRecordComponents()).map(RecordComponent::getName).toList();
    }

    /** The fields docs/host.md lists under {@code ### `NAME`}. */
    private static List<String> documented(String name) throws IOException {
        String guide = Files.readString(Path.of(System.getProperty("tellme.repo.root", "..")).resolve("docs/host.md"));
        int at = guide.indexOf("### `" + name + "`\n");
        assertTrue(at >= 0, "docs/host.md has no section ### `" + name + "`");
        List<String> fields = new ArrayList<>();
        boolean table = false;
        Pattern field = Pattern.compile("^\\| `([A-Za-z0-9_]+)` \\|");
        for (String row : guide.substring(at).lines().skip(1).toList()) {
            if (row.startsWith("|")) {
                table = true;
                Matcher m = field.matcher(row);
                if (m.find()) {
                    fields.add(m.group(1));
                }
            } else if (table || row.startsWith("#")) {
                break;
            }
        }
        return fields;
    }

    @Test
    void aChangedRecordingFailsAtItsPositionWithBothIds() throws Exception {
        GoldenTokens real = GoldenTokens.recorded();
        int[] ids = real.ids();
        int actual = ids[7];
        ids[7] = 100;
        GoldenTokens changed = new GoldenTokens("a changed copy", real.prompt(), ids);
        DoctorCommand.Environment env = new DoctorCommand.Environment(new SystemFiles(dir), () -> changed,
                c -> Optional.empty());
        TellmeRun reference = doctor(env, "--device", "reference");
        assertEquals(1, reference.exitCode(), reference.out());
        String golden = line(reference, "golden");
        assertTrue(golden.startsWith("FAIL  golden  the ids differ first at position 7 of 32 (0: the prefill's id):"
                + " recorded 100 (\""), golden);
        assertTrue(golden.contains("got " + actual + " (\"") && golden.contains("31 of 32 ids equal")
                && golden.contains("recording a changed copy"), golden);
        assertTrue(golden.contains("To fix: The reference device is the oracle"), golden);
        assertTrue(reference.out().endsWith("FAILED: 2 checks on the reference device for kv260, 1 failed, 0 skipped\n"),
                reference.out());

        TellmeRun opencl = doctor(env, "--device", "opencl", "--config", "sim-small", "--platform", "0");
        assertEquals(1, opencl.exitCode(), opencl.out());
        assertTrue(line(opencl, "golden").contains("To fix: Find the first instruction that differs from the"
                + " reference: tellme run --device opencl --check reference --config sim-small --platform 0 -n 32"
                + " --temp 0"), opencl.out());

        DoctorCommand.Environment garbled = new DoctorCommand.Environment(new SystemFiles(dir),
                () -> GoldenTokens.parse("prompt: 1\nids: 403 four\n", "golden-student.txt"), c -> Optional.empty());
        TellmeRun unreadable = doctor(garbled, "--device", "reference");
        assertEquals(1, unreadable.exitCode());
        assertTrue(line(unreadable, "golden").startsWith("FAIL  golden  the recorded run cannot be read:"
                + " golden-student.txt: line 2: 'four' is not a token id. To fix: The recording is part of tellme"),
                unreadable.out());
    }

    /** A file that looks like an xclbin to the doctor (its magic), with a manifest beside it. */
    private Path xclbin(String manifestHash) throws IOException {
        Path folder = Files.createDirectories(dir.resolve("app-" + manifestHash.substring(0, 8)));
        byte[] bytes = new byte[512];
        System.arraycopy("xclbin2\0".getBytes(StandardCharsets.US_ASCII), 0, bytes, 0, 8);
        Path file = Files.write(folder.resolve("tellme.xclbin"), bytes);
        Files.writeString(folder.resolve(XclbinManifest.FILE_NAME), """
                {
                  "kernel": "tellme",
                  "config": "kv260",
                  "config_hash": "%s",
                  "clock_mhz": 300,
                  "platform": "xilinx_kv260_base",
                  "generator_version": "0.1.0"
                }
                """.formatted(manifestHash));
        return file;
    }

    @Test
    void anXclbinBuiltForAnotherConfigurationHashSaysWhatToRebuild() throws Exception {
        Path image = dir.resolve("student-kv260.tlmi");
        TellmeRun pack = TellmeRun.of("pack", "--config", "kv260", "-o", image.toString());
        assertEquals(0, pack.exitCode(), pack.err());
        String kv260 = HexFormat.of().formatHex(AcceleratorConfig.kv260().hash());
        String other = HexFormat.of().formatHex(AcceleratorConfig.simSmall().hash());

        TellmeRun stale = doctor(noBoard(), "--device", "opencl", "--binary", xclbin(other).toString(), "--image",
                image.toString());
        assertEquals(1, stale.exitCode(), stale.out());
        assertTrue(line(stale, "image").startsWith("PASS  image   student-kv260.tlmi: "), stale.out());
        String xclbin = line(stale, "xclbin");
        assertTrue(xclbin.startsWith("FAIL  xclbin  the image student-kv260.tlmi was packed for kv260 with hash "
                + kv260.substring(0, 16) + "..., this tellme's; but the xclbin's tellme-build.json (kernel tellme,"
                + " config kv260, hash " + other.substring(0, 16) + "..."), xclbin);
        assertTrue(xclbin.endsWith("To fix: The xclbin is stale. Rebuild the xclbin with this tellme:"
                + " scripts/build-xclbin --config kv260 --force, then copy the app folder to the board"
                + " (docs/board.md)."), xclbin);
        // PoCL refuses the fake xclbin, and the golden test says which binary to give.
        assertTrue(line(stale, "golden").startsWith("FAIL  golden  cannot open the opencl device"), stale.out());

        TellmeRun matching = doctor(noBoard(), "--device", "opencl", "--binary", xclbin(kv260).toString(), "--image",
                image.toString(), "--json");
        Map<?, ?> report = (Map<?, ?>) Json.parse(matching.out());
        Map<?, ?> check = ((List<?>) report.get("checks")).stream().map(c -> (Map<?, ?>) c)
                .filter(c -> c.get("name").equals("xclbin")).findFirst().orElseThrow();
        assertEquals("pass", check.get("status"), check.toString());

        Path lone = Files.createDirectories(dir.resolve("lone")).resolve("tellme.xclbin");
        Files.copy(xclbin(kv260), lone);
        TellmeRun noManifest = doctor(noBoard(), "--device", "opencl", "--binary", lone.toString());
        assertTrue(line(noManifest, "xclbin").contains("To fix: Copy the whole app folder"), noManifest.out());
    }

    @Test
    void onABoardItChecksXrtTheBinaryCmaAndTheClock() throws Exception {
        Path root = dir.resolve("kria");
        Files.createDirectories(root.resolve("etc/xrt"));
        Files.createDirectories(root.resolve("opt/xilinx/xrt"));
        Files.writeString(root.resolve("opt/xilinx/xrt/version.json"), "{\n  \"BUILD_VERSION\" : \"2.14.354\"\n}\n");
        Files.createDirectories(root.resolve("proc"));
        Files.writeString(root.resolve("proc/meminfo"), "MemTotal: 3947692 kB\nCmaTotal: 1024 kB\nCmaFree: 512 kB\n");
        Path clk = Files.createDirectories(root.resolve("sys/kernel/debug/clk"));
        Files.writeString(clk.resolve("clk_summary"), " pl0_ref    1   1   0   99999990   0   0   50000\n");

        TellmeRun run = doctor(board(root), "--device", "opencl");
        assertEquals(1, run.exitCode(), run.out());
        assertTrue(line(run, "xrt").startsWith("PASS  xrt     XRT 2.14.354 (/opt/xilinx/xrt/version.json); /etc/xrt,"
                + " /opt/xilinx/xrt"), run.out());
        assertTrue(line(run, "xclbin").startsWith("FAIL  xclbin  no --binary: XRT runs the kernel only from an xclbin."
                + " To fix: Add --binary /lib/firmware/xilinx/tellme/tellme.xclbin"), run.out());
        assertTrue(line(run, "cma").startsWith("FAIL  cma     CmaFree 0.5 MB of CmaTotal 1.0 MB; "), run.out());
        assertTrue(line(run, "cma").contains("cma="), run.out());
        assertTrue(line(run, "clock").startsWith("SKIP  clock   the kernel clock comes from the platform's clocking"
                + " wizard, which Linux does not list, so the 300 MHz of kv260's target clock cannot be read back"),
                run.out());
        assertTrue(line(run, "golden").startsWith("PASS"), "PoCL still runs the twin: " + run.out());

        Files.writeString(clk.resolve("clk_summary"), " pl0_ref    1   1   0   99999990   0   0   50000\n"
                + "    clk_wiz_0_clk_out2   1   1   0   299999970   0   0   50000\n");
        assertTrue(line(doctor(board(root), "--device", "opencl"), "clock").startsWith("PASS  clock   clk_wiz_0_clk_out2"
                + " runs at the 300 MHz of kv260's target clock"));
    }

    @Test
    void withoutAnOpenClPlatformTheOpenClCheckNamesThePackageToInstall() throws IOException, InterruptedException {
        Path empty = Files.createDirectories(dir.resolve("no-icds"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(List.of(java.toString(), "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), TellmeMain.class.getName(), "doctor", "--device", "opencl",
                "--config", "sim-small"));
        pb.environment().put("OCL_ICD_VENDORS", empty.toString());
        pb.environment().remove("OPENCL_VENDOR_PATH");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child JVM did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(1, p.exitValue(), out);
        String opencl = out.lines().filter(l -> l.startsWith("FAIL  opencl")).findFirst().orElse(out);
        assertTrue(opencl.startsWith("FAIL  opencl  there is no OpenCL platform") && opencl.contains("To fix: Install"
                + " an OpenCL driver: scripts/setup does, with 'apt-get install pocl-opencl-icd ocl-icd-libopencl1'"),
                opencl);
    }

    @Test
    void optionsOfAnotherDeviceAreUsageErrors() throws Exception {
        TellmeRun binary = doctor(noBoard(), "--device", "reference", "--binary", "x.xclbin");
        assertEquals(2, binary.exitCode());
        assertEquals("tellme: --binary is for the OpenCL device: add --device opencl", binary.err().lines().findFirst()
                .orElse(""));
        TellmeRun missing = doctor(noBoard(), "--device", "reference", "--image", dir.resolve("none.tlmi").toString());
        assertEquals(2, missing.exitCode());
        assertFalse(missing.err().contains("Exception"), missing.err());
    }

    /** The guide's doctor examples (docs/host.md, Doctor) run and pass here. */
    @Test
    void theGuidesExamplesPass() throws Exception {
        List<List<String>> examples = HostDocExamples.lines("scripts/tellme doctor ");
        assertTrue(examples.size() >= 2, examples.toString());
        for (List<String> words : examples) {
            List<String> args = words.subList(2, words.size());
            TellmeRun run = doctor(noBoard(), args.toArray(String[]::new));
            assertEquals(0, run.exitCode(), words + ":\n" + run.out() + run.err());
        }
    }
}
