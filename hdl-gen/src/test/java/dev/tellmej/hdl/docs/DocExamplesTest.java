package dev.tellmej.hdl.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.eda.ResourceReport;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.check.ElaborationException;
import dev.tellmej.hdl.testing.DesignVerifier;
import dev.tellmej.hdl.testing.Golden;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/hdl.md cannot rot: every Java block in it is a region of these compiled sources, every Verilog block
 * is the golden output of the design it follows, and the error listing is what the compiler prints.
 */
class DocExamplesTest {
    private static final Path DOC = Path.of("..", "docs", "hdl.md");
    private static final Path SOURCES = Path.of("src", "test", "java", "dev", "tellmej", "hdl", "docs");

    private static final Map<String, Supplier<? extends Module>> DESIGNS = new LinkedHashMap<>();

    static {
        DESIGNS.put("blinker", () -> new Blinker(4));
        DESIGNS.put("accumulator", Accumulator::new);
        DESIGNS.put("pixel-filter", PixelFilter::new);
        DESIGNS.put("scratch-pad", ScratchPad::new);
        DESIGNS.put("two-clocks", TwoClocks::new);
        DESIGNS.put("serial-tx", () -> new SerialTx(4));
        DESIGNS.put("lane-select", LaneSelect::new);
        DESIGNS.put("pipeline", MulThenAdd::new);
        DESIGNS.put("import-fifo", BufferedSamples::new);
    }

    @Test
    void everyExampleElaboratesLintsSynthesizesAndMatchesItsGoldenFiles() {
        for (Map.Entry<String, Supplier<? extends Module>> entry : DESIGNS.entrySet()) {
            Design<? extends Module> design = Hdl.elaborate(entry.getValue()::get);
            Golden.assertMatches(design, "docs-" + entry.getKey());
            ResourceReport report = DesignVerifier.verify(design, "docs-" + entry.getKey());
            if (entry.getKey().equals("scratch-pad")) {
                assertEquals(1, report.ramb18(), report.toString());
            }
        }
    }

    /** The guide's serial transmitter, run in Icarus: the line carries each byte as an 8N1 frame. */
    @Test
    void theSerialTransmitterFramesItsBytes() {
        Design<SerialTx> design = Hdl.elaborate(() -> new SerialTx(4));
        int[] bytes = {0x55, 0xA3, 0x00, 0xFF};
        List<Map<String, Long>> stimulus = new ArrayList<>();
        for (int cycle = 0; cycle < 200; cycle++) {
            // Byte i is offered for 4 cycles from cycle 44 i: a window with exactly one tick, where the
            // transmitter is idle again (a frame is 10 ticks, and a byte is taken at the first tick while idle).
            int i = cycle / 44;
            boolean offered = i < bytes.length && cycle % 44 < 4;
            long payload = bytes[Math.min(i, bytes.length - 1)];
            stimulus.add(Map.of("data_valid", offered ? 1L : 0L, "data_payload", payload));
        }
        List<Map<String, java.math.BigInteger>> samples = dev.tellmej.hdl.testing.IcarusBench.run(design,
                "docs-serial-tx-run", stimulus);
        List<Integer> received = new ArrayList<>();
        int cycle = 0;
        while (cycle < samples.size()) {
            if (samples.get(cycle).get("txd").intValue() == 1) {
                cycle++;
                continue;
            }
            int value = 0;                       // a start bit: sample each bit in the middle of its 4 cycles
            for (int bit = 0; bit < 8; bit++) {
                value |= samples.get(cycle + 4 * (bit + 1) + 2).get("txd").intValue() << bit;
            }
            assertEquals(1, samples.get(cycle + 4 * 9 + 2).get("txd").intValue(), "stop bit at cycle " + cycle);
            received.add(value);
            cycle += 4 * 10;
        }
        assertEquals(List.of(0x55, 0xA3, 0x00, 0xFF), received);
    }

    @Test
    void theBurstCopyExampleIsLintCleanAndSynthesizes() {
        Design<BurstCopy> design = Hdl.elaborate(BurstCopy::new);
        assertEquals(List.of("SyncFifo_w1_d4", "SyncFifo_w130_d64_ramblock", "AxiBurstReader_w128_b16_o4",
                "SyncFifo_w144_d32_ramblock", "SyncFifo_w8_d4", "AxiBurstWriter_w128_b16_o4", "BurstCopy"),
                List.copyOf(design.definitions().keySet()));
        ResourceReport report = DesignVerifier.verify(design, "docs-burst-copy");
        assertEquals(4, report.bramTiles(), "both data FIFOs (8 and 4 Kbit) in block RAM, two RAMB36 each: " + report);
    }

    @Test
    void theSharedPortCopyIsLintCleanAndSynthesizes() {
        Design<SharedPortCopy> design = Hdl.elaborate(SharedPortCopy::new);
        assertTrue(design.definitions().containsKey("AxiPortShare_w128_rw_o8"),
                design.definitions().keySet().toString());
        ResourceReport report = DesignVerifier.verify(design, "docs-port-share");
        assertEquals(4, report.bramTiles(), "the engines' data FIFOs in block RAM, the routes in LUT RAM: " + report);
    }

    @Test
    void elaborateAndWrite(@org.junit.jupiter.api.io.TempDir Path out) {
        // doc:begin elaborate
        Design<Blinker> design = Hdl.elaborate(() -> new Blinker(4));
        design.writeVerilog(out);   // out/Blinker_w4.v and out/Blinker_w4.f
        // doc:end elaborate
        assertTrue(Files.isRegularFile(out.resolve("Blinker_w4.v")));
        assertTrue(Files.isRegularFile(out.resolve("Blinker_w4.f")));
    }

    @Test
    void javaBlocksInTheGuideAreTheCompiledSources() throws IOException {
        String doc = Files.readString(DOC);
        Matcher matcher = Pattern.compile("<!-- java: (\\S+) -->\\n```java\\n(.*?)```", Pattern.DOTALL).matcher(doc);
        List<String> seen = new ArrayList<>();
        while (matcher.find()) {
            String name = matcher.group(1);
            assertEquals(region(name), matcher.group(2), "docs/hdl.md block '" + name + "' differs from its source");
            seen.add(name);
        }
        assertEquals(List.of("blinker", "elaborate", "accumulator", "pixel-filter", "two-clocks", "serial-tx", "scratch-pad",
                "import-fifo", "broken", "lane-select", "burst-copy", "port-share", "pipeline"), seen);
    }

    @Test
    void verilogBlocksInTheGuideAreTheGoldenOutput() throws IOException {
        String doc = Files.readString(DOC);
        Matcher matcher = Pattern.compile("<!-- verilog: (\\S+)/(\\S+) -->\\n```verilog\\n(.*?)```", Pattern.DOTALL).matcher(doc);
        int blocks = 0;
        while (matcher.find()) {
            Path golden = Path.of("src", "test", "resources", "golden", "docs-" + matcher.group(1), matcher.group(2) + ".v");
            assertEquals(Files.readString(golden), matcher.group(3), "docs/hdl.md Verilog of " + matcher.group(1));
            blocks++;
        }
        assertTrue(blocks >= 2, "Verilog blocks found: " + blocks);
    }

    @Test
    void theErrorListingInTheGuideIsWhatTheCompilerPrints() throws IOException {
        ElaborationException e = assertThrows(ElaborationException.class, () -> Hdl.elaborate(BrokenDesign::new));
        String doc = Files.readString(DOC);
        Matcher matcher = Pattern.compile("<!-- errors: broken -->\\n```text\\n(.*?)```", Pattern.DOTALL).matcher(doc);
        assertTrue(matcher.find(), "no error listing in docs/hdl.md");
        assertEquals(e.getMessage() + "\n", matcher.group(1));
    }

    private static String region(String name) throws IOException {
        try (var files = Files.list(SOURCES)) {
            for (Path file : files.toList()) {
                String text = Files.readString(file);
                int begin = text.indexOf("// doc:begin " + name + "\n");
                if (begin < 0) {
                    continue;
                }
                int start = begin + ("// doc:begin " + name + "\n").length();
                int end = text.indexOf("// doc:end " + name, start);
                return dedent(text.substring(start, text.lastIndexOf('\n', end) + 1));
            }
        }
        throw new AssertionError("no region " + name);
    }

    private static String dedent(String block) {
        int indent = block.lines().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length())
                .min().orElse(0);
        StringBuilder out = new StringBuilder();
        for (String line : block.lines().toList()) {
            out.append(line.length() >= indent ? line.substring(indent) : line.strip()).append('\n');
        }
        return out.toString();
    }
}
