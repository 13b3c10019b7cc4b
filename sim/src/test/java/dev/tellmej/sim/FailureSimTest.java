package dev.tellmej.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.sim.designs.AssertingCounter;
import dev.tellmej.sim.designs.FailingDesign;
import dev.tellmej.sim.designs.GlitchySource;
import dev.tellmej.sim.junit.SimFixture;
import dev.tellmej.sim.junit.SimTest;
import java.nio.file.Path;
import java.util.Random;

/** $fatal, $stop, failed assertions and broken handshakes become Java exceptions; the JVM lives on. */
class FailureSimTest {
    private static final Design<FailingDesign> DESIGN = Hdl.elaborate(() -> new FailingDesign(
            FailingDesign.writeChecker(Path.of("target", "test-designs", "fatal_checker.v"))));

    private static SimModel started(SimFixture fixture) {
        SimModel sim = fixture.open(DESIGN);
        sim.reset();
        sim.poke(DESIGN.top().value, 0x12);
        sim.step(3);
        assertEquals(0x12, sim.peek(DESIGN.top().echo));
        return sim;
    }

    @SimTest
    void fatalBecomesAnExceptionWithFileLineAndMessage(SimFixture fixture) {
        SimModel sim = started(fixture);
        long before = sim.cycle();
        sim.poke(DESIGN.top().value, 0xAA);
        SimStopException stop = assertThrows(SimStopException.class, () -> sim.step(5));
        assertEquals(SimStopException.Kind.STOP, stop.kind());
        assertTrue(stop.file().endsWith("fatal_checker.v"), stop.file());
        assertEquals(FailingDesign.FATAL_LINE, stop.line());
        assertTrue(stop.designMessage().contains("magic value aa seen"), stop.getMessage());
        assertEquals(before, stop.cycle(), "it stopped at the first edge that saw 0xAA");
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> sim.step(1));
        assertTrue(refused.getMessage().contains("failed earlier"), refused.getMessage());

        SimModel again = started(fixture);  // the JVM and the library are fine; a new model runs
        again.step(10);
        assertEquals(0x12, again.peek(DESIGN.top().echo));
    }

    @SimTest
    void stopAndFailedAssertionsBecomeExceptions(SimFixture fixture) {
        SimModel stopped = started(fixture);
        stopped.poke(DESIGN.top().value, 0xBB);
        SimStopException stop = assertThrows(SimStopException.class, stopped::step);
        assertEquals(FailingDesign.STOP_LINE, stop.line());

        SimModel asserted = started(fixture);
        asserted.poke(DESIGN.top().value, 0x55);
        SimStopException assertion = assertThrows(SimStopException.class, asserted::step);
        assertEquals(FailingDesign.ASSERT_LINE, assertion.line());
        assertTrue(assertion.designMessage().contains("value must never be 55"), assertion.getMessage());
    }

    @SimTest
    void aFailedAssertAlwaysNamesItsJavaLineAndMeaning(SimFixture fixture) {
        Design<AssertingCounter> design = Hdl.elaborate(() -> new AssertingCounter(5));
        SimModel sim = fixture.open(design);
        sim.poke(design.top().enable, 1);
        sim.reset();                        // the check is off while reset holds the count at 0
        sim.step(4);
        assertEquals(4, sim.peek(design.top().count));
        SimStopException stop = assertThrows(SimStopException.class, () -> sim.step(10));
        assertEquals(SimStopException.Kind.STOP, stop.kind());
        assertTrue(stop.designMessage().startsWith("ASSERTION FAILED in "), stop.getMessage());
        assertTrue(stop.designMessage().contains("AssertingCounter.java:" + AssertingCounter.ASSERTION_LINE
                + ": the count never reaches 5"), stop.getMessage());

        SimModel held = fixture.open(design);
        held.poke(design.top().enable, 0);
        held.reset();
        held.step(20);                      // never counts, never fails
        assertEquals(0, held.peek(design.top().count));
    }

    @SimTest
    void finishEndsTheRun(SimFixture fixture) {
        SimModel sim = started(fixture);
        sim.poke(DESIGN.top().value, 0xFF);
        sim.step(10);
        assertTrue(sim.finished());
        IllegalStateException refused = assertThrows(IllegalStateException.class, sim::step);
        assertTrue(refused.getMessage().contains("$finish"), refused.getMessage());
    }

    @SimTest
    void aDroppedValidFailsTheRunNamingPortAndCycle(SimFixture fixture) {
        Design<GlitchySource> design = Hdl.elaborate(GlitchySource::new);
        SimModel sim = fixture.open(design);
        sim.poke(design.top().mode, 0);
        sim.reset();
        new StreamMonitor(sim, design.top().out, new Random(1), 0.01);
        ProtocolViolationException violation = assertThrows(ProtocolViolationException.class, () -> sim.step(100));
        assertTrue(violation.getMessage().contains("valid dropped before ready"), violation.getMessage());
        assertTrue(violation.getMessage().contains("out_valid"), violation.getMessage());
        assertTrue(violation.getMessage().contains("cycle " + violation.cycle()), violation.getMessage());
    }

    @SimTest
    void aPayloadChangedWhileStalledFailsTheRun(SimFixture fixture) {
        Design<GlitchySource> design = Hdl.elaborate(GlitchySource::new);
        SimModel sim = fixture.open(design);
        sim.poke(design.top().mode, 1);
        sim.reset();
        ProtocolChecker.stream(sim, design.top().out);
        sim.poke(design.top().out.ready, 0);
        ProtocolViolationException violation = assertThrows(ProtocolViolationException.class, () -> sim.step(10));
        assertTrue(violation.getMessage().contains("payload changed while valid && !ready: out_payload"),
                violation.getMessage());
    }
}
