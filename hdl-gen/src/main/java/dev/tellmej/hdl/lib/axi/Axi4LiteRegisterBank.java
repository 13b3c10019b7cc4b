package dev.tellmej.hdl.lib.axi;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.UInt;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An AXI4-Lite slave holding the registers of a {@link RegisterMap}: the control interface of a Vitis RTL
 * kernel. Each READ_WRITE register drives an output port named after it; each READ_ONLY register is an
 * input port the design drives. With the map's control block, word 0x00 is {@code ap_ctrl_hs}: bit 0
 * {@code ap_start} (written 1 by the host, cleared when the design raises {@code ap_ready}), bit 1
 * {@code ap_done} (set by the design's {@code ap_done} pulse, cleared when the host reads the word),
 * bit 2 {@code ap_idle} (live), bit 3 {@code ap_ready} (set by the pulse, cleared on read).
 *
 * <p>The control block also holds the interrupt registers as Vitis and XRT expect them: 0x04 GIE (bit 0, the
 * global enable), 0x08 IER (bit 0 {@code ap_done}, bit 1 {@code ap_ready}: which events set ISR) and 0x0C ISR
 * (the same bits; an enabled event's pulse sets its bit, and writing 1 to a bit toggles it, so a host clears
 * what it saw by writing back the value it read). An event wins over a toggle in the same cycle, so no event
 * is lost to a clearing write. The output {@code interrupt} is GIE and any ISR bit (an AND-OR of registers,
 * so it changes only after a clock edge); GIE masks the line, never ISR. All four registers reset to 0 and ignore
 * the other bits of a write; only byte lane 0 holds bits.
 *
 * <p>One write and one read are in flight at a time: a write completes two cycles after its address and
 * data have both arrived (response OKAY), a read returns one cycle after its address. Unmapped words read
 * as 0 and ignore writes. Byte strobes apply. Cost: the registers, one address and one data holding
 * register per direction, and the read multiplexer. Named {@code Axi4LiteRegisterBank_a<addressWidth>}.
 */
public final class Axi4LiteRegisterBank extends Module {
    /** The AXI4-Lite slave port. */
    public final Axi4Lite bus;
    /** {@code ap_start}, {@code ap_done}, {@code ap_idle}, {@code ap_ready}; null without a control block. */
    public final Bool apStart;
    public final Bool apDone;
    public final Bool apIdle;
    public final Bool apReady;
    /**
     * The kernel's interrupt request, active high: GIE bit 0 and any ISR bit. Named {@code interrupt}, as Vitis
     * requires of the kernel's port, so that a kernel forwards it under the same name; null without a control
     * block.
     */
    public final Bool interrupt;
    private final Map<String, UInt> registerPorts = new LinkedHashMap<>();

    /** A bank named {@code s_axi_control} on the bus side. */
    public Axi4LiteRegisterBank(RegisterMap map) {
        this("s_axi_control", map);
    }

    /** A bank whose AXI4-Lite port is named {@code busName}. */
    public Axi4LiteRegisterBank(String busName, RegisterMap map) {
        param("a", map.addressWidth());
        int addressWidth = map.addressWidth();
        bus = in(busName, Axi4Lite.slave(addressWidth));
        if (map.control()) {
            apStart = out("ap_start", bool());
            apDone = in("ap_done", bool());
            apIdle = in("ap_idle", bool());
            apReady = in("ap_ready", bool());
            interrupt = out("interrupt", bool());
        } else {
            apStart = apDone = apIdle = apReady = interrupt = null;
        }
        for (RegisterMap.Register r : map.registers()) {
            registerPorts.put(r.name(), r.access() == RegisterMap.Access.READ_WRITE
                    ? out(r.name(), uint(r.width())) : in(r.name(), uint(r.width())));
        }

        // ---- write: hold address and data until both are here, then write and respond ----
        Bool awHeld = reg("aw_held", bool(), 0);
        UInt awAddr = reg("aw_addr", uint(addressWidth));
        Bool wHeld = reg("w_held", bool(), 0);
        Bits wData = reg("w_data", bits(Axi4Lite.DATA_WIDTH));
        Bits wStrb = reg("w_strb", bits(Axi4Lite.DATA_WIDTH / 8));
        Bool bValid = reg("b_valid", bool(), 0);
        bus.awready.set(awHeld.not().and(bValid.not()));
        bus.wready.set(wHeld.not().and(bValid.not()));
        when(bus.awvalid.and(bus.awready), () -> {
            awHeld.set(true);
            awAddr.set(bus.awaddr);
        });
        when(bus.wvalid.and(bus.wready), () -> {
            wHeld.set(true);
            wData.set(bus.wdata);
            wStrb.set(bus.wstrb);
        });
        Bool write = awHeld.and(wHeld).and(bValid.not()).named("write_now");
        when(write, () -> {
            bValid.set(true);
            awHeld.set(false);
            wHeld.set(false);
        });
        when(bus.bvalid.and(bus.bready), () -> bValid.set(false));
        bus.bvalid.set(bValid);
        bus.bresp.set(B(0, 2));
        UInt writeWord = awAddr.slice(addressWidth - 1, 2).named("write_word");

        // ---- read: register the addressed word ----
        Bool rValid = reg("r_valid", bool(), 0);
        Bits rData = reg("r_data", bits(Axi4Lite.DATA_WIDTH));
        bus.arready.set(rValid.not());
        Bool readAccepted = bus.arvalid.and(bus.arready).named("read_accepted");
        UInt readWord = bus.araddr.slice(addressWidth - 1, 2).named("read_word");
        Bits readValue = wire("read_value", bits(Axi4Lite.DATA_WIDTH));
        readValue.set(B(0, Axi4Lite.DATA_WIDTH));
        when(readAccepted, () -> {
            rValid.set(true);
            rData.set(readValue);
        });
        when(bus.rvalid.and(bus.rready), () -> rValid.set(false));
        bus.rvalid.set(rValid);
        bus.rdata.set(rData);
        bus.rresp.set(B(0, 2));

        if (map.control()) {
            Bool start = reg("ap_start_q", bool(), 0);
            Bool done = reg("ap_done_q", bool(), 0);
            Bool readyFlag = reg("ap_ready_q", bool(), 0);
            Bool controlRead = readAccepted.and(readWord.eq(0)).named("control_read");
            when(apReady, () -> start.set(false));
            when(write.and(writeWord.eq(0)).and(wStrb.bit(0)).and(wData.bit(0)), () -> start.set(true));
            when(controlRead, () -> {
                done.set(false);
                readyFlag.set(false);
            });
            when(apDone, () -> done.set(true));
            when(apReady, () -> readyFlag.set(true));
            apStart.set(start);
            when(readWord.eq(0), () -> readValue.set(cat(B(0, 28), readyFlag, apIdle, done, start)));
            interruptRegisters(write, writeWord, wData, wStrb, readWord, readValue);
        }

        for (RegisterMap.Register r : map.registers()) {
            UInt port = registerPorts.get(r.name());
            UInt value = port;
            if (r.access() == RegisterMap.Access.READ_WRITE) {
                value = reg(r.name() + "_q", uint(r.width()), 0);
                port.set(value);
                for (int word = 0; word < r.words(); word++) {
                    writeWord(value, word, r.offset() / 4 + word, write, writeWord, wData, wStrb);
                }
            }
            for (int word = 0; word < r.words(); word++) {
                int lo = 32 * word;
                int hi = Math.min(r.width(), lo + 32) - 1;
                Bits bitsOfWord = value.slice(hi, lo).asBits();
                Bits padded = hi - lo + 1 == 32 ? bitsOfWord : bitsOfWord.zext(32);
                when(readWord.eq(r.offset() / 4 + word), () -> readValue.set(padded));
            }
        }
    }

    /** GIE, IER and ISR at words 1 to 3 of the control block, and the {@code interrupt} line they drive. */
    private void interruptRegisters(Bool write, UInt writeWord, Bits wData, Bits wStrb, UInt readWord,
            Bits readValue) {
        Bool gie = reg("gie_q", bool(), 0);
        Bool ierDone = reg("ier_done_q", bool(), 0);
        Bool ierReady = reg("ier_ready_q", bool(), 0);
        Bool isrDone = reg("isr_done_q", bool(), 0);
        Bool isrReady = reg("isr_ready_q", bool(), 0);
        Bool lane0 = write.and(wStrb.bit(0)).named("write_lane0");
        when(lane0.and(writeWord.eq(1)), () -> gie.set(wData.bit(0)));
        when(lane0.and(writeWord.eq(2)), () -> {
            ierDone.set(wData.bit(0));
            ierReady.set(wData.bit(1));
        });
        when(lane0.and(writeWord.eq(3)), () -> {
            isrDone.set(isrDone.xor(wData.bit(0)));
            isrReady.set(isrReady.xor(wData.bit(1)));
        });
        // After the toggle, so that an event in the cycle of a clearing write still leaves its bit set.
        when(ierDone.and(apDone), () -> isrDone.set(true));
        when(ierReady.and(apReady), () -> isrReady.set(true));
        interrupt.set(gie.and(isrDone.or(isrReady)));
        when(readWord.eq(1), () -> readValue.set(cat(B(0, 31), gie)));
        when(readWord.eq(2), () -> readValue.set(cat(B(0, 30), ierReady, ierDone)));
        when(readWord.eq(3), () -> readValue.set(cat(B(0, 30), isrReady, isrDone)));
    }

    /** Byte lanes of word {@code word} of {@code value}, written when the write hits {@code index}. */
    private static void writeWord(UInt value, int word, int index, Bool write, UInt writeWord, Bits wData, Bits wStrb) {
        Bool hit = write.and(writeWord.eq(index));
        for (int lane = 0; lane < 4; lane++) {
            int lo = 32 * word + 8 * lane;
            if (lo >= value.width()) {
                break;
            }
            int hi = Math.min(value.width(), lo + 8) - 1;
            int laneLo = 8 * lane;
            int laneHi = laneLo + (hi - lo);
            when(hit.and(wStrb.bit(lane)), () -> value.slice(hi, lo).set(wData.slice(laneHi, laneLo).asUInt()));
        }
    }

    /** The port of register {@code name}: an output for READ_WRITE registers, an input for READ_ONLY ones. */
    public UInt register(String name) {
        UInt port = registerPorts.get(name);
        if (port == null) {
            throw new IllegalArgumentException("no register named " + name + "; the map has " + registerPorts.keySet());
        }
        return port;
    }
}
