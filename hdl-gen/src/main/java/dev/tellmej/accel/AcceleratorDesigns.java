package dev.tellmej.accel;

import dev.tellmej.accel.attention.AttentionUnit;
import dev.tellmej.accel.attention.KvCacheWriter;
import dev.tellmej.accel.lmhead.LmHeadUnit;
import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.kernel.TellmeKernel;
import dev.tellmej.accel.tlmm.TlmmEngine;
import dev.tellmej.hdl.ClockDomainConfig;
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
        Map<String, Supplier<? extends Module>> attention = new LinkedHashMap<>();
        AcceleratorConfig.named().forEach((name, config) -> attention.put(name, () -> AttentionUnit.of(config)));
        entries.add(new DesignEntry("attention", "attention over the DDR KV cache for one KV head: a GQA group's"
                + " heads and a prefill block's tokens share each K and V row, read once; scores, softmax and"
                + " values bit for bit as N15 (docs/attention.md)", attention, ElaborationOptions.DEFAULT));
        Map<String, Supplier<? extends Module>> kvWriter = new LinkedHashMap<>();
        AcceleratorConfig.named().forEach((name, config) -> kvWriter.put(name, () -> KvCacheWriter.of(config)));
        entries.add(new DesignEntry("kv-cache-writer", "writes a token's K or V rows into the DDR KV cache at the"
                + " protocol's layout, one AXI4 burst per KV head (docs/attention.md)", kvWriter,
                ElaborationOptions.DEFAULT));
        Map<String, Supplier<? extends Module>> lmHead = new LinkedHashMap<>();
        AcceleratorConfig.named().forEach((name, config) -> lmHead.put(name, () -> LmHeadUnit.of(config)));
        entries.add(new DesignEntry("lm-head", "the int8 LM head of one token (N16): rows streamed over one port per"
                + " lane, fp32 logits in row order and their argmax (docs/lm-head.md)", lmHead,
                ElaborationOptions.DEFAULT));
        Map<String, Supplier<? extends Module>> kernel = new LinkedHashMap<>();
        AcceleratorConfig.named().forEach((name, config) -> kernel.put(name, () -> TellmeKernel.of(config)));
        entries.add(new DesignEntry("accelerator", "the whole Vitis RTL kernel 'tellme': s_axi_control, the"
                + " sequencer running the image's program, the datapath, attention and LM head (docs/kernel.md)",
                kernel, new ElaborationOptions(ClockDomainConfig.VITIS_KERNEL)));
        return entries;
    }
}
