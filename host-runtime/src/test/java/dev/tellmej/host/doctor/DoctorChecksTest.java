package dev.tellmej.host.doctor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.accel.board.BuildManifest;
import dev.tellmej.accel.board.VitisPlatform;
import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.image.ImagePacker;
import dev.tellmej.image.MalformedImageException;
import dev.tellmej.image.MemoryImage;
import dev.tellmej.model.EmbeddedModel;
import dev.tellmej.model.gguf.GgufFile;
import dev.tellmej.model.inference.WeightLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The doctor's parsers on sample text, and every verdict of the checks that need no device. */
class DoctorChecksTest {
    @TempDir
    Path dir;

    /** /proc/meminfo as a Kria KV260 on Ubuntu 22.04 shows it (a 1 GB pool, shape as the kernel prints it). */
    static final String MEMINFO = """
            MemTotal:        3947692 kB
            MemFree:         2913544 kB
            MemAvailable:    3185528 kB
            Buffers:           22360 kB
            Cached:           398448 kB
            SwapTotal:             0 kB
            Hugepagesize:       2048 kB
            CmaTotal:        1048576 kB
            CmaFree:          786432 kB
            """;

    /** debugfs's clk_summary of a 5.15 kernel: counts, rate, accuracy, phase, duty. */
    static final String CLK_SUMMARY_515 = """
                                             enable  prepare  protect                                duty
               clock                          count    count    count        rate   accuracy phase  cycle
            ---------------------------------------------------------------------------------------------
             pss_ref_clk                          6        6        0    33333000          0     0  50000
                iopll_int_mux                     1        1        0  2999999700          0     0  50000
                   pl0_ref_mux                    1        1        0  2999999700          0     0  50000
                      pl0_ref_div1                1        1        0    99999990          0     0  50000
                         pl0_ref                  1        1        0    99999990          0     0  50000
                         pl1_ref                  0        0        0   299999970          0     0  50000
            """;

    /** A 6.x kernel's: the hardware-enable and consumer columns, and consumer lines without counts. */
    static final String CLK_SUMMARY_6 = """
                                             enable  prepare  protect                                duty  hardware                            connection
               clock                          count    count    count        rate   accuracy phase  cycle    enable   consumer                         id
            ---------------------------------------------------------------------------------------------------------------------------------------------
             pl0_ref                              1       1        0        99999001    0          0     50000      Y   a0000000.clk_wizard             clk_in1
                                                                                                                    deviceless                      no_connection_id
                clk_wiz_0_clk_out1                1       1        0       149998501    0          0     50000      Y   deviceless                      no_connection_id
            """;

    @Test
    void theCmaPoolIsReadFromMeminfo() {
        assertEquals(Optional.of(new CmaPool(1048576L * 1024, 786432L * 1024)), CmaPool.parse(MEMINFO));
        assertEquals(Optional.empty(), CmaPool.parse("MemTotal: 8000000 kB\nMemFree: 100 kB\n"));
        assertEquals(Optional.empty(), CmaPool.parse("CmaTotal: 1024 kB\n"), "both lines are needed");
    }

    @Test
    void theClockSummaryGivesThePlClocksOfOldAndNewKernels() {
        assertEquals(List.of(new PlClocks.Clock("pl0_ref", 99_999_990), new PlClocks.Clock("pl1_ref", 299_999_970)),
                PlClocks.parseSummary(CLK_SUMMARY_515));
        List<PlClocks.Clock> clocks = PlClocks.parseSummary(CLK_SUMMARY_6);
        assertEquals(List.of(new PlClocks.Clock("pl0_ref", 99_999_001),
                new PlClocks.Clock("clk_wiz_0_clk_out1", 149_998_501)), clocks);
        assertTrue(clocks.get(0).reference());
        assertFalse(clocks.get(1).reference());
        assertEquals("clk_wiz_0_clk_out1 149.999 MHz", clocks.get(1).toString());
    }

    @Test
    void clocksAreReadFromDebugfsFolders() throws IOException {
        SystemFiles files = new SystemFiles(dir);
        PlClocks.Readout none = PlClocks.read(files);
        assertTrue(none.clocks().isEmpty());
        assertTrue(none.unreadable().contains("debugfs"), none.unreadable());
        Path clk = files.resolve(PlClocks.DEBUG_DIR);
        Files.createDirectories(clk.resolve("pl0_ref"));
        Files.writeString(clk.resolve("pl0_ref/clk_rate"), "299999700\n");
        Files.createDirectories(clk.resolve("uart0_ref"));
        Files.writeString(clk.resolve("uart0_ref/clk_rate"), "99999900\n");
        assertEquals(new PlClocks.Readout(List.of(new PlClocks.Clock("pl0_ref", 299_999_700)), null),
                PlClocks.read(files));
        Files.writeString(clk.resolve("clk_summary"), CLK_SUMMARY_6);
        assertEquals(2, PlClocks.read(files).clocks().size(), "the summary comes first");
    }

    @Test
    void xrtsVersionIsReadFromItsFilesAndTools() throws IOException {
        assertEquals(Optional.of("2.14.354"), XrtInstall.versionFromJson("""
                {
                  "BUILD_VERSION" : "2.14.354",
                  "BUILD_VERSION_DATE" : "Sat, 08 Oct 2022 09:49:58 +0000",
                  "BUILD_BRANCH" : "2022.2"
                }
                """));
        assertEquals(Optional.of("2.14.354"), XrtInstall.versionFromBanner("""
                Version              : 2.14.354
                Branch               : 2022.2
                Hash                 : 43926231f7183688add2dccfd391b36a1f000bea
                """));
        assertEquals(Optional.of("2.3.1301"), XrtInstall.versionFromBanner("      XRT Build Version: 2.3.1301\n"
                + "   Build Version Branch: 2019.2\n"));
        assertEquals(Optional.of("2.8.0"), XrtInstall.versionFromHeader(
                "static const char xrt_build_version[] = \"2.8.0\";\n"));
        assertEquals(Optional.empty(), XrtInstall.versionFromBanner("xbutil: command not found"));

        SystemFiles files = new SystemFiles(dir);
        XrtInstall none = XrtInstall.probe(files, List.of("Portable Computing Language"), c -> Optional.empty());
        assertFalse(none.board());
        assertEquals(CheckStatus.SKIP, DoctorChecks.xrt(none).status());

        // A board with XRT's tool but no version.json (embedded XRT does not install one).
        Files.createDirectories(files.resolve("/etc/xrt"));
        Files.createDirectories(files.resolve("/usr/bin"));
        Files.writeString(files.resolve("/usr/bin/xbutil"), "");
        List<List<String>> ran = new ArrayList<>();
        XrtInstall board = XrtInstall.probe(files, List.of("Xilinx"), c -> {
            ran.add(c);
            return Optional.of("Version              : 2.14.354\n");
        });
        assertTrue(board.board());
        assertEquals("2.14.354", board.version());
        assertEquals("/usr/bin/xbutil --version", board.versionSource());
        assertTrue(board.evidence().contains("/etc/xrt") && board.evidence().contains("'Xilinx'"), board.evidence());
        assertEquals(List.of(List.of(files.resolve("/usr/bin/xbutil").toString(), "--version")), ran);
        assertEquals(CheckStatus.PASS, DoctorChecks.xrt(board).status());

        XrtInstall mute = XrtInstall.probe(files, List.of(), c -> Optional.empty());
        assertNull(mute.version());
        Check unknown = DoctorChecks.xrt(mute);
        assertEquals(CheckStatus.FAIL, unknown.status());
        assertTrue(unknown.found().contains("/usr/bin/xbutil --version") && unknown.advice().contains("xbutil"),
                unknown.toString());
    }

    @Test
    void theCmaCheckComparesTheFreePoolWithTheImageAndKvCache() {
        ImageIdentity small = identity("a", 300_000_000L, 302_000_000L);
        assertEquals(CheckStatus.SKIP, DoctorChecks.cma(false, Optional.of(MEMINFO), small).status());
        Check fits = DoctorChecks.cma(true, Optional.of(MEMINFO), small);
        assertEquals(CheckStatus.PASS, fits.status(), fits.toString());
        assertTrue(fits.found().startsWith("CmaFree 805.3 MB of CmaTotal 1073.7 MB; model.tlmi needs 602.1 MB"),
                fits.found());
        Check tooSmall = DoctorChecks.cma(true, Optional.of(MEMINFO), identity("a", 600_000_000L, 302_000_000L));
        assertEquals(CheckStatus.FAIL, tooSmall.status());
        assertTrue(tooSmall.advice().contains("cma=") && tooSmall.advice().contains("--context"), tooSmall.advice());
        Check noPool = DoctorChecks.cma(true, Optional.of("MemTotal: 4000000 kB\n"), small);
        assertEquals(CheckStatus.FAIL, noPool.status());
        assertTrue(noPool.found().startsWith("no CMA pool"), noPool.found());
    }

    @Test
    void theClockCheckFindsTheManifestsClockOrSaysWhyItCannot() {
        PlClocks.Readout wizard = new PlClocks.Readout(PlClocks.parseSummary(CLK_SUMMARY_6), null);
        Check slow = DoctorChecks.clock(true, wizard, 300, "tellme-build.json");
        assertEquals(CheckStatus.FAIL, slow.status(), "the wizard runs at 150 MHz: the link's fallback");
        assertTrue(slow.found().contains("clk_wiz_0_clk_out1 149.999 MHz") && slow.advice().contains("150 MHz"),
                slow.toString());
        Check right = DoctorChecks.clock(true, wizard, 150, "tellme-build.json");
        assertEquals(CheckStatus.PASS, right.status());
        assertTrue(right.found().startsWith("clk_wiz_0_clk_out1 runs at the 150 MHz of tellme-build.json"),
                right.found());
        Check referencesOnly = DoctorChecks.clock(true, new PlClocks.Readout(
                List.of(new PlClocks.Clock("pl0_ref", 99_999_990)), null), 300, "tellme-build.json");
        assertEquals(CheckStatus.SKIP, referencesOnly.status(), "the wizard is not visible: no verdict");
        assertTrue(referencesOnly.found().contains("xclbinutil --info"), referencesOnly.found());
        Check unreadable = DoctorChecks.clock(true, new PlClocks.Readout(List.of(), "permission denied"), 300,
                "kv260's target clock");
        assertEquals(CheckStatus.SKIP, unreadable.status());
        assertTrue(unreadable.found().contains("sudo") && unreadable.found().contains("permission denied"),
                unreadable.found());
        assertEquals(CheckStatus.SKIP, DoctorChecks.clock(false, wizard, 300, "x").status());
        // The platform's wizard makes several fixed clocks: one at 300 MHz proves nothing about the kernel's.
        PlClocks.Readout platform = new PlClocks.Readout(List.of(new PlClocks.Clock("clk_wiz_0_clk_out1", 150_000_000),
                new PlClocks.Clock("clk_wiz_0_clk_out2", 300_000_000), new PlClocks.Clock("pl0_ref", 99_999_990)),
                null);
        Check ambiguous = DoctorChecks.clock(true, platform, 300, "tellme-build.json");
        assertEquals(CheckStatus.SKIP, ambiguous.status(), ambiguous.toString());
        assertTrue(ambiguous.found().contains("xclbinutil --info"), ambiguous.found());
        assertEquals(CheckStatus.FAIL, DoctorChecks.clock(true, platform, 275, "tellme-build.json").status(),
                "no wizard output at 275 MHz");
        Check referenceOnlyMatch = DoctorChecks.clock(true, new PlClocks.Readout(List.of(
                new PlClocks.Clock("pl0_ref", 300_000_000), new PlClocks.Clock("clk_wiz_0_clk_out1", 150_000_000)),
                null), 300, "tellme-build.json");
        assertEquals(CheckStatus.FAIL, referenceOnlyMatch.status(), "a PS reference clock does not drive the kernel");
    }

    private static final String KV260 = HexFormat.of().formatHex(AcceleratorConfig.kv260().hash());
    private static final String OTHER = HexFormat.of().formatHex(AcceleratorConfig.simSmall().hash());
    private static final String THIRD = "ab".repeat(32);

    private static XclbinManifest manifest(String config, String hash) {
        return new XclbinManifest("tellme", config, hash, 300, "xilinx_kv260_base", "0.1.0");
    }

    private static ImageIdentity identity(String hash, long imageBytes, long kvBytes) {
        return new ImageIdentity(Path.of("model.tlmi"), "kv260", hash, "model.gguf", 2048, imageBytes, kvBytes, 135_168);
    }

    @Test
    void theManifestIsComparedWithTheImageAndTheConfigurationAndSaysWhatToRebuild() {
        assertEquals(CheckStatus.PASS, DoctorChecks.manifest(manifest("kv260", KV260), "kv260", KV260, null).status());
        assertEquals(CheckStatus.PASS,
                DoctorChecks.manifest(manifest("kv260", KV260), "kv260", KV260, identity(KV260, 1, 1)).status());

        Check staleXclbin = DoctorChecks.manifest(manifest("kv260", OTHER), "kv260", KV260, identity(KV260, 1, 1));
        assertEquals(CheckStatus.FAIL, staleXclbin.status());
        assertTrue(staleXclbin.advice().startsWith("The xclbin is stale. Rebuild the xclbin with this tellme:"
                + " scripts/build-xclbin --config kv260 --force"), staleXclbin.advice());
        assertFalse(staleXclbin.advice().contains("tellme pack"), "the image is fine");
        assertTrue(staleXclbin.found().contains(OTHER.substring(0, 16)), staleXclbin.found());

        Check noImage = DoctorChecks.manifest(manifest("kv260", OTHER), "kv260", KV260, null);
        assertEquals(CheckStatus.FAIL, noImage.status());
        assertTrue(noImage.advice().contains("scripts/build-xclbin --config kv260"), noImage.advice());

        Check staleImage = DoctorChecks.manifest(manifest("kv260", KV260), "kv260", KV260, identity(OTHER, 1, 1));
        assertEquals(CheckStatus.FAIL, staleImage.status());
        assertEquals("The image is stale: repack the image with this tellme: tellme pack MODEL --config kv260 -o FILE.",
                staleImage.advice());

        Check staleTool = DoctorChecks.manifest(manifest("kv260", OTHER), "kv260", KV260, identity(OTHER, 1, 1));
        assertEquals(CheckStatus.FAIL, staleTool.status());
        assertTrue(staleTool.advice().contains("build-xclbin") && staleTool.advice().contains("tellme pack")
                && staleTool.advice().contains("tellme 0.1.0"), staleTool.advice());

        Check allDiffer = DoctorChecks.manifest(manifest("kv260", OTHER), "kv260", KV260, identity(THIRD, 1, 1));
        assertTrue(allDiffer.found().contains("all three differ"), allDiffer.found());

        Check otherBuild = DoctorChecks.manifest(manifest("sim-small", OTHER), "kv260", KV260, null);
        assertEquals(CheckStatus.FAIL, otherBuild.status());
        assertTrue(otherBuild.advice().contains("--config kv260"), otherBuild.advice());

        Check otherKernel = DoctorChecks.manifest(new XclbinManifest("vadd", "kv260", KV260, 300, "p", "v"), "kv260",
                KV260, null);
        assertEquals(CheckStatus.FAIL, otherKernel.status());
    }

    /** The manifest the board flow writes (hdl-gen's BuildManifest) is the one the doctor reads. */
    @Test
    void theBoardFlowsManifestReadsBack() throws IOException {
        BuildManifest written = BuildManifest.of("tellme", AcceleratorConfig.kv260(), VitisPlatform.KV260_BASE, 275,
                "0.1.0");
        Path file = Files.writeString(dir.resolve(XclbinManifest.FILE_NAME), written.json());
        XclbinManifest read = XclbinManifest.read(file);
        assertEquals(new XclbinManifest("tellme", "kv260", KV260, 275, "xilinx_kv260_base", "0.1.0"), read);
        assertEquals(file, XclbinManifest.beside(dir.resolve("tellme.xclbin")));

        for (String[] bad : new String[][] {
            {"not json", "not JSON"},
            {"[1, 2]", "not a JSON object"},
            {written.json().replace("\"config_hash\": \"" + KV260 + "\"", "\"config_hash\": \"XYZ\""), "config_hash is"
                    + " not 64 lowercase hex digits"},
            {written.json().replace("\"clock_mhz\": 275", "\"clock_mhz\": \"fast\""), "clock_mhz is not a number"},
            {written.json().replace("  \"kernel\": \"tellme\",\n", ""), "kernel is missing"}}) {
            Files.writeString(file, bad[0]);
            MalformedManifestException e = assertThrows(MalformedManifestException.class, () -> XclbinManifest.read(file));
            assertTrue(e.getMessage().startsWith(file + ": " + bad[1]), e.getMessage());
        }
    }

    @Test
    void theGoldenCheckNamesThePositionAndBothIds() {
        GoldenTokens recorded = new GoldenTokens("test", new int[] {1}, new int[] {10, 11, 12, 13});
        Check same = DoctorChecks.golden(recorded, new int[] {10, 11, 12, 13}, ids -> "t" + ids.length, 0.5, "fix it");
        assertEquals(CheckStatus.PASS, same.status());
        assertTrue(same.found().startsWith("all 4 ids equal the recording (greedy from the prompt [1]: 1 prefill and"
                + " 3 decodes in 0.50 s)"), same.found());
        Check differs = DoctorChecks.golden(recorded, new int[] {10, 11, 99, 13}, ids -> "<" + ids[ids.length - 1]
                + ">", 0.5, "fix it");
        assertEquals(CheckStatus.FAIL, differs.status());
        assertTrue(differs.found().startsWith("the ids differ first at position 2 of 4 (0: the prefill's id): recorded"
                + " 12 (\"<12>\"), got 99 (\"<99>\"); 3 of 4 ids equal"), differs.found());
        assertEquals("fix it", differs.advice());
        Check shorter = DoctorChecks.golden(recorded, new int[] {10, 11}, ids -> "", 0.5, "fix it");
        assertTrue(shorter.found().contains("recorded 12") && shorter.found().contains("got nothing"),
                shorter.found());
    }

    @Test
    void aGoldenFileThatCannotBeReadSaysWhere() {
        GoldenTokens ok = GoldenTokens.parse("# comment\nprompt: 1\nids: 5 6 7\n", "f");
        assertArrayEquals(new int[] {1}, ok.prompt());
        assertArrayEquals(new int[] {5, 6, 7}, ok.ids());
        assertEquals(ok.ids().length, GoldenTokens.parse(ok.format("a\nb"), "g").ids().length);
        for (String[] bad : new String[][] {
            {"prompt: 1\nids: 5 x 7\n", "f: line 2: 'x' is not a token id"},
            {"prompt: 1\n", "f: no 'ids:' line"},
            {"prompt: 1\nids: 5\nids: 6\n", "f: line 3 repeats 'ids:'"},
            {"prompt: 1\nids: 5 -3\n", "f: line 2: -3 is not a token id"},
            {"hello\n", "f: line 1 is not 'prompt: IDS' or 'ids: IDS': 'hello'"}}) {
            MalformedGoldenFileException e = assertThrows(MalformedGoldenFileException.class,
                    () -> GoldenTokens.parse(bad[0], "f"));
            assertEquals(bad[1], e.getMessage());
        }
        assertEquals(32, GoldenTokens.recorded().ids().length, "the shipped recording");
    }

    @Test
    void argmaxTakesTheLowestIdOnATieAndNeverANan() {
        assertEquals(1, GoldenTokens.argmax(new float[] {0, 2, 2, 1}));
        assertEquals(2, GoldenTokens.argmax(new float[] {Float.NaN, -1, 3}));
        assertEquals(0, GoldenTokens.argmax(new float[] {Float.NaN, Float.NaN}));
    }

    @Test
    void theImagesIdentityIsItsHeaders() throws IOException {
        Path model = EmbeddedModel.STORIES_260K_TERNARY.extractTo(dir);
        Path image = dir.resolve("student.tlmi");
        try (GgufFile gguf = GgufFile.open(model)) {
            ImagePacker.pack(WeightLoader.gguf(gguf), gguf, "student", AcceleratorConfig.simSmall(), 64, image, true,
                    ImagePacker.Progress.NONE);
        }
        ImageIdentity id = ImageIdentity.read(image);
        try (MemoryImage opened = MemoryImage.open(image)) {
            assertEquals(new ImageIdentity(image, "sim-small", opened.header().configHashHex(), "student", 64,
                    Files.size(image), opened.header().kvCacheBytes(), opened.header().ioBytes()), id);
        }
        assertEquals(OTHER, id.configHash());

        Path truncated = Files.write(dir.resolve("short.tlmi"), java.util.Arrays.copyOf(Files.readAllBytes(image), 100));
        MalformedImageException shortFile = assertThrows(MalformedImageException.class,
                () -> ImageIdentity.read(truncated));
        assertTrue(shortFile.getMessage().contains("shorter than an image's 512-byte header"), shortFile.getMessage());
        Path notAnImage = Files.write(dir.resolve("x.tlmi"), new byte[600]);
        assertTrue(assertThrows(MalformedImageException.class, () -> ImageIdentity.read(notAnImage)).getMessage()
                .contains("no TLMI magic"));
    }

    @Test
    void javaBelowTheBuildsFeatureFails() {
        assertEquals(CheckStatus.PASS, DoctorChecks.java(Runtime.Version.parse("25.0.1"), "v", "/jdk", true).status());
        Check old = DoctorChecks.java(Runtime.Version.parse("21.0.2"), "v", "/jdk", false);
        assertEquals(CheckStatus.FAIL, old.status());
        assertTrue(old.found().contains("off") && old.advice().contains("JDK 25"), old.toString());
    }

    @Test
    void onlyAFailCarriesAdvice() {
        assertThrows(IllegalArgumentException.class, () -> new Check("x", CheckStatus.PASS, "f", "a"));
        assertThrows(IllegalArgumentException.class, () -> new Check("x", CheckStatus.FAIL, "f", null));
        DoctorReport report = DoctorReport.of("reference", "kv260", List.of(Check.pass("a", "f"),
                Check.skip("b", "n/a"), Check.fail("c", "f", "do")));
        assertFalse(report.passed());
        assertEquals(1, report.failed());
    }
}
