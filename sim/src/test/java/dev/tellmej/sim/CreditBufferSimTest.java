package dev.tellmej.sim;

import static dev.tellmej.hdl.Hdl.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.lib.CreditBuffer;
import dev.tellmej.hdl.lib.Delay;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.Stream;
import dev.tellmej.sim.junit.SimFixture;
import dev.tellmej.sim.junit.SimTest;
import java.util.ArrayDeque;
import java.util.Random;

/**
 * {@link CreditBuffer} in front of a fixed pipeline that never stalls: no word is lost or reordered whatever the
 * consumer's stalls, {@code available()} (a flip-flop) is true exactly while a credit is left, and with
 * {@code depthFor(latency)} credits a consumer that keeps up gets a word every cycle.
 */
class CreditBufferSimTest {
    static final int LATENCY = 3;

    /** An 8-bit word issued when {@code want} and a credit is left, through LATENCY registers, then the buffer. */
    static final class Pipe extends Module {
        final Bool want = in("want", bool());
        final UInt word = in("word", uint(8));
        final Bool outReady = in("out_ready", bool());
        final Bool issued = out("issued", bool());
        final Bool available = out("available", bool());
        final Bool outValid = out("out_valid", bool());
        final UInt outWord = out("out_word", uint(8));

        Pipe() {
            CreditBuffer<UInt> buffer = new CreditBuffer<>("pipe", uint(8), CreditBuffer.depthFor(LATENCY));
            Bool fire = want.and(buffer.available());
            buffer.issue(fire);
            Stream<UInt> out = buffer.connect(new Flow<>(Delay.valid("pipe_valid", fire, LATENCY),
                    Delay.of("pipe_word", word, LATENCY)));
            out.ready.set(outReady);
            issued.set(fire);
            available.set(buffer.available());
            outValid.set(out.valid);
            outWord.set(out.payload);
        }
    }

    static final Design<Pipe> DESIGN = Hdl.elaborate(Pipe::new);

    @SimTest
    void noWordIsLostOrReorderedAndTheFlagFollowsTheCredits(SimFixture fixture) {
        Pipe top = DESIGN.top();
        SimModel sim = fixture.open(DESIGN);
        sim.reset();
        Random random = fixture.random(53);
        int depth = CreditBuffer.depthFor(LATENCY);
        ArrayDeque<Integer> inFlight = new ArrayDeque<>();
        int credits = depth;
        int next = 0;
        int received = 0;
        for (int cycle = 0; cycle < 4_000; cycle++) {
            // Phases of a slow consumer (the buffer fills, the flag falls) and of a fast one.
            double readyOdds = (cycle / 500) % 2 == 0 ? 0.2 : 0.9;
            boolean want = random.nextInt(4) != 0;
            boolean ready = random.nextDouble() < readyOdds;
            sim.poke(top.want, want);
            sim.poke(top.word, next & 0xff);
            sim.poke(top.outReady, ready);
            String where = "cycle " + cycle;
            assertEquals(credits > 0 ? 1 : 0, sim.peek(top.available), where + ": available with " + credits
                    + " credits");
            boolean issued = sim.peek(top.issued) == 1;
            assertEquals(want && credits > 0, issued, where);
            boolean popped = ready && sim.peek(top.outValid) == 1;
            if (popped) {
                assertEquals((int) inFlight.removeFirst(), (int) sim.peek(top.outWord), where + ": the oldest word");
                received++;
            }
            if (issued) {
                inFlight.addLast(next & 0xff);
                next++;
            }
            credits += (popped ? 1 : 0) - (issued ? 1 : 0);
            sim.step();
        }
        assertTrue(received > 1_000, "words got through: " + received);
    }

    @SimTest
    void withDepthForItsLatencyAKeptUpConsumerGetsAWordEveryCycle(SimFixture fixture) {
        Pipe top = DESIGN.top();
        SimModel sim = fixture.open(DESIGN);
        sim.reset();
        sim.poke(top.want, true);
        sim.poke(top.outReady, true);
        int issued = 0;
        int popped = 0;
        int cycles = 200;
        for (int cycle = 0; cycle < cycles; cycle++) {
            sim.poke(top.word, cycle & 0xff);
            issued += (int) sim.peek(top.issued);
            popped += (int) sim.peek(top.outValid);
            sim.step();
        }
        assertEquals(cycles, issued, "a word issued every cycle");
        // The first word leaves after the pipeline and the FIFO's write.
        assertEquals(cycles - LATENCY - 1, popped, "a word popped every cycle once the first is through");
    }
}
