package dev.tellmej.sim.designs;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Data;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.RamStyle;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.ir.SignalRole;
import dev.tellmej.hdl.lib.Stream;
import dev.tellmej.hdl.lib.axi.Axi4;
import dev.tellmej.hdl.lib.axi.Axi4Config;
import dev.tellmej.hdl.lib.axi.Axi4Lite;
import dev.tellmej.hdl.lib.axi.Axi4LiteRegisterBank;
import dev.tellmej.hdl.lib.axi.AxiAddress;
import dev.tellmej.hdl.lib.axi.RegisterMap;
import java.util.List;

/**
 * A small DMA as a Vitis-style RTL kernel: copies {@code length} bytes from {@code src} to {@code dst}
 * with INCR bursts of {@code burstBeats} full-width beats, several bursts in flight both ways. The host
 * programs it through {@code s_axi_control} (ap_ctrl_hs at 0x00, src at 0x10, dst at 0x18, length at
 * 0x20) and it moves data through {@code m_axi_gmem}. {@code length} must be a multiple of the burst
 * size and the addresses aligned to it (then no burst crosses a 4 KB boundary).
 *
 * <p>Read data waits in a FIFO of {@code fifoDepth} beats; a read burst is issued only when the FIFO has
 * room for all data in flight, so the read channel never stalls. Write bursts are limited to
 * {@code maxWrites} without response.
 */
public final class AxiCopyKernel extends Module {
    public static final RegisterMap REGISTERS = RegisterMap.builder(6).control()
            .readWrite("src", 0x10, 64).readWrite("dst", 0x18, 64).readWrite("length", 0x20, 32).build();

    public final Axi4Lite control;
    public final Axi4 gmem;
    public final Axi4LiteRegisterBank bank;

    public AxiCopyKernel(int dataWidth, int burstBeats, int fifoDepth, int maxWrites) {
        param("w", dataWidth);
        param("b", burstBeats);
        param("f", fifoDepth);
        Axi4Config config = Axi4Config.of(dataWidth);
        control = in("s_axi_control", Axi4Lite.slave(REGISTERS.addressWidth()));
        gmem = out("m_axi_gmem", Axi4.master(config));
        bank = instance("bank", new Axi4LiteRegisterBank("s_axi_control", REGISTERS));
        connect(control, bank.bus);

        int burstBytes = config.dataBytes() * burstBeats;
        int burstShift = Integer.numberOfTrailingZeros(burstBytes);
        UInt src = bank.register("src");
        UInt dst = bank.register("dst");
        UInt length = bank.register("length");

        Bool busy = reg("busy", bool(), 0);
        UInt total = reg("total", uint(32), 0);
        UInt arCount = reg("ar_count", uint(32), 0);
        UInt awCount = reg("aw_count", uint(32), 0);
        UInt bCount = reg("b_count", uint(32), 0);
        UInt wBursts = reg("w_bursts", uint(32), 0);
        UInt wBeat = reg("w_beat", uint(log2Up(burstBeats)), 0);
        UInt arAddr = reg("ar_addr", uint(64), 0);
        UInt awAddr = reg("aw_addr", uint(64), 0);
        UInt reserved = reg("reserved", uint(bitsFor(fifoDepth)), 0);

        Bool start = bank.apStart.and(busy.not()).named("start");
        Bool finishing = busy.and(bCount.eq(total)).named("finishing");
        bank.apReady.set(start);
        bank.apDone.set(finishing);
        bank.apIdle.set(busy.not());
        when(start, () -> {
            busy.set(true);
            total.set(length.shr(burstShift).resize(32));
            arCount.set(0);
            awCount.set(0);
            bCount.set(0);
            wBursts.set(0);
            arAddr.set(src);
            awAddr.set(dst);
        });
        when(finishing, () -> busy.set(false));

        // Read bursts, while the FIFO has room for everything in flight.
        Stream<AxiAddress> ar = gmem.ar();
        ar.valid.set(busy.and(arCount.ne(total)).and(reserved.le(fifoDepth - burstBeats)));
        ar.payload.addr.set(arAddr);
        ar.payload.len.set(U(burstBeats - 1, 8));
        ar.payload.size.set(U(config.fullSize(), 3));
        ar.payload.burst.set(B(AxiAddress.BURST_INCR, 2));
        when(ar.fire(), () -> {
            arCount.set(arCount.add(1));
            arAddr.set(arAddr.add(burstBytes));
        });

        Stream<Bits> readData = new Stream<>(gmem.rvalid, gmem.rready, gmem.rdata);
        Stream<Bits> buffered = readData.queue("buffer", fifoDepth, RamStyle.DISTRIBUTED).stream();

        // Write bursts: the address may run ahead of the data by maxWrites bursts without response.
        gmem.awvalid.set(busy.and(awCount.ne(total)).and(awCount.sub(bCount).lt(maxWrites)));
        gmem.awaddr.set(awAddr);
        gmem.awlen.set(U(burstBeats - 1, 8));
        gmem.awsize.set(U(config.fullSize(), 3));
        gmem.awburst.set(B(AxiAddress.BURST_INCR, 2));
        when(gmem.aw().fire(), () -> {
            awCount.set(awCount.add(1));
            awAddr.set(awAddr.add(burstBytes));
        });

        Bool addressed = wBursts.ne(awCount).named("w_addressed");
        gmem.wvalid.set(buffered.valid.and(addressed));
        buffered.ready.set(gmem.wready.and(addressed));
        gmem.wdata.set(buffered.payload);
        gmem.wstrb.set(B((1L << config.dataBytes()) - 1, config.dataBytes()));
        Bool lastBeat = wBeat.eq(burstBeats - 1).named("last_beat");
        gmem.wlast.set(lastBeat);
        Bool wFire = gmem.w().fire().named("w_fire");
        when(wFire, () -> {
            wBeat.set(wBeat.add(1));
            when(lastBeat, () -> wBursts.set(wBursts.add(1)));
        });
        UInt added = mux(ar.fire(), U(burstBeats, reserved.width()), U(0, reserved.width()));
        UInt removed = mux(wFire, U(1, reserved.width()), U(0, reserved.width()));
        reserved.set(reserved.add(added).sub(removed));

        gmem.bready.set(true);
        when(gmem.b().fire(), () -> bCount.set(bCount.add(1)));
    }

    /** Wires the top's slave port to the bank's: requests in, responses out. */
    private static void connect(Axi4Lite outer, Axi4Lite inner) {
        List<Data> from = leaves(outer);
        List<Data> to = leaves(inner);
        for (int i = 0; i < from.size(); i++) {
            if (from.get(i).signal().role() == SignalRole.INPUT) {
                assign(to.get(i), from.get(i));
            } else {
                assign(from.get(i), to.get(i));
            }
        }
    }
}
