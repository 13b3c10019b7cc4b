package dev.tellmej.sim.axi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.lib.axi.AxiBurstConfig;
import dev.tellmej.hdl.lib.axi.AxiPortShare;
import dev.tellmej.sim.AxiMemory;
import dev.tellmej.sim.AxiMemoryConfig;
import dev.tellmej.sim.CycleListener;
import dev.tellmej.sim.Port;
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
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;

/**
 * {@link AxiPortShare} in Verilator: four {@code AxiBurstReader}s and two {@code AxiBurstWriter}s share one AXI4
 * port ({@link SharedPortTop}; one client reads and writes) in front of the AXI memory model. Random commands run
 * on all engines at once under random DDR latency, jitter, burst limits and bandwidth caps, with random stalls of
 * every command and data stream: each reader must get exactly the bytes of its own region, in order, and the
 * writes must land exactly, nothing else in memory changing; injected SLVERR and DECERR must reach only the engine
 * whose burst hit them. Every cycle {@link SharedPortChecker} holds the round robin to its bound (a waiting client
 * is granted within clients - 1 other grants), the IDs handed back, and the arbiters' counts; the memory model
 * checks the shared port's AXI rules. The throughput figures docs/hdl.md quotes are printed here.
 */
class AxiPortShareSimTest {
    static final long MEMORY = 1 << 20;
    /** Reader k reads {@code [k x READ_REGION, (k + 1) x READ_REGION)}. */
    static final long READ_REGION = 0x2_0000;
    /** Writer k writes {@code [WRITE_BASE + k x WRITE_REGION, ...)}. */
    static final long WRITE_BASE = 0x8_0000;
    static final long WRITE_REGION = 0x4_0000;

    /** 8-byte beats, 16-beat bursts, 4 in flight per engine. */
    static final AxiBurstConfig NARROW = AxiBurstReaderSimTest.NARROW;
    /** 16-byte beats with 3-bit IDs and 40-bit addresses, 8-beat bursts, 2 in flight, 16-bit lengths. */
    static final AxiBurstConfig WITH_ID = AxiBurstReaderSimTest.WITH_ID;

    static final Design<SharedPortTop> NARROW_DESIGN = Hdl.elaborate(() -> new SharedPortTop(NARROW, 8));

    /** The engines' work: a list of commands per reader and per writer. */
    record Work(List<List<BurstTraffic.Command>> reads, List<List<BurstTraffic.Command>> writes) {
        static Work random(Random random, AxiBurstConfig config, int commands, int longest) {
            int beatBytes = config.axi().dataBytes();
            List<List<BurstTraffic.Command>> reads = new ArrayList<>();
            for (int k = 0; k < SharedPortTop.READERS; k++) {
                reads.add(offset(BurstTraffic.random(random, commands, beatBytes, config.burstBeats(), READ_REGION,
                        longest), k * READ_REGION));
            }
            List<List<BurstTraffic.Command>> writes = new ArrayList<>();
            for (int k = 0; k < SharedPortTop.WRITERS; k++) {
                writes.add(offset(BurstTraffic.random(random, commands, beatBytes, config.burstBeats(), WRITE_REGION,
                        longest), WRITE_BASE + k * WRITE_REGION));
            }
            return new Work(reads, writes);
        }

        private static List<BurstTraffic.Command> offset(List<BurstTraffic.Command> commands, long base) {
            return commands.stream().map(c -> new BurstTraffic.Command(base + c.address(), c.beats())).toList();
        }
    }

    /** The done pulses of one writer, with their error flags. */
    static final class DoneMonitor implements CycleListener {
        private final Port valid;
        private final Port error;
        final List<Boolean> errors = new ArrayList<>();

        DoneMonitor(SimModel sim, SharedPortTop top, int writer) {
            valid = sim.port(top.writeDone.get(writer).valid);
            error = sim.port(top.writeDone.get(writer).payload.error());
            sim.onCycle(this);
        }

        @Override
        public void beforeEdge(SimModel sim, long cycle) {
            if (valid.isHigh()) {
                errors.add(error.isHigh());
            }
        }
    }

    /** A test bench: the shared port's design, the memory, the drivers, monitors and checker of one run. */
    static final class Bench {
        final SimModel sim;
        final SharedPortTop top;
        final AxiBurstConfig config;
        final int inFlight;
        final AxiMemory memory;
        final byte[] expectedMemory = new byte[(int) MEMORY];
        final List<long[]> errors = new ArrayList<>();
        SharedPortChecker checker;
        final List<StreamMonitor> readData = new ArrayList<>();
        final List<DoneMonitor> done = new ArrayList<>();

        Bench(SimFixture fixture, Design<SharedPortTop> design, AxiBurstConfig config, int inFlight,
                AxiMemoryConfig ddr) {
            this.sim = fixture.open(design);
            this.top = design.top();
            this.config = config;
            this.inFlight = inFlight;
            this.memory = sim.axiMemory(MEMORY, ddr);
            fixture.random(7).nextBytes(expectedMemory);
            MemorySegment.copy(expectedMemory, 0, memory.bytes(), ValueLayout.JAVA_BYTE, 0, expectedMemory.length);
            memory.attach(top.axi);
            sim.reset();
        }

        Bench error(long address, long bytes, AxiMemory.ErrorResponse response) {
            memory.injectError(address, bytes, response);
            errors.add(new long[] {address, bytes});
            return this;
        }

        /**
         * Runs the work on all engines at once, each stream stalled at random ({@code commandRate}: chance per
         * cycle that a driver presents its next command or write beat; {@code readyRate}: that a reader's consumer
         * is ready); checks every reader's beats, memory and the done pulses; returns the cycles taken.
         */
        long run(Work work, Random random, double commandRate, double readyRate) {
            int beatBytes = config.axi().dataBytes();
            int width = config.axi().dataWidth();
            checker = new SharedPortChecker(sim, top, inFlight);
            List<StreamDriver> drivers = new ArrayList<>();
            List<List<BigInteger>> expectedBeats = new ArrayList<>();
            for (int k = 0; k < SharedPortTop.READERS; k++) {
                readData.add(new StreamMonitor(sim, top.readData.get(k), new Random(random.nextLong()), readyRate));
                StreamDriver commands = new StreamDriver(sim, top.readCommands.get(k), new Random(random.nextLong()),
                        commandRate);
                work.reads().get(k).forEach(c -> commands.push(c.packed(config)));
                drivers.add(commands);
                expectedBeats.add(expectedBeats(work.reads().get(k)));
            }
            List<List<Boolean>> expectedErrors = new ArrayList<>();
            for (int k = 0; k < SharedPortTop.WRITERS; k++) {
                done.add(new DoneMonitor(sim, top, k));
                StreamDriver commands = new StreamDriver(sim, top.writeCommands.get(k), new Random(random.nextLong()),
                        commandRate);
                StreamDriver data = new StreamDriver(sim, top.writeData.get(k), new Random(random.nextLong()),
                        commandRate);
                drivers.add(commands);
                drivers.add(data);
                List<Boolean> flags = new ArrayList<>();
                for (BurstTraffic.Command command : work.writes().get(k)) {
                    commands.push(command.packed(config));
                    boolean failed = false;
                    for (int i = 0; i < command.beats(); i++) {
                        long address = command.aligned(beatBytes) + (long) i * beatBytes;
                        byte[] bytes = new byte[beatBytes];
                        random.nextBytes(bytes);
                        long strobes = AxiBurstWriterSimTest.Bench.strobes(random, beatBytes, i == 0,
                                i == command.beats() - 1);
                        data.push(BigInteger.valueOf(strobes).shiftLeft(width).or(BurstTraffic.littleEndian(bytes)));
                        if (BurstTraffic.touches(address, beatBytes, errors)) {
                            failed = true;  // the memory drops the beat
                            continue;
                        }
                        for (int b = 0; b < beatBytes; b++) {
                            if ((strobes >>> b & 1) != 0) {
                                expectedMemory[(int) address + b] = bytes[b];
                            }
                        }
                    }
                    if (command.beats() > 0) {
                        flags.add(failed);
                    }
                }
                expectedErrors.add(flags);
            }
            long beats = expectedBeats.stream().mapToLong(List::size).sum();
            long start = sim.cycle();
            sim.runUntil(() -> {
                for (int k = 0; k < SharedPortTop.READERS; k++) {
                    if (readData.get(k).count() < expectedBeats.get(k).size()) {
                        return false;
                    }
                }
                for (int k = 0; k < SharedPortTop.WRITERS; k++) {
                    if (done.get(k).errors.size() < expectedErrors.get(k).size()) {
                        return false;
                    }
                }
                return checker.drained() && drivers.stream().allMatch(StreamDriver::idle);
            }, 10_000 + 100L * beats + 100L * drivers.stream().mapToLong(StreamDriver::pending).sum());
            long cycles = sim.cycle() - start;
            sim.step(50);
            for (int k = 0; k < SharedPortTop.READERS; k++) {
                List<BigInteger> received = readData.get(k).received();
                List<BigInteger> expected = expectedBeats.get(k);
                assertEquals(expected.size(), received.size(), "beats delivered to reader " + k);
                for (int i = 0; i < expected.size(); i++) {
                    if (!expected.get(i).equals(received.get(i))) {
                        throw new AssertionError("reader " + k + ", beat " + i + ": expected "
                                + describe(expected.get(i)) + ", got " + describe(received.get(i)));
                    }
                }
            }
            for (int k = 0; k < SharedPortTop.WRITERS; k++) {
                assertEquals(expectedErrors.get(k), done.get(k).errors, "writer " + k + ": one done per command,"
                        + " with its error flag");
            }
            byte[] written = memory.bytes().toArray(ValueLayout.JAVA_BYTE);
            for (int i = 0; i < expectedMemory.length; i++) {
                if (written[i] != expectedMemory[i]) {
                    throw new AssertionError("memory differs first at 0x" + Integer.toHexString(i) + ": expected "
                            + (expectedMemory[i] & 0xff) + ", got " + (written[i] & 0xff));
                }
            }
            assertEquals(1, sim.peek(top.idle), "every engine idle after the run");
            assertEquals(0, sim.peek(top.readsOutstanding), "no read burst left in flight");
            assertEquals(0, sim.peek(top.writesOutstanding), "no write burst left in flight");
            return cycles;
        }

        /** A reader's beats for its commands, packed as its data stream carries them: data, last, error. */
        private List<BigInteger> expectedBeats(List<BurstTraffic.Command> list) {
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

        /** Beats reader {@code k} received flagged with an error response. */
        long errorBeats(int k) {
            int width = config.axi().dataWidth();
            return readData.get(k).received().stream().filter(beat -> beat.testBit(width + 1)).count();
        }

        private String describe(BigInteger beat) {
            int width = config.axi().dataWidth();
            return "0x" + beat.clearBit(width).clearBit(width + 1).toString(16) + (beat.testBit(width) ? " last" : "")
                    + (beat.testBit(width + 1) ? " error" : "");
        }
    }

    private static void randomRounds(SimFixture fixture, Design<SharedPortTop> design, AxiBurstConfig config,
            int inFlight, int rounds, int commands, int longest) {
        randomRounds(fixture, design, config, inFlight, rounds, commands, longest, UnaryOperator.identity());
    }

    /** Rounds of random work on all engines, each against a random DDR that {@code memory} may adjust. */
    private static void randomRounds(SimFixture fixture, Design<SharedPortTop> design, AxiBurstConfig config,
            int inFlight, int rounds, int commands, int longest, UnaryOperator<AxiMemoryConfig> memory) {
        Random random = fixture.random(inFlight);
        for (int round = 0; round < rounds; round++) {
            AxiMemoryConfig ddr = memory.apply(AxiBurstReaderSimTest.randomDdr(random, config.axi().dataBytes()));
            double commandRate = 0.2 + 0.8 * random.nextDouble();
            double readyRate = random.nextInt(3) == 0 ? 1.0 : 0.1 + 0.9 * random.nextDouble();
            Bench bench = new Bench(fixture, design, config, inFlight, ddr);
            bench.run(Work.random(random, config, commands, longest), random, commandRate, readyRate);
            bench.sim.close();
        }
    }

    @SimTest
    void randomTrafficOnAllClientsAtOnceLandsExactly(SimFixture fixture) {
        assertTrue(NARROW_DESIGN.definitions().containsKey("AxiPortShare_w64_rrwrb_o8"),
                NARROW_DESIGN.definitions().keySet().toString());
        randomRounds(fixture, NARROW_DESIGN, NARROW, 8, 6, 50, 500);
    }

    @SimTest
    void fewRoutesStillRouteEverything(SimFixture fixture) {
        // One route per direction: every AR and AW waits for the previous burst's last beat or response.
        randomRounds(fixture, Hdl.elaborate(() -> new SharedPortTop(NARROW, 1)), NARROW, 1, 2, 20, 200);
        // Two routes and a memory that takes one burst at a time per direction: an address is recorded, fills the
        // routes and waits for the memory; it must stay presented.
        randomRounds(fixture, Hdl.elaborate(() -> new SharedPortTop(NARROW, 2)), NARROW, 2, 2, 20, 200,
                ddr -> ddr.withMaxOutstanding(1));
    }

    @SimTest
    void withIdsEveryClientGetsItsOwnIdBack(SimFixture fixture) {
        // The checker holds every downstream ID at 0 and every R beat's and B response's ID to its engine's.
        randomRounds(fixture, Hdl.elaborate(() -> new SharedPortTop(WITH_ID, 4)), WITH_ID, 4, 3, 30, 300);
    }

    @SimTest
    void errorResponsesReachOnlyTheClientWhoseBurstHitThem(SimFixture fixture) {
        Random random = fixture.random();
        Bench bench = new Bench(fixture, NARROW_DESIGN, NARROW, 8, AxiBurstReaderSimTest.randomDdr(random, 8))
                .error(READ_REGION + 0x0ff8, 0x10, AxiMemory.ErrorResponse.SLVERR)       // reader 1: two beats
                .error(3 * READ_REGION + 0x4000, 0x400, AxiMemory.ErrorResponse.DECERR)  // reader 3: 128 beats
                .error(WRITE_BASE + 0x2000, 0x8, AxiMemory.ErrorResponse.SLVERR);       // writer 0: one beat
        Work work = Work.random(random, NARROW, 30, 300);
        List<List<BurstTraffic.Command>> reads = new ArrayList<>(work.reads());
        reads.set(1, concat(List.of(new BurstTraffic.Command(READ_REGION + 0x0f00, 64)), reads.get(1)));
        reads.set(3, concat(List.of(new BurstTraffic.Command(3 * READ_REGION + 0x3f00, 300)), reads.get(3)));
        List<List<BurstTraffic.Command>> writes = new ArrayList<>(work.writes());
        writes.set(0, concat(List.of(new BurstTraffic.Command(WRITE_BASE + 0x1ff0, 4)), writes.get(0)));
        writes.set(1, concat(List.of(new BurstTraffic.Command(WRITE_BASE + WRITE_REGION + 0x1ff0, 4)), writes.get(1)));
        bench.run(new Work(reads, writes), random, 0.7, 0.6);
        // The run compared every beat's error flag and every done's; here the errors were really there.
        assertTrue(bench.errorBeats(1) >= 2 && bench.errorBeats(3) >= 128, "reader 1 saw " + bench.errorBeats(1)
                + " error beats, reader 3 " + bench.errorBeats(3));
        assertEquals(0, bench.errorBeats(0) + bench.errorBeats(2), "readers 0 and 2 hit no error");
        assertTrue(bench.done.get(0).errors.getFirst(), "writer 0's first command hit the SLVERR");
        assertTrue(bench.done.get(1).errors.stream().noneMatch(e -> e), "writer 1 hit no error");
    }

    private static List<BurstTraffic.Command> concat(List<BurstTraffic.Command> first,
            List<BurstTraffic.Command> rest) {
        List<BurstTraffic.Command> all = new ArrayList<>(first);
        all.addAll(rest);
        return all;
    }

    @SimTest
    void underSaturationEveryClientIsGrantedWithinClientsMinusOneGrants(SimFixture fixture) {
        // Short bursts on every engine, the consumers always ready, and a memory that takes half a beat per cycle:
        // addresses queue up on all clients at once. The checker fails the run if a client waits longer.
        Random random = fixture.random();
        Bench bench = new Bench(fixture, NARROW_DESIGN, NARROW, 8, AxiMemoryConfig.DEFAULT.withLatency(20, 20)
                .withMaxOutstanding(8).withBandwidth(4));
        List<List<BurstTraffic.Command>> reads = new ArrayList<>();
        for (int k = 0; k < SharedPortTop.READERS; k++) {
            List<BurstTraffic.Command> list = new ArrayList<>();
            for (int i = 0; i < 150; i++) {
                list.add(new BurstTraffic.Command(k * READ_REGION + 128L * i, 1 + random.nextInt(4)));
            }
            reads.add(list);
        }
        List<List<BurstTraffic.Command>> writes = new ArrayList<>();
        for (int k = 0; k < SharedPortTop.WRITERS; k++) {
            List<BurstTraffic.Command> list = new ArrayList<>();
            for (int i = 0; i < 150; i++) {
                list.add(new BurstTraffic.Command(WRITE_BASE + k * WRITE_REGION + 128L * i, 1 + random.nextInt(4)));
            }
            writes.add(list);
        }
        long cycles = bench.run(new Work(reads, writes), random, 1.0, 1.0);
        SharedPortChecker checker = bench.checker;
        System.out.printf("saturated share: %d cycles; AR grants per client %s, longest wait %d grants; AW grants"
                + " %s, longest wait %d%n", cycles, Arrays.toString(checker.arGranted()), checker.maxArWait(),
                Arrays.toString(checker.awGranted()), checker.maxAwWait());
        assertEquals(SharedPortTop.READERS - 1, checker.maxArWait(), "all four readers contended for AR");
        assertEquals(SharedPortTop.WRITERS - 1, checker.maxAwWait(), "both writers contended for AW");
    }

    @SimTest
    void fourLongReadsAndTwoLongWritesShareThePortAtABeatPerCyclePerDirection(SimFixture fixture) {
        // 4 x 2,048 beats read and 2 x 4,096 written at once, 40-cycle latency both ways, 8 bursts in flight.
        Bench bench = new Bench(fixture, NARROW_DESIGN, NARROW, 8, AxiMemoryConfig.DEFAULT.withLatency(40, 40)
                .withMaxOutstanding(8));
        List<List<BurstTraffic.Command>> reads = new ArrayList<>();
        for (int k = 0; k < SharedPortTop.READERS; k++) {
            reads.add(List.of(new BurstTraffic.Command(k * READ_REGION, 2048)));
        }
        List<List<BurstTraffic.Command>> writes = new ArrayList<>();
        for (int k = 0; k < SharedPortTop.WRITERS; k++) {
            writes.add(List.of(new BurstTraffic.Command(WRITE_BASE + k * WRITE_REGION, 4096)));
        }
        long cycles = bench.run(new Work(reads, writes), fixture.random(), 1.0, 1.0);
        System.out.printf("shared port: 8,192 beats read by 4 readers and 8,192 written by 2 writers at once,"
                + " latency 40: %d cycles; bursts in flight at most %d reads, %d writes%n", cycles,
                bench.checker.maxReadsInFlight(), bench.checker.maxWritesInFlight());
        assertTrue(cycles <= 8192 + 40 + 40, "8,192 beats each way after a 40-cycle latency took " + cycles);
    }

    @SimTest
    void oneClientAloneRunsAsFastAsWithoutTheShare(SimFixture fixture) {
        // The engines' own tests: 300 single-beat commands take 305 cycles each way without a share.
        Random random = fixture.random();
        long[] cycles = new long[2];
        for (int direction = 0; direction < 2; direction++) {
            Bench bench = new Bench(fixture, NARROW_DESIGN, NARROW, 8, AxiMemoryConfig.DEFAULT.withLatency(2, 1));
            List<BurstTraffic.Command> list = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                list.add(new BurstTraffic.Command((direction == 0 ? 0 : WRITE_BASE) + random.nextLong(READ_REGION - 8),
                        1));
            }
            List<List<BurstTraffic.Command>> reads = new ArrayList<>();
            List<List<BurstTraffic.Command>> writes = new ArrayList<>();
            for (int k = 0; k < SharedPortTop.READERS; k++) {
                reads.add(direction == 0 && k == 0 ? list : List.of());
            }
            for (int k = 0; k < SharedPortTop.WRITERS; k++) {
                writes.add(direction == 1 && k == 0 ? list : List.of());
            }
            cycles[direction] = bench.run(new Work(reads, writes), random, 1.0, 1.0);
            bench.sim.close();
        }
        System.out.printf("through the share, one client alone: 300 single-beat reads (latency 2) %d cycles, 300"
                + " single-beat writes (latency 1) %d cycles%n", cycles[0], cycles[1]);
        assertTrue(cycles[0] <= 300 + 10 && cycles[1] <= 300 + 12, Arrays.toString(cycles));
    }

    @SimTest
    void aResponseNobodyAskedForStopsTheSimulation(SimFixture fixture) {
        // The arbiters' own assertions (assertAlways, simulation only) watch every run above; here a broken slave,
        // played from Java, trips them.
        for (String channel : List.of("R", "B")) {
            SimModel sim = fixture.open(NARROW_DESIGN);
            SharedPortTop top = NARROW_DESIGN.top();
            sim.reset();
            sim.step(3);
            if (channel.equals("R")) {
                sim.poke(top.axi.rvalid, true);
                sim.poke(top.axi.rlast, true);
            } else {
                sim.poke(top.axi.bvalid, true);
            }
            SimStopException stop = assertThrows(SimStopException.class, () -> sim.step(2));
            String expected = channel.equals("R") ? "AxiReadArbiter: an R beat arrived with no burst recorded"
                    : "AxiWriteArbiter: a write response arrived with no burst recorded";
            assertTrue(stop.designMessage().contains(expected), stop.getMessage());
            sim.close();
        }
    }
}
