package dev.tellmej.accel;

import dev.tellmej.accel.attention.AttentionScores;
import dev.tellmej.accel.attention.AttentionSoftmax;
import dev.tellmej.accel.attention.AttentionValues;
import dev.tellmej.accel.attention.DecodeAttention;
import dev.tellmej.accel.attention.KvCacheWriter;
import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.tlmm.TlmmEngine;
import dev.tellmej.hdl.DesignEntry;
import dev.tellmej.hdl.ElaborationOptions;
import dev.tellmej.hdl.Module;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The accelerator's blocks that {@code tellme rtl} can emit, each with its named configurations. */
public final class AcceleratorDesigns {
    private AcceleratorDesigns() {}

    public static List<DesignEntry> entries() {
        Map<String, Supplier<? extends Module>> tlmm = new LinkedHashMap<>();
        AcceleratorConfig.named().forEach((name, config) -> tlmm.put(name, () -> new TlmmEngine(config.tlmmConfig())));
        List<DesignEntry> entries = new java.util.ArrayList<>();
        entries.add(new DesignEntry("tlmm", "table-lookup ternary matmul engine: TLMM array, URAM weight buffer,"
                + " AXI4 weight streamer (docs/tlmm.md)", tlmm, ElaborationOptions.DEFAULT));
        entries.addAll(dev.tellmej.accel.elementwise.ElementwiseDesigns.entries());
        Map<String, Supplier<? extends Module>> decode = new LinkedHashMap<>();
        AcceleratorConfig.named().forEach((name, config) -> decode.put(name, () -> DecodeAttention.of(config)));
        entries.add(new DesignEntry("decode-attention", "decode attention of one query head over streamed K and V"
                + " rows: scores, softmax and value passes joined by a context-deep score buffer"
                + " (docs/attention.md)", decode, ElaborationOptions.DEFAULT));
        Map<String, Supplier<? extends Module>> scores = new LinkedHashMap<>();
        AcceleratorConfig.named().forEach((name, config) -> scores.put(name, () -> AttentionScores.of(config)));
        entries.add(new DesignEntry("attention-scores", "decode attention's first pass: the scores of a query against"
                + " the cached keys in N5's lane order, and their maximum (docs/attention.md)", scores,
                ElaborationOptions.DEFAULT));
        Map<String, Supplier<? extends Module>> softmax = new LinkedHashMap<>();
        AcceleratorConfig.named().forEach((name, config) -> softmax.put(name, () -> AttentionSoftmax.of(config)));
        entries.add(new DesignEntry("attention-softmax", "decode attention's second pass: exp(s_t - M) and the"
                + " reciprocal of their lane-ordered sum (docs/attention.md)", softmax, ElaborationOptions.DEFAULT));
        Map<String, Supplier<? extends Module>> valuePass = new LinkedHashMap<>();
        AcceleratorConfig.named().forEach((name, config) -> valuePass.put(name, () -> AttentionValues.of(config)));
        entries.add(new DesignEntry("attention-values", "decode attention's third pass: the weighted value sums in"
                + " lane order, normalized and rounded to storage (docs/attention.md)", valuePass,
                ElaborationOptions.DEFAULT));
        Map<String, Supplier<? extends Module>> kvWriter = new LinkedHashMap<>();
        AcceleratorConfig.named().forEach((name, config) -> kvWriter.put(name, () -> KvCacheWriter.of(config)));
        entries.add(new DesignEntry("kv-cache-writer", "writes a token's K or V rows into the DDR KV cache at the"
                + " protocol's layout, one AXI4 burst per KV head (docs/attention.md)", kvWriter,
                ElaborationOptions.DEFAULT));
        return entries;
    }
}
