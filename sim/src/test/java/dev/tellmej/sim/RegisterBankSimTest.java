package dev.tellmej.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.tellmej.hdl.ClockDomainConfig;
import dev.tellmej.hdl.Data;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.ElaborationOptions;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.lib.axi.Axi4LiteRegisterBank;
import dev.tellmej.hdl.lib.axi.RegisterMap;
import dev.tellmej.sim.junit.SimFixture;
import dev.tellmej.sim.junit.SimTest;
import java.util.Random;

/**
 * The {@code ap_ctrl_hs} control block of {@link Axi4LiteRegisterBank} as the top of a Verilator model, so the
 * test drives {@code ap_done}, {@code ap_ready} and {@code ap_idle} itself and watches {@code ap_start} and the
 * {@code interrupt} line (a port Verilator renames, which the shim maps back): {@code ctrl} at 0x00, GIE at
 * 0x04, IER at 0x08, ISR at 0x0C, as Vitis and XRT use them.
 */
class RegisterBankSimTest {
    static final RegisterMap MAP = RegisterMap.builder(6).control().readWrite("size", 0x10, 32).build();
    static final Design<Axi4LiteRegisterBank> DESIGN = Hdl.elaborate(
            new ElaborationOptions(ClockDomainConfig.VITIS_KERNEL), () -> new Axi4LiteRegisterBank(MAP));
    static final int CTRL = 0x00, GIE = 0x04, IER = 0x08, ISR = 0x0C;
    static final int START = 1, DONE = 1 << 1, IDLE = 1 << 2, READY = 1 << 3;
    static final int ISR_DONE = 1, ISR_READY = 1 << 1;

    private static Axi4LiteMaster open(SimModel sim) {
        Axi4LiteRegisterBank top = DESIGN.top();
        sim.poke(top.apDone, false);
        sim.poke(top.apReady, false);
        sim.poke(top.apIdle, true);
        sim.reset();
        return new Axi4LiteMaster(sim, top.bus);
    }

    /** Raises {@code pins} for one clock edge. */
    private static void pulse(SimModel sim, Data... pins) {
        for (Data pin : pins) {
            sim.poke(pin, true);
        }
        sim.step();
        for (Data pin : pins) {
            sim.poke(pin, false);
        }
    }

    @SimTest
    void ctrlKeepsItsApCtrlHsBehaviour(SimFixture fixture) {
        SimModel sim = fixture.open(DESIGN);
        Axi4LiteRegisterBank top = DESIGN.top();
        Axi4LiteMaster host = open(sim);
        assertEquals(IDLE, host.read(CTRL), "idle, not started, not done");
        sim.poke(top.apIdle, false);
        assertEquals(0, host.read(CTRL), "ap_idle is live");
        sim.poke(top.apIdle, true);

        host.write(CTRL, START, 0b1110);
        assertEquals(0, sim.peek(top.apStart), "ap_start needs byte lane 0");
        host.write(CTRL, START);
        assertEquals(1, sim.peek(top.apStart));
        assertEquals(IDLE | START, host.read(CTRL), "ap_start reads back until the design is ready");
        sim.poke(top.apIdle, false);
        pulse(sim, top.apReady);
        assertEquals(0, sim.peek(top.apStart), "ap_ready takes the call");
        assertEquals(READY, host.read(CTRL));
        assertEquals(0, host.read(CTRL), "ap_ready clears when read");
        pulse(sim, top.apDone);
        sim.poke(top.apIdle, true);
        assertEquals(IDLE | DONE, host.read(CTRL));
        assertEquals(IDLE, host.read(CTRL), "ap_done clears when read");
        host.write(CTRL, 0);
        assertEquals(IDLE, host.read(CTRL), "writing 0 neither starts nor stops");

        assertEquals(0, host.read(GIE));
        assertEquals(0, host.read(IER));
        assertEquals(0, host.read(ISR), "nothing enabled: the events leave ISR clear");
        assertEquals(0, sim.peek(top.interrupt));
    }

    @SimTest
    void enabledEventsSetIsrAndRaiseTheInterruptUntilTheHostTogglesThemOff(SimFixture fixture) {
        SimModel sim = fixture.open(DESIGN);
        Axi4LiteRegisterBank top = DESIGN.top();
        Axi4LiteMaster host = open(sim);
        host.write(GIE, 0xffff_ffffL);
        host.write(IER, 0xffff_ffffL);
        assertEquals(1, host.read(GIE), "GIE holds bit 0 only");
        assertEquals(ISR_DONE | ISR_READY, host.read(IER), "IER holds bits 0 and 1 only");

        host.write(IER, ISR_DONE);
        pulse(sim, top.apReady);
        assertEquals(0, host.read(ISR), "ap_ready is not enabled in IER");
        assertEquals(0, sim.peek(top.interrupt));
        pulse(sim, top.apDone);
        assertEquals(1, sim.peek(top.interrupt), "the line rises after the edge that saw ap_done");
        assertEquals(ISR_DONE, host.read(ISR));
        assertEquals(DONE | READY | IDLE, host.read(CTRL), "ctrl sees both events whatever IER says");
        assertEquals(ISR_DONE, host.read(ISR), "reading ctrl or ISR does not clear ISR");
        host.write(ISR, ISR_DONE);
        assertEquals(0, host.read(ISR), "writing 1 toggles the set bit off");
        assertEquals(0, sim.peek(top.interrupt));

        host.write(IER, ISR_DONE | ISR_READY);
        pulse(sim, top.apReady);
        assertEquals(ISR_READY, host.read(ISR));
        assertEquals(1, sim.peek(top.interrupt));
        pulse(sim, top.apDone);
        long seen = host.read(ISR);
        assertEquals(ISR_DONE | ISR_READY, seen);
        host.write(ISR, seen);
        assertEquals(0, host.read(ISR), "writing back what was read clears exactly that");
        assertEquals(0, sim.peek(top.interrupt));

        host.write(ISR, ISR_READY);
        assertEquals(ISR_READY, host.read(ISR), "toggle, not clear: writing 1 to a clear bit sets it");
        assertEquals(1, sim.peek(top.interrupt));
        host.write(ISR, 0xffff_fffcL);
        assertEquals(ISR_READY, host.read(ISR), "writing 0 to a bit leaves it");
        host.write(ISR, ISR_READY);
        assertEquals(0, host.read(ISR));
    }

    @SimTest
    void gieMasksTheLineButNotTheStatus(SimFixture fixture) {
        SimModel sim = fixture.open(DESIGN);
        Axi4LiteRegisterBank top = DESIGN.top();
        Axi4LiteMaster host = open(sim);
        host.write(IER, ISR_DONE);
        pulse(sim, top.apDone);
        assertEquals(ISR_DONE, host.read(ISR), "ISR records the event with GIE low");
        assertEquals(0, sim.peek(top.interrupt), "GIE low: no interrupt");
        host.write(GIE, 1);
        assertEquals(1, sim.peek(top.interrupt), "enabling GIE raises the line for the pending event");
        host.write(GIE, 0);
        assertEquals(0, sim.peek(top.interrupt));
        assertEquals(ISR_DONE, host.read(ISR));
        host.write(GIE, 1);
        host.write(ISR, ISR_DONE);
        assertEquals(0, sim.peek(top.interrupt));
    }

    @SimTest
    void onlyByteLaneZeroWritesTheInterruptRegisters(SimFixture fixture) {
        SimModel sim = fixture.open(DESIGN);
        Axi4LiteRegisterBank top = DESIGN.top();
        Axi4LiteMaster host = open(sim);
        host.write(GIE, 1, 0b1110);
        host.write(IER, 3, 0b1110);
        assertEquals(0, host.read(GIE), "lane 0 off: GIE unchanged");
        assertEquals(0, host.read(IER), "lane 0 off: IER unchanged");
        host.write(GIE, 1, 0b0001);
        host.write(IER, 3, 0b0001);
        pulse(sim, top.apDone, top.apReady);
        assertEquals(ISR_DONE | ISR_READY, host.read(ISR));
        host.write(ISR, 3, 0b1110);
        assertEquals(ISR_DONE | ISR_READY, host.read(ISR), "lane 0 off: no toggle");
        host.write(GIE, 0, 0b1110);
        assertEquals(1, sim.peek(top.interrupt), "lane 0 off: GIE stays set");
        host.write(ISR, 3, 0b0001);
        assertEquals(0, host.read(ISR));
        assertEquals(0, sim.peek(top.interrupt));
        host.write(0x10, 0x1234_5678L);
        host.write(0x10, 0xab, 0b0001);
        assertEquals(0x1234_56abL, host.read(0x10), "the argument registers keep their byte lanes");
    }

    @SimTest
    void anEventInTheCycleOfAClearingWriteWinsOverTheToggle(SimFixture fixture) {
        SimModel sim = fixture.open(DESIGN);
        Axi4LiteRegisterBank top = DESIGN.top();
        Axi4LiteMaster host = open(sim);
        host.write(GIE, 1);
        host.write(IER, ISR_DONE);
        sim.poke(top.apDone, true);  // an event in every cycle, so also in the one that applies the write
        sim.step();
        boolean[] dropped = {false};
        CycleListener watch = new CycleListener() {
            @Override
            public void afterEdge(SimModel model, long cycle) {
                dropped[0] |= model.peek(top.interrupt) == 0;
            }
        };
        sim.onCycle(watch);
        host.write(ISR, ISR_DONE);
        sim.removeCycleListener(watch);
        assertFalse(dropped[0], "the interrupt never dropped: the event won at the write's edge");
        assertEquals(ISR_DONE, host.read(ISR));
        sim.poke(top.apDone, false);
        host.write(ISR, ISR_DONE);
        assertEquals(0, host.read(ISR), "without the event the same write clears the bit");
    }

    /** Random accesses and events against a Java model of the control block (the fixture names the seed on failure). */
    @SimTest
    void randomAccessesAndEventsMatchAModelOfTheControlBlock(SimFixture fixture) {
        SimModel sim = fixture.open(DESIGN);
        Axi4LiteRegisterBank top = DESIGN.top();
        Axi4LiteMaster host = open(sim);
        Random random = fixture.random();
        ControlModel model = new ControlModel();
        for (int step = 0; step < 2_000; step++) {
            String what;
            switch (random.nextInt(6)) {
                case 0 -> {
                    boolean done = random.nextBoolean();
                    boolean ready = !done || random.nextBoolean();
                    pulse(sim, done && ready ? new Data[] {top.apDone, top.apReady}
                            : done ? new Data[] {top.apDone} : new Data[] {top.apReady});
                    model.events(done, ready);
                    what = "pulse done " + done + " ready " + ready;
                }
                case 1 -> {
                    model.idle = random.nextBoolean();
                    sim.poke(top.apIdle, model.idle);
                    sim.step(1 + random.nextInt(3));
                    what = "idle " + model.idle;
                }
                case 2, 3 -> {
                    int offset = 4 * random.nextInt(4);
                    long data = random.nextLong() & 0xffff_ffffL;
                    int strobe = random.nextInt(16);
                    host.write(offset, data, strobe);
                    model.write(offset, data, strobe);
                    what = "write 0x" + Long.toHexString(data) + " strobe " + strobe + " to 0x" + offset;
                }
                default -> {
                    int offset = 4 * random.nextInt(4);
                    assertEquals(model.read(offset), host.read(offset), "read 0x" + offset + " at step " + step);
                    what = "read 0x" + offset;
                }
            }
            assertEquals(model.start ? 1 : 0, sim.peek(top.apStart), "ap_start after " + what + " at step " + step);
            assertEquals(model.interrupt() ? 1 : 0, sim.peek(top.interrupt),
                    "interrupt after " + what + " at step " + step);
        }
    }

    /** What the control block holds, as Vitis defines it. */
    private static final class ControlModel {
        boolean start, done, ready, idle = true, gie, ierDone, ierReady, isrDone, isrReady;

        void events(boolean doneEvent, boolean readyEvent) {
            if (doneEvent) {
                done = true;
                isrDone |= ierDone;
            }
            if (readyEvent) {
                ready = true;
                start = false;
                isrReady |= ierReady;
            }
        }

        void write(int offset, long data, int strobe) {
            if ((strobe & 1) == 0) {
                return;
            }
            boolean bit0 = (data & 1) != 0;
            boolean bit1 = (data & 2) != 0;
            switch (offset) {
                case CTRL -> start |= bit0;
                case GIE -> gie = bit0;
                case IER -> {
                    ierDone = bit0;
                    ierReady = bit1;
                }
                default -> {
                    isrDone ^= bit0;
                    isrReady ^= bit1;
                }
            }
        }

        long read(int offset) {
            return switch (offset) {
                case CTRL -> {
                    long value = (start ? START : 0) | (done ? DONE : 0) | (idle ? IDLE : 0) | (ready ? READY : 0);
                    done = false;
                    ready = false;
                    yield value;
                }
                case GIE -> gie ? 1 : 0;
                case IER -> (ierDone ? ISR_DONE : 0) | (ierReady ? ISR_READY : 0);
                default -> (isrDone ? ISR_DONE : 0) | (isrReady ? ISR_READY : 0);
            };
        }

        boolean interrupt() {
            return gie && (isrDone || isrReady);
        }
    }
}
