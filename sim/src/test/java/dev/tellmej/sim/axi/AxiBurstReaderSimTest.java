package dev.tellmej.sim.axi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.lib.axi.Axi4Config;
import dev.tellmej.hdl.lib.axi.AxiBurstConfig;
import dev.tellmej.hdl.lib.axi.AxiBurstReader;
import dev.tellmej.sim.AxiMemory;
import dev.tellmej.sim.AxiMemoryConfig;
import dev.tellmej.sim.SimModel;
import dev.tellmej.sim.SimStopException;
import dev.tellmej.sim.StreamDriver;
import dev.tellmej.sim.StreamMonitor;
import dev.tellmej.sim.junit.SimFixture;
import dev.tellmej.sim.junit.SimTest;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * {@link AxiBurstReader} in Verilator against the AXI memory model: random commands (single beats, unaligned
 * starts, 4 KB crossings, short tails, transfers of thousands of beats, zero-length commands, back to back)
 * are read bit-exactly under random DDR latency, jitter, burst limits and bandwidth caps, with random stalls
 * on both the command and the data stream; every AR burst, the credits, the bursts in flight and the R
 * channel are checked every cycle ({@link ReaderChecker}); injected SLVERR and DECERR reach the beats they hit.
 */
class AxiBurstReaderSimTest {
    static final long MEMORY = 1 << 20;

    /** 8-byte beats, 16-beat bursts, 4 in flight: a 64-beat LUT-RAM FIFO. */
    static final AxiBurstConfig NARROW = AxiBurstConfig.of(Axi4Config.of(64), 16, 4);
    /** 16-byte beats with IDs and a 40-bit address, 8-beat bursts, 2 in flight, 16-bit lengths. */
    static final AxiBurstConfig WITH_ID = AxiBurstConfig.of(new Axi4Config(40, 128, 3), 8, 2).withLengthBits(16)
            .withId(5);
    /** 4-byte beats, single-beat bursts, one in flight: every command is cut into beats. */
    static final AxiBurstConfig SINGLE = AxiBurstConfig.of(Axi4Config.of(32), 1, 1);
    /** The kv260 weight port's shape: 32-byte beats, 32-beat bursts, 4 in flight, a block-RAM FIFO. */
    static final AxiBurstConfig WIDE = AxiBurstConfig.of(Axi4Config.of(256), 32, 4);

    static final Design<AxiBurstReader> NARROW_DESIGN = Hdl.elaborate(() -> new AxiBurstReader(NARROW));

    /** A test bench: the reader, the memory, the drivers and the checker, for one list of commands. */
    static final class Bench {
        final SimModel sim;
        final AxiBurstReader top;
        final AxiBurstConfig config;
        final AxiMemory memory;
        final List<long[]> errors = new ArrayList<>();
        ReaderChecker checker;
        StreamMonitor data;
        StreamDriver commands;

        Bench(SimFixture fixture, Design<AxiBurstReader> design, AxiBurstConfig config, AxiMemoryConfig ddr) {
            this.sim = fixture.open(design);
            this.top = design.top();
            this.config = config;
            this.memory = sim.axiMemory(MEMORY, ddr);
            byte[] contents = new byte[(int) MEMORY];
            fixture.random(7).nextBytes(contents);
            MemorySegment.copy(contents, 0, memory.bytes(), ValueLayout.JAVA_BYTE, 0, contents.length);
            memory.attach(top.axi);
            sim.reset();
        }

        Bench error(long address, long bytes, AxiMemory.ErrorResponse response) {
            memory.injectError(address, bytes, response);
            errors.add(new long[] {address, bytes});
            return this;
        }

        /** Reads the commands with the given stall rates; checks every beat; returns the cycles taken. */
        long run(List<BurstTraffic.Command> list, Random random, double commandRate, double readyRate) {
            checker = new ReaderChecker(sim, top, config, list);
            data = new StreamMonitor(sim, top.data, new Random(random.nextLong()), readyRate);
            commands = new StreamDriver(sim, top.command, new Random(random.nextLong()), commandRate);
            List<BigInteger> expected = expected(list);
            long start = sim.cycle();
            for (BurstTraffic.Command command : list) {
                commands.push(command.packed(config));
            }
            sim.runUntil(() -> data.count() >= expected.size() && checker.drained() && commands.idle(),
                    5_000 + 200L * expected.size() + 200L * list.size());
            long cycles = sim.cycle() - start;
            sim.step(50);
            List<BigInteger> received = data.received();
            assertEquals(expected.size(), received.size(), "beats delivered");
            for (int i = 0; i < expected.size(); i++) {
                if (!expected.get(i).equals(received.get(i))) {
                    throw new AssertionError("beat " + i + ": expected " + describe(expected.get(i)) + ", got "
                            + describe(received.get(i)));
                }
            }
            assertEquals(1, sim.peek(top.idle), "idle after the last beat");
            return cycles;
        }

        /** Every beat of the commands, packed as the data stream carries it: data, then last, then error. */
        List<BigInteger> expected(List<BurstTraffic.Command> list) {
            int beatBytes = config.axi().dataBytes();
            int width = config.axi().dataWidth();
            List<BigInteger> beats = new ArrayList<>();
            for (BurstTraffic.Command command : list) {
                for (int i = 0; i < command.beats(); i++) {
                    long address = command.aligned(beatBytes) + (long) i * beatBytes;
                    boolean error = BurstTraffic.touches(address, beatBytes, errors);
                    BigInteger beat = error ? BigInteger.ZERO : BurstTraffic.beat(memory.bytes(), address, beatBytes);
                    if (i == command.beats() - 1) {
                        beat = beat.setBit(width);
                    }
                    beats.add(error ? beat.setBit(width + 1) : beat);
                }
            }
            return beats;
        }

        private String describe(BigInteger beat) {
            int width = config.axi().dataWidth();
            return "0x" + beat.clearBit(width).clearBit(width + 1).toString(16) + (beat.testBit(width) ? " last" : "")
                    + (beat.testBit(width + 1) ? " error" : "");
        }
    }

    /** Random DDR timing: latency 1 to 80 cycles, jitter up to 20, 1 to 8 bursts accepted, a bandwidth cap or none. */
    static AxiMemoryConfig randomDdr(Random random, int beatBytes) {
        double[] caps = {0, 0.3 * beatBytes, 0.8 * beatBytes, 76.8};   // the last: the KV260's DDR peak at 250 MHz
        return AxiMemoryConfig.DEFAULT.withLatency(1 + random.nextInt(80), 1 + random.nextInt(20))
                .withJitter(random.nextInt(21), random.nextLong()).withMaxOutstanding(1 + random.nextInt(8))
                .withBandwidth(caps[random.nextInt(caps.length)]);
    }

    private static void randomRounds(SimFixture fixture, Design<AxiBurstReader> design, AxiBurstConfig config,
            int rounds, int commandsPerRound, int longest) {
        Random random = fixture.random();
        int beatBytes = config.axi().dataBytes();
        for (int round = 0; round < rounds; round++) {
            AxiMemoryConfig ddr = randomDdr(random, beatBytes);
            double commandRate = 0.2 + 0.8 * random.nextDouble();
            double readyRate = random.nextInt(3) == 0 ? 1.0 : 0.1 + 0.9 * random.nextDouble();
            Bench bench = new Bench(fixture, design, config, ddr);
            List<BurstTraffic.Command> list = BurstTraffic.random(random, commandsPerRound, beatBytes,
                    config.burstBeats(), MEMORY, longest);
            bench.run(list, random, commandRate, readyRate);
            bench.sim.close();
        }
    }

    @SimTest
    void randomCommandsAreReadBitExactly(SimFixture fixture) {
        randomRounds(fixture, NARROW_DESIGN, NARROW, 4, 150, 3000);
    }

    @SimTest
    void withIdsAndA40BitAddress(SimFixture fixture) {
        randomRounds(fixture, Hdl.elaborate(() -> new AxiBurstReader(WITH_ID)), WITH_ID, 3, 120, 2000);
    }

    @SimTest
    void singleBeatBurstsOneInFlight(SimFixture fixture) {
        randomRounds(fixture, Hdl.elaborate(() -> new AxiBurstReader(SINGLE)), SINGLE, 2, 60, 100);
    }

    @SimTest
    void theWideBlockRamConfiguration(SimFixture fixture) {
        randomRounds(fixture, Hdl.elaborate(() -> new AxiBurstReader(WIDE)), WIDE, 2, 60, 2000);
    }

    @SimTest
    void aLongReadStreamsOneBeatPerCycle(SimFixture fixture) {
        // 4 bursts x 16 beats in flight cover the 40-cycle latency plus the FIFO's round trip.
        Bench bench = new Bench(fixture, NARROW_DESIGN, NARROW, AxiMemoryConfig.DEFAULT.withLatency(40, 1)
                .withMaxOutstanding(8));
        long cycles = bench.run(List.of(new BurstTraffic.Command(0x1_0000, 8192)), fixture.random(), 1.0, 1.0);
        System.out.printf("reader: 8,192 beats, read latency 40: %d cycles%n", cycles);
        assertTrue(cycles <= 8192 + 40 + 10, "8,192 beats after a 40-cycle latency took " + cycles + " cycles");
        assertEquals(4, bench.checker.maxOutstandingSeen(), "all four bursts were in flight");
    }

    @SimTest
    void backToBackSingleBeatCommandsIssueAnAddressEveryCycle(SimFixture fixture) {
        Bench bench = new Bench(fixture, NARROW_DESIGN, NARROW, AxiMemoryConfig.DEFAULT.withLatency(2, 1));
        Random random = fixture.random();
        List<BurstTraffic.Command> list = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            list.add(new BurstTraffic.Command(random.nextLong(MEMORY - 8), 1));
        }
        long cycles = bench.run(list, random, 1.0, 1.0);
        System.out.printf("reader: 300 single-beat commands, read latency 2: %d cycles%n", cycles);
        assertTrue(cycles <= 300 + 10, "300 single-beat commands took " + cycles + " cycles");
    }

    @SimTest
    void aConsumerThatStallsForLongNeverStallsTheReadChannel(SimFixture fixture) {
        // The checker fails the run if rready is ever low under rvalid; here the consumer takes a beat in 5 %
        // of cycles, so the FIFO is full most of the time and the credits hold the bursts back.
        Bench bench = new Bench(fixture, NARROW_DESIGN, NARROW, AxiMemoryConfig.DEFAULT.withLatency(3, 1));
        long cycles = bench.run(List.of(new BurstTraffic.Command(0x3f00, 600), new BurstTraffic.Command(0x10, 1)),
                fixture.random(), 1.0, 0.05);
        assertTrue(cycles > 601 * 10, "the consumer set the pace: " + cycles + " cycles");
    }

    @SimTest
    void aSlaveSendingDataNobodyAskedForStopsTheSimulation(SimFixture fixture) {
        // The reader's own assertions (assertAlways, simulation only) watch its invariants in every test above;
        // here a broken slave, played from Java, trips one.
        SimModel sim = fixture.open(NARROW_DESIGN);
        AxiBurstReader top = NARROW_DESIGN.top();
        sim.reset();
        sim.step(3);
        sim.poke(top.axi.rvalid, true);
        sim.poke(top.axi.rlast, true);
        SimStopException stop = assertThrows(SimStopException.class, () -> sim.step(2));
        assertTrue(stop.designMessage().contains("AxiBurstReader: an R beat arrived with no burst in flight"),
                stop.getMessage());
    }

    @SimTest
    void slaveAndDecodeErrorsReachTheBeatsTheyHit(SimFixture fixture) {
        Random random = fixture.random();
        Bench bench = new Bench(fixture, NARROW_DESIGN, NARROW, randomDdr(random, 8))
                .error(0x2_0ff8, 0x10, AxiMemory.ErrorResponse.SLVERR)    // two beats across a 4 KB boundary
                .error(0x3_0003, 1, AxiMemory.ErrorResponse.SLVERR)       // one byte of one beat
                .error(0x4_0000, 0x400, AxiMemory.ErrorResponse.DECERR);  // 128 beats
        List<BurstTraffic.Command> list = new ArrayList<>(List.of(new BurstTraffic.Command(0x2_0f00, 64),
                new BurstTraffic.Command(0x3_0000, 1), new BurstTraffic.Command(0x3_fff0, 200),
                new BurstTraffic.Command(0x4_0200, 3)));
        list.addAll(BurstTraffic.random(random, 40, 8, 16, MEMORY, 500));
        bench.run(list, random, 0.7, 0.6);
        long errors = bench.data.received().stream().filter(beat -> beat.testBit(65)).count();
        assertTrue(errors >= 2 + 1 + 128, "the injected errors were seen: " + errors + " beats");
    }
}
