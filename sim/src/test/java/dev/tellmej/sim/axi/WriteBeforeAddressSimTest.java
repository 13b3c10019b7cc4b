package dev.tellmej.sim.axi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.lib.axi.Axi4;
import dev.tellmej.hdl.lib.axi.Axi4Config;
import dev.tellmej.hdl.lib.axi.AxiWriteArbiter;
import dev.tellmej.sim.AxiMemory;
import dev.tellmej.sim.AxiMemoryConfig;
import dev.tellmej.sim.CycleListener;
import dev.tellmej.sim.Port;
import dev.tellmej.sim.SimModel;
import dev.tellmej.sim.junit.SimFixture;
import dev.tellmej.sim.junit.SimTest;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;

/**
 * {@link AxiWriteArbiter} with the two orders AXI4 allows between a burst's address and its data, which the
 * burst engines never use: clients (played from Java) that present W beats before their AW, and a slave (played
 * from Java) that raises {@code awready} only after it has seen {@code wvalid}. The arbiter records a burst's
 * routes when its address is first presented, so its W beats can go downstream before the address is accepted:
 * neither side deadlocks, and every byte lands where its client sent it.
 */
class WriteBeforeAddressSimTest {
    static final Axi4Config PORT = Axi4Config.of(32);
    static final int CLIENTS = 2;
    static final int REGION = 0x1000;
    static final Design<AxiWriteArbiter> DESIGN = Hdl.elaborate(() -> new AxiWriteArbiter(PORT, CLIENTS, 4));

    /** A write burst: INCR, full 4-byte beats of {@code data}, from {@code address}. */
    record Burst(long address, int[] data) {}

    /**
     * An AXI4 write master on one client port of the arbiter. With {@code dataFirst} it presents each burst's
     * first W beat before its AW (and only then AW); otherwise AW and W go independently, at random. Responses
     * are taken with random stalls.
     */
    static final class Master implements CycleListener {
        private final Port awvalid;
        private final Port awready;
        private final Port awaddr;
        private final Port awlen;
        private final Port wvalid;
        private final Port wready;
        private final Port wdata;
        private final Port wlast;
        private final Port bvalid;
        private final Port bready;
        private final Port bresp;
        private final Random random;
        private final boolean dataFirst;
        private final Deque<Burst> addresses = new ArrayDeque<>();
        private final List<Burst> bursts = new ArrayList<>();
        private int wBurst;
        private int wBeat;
        private boolean awPresented;
        private boolean wPresented;
        private int wStartedBursts;
        int responses;
        int earlyBeats;

        Master(SimModel sim, Axi4 port, Random random, boolean dataFirst, List<Burst> work) {
            awvalid = sim.port(port.awvalid);
            awready = sim.port(port.awready);
            awaddr = sim.port(port.awaddr);
            awlen = sim.port(port.awlen);
            wvalid = sim.port(port.wvalid);
            wready = sim.port(port.wready);
            wdata = sim.port(port.wdata);
            wlast = sim.port(port.wlast);
            bvalid = sim.port(port.bvalid);
            bready = sim.port(port.bready);
            bresp = sim.port(port.bresp);
            this.random = random;
            this.dataFirst = dataFirst;
            addresses.addAll(work);
            bursts.addAll(work);
            for (Port p : List.of(sim.port(port.awsize), sim.port(port.awburst), sim.port(port.wstrb),
                    sim.port(port.arvalid), sim.port(port.araddr), sim.port(port.arlen), sim.port(port.arsize),
                    sim.port(port.arburst), sim.port(port.rready))) {
                p.set(0);
            }
            sim.port(port.awsize).set(2);
            sim.port(port.awburst).set(1);
            sim.port(port.wstrb).set(0xf);
            awvalid.set(false);
            wvalid.set(false);
            sim.onCycle(this);
        }

        @Override
        public void beforeEdge(SimModel sim, long cycle) {
            if (wPresented && wBurst >= bursts.size() - addresses.size()) {
                earlyBeats++;  // a W beat presented while its burst's address is not yet accepted
            }
            if (awPresented && awready.isHigh()) {
                addresses.poll();
                awPresented = false;
            }
            if (wPresented && wready.isHigh()) {
                wPresented = false;
                if (++wBeat == bursts.get(wBurst).data().length) {
                    wBeat = 0;
                    wBurst++;
                }
            }
            if (bvalid.isHigh() && bready.isHigh()) {
                assertEquals(0, bresp.get(), "OKAY");
                responses++;
            }
        }

        @Override
        public void afterEdge(SimModel sim, long cycle) {
            if (!awPresented && !addresses.isEmpty() && random.nextInt(3) != 0) {
                int index = bursts.indexOf(addresses.peek());
                if (!dataFirst || wStartedBursts > index) {
                    Burst burst = addresses.peek();
                    awaddr.set(burst.address());
                    awlen.set(burst.data().length - 1);
                    awPresented = true;
                }
            }
            awvalid.set(awPresented);
            if (!wPresented && wBurst < bursts.size() && random.nextInt(3) != 0) {
                Burst burst = bursts.get(wBurst);
                wdata.set(burst.data()[wBeat] & 0xffff_ffffL);
                wlast.set(wBeat == burst.data().length - 1);
                wPresented = true;
                if (wBeat == 0) {
                    wStartedBursts = Math.max(wStartedBursts, wBurst + 1);
                }
            }
            wvalid.set(wPresented);
            bready.set(random.nextInt(4) != 0);
        }

        boolean finished() {
            return responses == bursts.size();
        }
    }

    /**
     * An AXI4 write slave that raises {@code awready} only in the cycle after it saw {@code wvalid} (AXI4 lets a
     * slave wait for W before taking the address), and takes W beats for the address presented, accepted or not.
     * It stores the bytes and answers each burst OKAY two cycles after its last beat and its address.
     */
    static final class DataFirstSlave implements CycleListener {
        private final Port awvalid;
        private final Port awready;
        private final Port awaddr;
        private final Port awlen;
        private final Port wvalid;
        private final Port wready;
        private final Port wdata;
        private final Port wlast;
        private final Port bvalid;
        private final Port bready;
        private final byte[] memory;
        private final Random random;
        /** Bursts in address order: {address, beats, beats taken, accepted (0/1), cycle complete}. */
        private final List<long[]> bursts = new ArrayList<>();
        private int responded;
        private boolean sawW;
        private boolean presentedPending;

        DataFirstSlave(SimModel sim, Axi4 port, byte[] memory, Random random) {
            awvalid = sim.port(port.awvalid);
            awready = sim.port(port.awready);
            awaddr = sim.port(port.awaddr);
            awlen = sim.port(port.awlen);
            wvalid = sim.port(port.wvalid);
            wready = sim.port(port.wready);
            wdata = sim.port(port.wdata);
            wlast = sim.port(port.wlast);
            bvalid = sim.port(port.bvalid);
            bready = sim.port(port.bready);
            this.memory = memory;
            this.random = random;
            for (Port p : List.of(awready, wready, bvalid, sim.port(port.bresp), sim.port(port.arready),
                    sim.port(port.rvalid), sim.port(port.rdata), sim.port(port.rresp), sim.port(port.rlast))) {
                p.set(0);
            }
            sim.onCycle(this);
        }

        @Override
        public void beforeEdge(SimModel sim, long cycle) {
            if (awvalid.isHigh() && !presentedPending) {
                bursts.add(new long[] {awaddr.get(), awlen.get() + 1, 0, 0, -1});
                presentedPending = true;
            }
            if (awvalid.isHigh() && awready.isHigh()) {
                bursts.getLast()[3] = 1;
                presentedPending = false;
            }
            if (wvalid.isHigh() && wready.isHigh()) {
                long[] burst = open();
                long address = burst[0] + 4 * burst[2];
                long word = wdata.get();
                for (int b = 0; b < 4; b++) {
                    memory[(int) address + b] = (byte) (word >>> (8 * b));
                }
                burst[2]++;
                assertEquals(burst[2] == burst[1], wlast.isHigh(), "wlast on beat " + burst[2] + " of " + burst[1]);
            }
            if (bvalid.isHigh() && bready.isHigh()) {
                responded++;
            }
            for (long[] burst : bursts) {
                if (burst[4] < 0 && burst[3] == 1 && burst[2] == burst[1]) {
                    burst[4] = cycle;
                }
            }
            sawW = wvalid.isHigh();
        }

        /** The oldest burst whose beats are not all taken (its address at least presented). */
        private long[] open() {
            for (long[] burst : bursts) {
                if (burst[2] < burst[1]) {
                    return burst;
                }
            }
            throw new AssertionError("a W beat with no address presented");
        }

        @Override
        public void afterEdge(SimModel sim, long cycle) {
            awready.set(sawW && random.nextInt(4) != 0);
            boolean open = bursts.stream().anyMatch(b -> b[2] < b[1]);
            wready.set(open && random.nextInt(4) != 0);
            boolean answer = responded < bursts.size() && bursts.get(responded)[4] >= 0
                    && cycle >= bursts.get(responded)[4] + 2;
            bvalid.set(answer);
        }
    }

    /** Bursts of 1 to 8 beats for each client inside its own region, random data. */
    private static List<List<Burst>> work(Random random, int perClient) {
        List<List<Burst>> all = new ArrayList<>();
        for (int k = 0; k < CLIENTS; k++) {
            List<Burst> list = new ArrayList<>();
            for (int i = 0; i < perClient; i++) {
                int[] data = new int[1 + random.nextInt(8)];
                for (int j = 0; j < data.length; j++) {
                    data[j] = random.nextInt();
                }
                list.add(new Burst((long) k * REGION + 64L * i, data));
            }
            all.add(list);
        }
        return all;
    }

    private static byte[] expected(List<List<Burst>> work, byte[] initial) {
        byte[] memory = initial.clone();
        for (List<Burst> list : work) {
            for (Burst burst : list) {
                for (int j = 0; j < burst.data().length; j++) {
                    for (int b = 0; b < 4; b++) {
                        memory[(int) burst.address() + 4 * j + b] = (byte) (burst.data()[j] >>> (8 * b));
                    }
                }
            }
        }
        return memory;
    }

    @SimTest
    void clientsThatPresentDataBeforeTheirAddressAreServed(SimFixture fixture) {
        Random random = fixture.random();
        SimModel sim = fixture.open(DESIGN);
        AxiWriteArbiter top = DESIGN.top();
        AxiMemory memory = sim.axiMemory(CLIENTS * REGION, AxiMemoryConfig.DEFAULT.withLatency(1, 3)
                .withJitter(5, random.nextLong()).withMaxOutstanding(2));
        memory.attach(top.axi);
        sim.reset();   // the Java masters start after reset, as AXI4 masters keep their valids low during it
        List<List<Burst>> work = work(random, 40);
        List<Master> masters = new ArrayList<>();
        for (int k = 0; k < CLIENTS; k++) {
            masters.add(new Master(sim, top.clients.get(k), new Random(random.nextLong()), k == 0, work.get(k)));
        }
        sim.runUntil(() -> masters.stream().allMatch(Master::finished), 20_000);
        assertArrayEquals(expected(work, new byte[CLIENTS * REGION]), memory.bytes().toArray(ValueLayout.JAVA_BYTE));
        assertTrue(masters.get(0).earlyBeats > 0, "client 0 presented W before its address was accepted");
    }

    @SimTest
    void aSlaveThatWaitsForDataBeforeTakingTheAddressDoesNotDeadlock(SimFixture fixture) {
        Random random = fixture.random();
        SimModel sim = fixture.open(DESIGN);
        AxiWriteArbiter top = DESIGN.top();
        byte[] memory = new byte[CLIENTS * REGION];
        sim.reset();
        new DataFirstSlave(sim, top.axi, memory, new Random(random.nextLong()));
        List<List<Burst>> work = work(random, 40);
        List<Master> masters = new ArrayList<>();
        for (int k = 0; k < CLIENTS; k++) {
            masters.add(new Master(sim, top.clients.get(k), new Random(random.nextLong()), k == 0, work.get(k)));
        }
        sim.runUntil(() -> masters.stream().allMatch(Master::finished), 20_000);
        assertArrayEquals(expected(work, new byte[CLIENTS * REGION]), memory);
    }
}
