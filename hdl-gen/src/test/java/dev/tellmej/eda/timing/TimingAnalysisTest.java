package dev.tellmej.eda.timing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.eda.EdaTool;
import dev.tellmej.eda.YosysSynth;
import dev.tellmej.eda.timing.TimingReport.ModuleResult;
import dev.tellmej.eda.timing.TimingReport.PathStep;
import dev.tellmej.eda.timing.TimingReport.TimingPath;
import dev.tellmej.eda.timing.TimingReport.UnregisteredOutput;
import dev.tellmej.eda.timing.TimingReport.Verdict;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TimingAnalysis} on designs of known depth (src/test/resources/timing/timing.v), synthesized once by the
 * real Yosys ({@code synth_xilinx -family xcup}, hierarchy kept) and read back from its JSON netlist.
 */
class TimingAnalysisTest {
    private static final DelayModel MODEL = DelayModel.ULTRASCALE_PLUS;

    @TempDir
    static Path dir;
    private static Path verilog;
    private static YosysNetlist netlist;
    private static TimingReport report;

    @BeforeAll
    static void synthesize() throws IOException {
        EdaTool.YOSYS.require();
        verilog = dir.resolve("timing.v");
        try (InputStream in = TimingAnalysisTest.class.getResourceAsStream("/timing/timing.v")) {
            Files.copy(in, verilog);
        }
        YosysSynth.Netlist synthesized = YosysSynth.runNetlist(dir, List.of(verilog), "Top", Duration.ofMinutes(5));
        assertEquals(dir.resolve("yosys-Top.json"), synthesized.json());
        netlist = YosysNetlist.read(synthesized.json());
        report = TimingAnalysis.analyze(netlist, "Top", MODEL, List.of(250.0, 300.0),
                SourceLocator.reading(List.of(verilog)));
    }

    private static ModuleResult module(String name) {
        return report.modules().stream().filter(m -> m.module().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " missing from " + report.modules()));
    }

    private static TimingPath worst(String module) {
        return report.worstPaths().stream().filter(p -> p.module().equals(module)).findFirst()
                .orElseThrow(() -> new AssertionError(module + " has no path among " + report.worstPaths()));
    }

    @Test
    void theNetlistIsReadAsYosysWroteIt() {
        assertEquals(Optional.of("Top"), netlist.top().map(YosysNetlist.Module::name));
        assertTrue(netlist.creator().startsWith("Yosys"), netlist.creator());
        YosysNetlist.Module chain = netlist.modules().get("LutChain");
        assertEquals(List.of("clk", "in", "out"), List.copyOf(chain.ports().keySet()));
        assertEquals(6, chain.ports().get("in").bits().length);
        assertEquals(YosysNetlist.Direction.OUTPUT, chain.ports().get("out").direction());
        List<YosysNetlist.Cell> luts = chain.cells().stream().filter(c -> c.type().equals("LUT2")).toList();
        assertEquals(5, luts.size(), chain.cells().toString());
        assertEquals(7, chain.cells().stream().filter(c -> c.type().equals("FDRE")).count());
        assertFalse(luts.getFirst().parameters().containsKey("INIT"), "INIT contents are dropped");
        assertEquals(YosysNetlist.Direction.OUTPUT, luts.getFirst().directions().get("O"));
        YosysNetlist.NetName r = chain.netNames().stream().filter(n -> n.name().equals("r")).findFirst().orElseThrow();
        assertFalse(r.hidden());
        assertEquals(6, r.bits().length);
        assertTrue(r.src().endsWith("timing.v:10.14-10.15"), r.src());
        YosysNetlist.Cell ram = netlist.modules().get("Ram").cells().stream()
                .filter(c -> c.type().equals("RAMB36E2")).findFirst().orElseThrow();
        assertEquals(0, ram.number("DOA_REG", -1));
        assertTrue(ram.parameters().keySet().stream().noneMatch(p -> p.startsWith("INIT")), ram.parameters().keySet()
                .toString());
    }

    @Test
    void aChainOfFiveLutsIsFiveLevelsAndNeedsTheModelsSum() {
        TimingPath path = worst("LutChain");
        assertEquals(5, path.lutLevels());
        assertEquals(0, path.carryBits());
        assertEquals(0, path.muxes());
        // Each net has one load; the last LUT feeds its flip-flop alone.
        double expected = MODEL.clockToQ() + 5 * (MODEL.net(1) + MODEL.lut()) + MODEL.netLocal() + MODEL.ffSetup()
                + MODEL.clockMargin();
        assertEquals(expected, path.periodNs(), 1e-9);
        assertEquals(1000 / expected, path.fmaxMHz(), 1e-6);
        assertTrue(path.start().signal().matches("r\\[[01]\\]"), path.start().toString());
        assertEquals("LutChain.java:10", path.start().source());
        assertEquals("FDRE", path.start().cell());
        assertEquals("y", path.end().signal());
        assertEquals("LutChain.java:11", path.end().source());
        assertEquals(List.of("s[1]", "s[2]", "s[3]", "s[4]", "s[5]"), path.steps().stream().map(PathStep::signal)
                .toList());
        assertTrue(path.steps().stream().allMatch(s -> s.cell().equals("LUT2") && s.instance().isEmpty()));
        assertEquals(List.of("LutChain.java:10", "LutChain.java:11"), path.javaSources());
        assertEquals(path.periodNs() - MODEL.netLocal() - MODEL.ffSetup() - MODEL.clockMargin(),
                path.steps().getLast().arrivalNs(), 1e-9);
        ModuleResult chain = module("LutChain");
        assertEquals(5, chain.lutLevels());
        assertEquals(1, chain.instances());
        assertEquals(List.of(Verdict.PASS, Verdict.PASS), chain.verdicts());
    }

    @Test
    void aSixteenBitAdderIsOneLutAndSixteenCarryBits() {
        TimingPath path = worst("Adder");
        assertEquals(1, path.lutLevels());
        assertEquals(16, path.carryBits());
        assertEquals("rs[15]", path.end().signal());
        assertEquals("Adder.java:22", path.end().source());
        assertTrue(path.start().source().matches("Adder\\.java:2[01]"), path.start().toString());
        assertTrue(path.steps().stream().anyMatch(s -> s.cell().equals("CARRY4")), path.steps().toString());
        // Its LUT and chain, between the flip-flops' fixed costs and a net of at most two loads.
        double atLeast = MODEL.clockToQ() + MODEL.net(1) + MODEL.lut() + MODEL.carryEntry() + 15 * MODEL.carryPerBit()
                + MODEL.netLocal() + MODEL.ffSetup() + MODEL.clockMargin();
        assertTrue(path.periodNs() >= atLeast - 1e-9 && path.periodNs() <= atLeast + MODEL.net(2) - MODEL.net(1) + 1e-9,
                path.periodNs() + " vs " + atLeast);
    }

    @Test
    void aPathThroughInstancesCountsWholeInTheModuleHoldingBothEnds() {
        TimingPath path = worst("Stitched");
        assertEquals(3, path.lutLevels(), path.steps().toString());
        assertEquals(List.of("first", "second", "last"), path.steps().stream().map(PathStep::instance).toList());
        assertTrue(path.start().signal().matches("p\\[[01]\\]"), path.start().toString());
        assertEquals("Stitched.java:40", path.start().source());
        assertEquals("last", path.end().instance());
        assertEquals("held", path.end().signal());
        assertEquals("Capture.java:30", path.end().source());
        // The instances hold no register-to-register path of their own.
        assertTrue(report.modules().stream().noneMatch(m -> m.module().equals("Xor2") || m.module().equals("Capture")),
                report.modules().toString());
    }

    @Test
    void flipFlopsAroundAMultiplierCountAsItsPipelineRegisters() {
        // Yosys leaves Mul's DSP48E2 without registers; its input, M and P flip-flops are packed as Vivado would.
        assertTrue(report.dspRegistersAbsorbed() >= 2, "Mul and MulAdd: " + report.dspRegistersAbsorbed());
        assertTrue(report.unregistered().stream().noneMatch(u -> u.module().equals("Mul")), report.unregistered()
                .toString());
        TimingPath path = worst("Mul");
        assertEquals("DSP48E2", path.start().cell());
        assertEquals(MODEL.dspInternalClockToOut() + MODEL.dspMultiplier() + MODEL.dspSetup() + MODEL.clockMargin(),
                path.periodNs(), 1e-9, "the A register through the multiplier into the M register");
    }

    @Test
    void aProductSummedInFabricIsAnUnregisteredDspOutputAndOverThreeHundredMegahertz() {
        UnregisteredOutput product = report.unregistered().stream().filter(u -> u.module().equals("MulAdd"))
                .findFirst().orElseThrow(() -> new AssertionError(report.unregistered().toString()));
        assertEquals("DSP48E2", product.cellType());
        assertEquals("MREG, PREG", product.missing());
        assertTrue(product.feedsLogic());
        assertEquals(1, product.count());
        TimingPath path = worst("MulAdd");
        assertEquals(product.worstPeriodNs(), path.periodNs(), 1e-9);
        assertTrue(path.hardCells().stream().anyMatch(h -> h.startsWith("DSP48E2") && h.endsWith("without MREG, PREG")),
                path.hardCells().toString());
        assertEquals("ry[31]", path.end().signal());
        assertEquals("MulAdd.java:60", path.end().source());
        assertTrue(path.carryBits() >= 32, path.toString());
        // Clocks are listed fastest first, and verdicts follow them.
        assertEquals(List.of(300.0, 250.0), report.clocks().stream().map(TimingReport.Clock::mhz).toList());
        assertEquals(List.of(Verdict.OVER, Verdict.PASS), path.verdicts());
        assertEquals(Verdict.OVER, report.clocks().getFirst().verdict());
        assertEquals(1, report.clocks().getFirst().modulesOver());
        assertEquals(Verdict.PASS, report.clocks().getLast().verdict());
        assertEquals("MulAdd", report.modules().getFirst().module(), "worst first");
    }

    @Test
    void aBlockRamReadWithoutItsOutputRegisterStartsLateAndIsListed() {
        TimingPath path = worst("Ram");
        assertEquals("RAMB36E2", path.start().cell());
        assertTrue(path.steps().getFirst().arrivalNs() >= MODEL.bramClockToOut() + MODEL.net(1) + MODEL.carryEntry()
                - 1e-9, "the read without its register is out after " + MODEL.bramClockToOut() + " ns: " + path.steps());
        assertTrue(path.hardCells().stream().anyMatch(h -> h.startsWith("RAMB36E2 mem.0.0 read without DO")),
                path.hardCells().toString());
        assertEquals("x[31]", path.end().signal());
        assertEquals("Ram.java:72", path.end().source());
        assertEquals(32, path.carryBits());
        UnregisteredOutput read = report.unregistered().stream().filter(u -> u.module().equals("Ram")).findFirst()
                .orElseThrow(() -> new AssertionError(report.unregistered().toString()));
        assertEquals("RAMB36E2", read.cellType());
        assertTrue(read.missing().matches("DO[AB]_REG"), read.missing());
        assertTrue(read.feedsLogic());
        assertEquals("mem.0.0", read.example());
    }

    @Test
    void theTopsPortsStartAndEndPaths() {
        ModuleResult top = module("Top");
        assertEquals("port", top.start().cell());
        assertEquals("ram", top.end().instance());
        assertTrue(report.warnings().isEmpty(), report.warnings().toString());
    }

    @Test
    void theMarkdownStatesTheBudgetAndNamesThePaths() {
        String markdown = TimingMarkdown.markdown(report, "Timing risk: test", "Synthesized by the test.");
        assertTrue(markdown.startsWith("# Timing risk: test\n\nSynthesized by the test.\n"), markdown);
        assertTrue(markdown.contains("**A proxy, not timing.**"), markdown);
        assertTrue(markdown.contains("| 300 MHz | 3.33 ns | 6 | **OVER** | 1 |"), markdown);
        assertTrue(markdown.contains("| 250 MHz | 4.00 ns | 7 | **PASS** | 0 |"), markdown);
        assertTrue(markdown.contains(String.format(java.util.Locale.ROOT, "| `LutChain` | 1 | %.2f ns |",
                worst("LutChain").periodNs())), markdown);
        assertTrue(markdown.contains("through LUT2 `s[1]` (timing.v:"), markdown);
        assertTrue(markdown.contains("to `y` (FDRE, LutChain.java:11)"), markdown);
        assertTrue(markdown.contains("| `MulAdd` | DSP48E2 | MREG, PREG | 1 | logic |"), markdown);
        assertTrue(markdown.contains("CARRY4 x"), markdown);
    }

    @Test
    void theLutLevelsThatFitFollowTheModel() {
        assertEquals(6, TimingMarkdown.lutLevelsWithin(MODEL, DelayModel.periodNs(300)));
        assertEquals(7, TimingMarkdown.lutLevelsWithin(MODEL, DelayModel.periodNs(250)));
        assertEquals(0.30, MODEL.net(1), 1e-12);
        assertEquals(0.38, MODEL.net(4), 1e-12);
    }

    @Test
    void anUnknownTopIsRefusedWithTheModulesThereAre() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TimingAnalysis.analyze(netlist, "Tpo", MODEL, List.of(300.0), SourceLocator.none()));
        assertTrue(e.getMessage().contains("no module Tpo") && e.getMessage().contains("LutChain"), e.getMessage());
    }

    private static YosysNetlist parse(String json) {
        return YosysNetlist.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "test.json");
    }

    @Test
    void aBrokenNetlistSaysWhatAndWhere() {
        NetlistFormatException notJson = assertThrows(NetlistFormatException.class, () -> parse("{\"modules\": {"));
        assertTrue(notJson.getMessage().startsWith("the Yosys netlist test.json is not valid JSON"), notJson.getMessage());
        assertTrue(notJson.getMessage().contains("line 1"), notJson.getMessage());
        NetlistFormatException noModules = assertThrows(NetlistFormatException.class, () -> parse("{\"creator\": \"x\"}"));
        assertTrue(noModules.getMessage().contains("has no \"modules\" object"), noModules.getMessage());
        NetlistFormatException badBit = assertThrows(NetlistFormatException.class, () -> parse(
                "{\"modules\": {\"M\": {\"ports\": {\"a\": {\"direction\": \"input\", \"bits\": [\"q\"]}}}}}"));
        assertTrue(badBit.getMessage().contains("port a of module M") && badBit.getMessage().contains("\"q\""),
                badBit.getMessage());
    }

    @Test
    void aCombinationalLoopIsCutAndTheRestAnalysed() {
        // Two LUTs feeding each other between two flip-flops: a structural loop, as Yosys can leave around a
        // comparison's carry chain.
        String json = """
                {"creator": "hand", "modules": {"Loop": {"attributes": {"top": "1"},
                  "ports": {"clk": {"direction": "input", "bits": [2]}},
                  "cells": {
                    "a": {"type": "FDRE", "port_directions": {"C": "input", "D": "input", "Q": "output"},
                          "connections": {"C": [2], "D": [6], "Q": [3]}},
                    "l1": {"type": "LUT2", "port_directions": {"I0": "input", "I1": "input", "O": "output"},
                           "connections": {"I0": [3], "I1": [5], "O": [4]}},
                    "l2": {"type": "LUT2", "port_directions": {"I0": "input", "I1": "input", "O": "output"},
                           "connections": {"I0": [4], "I1": [3], "O": [5]}},
                    "l3": {"type": "LUT2", "port_directions": {"I0": "input", "I1": "input", "O": "output"},
                           "connections": {"I0": [5], "I1": [3], "O": [6]}}},
                  "netnames": {"q": {"hide_name": 0, "bits": [3]}, "d": {"hide_name": 0, "bits": [6]}}}}}
                """;
        TimingReport loop = TimingAnalysis.analyze(parse(json), "Loop", MODEL, List.of(300.0), SourceLocator.none());
        assertTrue(loop.warnings().stream().anyMatch(w -> w.contains("combinational loop through")
                && w.contains("LUT2 l1") && w.contains("LUT2 l2")), loop.warnings().toString());
        TimingPath path = loop.worstPaths().getFirst();
        assertEquals("q", path.start().signal());
        assertEquals("q", path.end().signal());
        assertEquals(3, path.lutLevels(), "once round the loop, then out: " + path.steps());
    }

    @Test
    void sourceTermsComeFromTheVerilogsComments(@TempDir Path tmp) throws IOException {
        Path file = tmp.resolve("M.v");
        Files.writeString(file, String.join("\n", "module M;", "  reg a; // M.java:12",
                "  // M.java:20", "  assign b =", "    c;", "endmodule", ""));
        SourceLocator locator = SourceLocator.reading(List.of(file));
        assertEquals("M.java:12", locator.describe(file + ":2.7-2.8"));
        assertEquals("M.java:20", locator.describe("/elsewhere/M.v:4.3-5.7"), "found again by file name");
        assertEquals("M.v:5", locator.describe(file + ":5.5-5.6"));
        assertEquals("M.java:12", locator.describe("/usr/share/yosys/xilinx/lut_map.v:43.26-44.30|" + file + ":2.7-2.8"),
                "Yosys's library lines are skipped");
        assertEquals("", locator.describe("/usr/share/yosys/xilinx/lut_map.v:43.26-44.30"));
        assertEquals("M.java:12", locator.describeName("$abc$12$and$M.v:2$1417_Y"));
        assertEquals("M.v:2", SourceLocator.none().describe(file + ":2.7-2.8"));
    }
}
