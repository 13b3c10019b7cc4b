package dev.tellmej.accel.report;

import dev.tellmej.accel.kernel.KernelReport;
import dev.tellmej.accel.sim.AcceleratorBenchmark;
import dev.tellmej.eda.FpgaDevice;
import dev.tellmej.eda.ResourceReport;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The accelerator's report ({@code tellme report accelerator --out DIR}): a Markdown page and its PNG plots, made
 * from two measured results and nothing else: the KV260 projection of {@code tellme bench accelerator}
 * ({@link AcceleratorBenchmark.Result}: decode against context with the DDR roofline, prefill and TTFT, the bytes a
 * token moves, TeLLMe's and PD-Swap's published speeds) and the Yosys synthesis of the whole kernel of
 * {@code tellme report accelerator} ({@link KernelReport.Result}: the resources against the XCK26 and TeLLMe's
 * published ones). No figure is typed in here; {@link #build} only arranges, divides and plots what the two
 * results hold.
 *
 * <p>The JSON of {@code tellme report accelerator --out DIR --json} is {@link Result}; its new components are
 * named as the bench's JSON names its fields ({@code tokens_per_s}), so they break Java's naming on purpose.
 */
public final class AcceleratorReport {
    /** Every plot's size, pixels. */
    public static final int WIDTH = 960;
    public static final int HEIGHT = 560;

    private AcceleratorReport() {}

    /**
     * Where one of the two results came from, as the Markdown states it.
     *
     * @param command     the command that produced it ({@code tellme bench accelerator --config kv260})
     * @param file        the file it was read from
     * @param produced_at when it was produced ({@code 2025-12-02 17:43 UTC})
     * @param detail      what else identifies it (the Yosys version and the Verilog's SHA-256; the model projected)
     */
    public record Source(String command, String file, String produced_at, String detail) {}

    /**
     * One resource against the device and TeLLMe.
     *
     * @param resource     its short name ({@code URAM288}, {@code RAMB36}, {@code DSP48E2}, {@code LUT}, {@code FF})
     * @param used         what the kernel uses (Yosys; block RAM in RAMB36 units)
     * @param capacity     the XCK26's
     * @param share        {@code used / capacity}
     * @param tellme       TeLLMe's published figure for its whole design
     * @param tellme_share {@code tellme / capacity}
     */
    public record ResourceShare(String resource, double used, int capacity, double share, double tellme,
            double tellme_share) {}

    /**
     * The DDR bytes of one decode token, by kind, at one context (from the bench's breakdown per instruction).
     *
     * @param context  positions attended to
     * @param weights  the {@code LINEAR} instructions': the ternary weights, with their few KB of activations and
     *                 K/V writes
     * @param lm_head  {@code LM_HEAD}'s: the int8 LM head
     * @param kv_cache {@code ATTENTION}'s: the KV cache read (the only kind that grows with the context)
     * @param other    the rest: {@code QUANTIZE}, {@code EMBED}, the program, the call record
     * @param total    the bench's {@code bytes_per_token} at this context (the sum of the four)
     */
    public record BytesByKind(int context, double weights, double lm_head, double kv_cache, double other,
            double total) {}

    /**
     * A plot of the report.
     *
     * @param file   its file name in the report's folder
     * @param title  its title
     * @param width  pixels
     * @param height pixels
     */
    public record Figure(String file, String title, int width, int height) {}

    /**
     * The report's figures.
     *
     * @param config          the build
     * @param markdown        the Markdown page's file name
     * @param figures         the plots, in the page's order
     * @param bench           where the projection came from
     * @param synthesis       where the resources came from
     * @param model           the model projected
     * @param layers          its layers
     * @param decode          the bench's decode lines (every clock, bandwidth and context)
     * @param prefill         the bench's prefill lines
     * @param references      the published figures the bench compares with
     * @param targets         the bench's targets at its headline setting
     * @param resources       URAM288, RAMB36, DSP48E2, LUT and FF against the XCK26 and TeLLMe
     * @param bytes_per_token a decode token's DDR bytes by kind at each context of the headline setting
     * @param kernel          the synthesis result itself
     */
    public record Result(String config, String markdown, List<Figure> figures, Source bench, Source synthesis,
            String model, int layers, List<AcceleratorBenchmark.DecodeLine> decode,
            List<AcceleratorBenchmark.PrefillLine> prefill, List<AcceleratorBenchmark.Reference> references,
            List<AcceleratorBenchmark.Target> targets, List<ResourceShare> resources,
            List<BytesByKind> bytes_per_token, KernelReport.Result kernel) {}

    /**
     * The report: its figures and its files.
     *
     * @param result the figures
     * @param files  file name -> contents: the Markdown page (UTF-8) and the PNGs, in the page's order
     */
    public record Report(Result result, Map<String, byte[]> files) {}

    /** The plots, in the page's order: each is {@code accelerator-CONFIG-KIND.png}. */
    private static final List<String> PLOTS = List.of("decode", "prefill", "ttft", "resources", "bytes-per-token");

    /** A file of the report: {@code accelerator-CONFIG.md} ({@code kind} null) or {@code accelerator-CONFIG-KIND.png}. */
    static String fileName(String config, String kind) {
        return "accelerator-" + config + (kind == null ? ".md" : "-" + kind + ".png");
    }

    /** The names of the files {@link #build} makes for build {@code config}: the page, then the plots. */
    public static List<String> fileNames(String config) {
        List<String> names = new ArrayList<>();
        names.add(fileName(config, null));
        PLOTS.forEach(kind -> names.add(fileName(config, kind)));
        return List.copyOf(names);
    }

    /**
     * Builds the report of {@code bench} and {@code kernel}, which must be of the same build and {@code kernel} of
     * the whole kernel.
     *
     * @throws IllegalArgumentException when they are of different builds, the synthesis is of one unit, or the
     *                                  bench result has no decode or prefill line
     */
    public static Report build(AcceleratorBenchmark.Result bench, Source benchSource, KernelReport.Result kernel,
                               Source synthesisSource) {
        if (!bench.config().equals(kernel.config())) {
            throw new IllegalArgumentException("the projection is of the " + bench.config() + " build and the"
                    + " synthesis of the " + kernel.config() + " build");
        }
        if (kernel.unit() != null) {
            throw new IllegalArgumentException("the synthesis is of the unit '" + kernel.unit() + "' alone, not of"
                    + " the whole kernel");
        }
        if (bench.decode().isEmpty() || bench.prefill().isEmpty()) {
            throw new IllegalArgumentException("the projection has no decode or no prefill line");
        }
        String config = bench.config();
        List<ResourceShare> resources = resources(kernel);
        List<BytesByKind> bytes = bytesByKind(bench);
        List<Figure> figures = List.of(
                new Figure(fileName(config, PLOTS.get(0)), ReportCharts.decodeTitle(bench), WIDTH, HEIGHT),
                new Figure(fileName(config, PLOTS.get(1)), ReportCharts.prefillTitle(bench), WIDTH, HEIGHT),
                new Figure(fileName(config, PLOTS.get(2)), ReportCharts.ttftTitle(bench), WIDTH, HEIGHT),
                new Figure(fileName(config, PLOTS.get(3)), ReportCharts.resourcesTitle(kernel), WIDTH, HEIGHT),
                new Figure(fileName(config, PLOTS.get(4)), ReportCharts.bytesTitle(bench), WIDTH, HEIGHT));
        Result result = new Result(config, fileName(config, null), figures, benchSource, synthesisSource,
                bench.model(), bench.layers(), bench.decode(), bench.prefill(), bench.references(), bench.targets(),
                resources, bytes, kernel);
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(result.markdown(), markdown(result).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        files.put(figures.get(0).file(), ReportCharts.png(ReportCharts.decode(bench)));
        files.put(figures.get(1).file(), ReportCharts.png(ReportCharts.prefill(bench)));
        files.put(figures.get(2).file(), ReportCharts.png(ReportCharts.ttft(bench)));
        files.put(figures.get(3).file(), ReportCharts.png(ReportCharts.resources(kernel, resources)));
        files.put(figures.get(4).file(), ReportCharts.png(ReportCharts.bytesPerToken(figures.get(4).title(), bytes)));
        return new Report(result, files);
    }

    /** The synthesis's lines as shares of the XCK26, beside TeLLMe's. */
    static List<ResourceShare> resources(KernelReport.Result kernel) {
        return kernel.lines().stream().map(l -> new ResourceShare(shortName(l.resource()), l.used(), l.capacity(),
                l.used() / l.capacity(), l.tellme(), l.tellme() / l.capacity())).toList();
    }

    /** {@code RAMB36 (RAMB36E2 + RAMB18E2 / 2)} -> {@code RAMB36}. */
    static String shortName(String resource) {
        int space = resource.indexOf(" (");
        return space < 0 ? resource : resource.substring(0, space);
    }

    /**
     * A decode token's bytes by kind at each context of the headline setting: the breakdown (measured at the
     * headline setting's first context) split by instruction, the KV cache's share at the other contexts grown by
     * what the token's bytes grew (nothing else depends on the context), the rest what the bench's total leaves.
     */
    static List<BytesByKind> bytesByKind(AcceleratorBenchmark.Result bench) {
        double weights = 0;
        double lmHead = 0;
        double kv = 0;
        for (AcceleratorBenchmark.Term t : bench.breakdown()) {
            double bytes = t.decode_bytes() * t.per_token();
            switch (opcode(t.instruction())) {
                case "LINEAR" -> weights += bytes;
                case "LM_HEAD" -> lmHead += bytes;
                case "ATTENTION" -> kv += bytes;
                default -> { }
            }
        }
        List<AcceleratorBenchmark.DecodeLine> headline = headlineDecode(bench.decode());
        double first = headline.getFirst().bytes_per_token();
        List<BytesByKind> out = new ArrayList<>();
        for (AcceleratorBenchmark.DecodeLine d : headline.stream()
                .sorted(Comparator.comparingInt(AcceleratorBenchmark.DecodeLine::context)).toList()) {
            double total = d.bytes_per_token();
            double cache = kv + (total - first);
            out.add(new BytesByKind(d.context(), weights, lmHead, cache, total - weights - lmHead - cache, total));
        }
        return out;
    }

    private static String opcode(String instruction) {
        int space = instruction.indexOf(' ');
        return space < 0 ? instruction : instruction.substring(0, space);
    }

    /** The decode lines of the headline setting (the first line's clock and bandwidth), in the bench's order. */
    static List<AcceleratorBenchmark.DecodeLine> headlineDecode(List<AcceleratorBenchmark.DecodeLine> decode) {
        AcceleratorBenchmark.DecodeLine first = decode.getFirst();
        return decode.stream()
                .filter(d -> d.clock_mhz() == first.clock_mhz() && d.ddr_gbps() == first.ddr_gbps()).toList();
    }

    /** The Markdown page: the sources, then each plot with the table of its figures. */
    static String markdown(Result r) {
        StringBuilder s = new StringBuilder();
        AcceleratorBenchmark.DecodeLine head = r.decode().getFirst();
        s.append("# The accelerator: ").append(r.config()).append("\n\n");
        s.append("Every figure on this page comes from two saved results; none is typed in:\n\n");
        s.append(source("Speed", r.bench()));
        s.append(source("Resources", r.synthesis()));
        s.append(String.format(Locale.ROOT, "%nThe projection is of %s, %d layers. The published figures are those"
                + " the two commands print: ", r.model(), r.layers()));
        s.append(String.join("; ", r.references().stream().map(AcceleratorReport::published).toList()));
        s.append("; ").append(FpgaDevice.XCK26.name()).append(" and TeLLMe's resources as `KernelReport` lists"
                + " them.\n\n");

        s.append(summary(r));
        s.append("## Decode\n\n").append(image(r.figures().get(0)));
        s.append(String.format(Locale.ROOT, "Solid: this design at %.0f MHz and each DDR bandwidth, through the"
                + " measured contexts (the marks; between them the cycles per token are interpolated linearly, as the"
                + " attention term is linear in the context). Dashed: the DDR roofline at the same bandwidth, the"
                + " bandwidth over the bytes a token moves. Dash-dotted: the published decode speeds, one figure"
                + " each, drawn across all contexts.%n%n", head.clock_mhz()));
        s.append("| clock | DDR | context | tokens/s | roofline tokens/s | of roofline | DDR busy | ms / token |"
                + " MB / token |\n|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (AcceleratorBenchmark.DecodeLine d : r.decode()) {
            s.append(String.format(Locale.ROOT, "| %.0f MHz | %.1f GB/s | %,d | %.1f | %.1f | %.1f %% | %.1f %% |"
                    + " %.2f | %.1f |%n", d.clock_mhz(), d.ddr_gbps(), d.context(), d.tokens_per_s(),
                    d.roofline_tokens_per_s(), 100 * d.of_roofline(), 100 * d.ddr_busy(), d.ms_per_token(),
                    d.bytes_per_token() / 1e6));
        }

        s.append("\n## Prefill and time to first token\n\n").append(image(r.figures().get(1)))
                .append(image(r.figures().get(2)));
        s.append(String.format(Locale.ROOT, "Each clock at %.1f GB/s (prefill hardly depends on the bandwidth: see"
                + " DDR busy). One prefill call from position 0; TTFT is that call's time.%n%n", head.ddr_gbps()));
        s.append("| clock | DDR | prompt | tokens/s | TTFT | DDR busy | MB / token |\n"
                + "|---|---|---:|---:|---:|---:|---:|\n");
        for (AcceleratorBenchmark.PrefillLine p : r.prefill()) {
            s.append(String.format(Locale.ROOT, "| %.0f MHz | %.1f GB/s | %d | %.1f | %.3f s | %.1f %% | %.2f |%n",
                    p.clock_mhz(), p.ddr_gbps(), p.tokens(), p.tokens_per_s(), p.ttft_s(), 100 * p.ddr_busy(),
                    p.bytes_per_token() / 1e6));
        }

        KernelReport.Result k = r.kernel();
        s.append("\n## Resources\n\n").append(image(r.figures().get(3)));
        s.append(String.format(Locale.ROOT, "Yosys `synth_xilinx -family xcup`, %s (%.1f min). URAM, block RAM, DSP"
                + " and FF counts are reliable; LUT counts are rough (Yosys maps LUTs less tightly than Vivado, and"
                + " TeLLMe's are Vivado's after implementation).%n%n", k.synthesis() == KernelReport.Synthesis.FLATTENED
                ? "flattened" : "the hierarchy kept", k.synthesisMinutes()));
        s.append("| resource | this design | of the ").append(FpgaDevice.XCK26.name()).append(" | TeLLMe | of the ")
                .append(FpgaDevice.XCK26.name()).append(" | ").append(FpgaDevice.XCK26.name())
                .append(" | budget | verdict |\n|---|---:|---:|---:|---:|---:|---:|---|\n");
        for (int i = 0; i < r.resources().size(); i++) {
            ResourceShare share = r.resources().get(i);
            KernelReport.Line line = k.lines().get(i);
            s.append(String.format(Locale.ROOT, "| %s | %s | %.1f %% | %s | %.1f %% | %,d | %s | %s |%n",
                    share.resource(), count(share.used()), 100 * share.share(), count(share.tellme()),
                    100 * share.tellme_share(), share.capacity(),
                    line.budget() == null ? "none" : String.format(Locale.ROOT, "%,d", line.budget()),
                    line.verdict() == null ? "" : "**" + line.verdict() + "**"));
        }
        if (!k.parts().isEmpty()) {
            s.append("\nPer unit, by LUTs (each instance of `").append(k.top()).append("` with everything under it; `")
                    .append(KernelReport.TOP_PART).append("` is the top's own logic):\n\n");
            s.append("| unit | URAM288 | RAMB36 | DSP48E2 | LUT | FF |\n|---|---:|---:|---:|---:|---:|\n");
            for (KernelReport.Part p : k.parts().stream().sorted(Comparator.comparing(
                    (KernelReport.Part p) -> p.part().equals(KernelReport.TOP_PART))
                    .thenComparing(p -> -p.counts().luts())).toList()) {
                ResourceReport.Counts c = p.counts();
                s.append(String.format(Locale.ROOT, "| %s | %d | %s | %d | %,d | %,d |%n", p.part(), c.uram(),
                        count(c.bramTiles()), c.dsp(), c.luts(), c.flipFlops()));
            }
        }

        s.append("\n## Bytes per decode token\n\n").append(image(r.figures().get(4)));
        s.append(String.format(Locale.ROOT, "At %.0f MHz and %.1f GB/s, split by instruction from the bench's"
                + " breakdown (measured at context %,d): `LINEAR` moves the ternary weights (with a few KB of"
                + " activations and K/V writes), `LM_HEAD` the int8 LM head, `ATTENTION` the KV cache; at the other"
                + " contexts the KV cache grows by what the token's bytes grow. MB of 10^6 bytes.%n%n",
                head.clock_mhz(), head.ddr_gbps(), r.bytes_per_token().getFirst().context()));
        s.append("| context | weights | LM head | KV cache | other | total |\n|---:|---:|---:|---:|---:|---:|\n");
        for (BytesByKind b : r.bytes_per_token()) {
            s.append(String.format(Locale.ROOT, "| %,d | %.1f | %.1f | %.1f | %.2f | %.1f |%n", b.context(),
                    b.weights() / 1e6, b.lm_head() / 1e6, b.kv_cache() / 1e6, b.other() / 1e6, b.total() / 1e6));
        }

        if (!r.targets().isEmpty()) {
            s.append(String.format(Locale.ROOT, "%n## Targets%n%nThe issue's, at %.0f MHz and %.1f GB/s, as the"
                    + " bench checks them:%n%n| figure | projected | target | met |%n|---|---:|---|---|%n",
                    head.clock_mhz(), head.ddr_gbps()));
            for (AcceleratorBenchmark.Target t : r.targets()) {
                s.append(String.format(Locale.ROOT, "| %s | %.3f | %s | %s |%n", t.what(), t.value(), t.target(),
                        t.met() ? "yes" : "no"));
            }
        }
        return s.toString();
    }

    /** The headline figures, in a few lines. */
    private static String summary(Result r) {
        List<AcceleratorBenchmark.DecodeLine> headline = headlineDecode(r.decode());
        AcceleratorBenchmark.DecodeLine first = headline.getFirst();
        AcceleratorBenchmark.DecodeLine last = headline.stream()
                .max(Comparator.comparingInt(AcceleratorBenchmark.DecodeLine::context)).orElseThrow();
        StringBuilder s = new StringBuilder("## In short\n\n");
        s.append(String.format(Locale.ROOT, "- Decode at %.0f MHz and %.1f GB/s: %.1f tokens/s at context %,d (%.0f %%"
                + " of its DDR roofline)", first.clock_mhz(), first.ddr_gbps(), first.tokens_per_s(), first.context(),
                100 * first.of_roofline()));
        if (last != first) {
            s.append(String.format(Locale.ROOT, ", %.1f at context %,d", last.tokens_per_s(), last.context()));
        }
        List<String> decodes = r.references().stream().filter(ref -> ref.decode_tokens_per_s() != null)
                .map(ref -> String.format(Locale.ROOT, "%s %.1f", ref.name(), ref.decode_tokens_per_s())).toList();
        s.append(decodes.isEmpty() ? ".\n" : "; published: " + String.join(", ", decodes) + ".\n");
        r.prefill().stream().filter(p -> p.clock_mhz() == first.clock_mhz() && p.ddr_gbps() == first.ddr_gbps())
                .max(Comparator.comparingInt(AcceleratorBenchmark.PrefillLine::tokens))
                .ifPresent(p -> s.append(String.format(Locale.ROOT, "- Prefill of %d tokens: %.1f tokens/s, TTFT"
                        + " %.3f s.%n", p.tokens(), p.tokens_per_s(), p.ttft_s())));
        s.append("- Resources, share of the ").append(FpgaDevice.XCK26.name()).append(" (TeLLMe's): ");
        s.append(String.join(", ", r.resources().stream().map(x -> String.format(Locale.ROOT, "%s %.0f %% (%.0f %%)",
                x.resource(), 100 * x.share(), 100 * x.tellme_share())).toList()));
        List<String> over = r.resources().stream().filter(x -> x.share() > 1).map(ResourceShare::resource).toList();
        s.append(over.isEmpty() ? "; everything fits the device.\n\n"
                : "; over the device: " + String.join(", ", over) + ".\n\n");
        return s.toString();
    }

    private static String source(String what, Source source) {
        return String.format(Locale.ROOT, "- **%s**: `%s`, %s, read from `%s`%s.%n", what, source.command(),
                source.produced_at(), source.file(), source.detail() == null || source.detail().isEmpty() ? ""
                        : "; " + source.detail());
    }

    private static String image(Figure f) {
        return "![" + f.title() + "](" + f.file() + ")\n\n";
    }

    /** "TeLLMe: decode 25.0 tokens/s, prefill 143.0 tokens/s, TTFT 0.45-0.96 s". */
    static String published(AcceleratorBenchmark.Reference ref) {
        List<String> parts = new ArrayList<>();
        if (ref.decode_tokens_per_s() != null) {
            parts.add(String.format(Locale.ROOT, "decode %.1f tokens/s", ref.decode_tokens_per_s()));
        }
        if (ref.prefill_tokens_per_s() != null) {
            parts.add(String.format(Locale.ROOT, "prefill %.1f tokens/s", ref.prefill_tokens_per_s()));
        }
        if (ref.ttft_s() != null) {
            parts.add("TTFT " + ref.ttft_s() + " s");
        }
        return ref.name() + ": " + String.join(", ", parts);
    }

    /** 44 or 95.5 or 211,387. */
    static String count(double value) {
        return value == Math.rint(value) ? String.format(Locale.ROOT, "%,d", (long) value)
                : String.format(Locale.ROOT, "%,.1f", value);
    }
}
