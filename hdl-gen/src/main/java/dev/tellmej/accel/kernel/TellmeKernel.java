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
 * <p><b>Built so far</b>: the call's control and status registers, the checks of the call, the image header and
 * the input tokens, the sequencer (instruction fetch and decode, SETUP, BARRIER, END, the chunk loop), EMBED into
 * the on-chip activation buffers, the debug taps of what runs, and the call record. An instruction whose unit is
 * not wired in yet (QUANTIZE, LINEAR, ATTENTION, LM_HEAD) ends the call with UNKNOWN_OPCODE, naming it; the
 * weight ports and the KV-cache port stay idle.
 */
public final class TellmeKernel extends Module {
    public final KernelShape shape;
    public final Axi4Lite control;
    /** The master ports, by name ({@code m_axi_w0} ...), in {@link KernelInterface}'s order. */
    public final Map<String, Axi4> ports = new LinkedHashMap<>();
    public final Bool interrupt;

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
        Axi4 data = ports.get("m_axi_d0");
        joinReadAndWrite(data, reader.axi, writer.axi);
        List<Axi4> idle = new ArrayList<>();
        for (Map.Entry<String, Axi4> e : ports.entrySet()) {
            if (!e.getKey().equals("m_axi_d0")) {
                e.getValue().tieOffReadChannels();
                e.getValue().tieOffWriteChannels();
                idle.add(e.getValue());
            }
        }

        Bool moving = data.rvalid.and(data.rready).or(data.wvalid.and(data.wready)).named("port_moving");
        Bool stalled = wire("stalled", bool());
        CallControl call = area(new CallControl(bank, moving, stalled));
        DataReads reads = area(new DataReads(shape, reader, call.start));
        DataWrites writes = area(new DataWrites(shape, writer, call.start));
        ActivationBuffers buffers = area(new ActivationBuffers(shape));
        WordPacker packer = area(new WordPacker(shape, writes));
        EmbedUnit embed = area(new EmbedUnit(shape, reads, buffers));
        TapWriter taps = area(new TapWriter(shape, writes, packer, buffers));
        RecordWriter.Contents contents = new RecordWriter.Contents(wire("record_status", uint(32)),
                wire("record_error_code", uint(32)), wire("record_error_detail", uint(32)),
                wire("record_position", uint(32)), wire("record_instructions", uint(32)),
                wire("record_argmax", uint(32)), wire("record_cycles", uint(64)),
                wire("record_ddr_busy_cycles", uint(64)), wire("record_stall_cycles", uint(64)),
                wire("record_tapping", bool()), wire("record_tap_records", uint(32)),
                wire("record_tap_used", uint(32)), wire("record_tap_dropped", uint(32)),
                wire("record_address", uint(64)), wire("record_area_address", uint(64)));
        RecordWriter records = area(new RecordWriter(shape, writes, packer, contents));
        Sequencer sequencer = area(new Sequencer(shape, call, reads, writes, embed, taps, contents, records));
        stalled.set(sequencer.waitingForData);
        interrupt.set(false);
        assertAlways(taps.pushing.and(records.pushing).not(), "TellmeKernel: one writer at a time offers words to"
                + " the packer");
    }

    /** Drives {@code port}'s read channels from {@code reader} and its write channels from {@code writer}. */
    private static void joinReadAndWrite(Axi4 port, Axi4 reader, Axi4 writer) {
        port.arvalid.set(reader.arvalid);
        reader.arready.set(port.arready);
        port.araddr.set(reader.araddr);
        port.arlen.set(reader.arlen);
        port.arsize.set(reader.arsize);
        port.arburst.set(reader.arburst);
        reader.rvalid.set(port.rvalid);
        port.rready.set(reader.rready);
        reader.rdata.set(port.rdata);
        reader.rresp.set(port.rresp);
        reader.rlast.set(port.rlast);
        port.awvalid.set(writer.awvalid);
        writer.awready.set(port.awready);
        port.awaddr.set(writer.awaddr);
        port.awlen.set(writer.awlen);
        port.awsize.set(writer.awsize);
        port.awburst.set(writer.awburst);
        port.wvalid.set(writer.wvalid);
        writer.wready.set(port.wready);
        port.wdata.set(writer.wdata);
        port.wstrb.set(writer.wstrb);
        port.wlast.set(writer.wlast);
        writer.bvalid.set(port.bvalid);
        port.bready.set(writer.bready);
        writer.bresp.set(port.bresp);
        // The reader's write side and the writer's read side are tied off inside them.
        reader.awready.set(false);
        reader.wready.set(false);
        reader.bvalid.set(false);
        reader.bresp.set(0);
        writer.arready.set(false);
        writer.rvalid.set(false);
        writer.rdata.set(0);
        writer.rresp.set(0);
        writer.rlast.set(false);
    }
}
