package dev.tellmej.accel.report;

import dev.tellmej.accel.kernel.KernelReport;
import dev.tellmej.accel.sim.AcceleratorBenchmark;
import dev.tellmej.eda.FpgaDevice;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report's plots, drawn with XChart: fixed size ({@link AcceleratorReport#WIDTH} x
 * {@link AcceleratorReport#HEIGHT}), the logical font SansSerif, a fixed colour-blind-safe palette (Okabe and Ito),
 * headless AWT. The same data give the same picture on one JDK; the PNG bytes may differ between JDKs.
 */
final class ReportCharts {
    static {
        // Before AWT decides: no display is needed, or used, to draw a PNG.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** Okabe and Ito's palette: blue, orange, bluish green, vermillion, reddish purple, sky blue, yellow. */
    private static final Color[] PALETTE = {new Color(0x0072B2), new Color(0xE69F00), new Color(0x009E73),
            new Color(0xD55E00), new Color(0xCC79A7), new Color(0x56B4E9), new Color(0xF0E442)};
    private static final Color GREY = new Color(0x555555);
    private static final BasicStroke SOLID = new BasicStroke(2.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
    private static final BasicStroke DASHED = new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
            new float[] {9f, 6f}, 0f);
    private static final BasicStroke DASH_DOT = new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER,
            10f, new float[] {12f, 5f, 3f, 5f}, 0f);
    private static final String FONT = Font.SANS_SERIF;
    /** Segments of a solid curve, and of a dashed one, between two measured contexts. */
    private static final int FINE = 16;
    private static final int COARSE = 8;

    private ReportCharts() {}

    static String decodeTitle(AcceleratorBenchmark.Result r) {
        return String.format(Locale.ROOT, "Decode tokens/s against context: %s kernel at %.0f MHz, %d layers",
                r.config(), r.decode().getFirst().clock_mhz(), r.layers());
    }

    static String prefillTitle(AcceleratorBenchmark.Result r) {
        return String.format(Locale.ROOT, "Prefill tokens/s: %s kernel, %d layers", r.config(), r.layers());
    }

    static String ttftTitle(AcceleratorBenchmark.Result r) {
        return String.format(Locale.ROOT, "Time to first token: %s kernel, %d layers", r.config(), r.layers());
    }

    static String resourcesTitle(KernelReport.Result k) {
        return "Resources as a share of the " + FpgaDevice.XCK26.name() + ": the " + k.config() + " kernel and TeLLMe";
    }

    static String bytesTitle(AcceleratorBenchmark.Result r) {
        return String.format(Locale.ROOT, "DDR bytes per decode token by kind: %s, %d layers", r.config(),
                r.layers());
    }

    /** The chart as PNG bytes. */
    static byte[] png(Chart<?, ?> chart) {
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode the plot '" + chart.getTitle() + "' as PNG", e);
        }
    }

    /**
     * Decode tokens/s against context at the headline clock: per bandwidth, this design's curve through the
     * measured contexts and its DDR roofline; the published decode speeds as flat lines.
     */
    static XYChart decode(AcceleratorBenchmark.Result r) {
        double clock = r.decode().getFirst().clock_mhz();
        XYChart chart = new XYChartBuilder().width(AcceleratorReport.WIDTH).height(AcceleratorReport.HEIGHT)
                .title(decodeTitle(r)).xAxisTitle("context (positions attended to)")
                .yAxisTitle("decode tokens/s").build();
        style(chart.getStyler());
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        Map<Double, List<AcceleratorBenchmark.DecodeLine>> byBandwidth = new LinkedHashMap<>();
        for (AcceleratorBenchmark.DecodeLine d : r.decode()) {
            if (d.clock_mhz() == clock) {
                byBandwidth.computeIfAbsent(d.ddr_gbps(), k -> new ArrayList<>()).add(d);
            }
        }
        double lowest = Double.MAX_VALUE;
        double highest = 0;
        double top = 0;
        int colour = 0;
        for (Map.Entry<Double, List<AcceleratorBenchmark.DecodeLine>> e : byBandwidth.entrySet()) {
            List<AcceleratorBenchmark.DecodeLine> lines = e.getValue().stream()
                    .sorted(Comparator.comparingInt(AcceleratorBenchmark.DecodeLine::context)).toList();
            double[] contexts = lines.stream().mapToDouble(AcceleratorBenchmark.DecodeLine::context).toArray();
            double[] cycles = lines.stream().mapToDouble(AcceleratorBenchmark.DecodeLine::cycles_per_token).toArray();
            double[] bytes = lines.stream().mapToDouble(AcceleratorBenchmark.DecodeLine::bytes_per_token).toArray();
            // The solid curve finely; the dashed roofline in longer segments (XChart starts the dash pattern afresh
            // on each segment, so short ones would draw it solid).
            double[] xs = samples(contexts, FINE);
            double[] speed = new double[xs.length];
            for (int i = 0; i < xs.length; i++) {
                speed[i] = clock * 1e6 / interpolate(contexts, cycles, xs[i]);
            }
            double[] roofXs = samples(contexts, COARSE);
            double[] roof = new double[roofXs.length];
            for (int i = 0; i < roofXs.length; i++) {
                roof[i] = e.getKey() * 1e9 / interpolate(contexts, bytes, roofXs[i]);
            }
            Color c = PALETTE[colour++ % PALETTE.length];
            String bandwidth = String.format(Locale.ROOT, "%.1f GB/s", e.getKey());
            XYSeries design = chart.addSeries("this design, " + bandwidth, xs, speed);
            design.setMarker(SeriesMarkers.NONE).setLineColor(c).setLineStyle(SOLID);
            XYSeries measured = chart.addSeries("measured, " + bandwidth, contexts,
                    lines.stream().mapToDouble(AcceleratorBenchmark.DecodeLine::tokens_per_s).toArray());
            measured.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            measured.setMarker(SeriesMarkers.CIRCLE).setMarkerColor(c);
            measured.setShowInLegend(false);
            XYSeries roofline = chart.addSeries("DDR roofline, " + bandwidth, roofXs, roof);
            roofline.setMarker(SeriesMarkers.NONE).setLineColor(c).setLineStyle(DASHED);
            lowest = Math.min(lowest, contexts[0]);
            highest = Math.max(highest, contexts[contexts.length - 1]);
            top = Math.max(top, max(roof));
        }
        int reference = 0;
        for (AcceleratorBenchmark.Reference ref : r.references()) {
            if (ref.decode_tokens_per_s() == null) {
                continue;
            }
            XYSeries s = chart.addSeries(String.format(Locale.ROOT, "%s, published: %.1f tokens/s", ref.name(),
                    ref.decode_tokens_per_s()), new double[] {lowest, highest},
                    new double[] {ref.decode_tokens_per_s(), ref.decode_tokens_per_s()});
            s.setMarker(SeriesMarkers.NONE).setLineColor(referenceColour(reference++)).setLineStyle(DASH_DOT);
            top = Math.max(top, ref.decode_tokens_per_s());
        }
        chart.getStyler().setXAxisMin(0.0).setXAxisMax(highest).setYAxisMin(0.0).setYAxisMax(niceCeiling(top * 1.05));
        chart.getStyler().setXAxisDecimalPattern("#,##0").setYAxisDecimalPattern("#,##0");
        return chart;
    }

    /** Prefill tokens/s per prompt length, each clock at the headline bandwidth, and the published prefill speed. */
    static CategoryChart prefill(AcceleratorBenchmark.Result r) {
        CategoryChart chart = prefillChart(r, prefillTitle(r), "prefill tokens/s",
                AcceleratorBenchmark.PrefillLine::tokens_per_s);
        double top = maxSeries(chart);
        int reference = 0;
        for (AcceleratorBenchmark.Reference ref : r.references()) {
            if (ref.prefill_tokens_per_s() != null) {
                horizontal(chart, String.format(Locale.ROOT, "%s, published: %.1f tokens/s", ref.name(),
                        ref.prefill_tokens_per_s()), ref.prefill_tokens_per_s(), referenceColour(reference), DASH_DOT,
                        true);
                top = Math.max(top, ref.prefill_tokens_per_s());
            }
            reference++;
        }
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(niceCeiling(top * 1.1));
        chart.setCustomYAxisTickLabelsFormatter(v -> String.format(Locale.ROOT, "%,.0f", v));
        return chart;
    }

    /** TTFT per prompt length, each clock at the headline bandwidth, and the published TTFT (a range: two lines). */
    static CategoryChart ttft(AcceleratorBenchmark.Result r) {
        CategoryChart chart = prefillChart(r, ttftTitle(r), "time to first token, s",
                AcceleratorBenchmark.PrefillLine::ttft_s);
        double top = maxSeries(chart);
        int reference = 0;
        for (AcceleratorBenchmark.Reference ref : r.references()) {
            List<Double> bounds = ref.ttft_s() == null ? List.of() : numbers(ref.ttft_s());
            for (int i = 0; i < bounds.size(); i++) {
                horizontal(chart, ref.name() + ", published: " + ref.ttft_s() + " s", bounds.get(i),
                        referenceColour(reference), DASH_DOT, i == 0);
                top = Math.max(top, bounds.get(i));
            }
            reference++;
        }
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(niceCeiling(top * 1.1));
        chart.setCustomYAxisTickLabelsFormatter(v -> String.format(Locale.ROOT, "%.2f", v));
        return chart;
    }

    /** Bars per prompt length: one series per clock, at the headline bandwidth. */
    private static CategoryChart prefillChart(AcceleratorBenchmark.Result r, String title, String yTitle,
                                              ToDoubleFunction<AcceleratorBenchmark.PrefillLine> value) {
        double bandwidth = r.decode().getFirst().ddr_gbps();
        List<AcceleratorBenchmark.PrefillLine> lines = r.prefill().stream().filter(p -> p.ddr_gbps() == bandwidth)
                .toList();
        if (lines.isEmpty()) {
            lines = r.prefill();
        }
        TreeSet<Integer> prompts = new TreeSet<>();
        lines.forEach(p -> prompts.add(p.tokens()));
        List<String> categories = prompts.stream().map(t -> t + "-token prompt").toList();
        CategoryChart chart = new CategoryChartBuilder().width(AcceleratorReport.WIDTH)
                .height(AcceleratorReport.HEIGHT).title(title).xAxisTitle("prompt (one prefill call from position 0)")
                .yAxisTitle(yTitle).build();
        style(chart.getStyler());
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setLabelsPosition(0.9);
        chart.getStyler().setLabelsFont(new Font(FONT, Font.PLAIN, 13));
        chart.getStyler().setLabelsFontColorAutomaticEnabled(true);
        chart.getStyler().setAvailableSpaceFill(0.7);
        chart.getStyler().setOverlapped(false);
        Map<String, Map<Integer, Double>> byClock = new LinkedHashMap<>();
        for (AcceleratorBenchmark.PrefillLine p : lines) {
            String name = String.format(Locale.ROOT, "this design, %.0f MHz, %.1f GB/s", p.clock_mhz(), p.ddr_gbps());
            byClock.computeIfAbsent(name, k -> new LinkedHashMap<>()).put(p.tokens(), value.applyAsDouble(p));
        }
        int colour = 0;
        for (Map.Entry<String, Map<Integer, Double>> e : byClock.entrySet()) {
            List<Double> ys = prompts.stream().map(t -> e.getValue().getOrDefault(t, 0.0)).toList();
            CategorySeries s = chart.addSeries(e.getKey(), categories, ys);
            s.setFillColor(PALETTE[colour++ % PALETTE.length]);
        }
        return chart;
    }

    /**
     * A horizontal line across the whole plot at {@code value} (a published figure with no prompt length of its
     * own, or the device's 100 %), named in the legend. Every such line of a chart is drawn alike (XChart styles
     * annotations per chart), so the legend names each with its value.
     */
    private static void horizontal(CategoryChart chart, String name, double value, Color colour, BasicStroke stroke,
                                   boolean inLegend) {
        chart.getStyler().setAnnotationLineColor(colour);
        chart.getStyler().setAnnotationLineStroke(stroke);
        chart.addAnnotation(new AnnotationLine(value, false, false));
        if (inLegend) {
            // A series with no values: only its legend entry shows, drawn as the line is.
            List<?> categories = List.copyOf(chart.getSeriesMap().values().iterator().next().getXData());
            List<Double> none = new ArrayList<>(Collections.nCopies(categories.size(), (Double) null));
            CategorySeries entry = chart.addSeries(name, categories, none);
            entry.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Line);
            entry.setLineColor(colour).setLineStyle(stroke);
            entry.setMarker(SeriesMarkers.NONE);
        }
    }

    /** The kernel's resources and TeLLMe's, as percentages of the XCK26, with the device's 100 % as a line. */
    static CategoryChart resources(KernelReport.Result k, List<AcceleratorReport.ResourceShare> shares) {
        CategoryChart chart = new CategoryChartBuilder().width(AcceleratorReport.WIDTH)
                .height(AcceleratorReport.HEIGHT).title(resourcesTitle(k)).xAxisTitle("resource")
                .yAxisTitle("% of the " + FpgaDevice.XCK26.name()).build();
        style(chart.getStyler());
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setLabelsPosition(0.9);
        chart.getStyler().setLabelsFont(new Font(FONT, Font.PLAIN, 13));
        chart.getStyler().setLabelsFontColorAutomaticEnabled(true);
        chart.getStyler().setAvailableSpaceFill(0.7);
        chart.getStyler().setDecimalPattern("#,##0");
        List<String> categories = shares.stream().map(s -> s.resource() + (s.resource().equals("LUT")
                ? " (rough)" : "")).toList();
        CategorySeries design = chart.addSeries(String.format(Locale.ROOT, "this design (Yosys, %s)",
                        k.synthesis() == KernelReport.Synthesis.FLATTENED ? "flattened" : "hierarchical"), categories,
                shares.stream().map(s -> 100 * s.share()).toList());
        design.setFillColor(PALETTE[0]);
        CategorySeries tellme = chart.addSeries("TeLLMe, published (Vivado)", categories,
                shares.stream().map(s -> 100 * s.tellme_share()).toList());
        tellme.setFillColor(PALETTE[3]);
        horizontal(chart, "the " + FpgaDevice.XCK26.name() + "'s capacity (100 %)", 100, GREY, DASHED, true);
        double top = shares.stream().mapToDouble(s -> Math.max(s.share(), s.tellme_share())).max().orElse(1);
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(niceCeiling(Math.max(100, 100 * top) * 1.08))
                .setYAxisDecimalPattern("#,##0");
        return chart;
    }

    /**
     * A decode token's DDR bytes by kind, stacked, per context; each kind's MB written on its part when there is
     * room, the total above the stack.
     */
    static CategoryChart bytesPerToken(String title, List<AcceleratorReport.BytesByKind> bytes) {
        CategoryChart chart = new CategoryChartBuilder().width(AcceleratorReport.WIDTH)
                .height(AcceleratorReport.HEIGHT).title(title)
                .xAxisTitle("context (positions attended to)").yAxisTitle("MB per token (10^6 bytes)").build();
        style(chart.getStyler());
        chart.getStyler().setStacked(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setAvailableSpaceFill(0.6);
        chart.getStyler().setAnnotationTextFont(new Font(FONT, Font.PLAIN, 13));
        chart.getStyler().setAnnotationTextFontColor(Color.BLACK);
        List<String> categories = bytes.stream().map(b -> String.format(Locale.ROOT, "%,d", b.context())).toList();
        double top = niceCeiling(bytes.stream().mapToDouble(AcceleratorReport.BytesByKind::total).max().orElse(1)
                / 1e6 * 1.12);
        double other = bytes.stream().mapToDouble(AcceleratorReport.BytesByKind::other).max().orElse(0) / 1e6;
        List<String> names = List.of("weights (LINEAR)", "LM head (LM_HEAD)", "KV cache (ATTENTION)",
                String.format(Locale.ROOT, "other (at most %.1f MB)", other));
        Color[] colours = {PALETTE[5], PALETTE[1], PALETTE[2], new Color(0x999999)};
        List<List<Double>> kinds = List.of(bytes.stream().map(b -> b.weights() / 1e6).toList(),
                bytes.stream().map(b -> b.lm_head() / 1e6).toList(),
                bytes.stream().map(b -> b.kv_cache() / 1e6).toList(),
                bytes.stream().map(b -> b.other() / 1e6).toList());
        for (int k = 0; k < kinds.size(); k++) {
            chart.addSeries(names.get(k), categories, kinds.get(k)).setFillColor(colours[k]);
        }
        // Chart coordinates: x from 0 to the number of categories (category i's centre at i + 0.5), y in MB.
        for (int i = 0; i < bytes.size(); i++) {
            double base = 0;
            for (List<Double> kind : kinds) {
                double mb = kind.get(i);
                if (mb >= 0.05 * top) {
                    chart.addAnnotation(new AnnotationText(String.format(Locale.ROOT, "%,.1f", mb), i + 0.5,
                            base + mb / 2, false));
                }
                base += mb;
            }
            chart.addAnnotation(new AnnotationText(String.format(Locale.ROOT, "%,.1f MB", bytes.get(i).total() / 1e6),
                    i + 0.5, base + 0.03 * top, false));
        }
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(top).setYAxisDecimalPattern("#,##0");
        return chart;
    }

    /** Fonts, colours and grid shared by every plot. */
    private static void style(AxesChartStyler s) {
        s.setLocale(Locale.ROOT);
        s.setAntiAlias(true);
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderColor(GREY);
        s.setPlotGridLinesColor(new Color(0xDDDDDD));
        s.setChartFontColor(Color.BLACK);
        s.setChartTitleFont(new Font(FONT, Font.BOLD, 17));
        s.setChartTitleBoxVisible(false);
        s.setAxisTitleFont(new Font(FONT, Font.PLAIN, 15));
        s.setAxisTickLabelsFont(new Font(FONT, Font.PLAIN, 13));
        s.setAxisTickLabelsColor(Color.BLACK);
        s.setLegendFont(new Font(FONT, Font.PLAIN, 13));
        s.setLegendBorderColor(new Color(0xBBBBBB));
        s.setLegendBackgroundColor(new Color(255, 255, 255, 235));
        s.setChartPadding(12);
        s.setMarkerSize(9);
        s.setToolTipsEnabled(false);
    }

    private static Color referenceColour(int index) {
        return PALETTE[(3 + index) % PALETTE.length];
    }

    /** The measured contexts, each two apart cut into {@code steps} equal segments. */
    static double[] samples(double[] contexts, int steps) {
        if (contexts.length == 1) {
            return contexts.clone();
        }
        List<Double> xs = new ArrayList<>();
        for (int i = 0; i + 1 < contexts.length; i++) {
            for (int step = 0; step < steps; step++) {
                xs.add(contexts[i] + (contexts[i + 1] - contexts[i]) * step / steps);
            }
        }
        xs.add(contexts[contexts.length - 1]);
        return xs.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** {@code ys} at {@code x}, linear between the two {@code xs} around it (xs ascending, x within them). */
    static double interpolate(double[] xs, double[] ys, double x) {
        for (int i = 0; i + 1 < xs.length; i++) {
            if (x <= xs[i + 1]) {
                return ys[i] + (ys[i + 1] - ys[i]) * (x - xs[i]) / (xs[i + 1] - xs[i]);
            }
        }
        return ys[ys.length - 1];
    }

    /** The numbers in a published figure's text: {@code "0.45-0.96"} -> 0.45, 0.96. */
    static List<Double> numbers(String text) {
        List<Double> out = new ArrayList<>();
        Matcher m = Pattern.compile("\\d+(?:\\.\\d+)?").matcher(text);
        while (m.find()) {
            out.add(Double.parseDouble(m.group()));
        }
        return out;
    }

    /** The next round axis limit at or above {@code value}: 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten. */
    static double niceCeiling(double value) {
        if (!(value > 0)) {
            return 1;
        }
        double power = Math.pow(10, Math.floor(Math.log10(value)));
        for (double step : new double[] {1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10}) {
            if (step * power >= value - 1e-9 * power) {
                return step * power;
            }
        }
        return 10 * power;
    }

    private static double max(double[] values) {
        double m = 0;
        for (double v : values) {
            m = Math.max(m, v);
        }
        return m;
    }

    private static double maxSeries(CategoryChart chart) {
        double m = 0;
        for (CategorySeries s : chart.getSeriesMap().values()) {
            for (Number v : s.getYData()) {
                m = Math.max(m, v.doubleValue());
            }
        }
        return m;
    }
}
