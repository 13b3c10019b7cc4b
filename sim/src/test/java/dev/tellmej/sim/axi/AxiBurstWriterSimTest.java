package dev.tellmej.sim.axi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.lib.axi.Axi4Config;
import dev.tellmej.hdl.lib.axi.AxiBurstConfig;
import dev.tellmej.hdl.lib.axi.AxiBurstWriter;
import dev.tellmej.sim.AxiMemory;
import dev.tellmej.sim.AxiMemoryConfig;
import dev.tellmej.sim.SimModel;
import dev.tellmej.sim.SimStopException;
import dev.tellmej.sim.StreamDriver;
import dev.tellmej.sim.junit.SimFixture;
import dev.tellmej.sim.junit.SimTest;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * {@link AxiBurstWriter} in Verilator against the AXI memory model: random commands (single beats, unaligned
 * starts, 4 KB crossings, short tails, long transfers, zero-length commands, back to back) with random data
 * and byte strobes land bit-exactly in memory under random DDR latency, jitter, burst limits and bandwidth
 * caps, with random stalls of the command and data producers; every AW burst, W beat, response and done
 * pulse is checked every cycle ({@link WriterChecker}); injected SLVERR and DECERR are reported on the
 * commands they hit.
 */
class AxiBurstWriterSimTest {
    static final long MEMORY = 1 << 20;

    static final AxiBurstConfig NARROW = AxiBurstReaderSimTest.NARROW;
    static final AxiBurstConfig WITH_ID = AxiBurstReaderSimTest.WITH_ID;
    static final AxiBurstConfig SINGLE = AxiBurstReaderSimTest.SINGLE;
    static final AxiBurstConfig WIDE = AxiBurstReaderSimTest.WIDE;

    static final Design<AxiBurstWriter> NARROW_DESIGN = Hdl.elaborate(() -> new AxiBurstWriter(NARROW));

    /** A test bench: the writer, the memory and its expected contents, the drivers and the checker. */
    static final class Bench {
        final SimModel sim;
        final AxiBurstWriter top;
        final AxiBurstConfig config;
        final AxiMemory memory;
        final byte[] expected = new byte[(int) MEMORY];
        final List<long[]> errors = new ArrayList<>();
        WriterChecker checker;

        Bench(SimFixture fixture, Design<AxiBurstWriter> design, AxiBurstConfig config, AxiMemoryConfig ddr) {
            this.sim = fixture.open(design);
            this.top = design.top();
            this.config = config;
            this.memory = sim.axiMemory(MEMORY, ddr);
            fixture.random(7).nextBytes(expected);
            MemorySegment.copy(expected, 0, memory.bytes(), ValueLayout.JAVA_BYTE, 0, expected.length);
            memory.attach(top.axi);
            sim.reset();
        }

        Bench error(long address, long bytes, AxiMemory.ErrorResponse response) {
            memory.injectError(address, bytes, response);
            errors.add(new long[] {address, bytes});
            return this;
        }

        /**
         * Writes the commands with random data and strobes at the given producer rates; checks memory, the done
         * pulses and their error flags; returns the cycles taken.
         */
        long run(List<BurstTraffic.Command> list, Random random, double commandRate, double dataRate) {
            int beatBytes = config.axi().dataBytes();
            int width = config.axi().dataWidth();
            checker = new WriterChecker(sim, top, config, list);
            StreamDriver commands = new StreamDriver(sim, top.command, new Random(random.nextLong()), commandRate);
            StreamDriver data = new StreamDriver(sim, top.data, new Random(random.nextLong()), dataRate);
            List<Boolean> expectedErrors = new ArrayList<>();
            for (BurstTraffic.Command command : list) {
                commands.push(command.packed(config));
                boolean failed = false;
                for (int i = 0; i < command.beats(); i++) {
                    long address = command.aligned(beatBytes) + (long) i * beatBytes;
                    byte[] bytes = new byte[beatBytes];
                    random.nextBytes(bytes);
                    long strobes = strobes(random, beatBytes, i == 0, i == command.beats() - 1);
                    data.push(BigInteger.valueOf(strobes).shiftLeft(width).or(BurstTraffic.littleEndian(bytes)));
                    if (BurstTraffic.touches(address, beatBytes, errors)) {
                        failed = true;  // the memory drops the beat
                        continue;
                    }
                    for (int b = 0; b < beatBytes; b++) {
                        if ((strobes >>> b & 1) != 0) {
                            expected[(int) address + b] = bytes[b];
                        }
                    }
                }
                if (command.beats() > 0) {
                    expectedErrors.add(failed);
                }
            }
            long start = sim.cycle();
            sim.runUntil(() -> checker.doneErrors().size() >= expectedErrors.size() && checker.drained() && data.idle()
                    && commands.idle(), 5_000 + 200L * data.pending() + 200L * list.size());
            long cycles = sim.cycle() - start;
            sim.step(50);
            assertEquals(expectedErrors, checker.doneErrors(), "one done per command, with its error flag");
            byte[] written = memory.bytes().toArray(ValueLayout.JAVA_BYTE);
            for (int i = 0; i < expected.length; i++) {
                if (written[i] != expected[i]) {
                    throw new AssertionError("memory differs first at 0x" + Integer.toHexString(i) + ": expected "
                            + (expected[i] & 0xff) + ", got " + (written[i] & 0xff));
                }
            }
            assertEquals(1, sim.peek(top.idle), "idle after the last response");
            return cycles;
        }

        /** Strobes of a beat: all bytes mostly; a random run at the start or end of a command; rarely random bytes. */
        static long strobes(Random random, int beatBytes, boolean first, boolean last) {
            long all = beatBytes == 64 ? -1L : (1L << beatBytes) - 1;
            int choice = random.nextInt(10);
            if (first && choice < 3) {
                return all & (all << random.nextInt(beatBytes));  // from an unaligned byte on
            }
            if (last && choice < 3) {
                return all >>> (64 - beatBytes + random.nextInt(beatBytes));  // up to an unaligned byte
            }
            return choice == 9 ? random.nextLong() & all : all;
        }
    }

    private static void randomRounds(SimFixture fixture, Design<AxiBurstWriter> design, AxiBurstConfig config,
            int rounds, int commandsPerRound, int longest) {
        Random random = fixture.random();
        int beatBytes = config.axi().dataBytes();
        for (int round = 0; round < rounds; round++) {
            AxiMemoryConfig ddr = AxiBurstReaderSimTest.randomDdr(random, beatBytes);
            double commandRate = 0.2 + 0.8 * random.nextDouble();
            double dataRate = random.nextInt(3) == 0 ? 1.0 : 0.1 + 0.9 * random.nextDouble();
            Bench bench = new Bench(fixture, design, config, ddr);
            List<BurstTraffic.Command> list = BurstTraffic.random(random, commandsPerRound, beatBytes,
                    config.burstBeats(), MEMORY, longest);
            bench.run(list, random, commandRate, dataRate);
            bench.sim.close();
        }
    }

    @SimTest
    void randomCommandsAreWrittenBitExactly(SimFixture fixture) {
        randomRounds(fixture, NARROW_DESIGN, NARROW, 4, 150, 3000);
    }

    @SimTest
    void withIdsAndA40BitAddress(SimFixture fixture) {
        randomRounds(fixture, Hdl.elaborate(() -> new AxiBurstWriter(WITH_ID)), WITH_ID, 3, 120, 2000);
    }

    @SimTest
    void singleBeatBurstsOneInFlight(SimFixture fixture) {
        randomRounds(fixture, Hdl.elaborate(() -> new AxiBurstWriter(SINGLE)), SINGLE, 2, 60, 100);
    }

    @SimTest
    void theWideBlockRamConfiguration(SimFixture fixture) {
        randomRounds(fixture, Hdl.elaborate(() -> new AxiBurstWriter(WIDE)), WIDE, 2, 60, 2000);
    }

    @SimTest
    void aLongWriteStreamsOneBeatPerCycle(SimFixture fixture) {
        // Four bursts awaiting responses cover the 40-cycle write latency.
        Bench bench = new Bench(fixture, NARROW_DESIGN, NARROW, AxiMemoryConfig.DEFAULT.withLatency(1, 40)
                .withMaxOutstanding(8));
        long cycles = bench.run(List.of(new BurstTraffic.Command(0x1_0000, 8192)), fixture.random(), 1.0, 1.0);
        System.out.printf("writer: 8,192 beats, write latency 40: %d cycles%n", cycles);
        assertTrue(cycles <= 8192 + 16 + 40 + 10, "8,192 beats with a 40-cycle response took " + cycles + " cycles");
        assertEquals(4, bench.checker.maxOutstandingSeen(), "all four bursts awaited their responses");
    }

    @SimTest
    void backToBackSingleBeatCommands(SimFixture fixture) {
        Bench bench = new Bench(fixture, NARROW_DESIGN, NARROW, AxiMemoryConfig.DEFAULT.withLatency(1, 1));
        Random random = fixture.random();
        List<BurstTraffic.Command> list = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            list.add(new BurstTraffic.Command(random.nextLong(MEMORY - 8), 1));
        }
        long cycles = bench.run(list, random, 1.0, 1.0);
        System.out.printf("writer: 300 single-beat commands, write latency 1: %d cycles%n", cycles);
        assertTrue(cycles <= 300 + 12, "300 single-beat commands took " + cycles + " cycles");
    }

    @SimTest
    void aResponseToNoWriteStopsTheSimulation(SimFixture fixture) {
        SimModel sim = fixture.open(NARROW_DESIGN);
        AxiBurstWriter top = NARROW_DESIGN.top();
        sim.reset();
        sim.step(3);
        sim.poke(top.axi.bvalid, true);
        SimStopException stop = assertThrows(SimStopException.class, () -> sim.step(2));
        assertTrue(stop.designMessage().contains("AxiBurstWriter: a write response arrived with no burst awaiting"
                + " one"), stop.getMessage());
    }

    @SimTest
    void slaveAndDecodeErrorsAreReportedOnTheCommandsTheyHit(SimFixture fixture) {
        Random random = fixture.random();
        Bench bench = new Bench(fixture, NARROW_DESIGN, NARROW, AxiBurstReaderSimTest.randomDdr(random, 8))
                .error(0x2_0ff8, 0x10, AxiMemory.ErrorResponse.SLVERR)
                .error(0x3_0003, 1, AxiMemory.ErrorResponse.SLVERR)
                .error(0x4_0000, 0x400, AxiMemory.ErrorResponse.DECERR);
        List<BurstTraffic.Command> list = new ArrayList<>(List.of(new BurstTraffic.Command(0x2_0f00, 64),
                new BurstTraffic.Command(0x3_0000, 1), new BurstTraffic.Command(0x1_0000, 5),
                new BurstTraffic.Command(0x3_fff0, 200), new BurstTraffic.Command(0x4_0200, 3)));
        list.addAll(BurstTraffic.random(random, 40, 8, 16, MEMORY, 500));
        bench.run(list, random, 0.7, 0.6);
        assertEquals(List.of(true, true, false, true, true), bench.checker.doneErrors().subList(0, 5));
    }
}
