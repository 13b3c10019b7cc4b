package dev.tellmej.accel.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.accel.kernel.KernelReport;
import dev.tellmej.accel.sim.AcceleratorBenchmark;
import dev.tellmej.eda.ResourceReport;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * {@link AcceleratorReport} on a small made-up projection and synthesis (odd numbers no code could have typed in):
 * every plot decodes as a PNG of the fixed size, the page shows each plot and the figures of the results, and the
 * bytes per token split by kind add up to the bench's totals.
 */
class AcceleratorReportTest {
    private static final AcceleratorReport.Source BENCH = new AcceleratorReport.Source(
            "tellme bench accelerator --config demo", "/cache/bench-accelerator-demo.json", "2001-02-03 04:05 UTC",
            "");
    private static final AcceleratorReport.Source SYNTH = new AcceleratorReport.Source(
            "tellme report accelerator --config demo --hierarchical", "/cache/report-accelerator-demo-hierarchical.json",
            "2001-02-03 05:06 UTC", "Yosys 9.87, Verilog SHA-256 0123abcd");

    /** Decode at contexts 100, 300 and 700 for two bandwidths at 211 MHz and one at 177 MHz. */
    static AcceleratorBenchmark.Result bench() {
        List<AcceleratorBenchmark.DecodeLine> decode = new ArrayList<>();
        double[][] settings = {{211, 13.3}, {211, 17.9}, {177, 13.3}};
        for (double[] s : settings) {
            for (int context : List.of(100, 300, 700)) {
                double cycles = 3_111_111 + 4_321.0 * context * s[1] / 13.3;
                double bytes = 91_234_567 + 7_777.0 * context;
                double speed = s[0] * 1e6 / cycles;
                double roofline = s[1] * 1e9 / bytes;
                decode.add(new AcceleratorBenchmark.DecodeLine(s[0], s[1], context, speed, roofline,
                        speed / roofline, 0.713, speed / roofline, cycles, bytes, 1e3 / speed));
            }
        }
        List<AcceleratorBenchmark.PrefillLine> prefill = new ArrayList<>();
        for (double[] s : settings) {
            for (int tokens : List.of(48, 96)) {
                double seconds = tokens * (s[0] == 211 ? 0.00417 : 0.00503);
                prefill.add(new AcceleratorBenchmark.PrefillLine(s[0], s[1], tokens, tokens / seconds, seconds,
                        555.5, 0.234, 0.2, seconds * s[0] * 1e6, 12_345_678));
            }
        }
        // The breakdown at 211 MHz, 13.3 GB/s, context 100: 2 layers.
        List<AcceleratorBenchmark.Term> breakdown = List.of(
                new AcceleratorBenchmark.Term(0, "SETUP", 1, 105, 16, 105, 0.001),
                new AcceleratorBenchmark.Term(1, "LINEAR 64x64 STORE", 2, 9_000, 30_612_201, 9_500, 0.3),
                new AcceleratorBenchmark.Term(2, "ATTENTION", 2, 80_000, 388_850, 90_000, 0.3),
                new AcceleratorBenchmark.Term(3, "QUANTIZE 64 norm", 2, 1_000, 5_000, 9_000, 0.1),
                new AcceleratorBenchmark.Term(4, "LM_HEAD 512x64", 1, 200_000, 30_000_000, 107, 0.2));
        double sum = breakdown.stream().mapToDouble(t -> t.decode_bytes() * t.per_token()).sum();
        assertEquals(decode.getFirst().bytes_per_token() - 149, sum, 0.5, "the made-up breakdown's bytes");
        return new AcceleratorBenchmark.Result("demo", "a made-up model", 2, 1, 100, decode, prefill, breakdown,
                List.of(), List.of(), null,
                List.of(new AcceleratorBenchmark.Target("decode tokens/s at context 100", decode.getFirst()
                        .tokens_per_s(), ">= 99", false)),
                List.of(new AcceleratorBenchmark.Reference("Alpha", 31.7, 123.4, "0.38-0.81"),
                        new AcceleratorBenchmark.Reference("Beta", 29.3, null, null)),
                new AcceleratorBenchmark.Simulation(1, 2, 3, 4, 5, "nothing"));
    }

    static KernelReport.Result kernel() {
        ResourceReport.Counts counts = new ResourceReport.Counts(41, 90, 11, 95.5, 287, 123_457, 120_000, 3_457,
                98_765);
        List<KernelReport.Line> lines = List.of(
                new KernelReport.Line("URAM288", 41, 64, 64, KernelReport.Verdict.PASS, 60),
                new KernelReport.Line("RAMB36 (RAMB36E2 + RAMB18E2 / 2)", 95.5, 144, 144, KernelReport.Verdict.PASS,
                        98.5),
                new KernelReport.Line("DSP48E2", 287, 1_248, 1_248, KernelReport.Verdict.PASS, 610),
                new KernelReport.Line("LUT (rough)", 123_457, 117_120, 110_000, KernelReport.Verdict.OVER, 98_000),
                new KernelReport.Line("FF", 98_765, 234_240, null, null, 137_000));
        List<KernelReport.Part> parts = List.of(
                new KernelReport.Part("tlmm", "TlmmEngine", counts),
                new KernelReport.Part(KernelReport.TOP_PART, "tellme", counts));
        return new KernelReport.Result("demo", null, "tellme", KernelReport.Synthesis.HIERARCHICAL, counts, lines,
                false, parts, Map.of("LUT6", 1), 7.25);
    }

    @Test
    void everyPlotIsAPngOfTheFixedSizeAndThePageShowsItAndTheResultsFigures() throws IOException {
        AcceleratorBenchmark.Result bench = bench();
        AcceleratorReport.Report report = AcceleratorReport.build(bench, BENCH, kernel(), SYNTH);
        AcceleratorReport.Result r = report.result();

        assertEquals("accelerator-demo.md", r.markdown());
        assertEquals(List.of("accelerator-demo.md", "accelerator-demo-decode.png", "accelerator-demo-prefill.png",
                "accelerator-demo-ttft.png", "accelerator-demo-resources.png",
                "accelerator-demo-bytes-per-token.png"), List.copyOf(report.files().keySet()));
        assertEquals(AcceleratorReport.fileNames("demo"), List.copyOf(report.files().keySet()));
        String page = new String(report.files().get(r.markdown()), StandardCharsets.UTF_8);
        for (AcceleratorReport.Figure f : r.figures()) {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(report.files().get(f.file())));
            assertNotNull(image, f.file() + " decodes as an image");
            assertEquals(AcceleratorReport.WIDTH, image.getWidth(), f.file());
            assertEquals(AcceleratorReport.HEIGHT, image.getHeight(), f.file());
            assertEquals(f.width(), image.getWidth());
            assertTrue(page.contains("](" + f.file() + ")"), "the page shows " + f.file());
            // Not blank: several colours (axes, text, the series), and ink on a fair part of the picture.
            java.util.Set<Integer> colours = new java.util.HashSet<>();
            int background = image.getRGB(0, 0);
            int ink = 0;
            int samples = 0;
            for (int y = 0; y < image.getHeight(); y += 2) {
                for (int x = 0; x < image.getWidth(); x += 2) {
                    int rgb = image.getRGB(x, y);
                    colours.add(rgb);
                    ink += rgb != background ? 1 : 0;
                    samples++;
                }
            }
            assertTrue(colours.size() >= 8, f.file() + " has only " + colours.size() + " colours");
            assertTrue(ink >= samples / 50, f.file() + " is nearly blank: " + ink + " of " + samples + " samples inked");
        }

        // The sources, and the figures of both results as the page prints them.
        assertTrue(page.contains("`tellme bench accelerator --config demo`, 2001-02-03 04:05 UTC"), page);
        assertTrue(page.contains("Yosys 9.87, Verilog SHA-256 0123abcd"), page);
        for (AcceleratorBenchmark.DecodeLine d : bench.decode()) {
            assertTrue(page.contains(String.format(Locale.ROOT, "| %.0f MHz | %.1f GB/s | %,d | %.1f | %.1f |",
                    d.clock_mhz(), d.ddr_gbps(), d.context(), d.tokens_per_s(), d.roofline_tokens_per_s())),
                    "decode line " + d + " in\n" + page);
        }
        for (AcceleratorBenchmark.PrefillLine p : bench.prefill()) {
            assertTrue(page.contains(String.format(Locale.ROOT, "| %d | %.1f | %.3f s |", p.tokens(),
                    p.tokens_per_s(), p.ttft_s())), "prefill line " + p);
        }
        assertTrue(page.contains("Alpha: decode 31.7 tokens/s, prefill 123.4 tokens/s, TTFT 0.38-0.81 s"), page);
        assertTrue(page.contains("Beta: decode 29.3 tokens/s"), page);
        assertTrue(page.contains("| URAM288 | 41 | 64.1 % | 60 | 93.8 % | 64 |"), page);
        assertTrue(page.contains("| RAMB36 | 95.5 | 66.3 % | 98.5 | 68.4 % | 144 |"), page);
        assertTrue(page.contains("| LUT | 123,457 | 105.4 % | 98,000 | 83.7 % | 117,120 | 110,000 | **OVER** |"), page);
        assertTrue(page.contains("| tlmm | 41 | 95.5 | 287 | 123,457 | 98,765 |"), page);
        assertTrue(page.contains("(7.2 min)") || page.contains("(7.3 min)"), page);
        assertTrue(page.contains("| decode tokens/s at context 100 |"), page);
    }

    @Test
    void theBytesPerTokenByKindAddUpToTheBenchsTotalsAndOnlyTheKvCacheGrows() {
        AcceleratorBenchmark.Result bench = bench();
        List<AcceleratorReport.BytesByKind> bytes = AcceleratorReport.bytesByKind(bench);
        assertEquals(List.of(100, 300, 700), bytes.stream().map(AcceleratorReport.BytesByKind::context).toList());
        for (int i = 0; i < bytes.size(); i++) {
            AcceleratorReport.BytesByKind b = bytes.get(i);
            assertEquals(bench.decode().get(i).bytes_per_token(), b.total());
            assertEquals(b.total(), b.weights() + b.lm_head() + b.kv_cache() + b.other(), 1e-6);
            assertEquals(61_224_402, b.weights());
            assertEquals(30_000_000, b.lm_head());
            assertEquals(2 * 388_850 + 7_777.0 * (b.context() - 100), b.kv_cache(), 1e-6);
            assertEquals(16 + 2 * 5_000 + 149, b.other(), 1e-6, "the rest, and what the breakdown leaves out");
        }
        String page = new String(AcceleratorReport.build(bench, BENCH, kernel(), SYNTH).files()
                .get("accelerator-demo.md"), StandardCharsets.UTF_8);
        assertTrue(page.contains("| 300 | 61.2 | 30.0 | 2.3 | 0.01 | 93.6 |"), page);
    }

    @Test
    void theResourcesAreSharesOfTheDeviceBesideTellmes() {
        List<AcceleratorReport.ResourceShare> shares = AcceleratorReport.resources(kernel());
        assertEquals(List.of("URAM288", "RAMB36", "DSP48E2", "LUT", "FF"),
                shares.stream().map(AcceleratorReport.ResourceShare::resource).toList());
        assertEquals(287.0 / 1_248, shares.get(2).share());
        assertEquals(610.0 / 1_248, shares.get(2).tellme_share());
    }

    @Test
    void resultsOfDifferentBuildsOrOfOneUnitAreRefused() {
        KernelReport.Result k = kernel();
        KernelReport.Result other = new KernelReport.Result("kv260", null, k.top(), k.synthesis(), k.counts(),
                k.lines(), k.fits(), k.parts(), k.cells(), k.synthesisMinutes());
        IllegalArgumentException builds = assertThrows(IllegalArgumentException.class,
                () -> AcceleratorReport.build(bench(), BENCH, other, SYNTH));
        assertEquals("the projection is of the demo build and the synthesis of the kv260 build", builds.getMessage());
        KernelReport.Result unit = new KernelReport.Result("demo", "tlmm", k.top(), k.synthesis(), k.counts(),
                k.lines(), k.fits(), k.parts(), k.cells(), k.synthesisMinutes());
        assertThrows(IllegalArgumentException.class, () -> AcceleratorReport.build(bench(), BENCH, unit, SYNTH));
    }

    @Test
    void plotHelpers() {
        assertEquals(List.of(0.38, 0.81), ReportCharts.numbers("0.38-0.81"));
        assertEquals(100, ReportCharts.niceCeiling(92.3));
        assertEquals(250, ReportCharts.niceCeiling(201));
        assertEquals(600, ReportCharts.niceCeiling(550));
        assertEquals(0.5, ReportCharts.niceCeiling(0.47), 1e-12);
        double[] xs = {100, 300, 700};
        double[] ys = {1, 3, 11};
        assertEquals(2, ReportCharts.interpolate(xs, ys, 200));
        assertEquals(7, ReportCharts.interpolate(xs, ys, 500));
        double[] samples = ReportCharts.samples(xs, 4);
        assertEquals(9, samples.length);
        assertEquals(150, samples[1]);
        assertEquals(100, samples[0]);
        assertEquals(700, samples[samples.length - 1]);
    }
}
