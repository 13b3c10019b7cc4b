package dev.tellmej.sim;

import static dev.tellmej.hdl.Hdl.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.lib.RunCounter;
import dev.tellmej.sim.junit.SimFixture;
import dev.tellmej.sim.junit.SimTest;
import java.util.Random;

/**
 * {@link RunCounter}: the count runs 0..limit-1 and wraps, its last flag equals {@code value + 1 == limit} in
 * every cycle, restart wins over step, a restart may name the limit its register is loaded with in the same cycle,
 * and a limit changed under a running count stops the simulation.
 */
class RunCounterSimTest {
    /** A 4-bit run counter with its limit, restart and step from ports. */
    static final class Runs extends Module {
        final UInt limit = in("limit", uint(4));
        final Bool restart = in("restart", bool());
        final Bool step = in("step", bool());
        final Bool running = in("running", bool());
        final UInt value = out("value", uint(4));
        final Bool last = out("last", bool());

        Runs() {
            RunCounter counter = RunCounter.create("count", 4, limit, running, "Runs");
            when(restart, counter::restart);
            when(step, counter::step);
            value.set(counter.value);
            last.set(counter.last);
        }
    }

    static final Design<Runs> DESIGN = Hdl.elaborate(Runs::new);

    /** The same counter whose limit is a register loaded with {@code next_limit} in the restart's cycle. */
    static final class LoadedRuns extends Module {
        final UInt nextLimit = in("next_limit", uint(4));
        final Bool load = in("load", bool());
        final Bool step = in("step", bool());
        final Bool running = in("running", bool());
        final UInt value = out("value", uint(4));
        final Bool last = out("last", bool());

        LoadedRuns() {
            UInt limit = reg("limit", uint(4), 0);
            RunCounter counter = RunCounter.create("count", 4, limit, running, "LoadedRuns");
            when(load, () -> {
                limit.set(nextLimit);
                counter.restart(nextLimit);
            });
            when(step, counter::step);
            value.set(counter.value);
            last.set(counter.last);
        }
    }

    static final Design<LoadedRuns> LOADED = Hdl.elaborate(LoadedRuns::new);

    @SimTest
    void theCountWrapsAtTheLimitAndItsFlagMarksTheLastValue(SimFixture fixture) {
        Runs top = DESIGN.top();
        SimModel sim = fixture.open(DESIGN);
        sim.reset();
        Random random = fixture.random(43);
        for (int run = 0; run < 60; run++) {
            int limit = run < 15 ? run + 1 : 1 + random.nextInt(15);
            sim.poke(top.limit, limit);
            sim.poke(top.restart, true);
            sim.poke(top.step, random.nextBoolean());   // restart wins
            sim.poke(top.running, false);
            sim.step();
            sim.poke(top.restart, false);
            sim.poke(top.running, true);
            runAgainstModel(sim, top.value, top.last, top.step, limit, 3 * limit + 5, random, "limit " + limit);
        }
    }

    @SimTest
    void aRestartWithTheLimitLoadedInItsCycleHasItsFlagCurrentAtOnce(SimFixture fixture) {
        LoadedRuns top = LOADED.top();
        SimModel sim = fixture.open(LOADED);
        sim.reset();
        Random random = fixture.random(47);
        int previous = 0;
        for (int run = 0; run < 40; run++) {
            // From 1 to 15, and changes between 1 and others, where the old limit's flag would be wrong.
            int limit = run % 3 == 0 ? 1 : 1 + random.nextInt(15);
            sim.poke(top.nextLimit, limit);
            sim.poke(top.load, true);
            sim.poke(top.step, random.nextBoolean());   // restart wins
            sim.poke(top.running, false);
            sim.step();
            sim.poke(top.load, false);
            sim.poke(top.running, true);
            runAgainstModel(sim, top.value, top.last, top.step, limit, 2 * limit + 3, random,
                    "limit " + limit + " after " + previous);
            previous = limit;
        }
    }

    /**
     * Steps a counter just restarted with {@code limit} at random for {@code cycles} cycles, checking its value and
     * last flag against a model in every cycle.
     */
    private static void runAgainstModel(SimModel sim, UInt value, Bool last, Bool stepPort, int limit, int cycles,
                                        Random random, String run) {
        int expected = 0;
        for (int cycle = 0; cycle < cycles; cycle++) {
            String where = run + ", cycle " + cycle;
            assertEquals(expected, sim.peek(value), where);
            assertEquals(expected + 1 == limit ? 1 : 0, sim.peek(last), where);
            boolean step = random.nextInt(3) != 0;
            sim.poke(stepPort, step);
            sim.step();
            if (step) {
                expected = expected + 1 == limit ? 0 : expected + 1;
            }
        }
    }

    @SimTest
    void aLimitChangedUnderARunningCountStopsTheSimulation(SimFixture fixture) {
        Runs top = DESIGN.top();
        SimModel sim = fixture.open(DESIGN);
        sim.reset();
        sim.poke(top.limit, 4);
        sim.poke(top.restart, true);
        sim.step();
        sim.poke(top.restart, false);
        sim.poke(top.running, true);
        sim.poke(top.step, true);
        sim.step(2);   // the count is 2 of 4
        sim.poke(top.limit, 3);   // the flag still says "not last"
        SimStopException stop = assertThrows(SimStopException.class, () -> sim.step(2));
        assertTrue(stop.designMessage().contains("Runs: count_last follows the count"), stop.getMessage());
    }
}
