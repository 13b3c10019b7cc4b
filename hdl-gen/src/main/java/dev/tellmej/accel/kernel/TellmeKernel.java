package dev.tellmej.accel.kernel;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.protocol.AxiMasterPort;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.lib.axi.Axi4;
import dev.tellmej.hdl.lib.axi.Axi4Lite;
import dev.tellmej.hdl.lib.axi.Axi4LiteRegisterBank;
import dev.tellmej.hdl.lib.axi.AxiBurstReader;
import dev.tellmej.hdl.lib.axi.AxiBurstWriter;
import dev.tellmej.hdl.lib.axi.AxiPortShare;
import dev.tellmej.accel.attention.AttentionUnit;
import dev.tellmej.accel.attention.KvCacheWriter;
import dev.tellmej.accel.elementwise.Rope;
import dev.tellmej.accel.elementwise.RopeRunTime;
import dev.tellmej.accel.elementwise.Activation;
import dev.tellmej.accel.elementwise.Dequantizer;
import dev.tellmej.accel.elementwise.Gating;
import dev.tellmej.accel.elementwise.Quantizer;
import dev.tellmej.accel.elementwise.ResidualAdd;
import dev.tellmej.accel.tlmm.TlmmCommandUnit;
import dev.tellmej.accel.tlmm.TlmmEngine;
import dev.tellmej.hdl.lib.ByteGearbox;
import dev.tellmej.hdl.lib.LaneSerial;
import dev.tellmej.accel.lmhead.LmHeadUnit;
import dev.tellmej.accel.elementwise.RmsNormMax;
import dev.tellmej.hdl.lib.fp.InverseOfCount;
import dev.tellmej.accel.protocol.KernelInterface;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The accelerator as one Vitis RTL kernel, {@code tellme} (docs/kernel.md): {@code ap_clk}, {@code ap_rst_n},
 * the {@code s_axi_control} register bank of docs/device.md, the AXI4 masters of {@link KernelInterface} and an
 * {@code interrupt}. A call runs the image's program over its tokens, chunk by chunk, and leaves the call record
 * (and the debug taps) in the I/O region.
 *
 * <p>Every instruction runs: SETUP, BARRIER and END in the sequencer (instruction fetch and decode, the chunk
 * loop, the checks of the call, the image header and the input tokens); EMBED into the on-chip activation
 * buffers; QUANTIZE through RMS-MAX and the quantizer; LINEAR through the TLMM engine, the dequantizer and its
 * epilogue (residual add, gating, RoPE, the KV-cache writes); ATTENTION through the attention unit over the KV
 * cache; LM_HEAD through the LM head unit. Then the debug taps of what ran, the logits and the call record.
 */
public final class TellmeKernel extends Module {
    public final KernelShape shape;
    public final Axi4Lite control;
    /** The master ports, by name ({@code m_axi_w0} ...), in {@link KernelInterface}'s order. */
    public final Map<String, Axi4> ports = new LinkedHashMap<>();
    public final Bool interrupt;

    /**
     * Cycles between two words the gating unit takes, at the fastest: as few physical lanes as take a word of W
     * lanes in that time (one lane for W = 4). A trade of LUTs against prefill cycles: only GATE_UP's last tile's
     * results wait for it (two lanes: some 4 K LUTs more, an estimate).
     */
    static final int GATING_WORD_CYCLES = 4;

    /**
     * Cycles between two words the RoPE unit takes in the second pass of the RoPE and KV-cache epilogues, at the
     * fastest (two physical lanes for W = 4): the pass costs {@code tokens x rows / W} words at this pace.
     */
    static final int ROPE_WORD_CYCLES = 2;

    public static TellmeKernel of(AcceleratorConfig config) {
        return new TellmeKernel(KernelShape.of(config));
    }

    public TellmeKernel(KernelShape shape) {
        this.shape = shape;
        KernelInterface iface = shape.iface();
        baseName(iface.kernelName());
        control = in("s_axi_control", Axi4Lite.slave(KernelInterface.CONTROL_ADDRESS_BITS));
        for (AxiMasterPort p : iface.ports()) {
            ports.put(p.name(), out(p.name(), Axi4.master(shape.axi())));
        }
        interrupt = out("interrupt", bool());

        Axi4LiteRegisterBank bank = instance("control", new Axi4LiteRegisterBank(iface.registerMap()));
        forward(bank.bus, control);
        AxiBurstReader reader = instance("data_reader", new AxiBurstReader(shape.dataBursts()));
        AxiBurstWriter writer = instance("data_writer", new AxiBurstWriter(shape.dataBursts()));
        AttentionUnit attentionUnit = instance("attention", AttentionUnit.of(shape.config()));
        var elementwise = shape.config().elementwise();
        RmsNormMax rms = instance("rms_max", RmsNormMax.runtime(elementwise.sumLanes(), shape.lanes(),
                shape.widestElements(), elementwise.storage()));
        Quantizer quantizer = instance("quantizer", new Quantizer(shape.lanes(), elementwise.storage()));
        InverseOfCount inverse = instance("inverse_of_length", new InverseOfCount());
        LmHeadUnit lmHeadUnit = instance("lm_head", LmHeadUnit.of(shape.config()));
        var tlmm = shape.config().tlmmConfig();
        TlmmEngine engine = instance("tlmm", new TlmmEngine(tlmm));
        TlmmCommandUnit commandUnit = instance("tlmm_command", new TlmmCommandUnit(tlmm));
        ByteGearbox gearbox = instance("activation_gearbox", new ByteGearbox(shape.beatBytes(), tlmm.activationBytes()));
        // The dequantizer keeps a word a cycle: the epilogues that store y take its words as fast as it gives them,
        // and a prefill chunk's results come in bursts (on two physical lanes a 128-token prefill took 3.9 % longer).
        Dequantizer dequantizer = instance("dequantizer", new Dequantizer(shape.lanes(), tlmm.accumulatorBits()));
        // The residual add takes a word a cycle (the epilogue pipelines its reads of dst: a prefill chunk's o and
        // down results drain at the dequantizer's pace). The gating unit is lane-serial, a word every
        // GATING_WORD_CYCLES (its reads of src are pipelined the same way). One gating unit serves both activations
        // (a program's GATE_UPs use one of them; the multiply by u, the rounding and the absmax are shared).
        int gatingLanes = LaneSerial.physicalLanesFor(shape.lanes(), GATING_WORD_CYCLES);
        ResidualAdd residualAdd = instance("residual_add", new ResidualAdd(shape.lanes(), elementwise.storage()));
        Gating gating = instance("gating", new Gating(List.of(Activation.SILU, Activation.RELU2), shape.lanes(),
                gatingLanes, elementwise.storage()));
        int ropeLanes = LaneSerial.physicalLanesFor(shape.lanes(), ROPE_WORD_CYCLES);
        RopeRunTime rope = instance("rope", Rope.runtime(shape.lanes(), ropeLanes, shape.config().limits().headDim(),
                shape.chunkTokens(), elementwise.storage()));
        KvCacheWriter cacheWriter = instance("kv_cache_writer", KvCacheWriter.of(shape.config()));

        // Who uses which port: the data port's reader and writer; the KV cache's writer and the attention unit's K
        // reads on the KV-cache port, its V reads on the first data port (quiet while attention runs), so the
        // score pass of one head and the value pass of the one before each have a port (one port on a build
        // with one); a pass's further ports on the weight ports, idle while attention runs
        // (KernelShape.attentionPort).
        Map<String, List<AxiPortShare.Client>> clients = new LinkedHashMap<>();
        ports.keySet().forEach(name -> clients.put(name, new ArrayList<>()));
        clients.get("m_axi_d0").add(AxiPortShare.reads(reader.axi));
        clients.get("m_axi_d0").add(AxiPortShare.writes(writer.axi));
        for (int l = 0; l < attentionUnit.keyAxi.size(); l++) {
            clients.get(shape.attentionPort(false, l)).add(AxiPortShare.reads(attentionUnit.keyAxi.get(l)));
            clients.get(shape.attentionPort(true, l)).add(AxiPortShare.reads(attentionUnit.valueAxi.get(l)));
        }
        clients.get(shape.kvPort()).add(AxiPortShare.writes(cacheWriter.axi));
        clients.get("m_axi_d0").add(AxiPortShare.reads(lmHeadUnit.scalePort));
        for (int p = 0; p < engine.weightPorts.size(); p++) {
            clients.get("m_axi_w" + p).add(AxiPortShare.reads(engine.weightPorts.get(p)));
        }
        for (int lane = 0; lane < lmHeadUnit.lanePorts.size(); lane++) {
            clients.get("m_axi_w" + lane).add(AxiPortShare.reads(lmHeadUnit.lanePorts.get(lane)));
        }
        clients.forEach((name, users) -> connect(name, ports.get(name), users));

        // Whether some port moved a beat in the last cycle, registered per port before the OR (for timing: a
        // port's ready, through its arbiter's routing, and the OR of every port lay on one path).
        Bool movedLastCycle = FALSE;
        for (Map.Entry<String, Axi4> port : ports.entrySet()) {
            Axi4 axi = port.getValue();
            movedLastCycle = movedLastCycle.or(regNext(port.getKey() + "_moved",
                    axi.rvalid.and(axi.rready).or(axi.wvalid.and(axi.wready)), 0));
        }
        movedLastCycle = movedLastCycle.named("port_moved_last_cycle");
        Bool stalled = wire("stalled", bool());
        CallControl call = area(new CallControl(bank, movedLastCycle, stalled));
        DataReads reads = area(new DataReads(shape, reader, call.start));
        DataWrites writes = area(new DataWrites(shape, writer, call.start));
        ActivationBuffers buffers = area(new ActivationBuffers(shape));
        WordPacker packer = area(new WordPacker(shape, writes));
        QuantizedStore store = area(new QuantizedStore(shape));
        EmbedUnit embed = area(new EmbedUnit(shape, reads, buffers));
        QuantizeExecutor quantize = area(new QuantizeExecutor(shape, rms, quantizer, inverse, reads, buffers, store));
        AttentionExecutor attention = area(new AttentionExecutor(shape, attentionUnit, buffers));
        LmHeadExecutor lmHead = area(new LmHeadExecutor(shape, lmHeadUnit, store, writes, packer));
        LinearExecutor linear = area(new LinearExecutor(shape, engine, commandUnit, gearbox, dequantizer, residualAdd,
                gating, store, buffers, rope, cacheWriter, reads, call.start));
        TapWriter taps = area(new TapWriter(shape, reads, writes, packer, buffers, store));
        RecordWriter.Contents contents = new RecordWriter.Contents(wire("record_status", uint(32)),
                wire("record_error_code", uint(32)), wire("record_error_detail", uint(32)),
                wire("record_position", uint(32)), wire("record_instructions", uint(32)),
                wire("record_argmax", uint(32)), wire("record_cycles", uint(64)),
                wire("record_ddr_busy_cycles", uint(64)), wire("record_stall_cycles", uint(64)),
                wire("record_tapping", bool()), wire("record_tap_records", uint(32)),
                wire("record_tap_used", uint(32)), wire("record_tap_dropped", uint(32)),
                wire("record_address", uint(64)), wire("record_area_address", uint(64)));
        RecordWriter records = area(new RecordWriter(shape, writes, packer, contents));
        Sequencer sequencer = area(new Sequencer(shape, call, reads, writes, embed, quantize, linear,
                attention, lmHead, taps, contents, records));
        stalled.set(sequencer.waitingForData);
        interrupt.set(bank.interrupt);
        assertAlways(taps.pushing.and(records.pushing).not(), "TellmeKernel: one writer at a time offers words to"
                + " the packer");
    }

    /**
     * Connects the master port {@code name} to its users: idle without any; directly when at most one reads and
     * one writes (the halves of AXI4 are independent); through an {@link AxiPortShare} otherwise.
     */
    private static void connect(String name, Axi4 port, List<AxiPortShare.Client> users) {
        List<Axi4> readers = users.stream().filter(c -> c.access() != AxiPortShare.Access.WRITE)
                .map(AxiPortShare.Client::port).toList();
        List<Axi4> writers = users.stream().filter(c -> c.access() != AxiPortShare.Access.READ)
                .map(AxiPortShare.Client::port).toList();
        if (readers.size() > 1 || writers.size() > 1) {
            AxiPortShare.share(name.replace("m_axi_", "") + "_share", port, KernelShape.OUTSTANDING * 2, users);
            return;
        }
        if (readers.isEmpty()) {
            port.tieOffReadChannels();
        } else {
            Axi4.forwardReadChannels(port, readers.getFirst());
        }
        if (writers.isEmpty()) {
            port.tieOffWriteChannels();
        } else {
            Axi4.forwardWriteChannels(port, writers.getFirst());
        }
        for (AxiPortShare.Client c : users) {
            if (c.access() == AxiPortShare.Access.READ) {
                c.port().tieOffWriteChannelsAsSlave();
            } else if (c.access() == AxiPortShare.Access.WRITE) {
                c.port().tieOffReadChannelsAsSlave();
            }
        }
    }
}
