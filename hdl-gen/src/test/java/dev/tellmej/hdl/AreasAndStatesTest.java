package dev.tellmej.hdl;

import static dev.tellmej.hdl.Hdl.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.hdl.check.AreaOwnershipException;
import dev.tellmej.hdl.check.ElaborationException;
import dev.tellmej.hdl.check.HdlUsageException;
import dev.tellmej.hdl.testing.DesignVerifier;
import dev.tellmej.hdl.testing.IcarusBench;
import dev.tellmej.hdl.testing.TestModule;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Processes as {@link Area}s, enumerated state types ({@link HwEnum}) and simulation-only assertions. */
class AreasAndStatesTest {
    private static final long SEED = 20261201L;

    /** A sequencer's phases. */
    enum Phase { IDLE, LOAD, RUN, DRAIN }

    /** Owns the phase register; {@link #finish} is an event the counter raises. */
    static final class Control extends Area {
        final HwEnum<Phase> phase;
        final Bool finish;

        Control(Bool start) {
            super("control", "IDLE -> LOAD on start, LOAD -> RUN, RUN -> DRAIN when the counter finishes,"
                    + " DRAIN -> IDLE");
            phase = reg("state", enumOf(Phase.class), Phase.IDLE);
            finish = wire("finish", bool());
            switchOn(phase)
                    .is(Phase.IDLE, () -> when(start, () -> phase.set(Phase.LOAD)))
                    .is(Phase.LOAD, () -> phase.set(Phase.RUN))
                    .is(Phase.RUN, () -> when(finish, () -> phase.set(Phase.DRAIN)))
                    .otherwise(() -> phase.set(Phase.IDLE));
        }
    }

    /** Counts the cycles of RUN up to {@code length - 1}. */
    static final class Counter extends Area {
        final UInt count;
        final Bool done;

        Counter(Control control, UInt length) {
            super("counter", "counts the cycles spent in RUN");
            count = reg("cycles", uint(4), 0);
            Bool running = control.phase.is(Phase.RUN).named("running");
            done = running.and(count.eq(length.sub(1))).named("done");
            when(control.phase.is(Phase.LOAD), () -> count.set(0))
                    .elseWhen(running, () -> count.set(count.add(1)));
        }
    }

    static final class Sequencer extends Module {
        final Bool start = in("start", bool());
        final UInt length = in("length", uint(4));
        final Bool busy = out("busy", bool());
        final UInt phase = out("phase", uint(2));
        final UInt count = out("count", uint(4));

        Sequencer() {
            Control control = area(new Control(start));
            Counter counter = area(new Counter(control, length));
            control.finish.set(counter.done);
            busy.set(control.phase.isNot(Phase.IDLE));
            phase.set(control.phase.asUInt());
            count.set(counter.count);
            assertAlways(counter.count.lt(15).or(length.eq(0)), "the count stays below 15");
        }
    }

    @Test
    void processesGetBannersAndStatesGetNames() {
        Design<Sequencer> design = Hdl.elaborate(Sequencer::new);
        String text = design.definitions().get(design.topName());
        assertTrue(text.contains("  // control (AreasAndStatesTest.java:"), text);
        assertTrue(text.contains("  // counter (AreasAndStatesTest.java:"), text);
        assertTrue(text.contains("localparam [1:0] PHASE_IDLE  = 2'd0;"), text);
        assertTrue(text.contains("localparam [1:0] PHASE_DRAIN = 2'd3;"), text);
        assertTrue(text.contains("      PHASE_LOAD: state <= PHASE_RUN;"), text);
        assertTrue(text.contains("state <= PHASE_IDLE;"), text);
        assertTrue(text.contains("state == PHASE_RUN"), text);
        assertFalse(text.lines().filter(line -> !line.contains("localparam")).anyMatch(line -> line.contains("2'd2")),
                "no state appears as a number:\n" + text);
        // Each process's registers have a clocked block of their own, after its banner.
        int controlBanner = text.indexOf("// control (");
        int counterBanner = text.indexOf("// counter (");
        int phaseBlock = text.indexOf("always @(posedge clk)", controlBanner);
        int countBlock = text.indexOf("always @(posedge clk)", counterBanner);
        assertTrue(controlBanner < phaseBlock && phaseBlock < counterBanner && counterBanner < countBlock, text);
        assertTrue(text.indexOf("cycles <=") > counterBanner, text);
        DesignVerifier.verify(design, "areas-sequencer");
        assertEquals(text, Hdl.elaborate(Sequencer::new).definitions().get(design.topName()), "deterministic");
    }

    @Test
    void theSequencerRunsAsItsJavaModelSays() {
        Design<Sequencer> design = Hdl.elaborate(Sequencer::new);
        Random random = new Random(SEED);
        List<Map<String, Long>> stimulus = new ArrayList<>();
        long length = 1 + random.nextInt(6);       // held: a length that changed during RUN could be missed
        for (int i = 0; i < 200; i++) {
            stimulus.add(Map.of("start", random.nextInt(4) == 0 ? 1L : 0L, "length", length));
        }
        List<Map<String, BigInteger>> samples = IcarusBench.run(design, "areas-sequencer-run", stimulus);
        Phase phase = Phase.IDLE;
        int count = 0;
        for (int cycle = 0; cycle < stimulus.size(); cycle++) {
            Map<String, BigInteger> out = samples.get(cycle);
            String where = "cycle " + cycle + " (seed " + SEED + ")";
            assertEquals(phase.ordinal(), out.get("phase").intValue(), where);
            assertEquals(count, out.get("count").intValue(), where);
            assertEquals(phase != Phase.IDLE ? 1 : 0, out.get("busy").intValue(), where);
            boolean done = phase == Phase.RUN && count == length - 1;
            Phase next = switch (phase) {
                case IDLE -> stimulus.get(cycle).get("start") == 1 ? Phase.LOAD : Phase.IDLE;
                case LOAD -> Phase.RUN;
                case RUN -> done ? Phase.DRAIN : Phase.RUN;
                case DRAIN -> Phase.IDLE;
            };
            count = phase == Phase.LOAD ? 0 : phase == Phase.RUN ? (count + 1) & 15 : count;
            phase = next;
        }
    }

    @Test
    void assertionsAreSimulationOnly() {
        Design<Sequencer> design = Hdl.elaborate(Sequencer::new);
        String text = design.definitions().get(design.topName());
        int guard = text.indexOf("`ifndef SYNTHESIS");
        assertTrue(guard > 0, text);
        assertTrue(text.indexOf("$display(\"ASSERTION FAILED in %m: AreasAndStatesTest.java:") > guard, text);
        assertTrue(text.contains("the count stays below 15\");"), text);
        assertTrue(text.indexOf("$stop;") > guard && text.indexOf("`endif") > text.indexOf("$stop;"), text);
    }

    /** A process that writes another process's register. */
    static final class Meddler extends Area {
        Meddler(Counter counter) {
            super("meddler", "clears the counter behind its back");
            when(counter.done, () -> counter.count.set(0));
        }
    }

    @Test
    void onlyTheOwnerAssignsARegister() {
        ElaborationException error = assertThrows(ElaborationException.class, () -> TestModule.elaborate("Top", m -> {
            Bool start = m.input("start", bool());
            UInt count = m.output("count", uint(4));
            Control control = area(new Control(start));
            Counter counter = area(new Counter(control, U(3, 4)));
            control.finish.set(counter.done);
            area(new Meddler(counter));
            count.set(counter.count);
        }));
        assertEquals(1, error.errors().size(), error.getMessage());
        AreaOwnershipException ownership = assertInstanceOf(AreaOwnershipException.class, error.errors().getFirst());
        assertTrue(ownership.getMessage().startsWith("AreasAndStatesTest.java:"), ownership.getMessage());
        assertTrue(ownership.getMessage().contains("register 'cycles' belongs to area 'counter'"), ownership.getMessage());
        assertTrue(ownership.getMessage().contains("made in area 'meddler'"), ownership.getMessage());
        assertTrue(ownership.getMessage().contains("raise an event"), ownership.getMessage());
    }

    @Test
    void anAreaMustBeClosed() {
        HdlUsageException error = assertThrows(HdlUsageException.class, () -> TestModule.elaborate("Top", m -> {
            Bool start = m.input("start", bool());
            Bool busy = m.output("busy", bool());
            Control control = new Control(start);           // never handed to area(...)
            control.finish.set(false);
            busy.set(control.phase.isNot(Phase.IDLE));
        }));
        assertTrue(error.getMessage().contains("area 'control'"), error.getMessage());
        assertTrue(error.getMessage().contains("was never closed: write area(new Control(...))"), error.getMessage());
    }

    @Test
    void enumeratedValuesCompareOnlyWithTheirOwnType() {
        enum Other { A, B, C, D }
        ElaborationException error = assertThrows(ElaborationException.class, () -> TestModule.elaborate("Top", m -> {
            Bool start = m.input("start", bool());
            Bool busy = m.output("busy", bool());
            HwEnum<Other> other = wire("other", enumOf(Other.class));
            HwEnum<Phase> phase = wire("phase", enumOf(Phase.class));
            phase.set(Phase.IDLE);
            assign(other, (Object) phase);                  // same width, another type
            busy.set(start.and(other.is(Other.B)));
        }));
        assertTrue(error.getMessage().contains("Enum Phase(2) to Enum Other(2)"), error.getMessage());
    }
}
