package dev.tellmej.hdl.lib.axi;

import static dev.tellmej.hdl.lib.axi.AxiPortShare.Access.READ;
import static dev.tellmej.hdl.lib.axi.AxiPortShare.Access.READ_WRITE;
import static dev.tellmej.hdl.lib.axi.AxiPortShare.Access.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.eda.ResourceReport;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.Stream;
import dev.tellmej.hdl.testing.DesignVerifier;
import dev.tellmej.hdl.testing.TestModule;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The AXI port-sharing arbiters elaborate deterministically, are {@code verilator --lint-only -Wall} clean,
 * synthesize with Yosys into the little their Javadoc promises (printed: docs/hdl.md quotes these figures), and
 * refuse parameters they cannot build with the reason. Their behaviour is tested in Verilator with burst engines
 * as clients against the AXI memory model (sim: {@code AxiPortShareSimTest}).
 */
class AxiArbitersTest {
    /** The kv260 data port: 128-bit beats, 64-bit addresses, no IDs. */
    static final Axi4Config KV260 = Axi4Config.of(128);
    /** A small port with IDs and 40-bit addresses. */
    static final Axi4Config SMALL = new Axi4Config(40, 64, 2);

    @Test
    void theReadArbiterIsLintCleanAndSmall() {
        Design<AxiReadArbiter> design = Hdl.elaborate(() -> new AxiReadArbiter(KV260, 5, 8));
        assertEquals("AxiReadArbiter_w128_n5_o8", design.topName());
        ResourceReport report = DesignVerifier.verify(design, "axi-read-arbiter");
        System.out.println("AxiReadArbiter, 5 clients, 8 in flight, 128 bits: " + report);
        assertEquals(0, report.bramTiles(), report.toString());
        assertTrue(report.flipFlops() <= 30, "the FIFO's pointers and count, its full flag and the round robin only: "
                + report);

        Design<AxiReadArbiter> small = Hdl.elaborate(() -> new AxiReadArbiter(SMALL, 3, 4));
        assertEquals("AxiReadArbiter_w64_n3_o4_a40_i2", small.topName());
        DesignVerifier.lint(small, "axi-read-arbiter-small");
    }

    @Test
    void theWriteArbiterIsLintCleanAndSmall() {
        Design<AxiWriteArbiter> design = Hdl.elaborate(() -> new AxiWriteArbiter(KV260, 2, 8));
        assertEquals("AxiWriteArbiter_w128_n2_o8", design.topName());
        ResourceReport report = DesignVerifier.verify(design, "axi-write-arbiter");
        System.out.println("AxiWriteArbiter, 2 clients, 8 in flight, 128 bits: " + report);
        assertEquals(0, report.bramTiles(), report.toString());
        assertTrue(report.flipFlops() <= 40, "two FIFOs' pointers and counts, two flags, the round robin: " + report);

        Design<AxiWriteArbiter> small = Hdl.elaborate(() -> new AxiWriteArbiter(SMALL, 3, 4));
        assertEquals("AxiWriteArbiter_w64_n3_o4_a40_i2", small.topName());
        DesignVerifier.lint(small, "axi-write-arbiter-small");
    }

    @Test
    void thePortShareOfTheKernelsDataPortsIsLintCleanAndSynthesizes() {
        // kv260's m_axi_d0: program, embedding rows, norm gains, RoPE table, LM head read; records written.
        Design<AxiPortShare> kv260 = Hdl.elaborate(() -> new AxiPortShare(KV260,
                List.of(READ, READ, READ, READ, READ, WRITE), 8));
        assertEquals("AxiPortShare_w128_rrrrrw_o8", kv260.topName());
        assertEquals(List.of("SyncFifo_w3_d8_head", "AxiReadArbiter_w128_n5_o8", "SyncFifo_w1_d8_head",
                "AxiWriteArbiter_w128_n1_o8", "AxiPortShare_w128_rrrrrw_o8"),
                List.copyOf(kv260.definitions().keySet()));
        ResourceReport report = DesignVerifier.verify(kv260, "axi-port-share-kv260");
        System.out.println("AxiPortShare kv260 d0 (5 readers, 1 writer, 8 in flight, 128 bits): " + report);
        assertEquals(0, report.bramTiles(), report.toString());

        // sim-small's only data port also carries the KV cache: the attention unit reads, the KV writer writes.
        Design<AxiPortShare> simSmall = Hdl.elaborate(() -> new AxiPortShare(Axi4Config.of(64),
                List.of(READ, READ, READ, READ, READ, WRITE, READ, WRITE), 8));
        ResourceReport small = DesignVerifier.verify(simSmall, "axi-port-share-sim-small");
        System.out.println("AxiPortShare sim-small d0 (6 readers, 2 writers, 8 in flight, 64 bits): " + small);
        assertEquals(0, small.bramTiles(), small.toString());
    }

    @Test
    void oneClientOneBurstAndClientsThatReadAndWriteAreLintClean() {
        DesignVerifier.lint(Hdl.elaborate(() -> new AxiReadArbiter(Axi4Config.of(32), 1, 1)), "axi-read-arbiter-one");
        DesignVerifier.lint(Hdl.elaborate(() -> new AxiWriteArbiter(Axi4Config.of(32), 1, 1)), "axi-write-arbiter-one");
        DesignVerifier.lint(Hdl.elaborate(() -> new AxiPortShare(SMALL, List.of(READ_WRITE, READ, WRITE, READ_WRITE),
                2)), "axi-port-share-both");
        DesignVerifier.lint(Hdl.elaborate(() -> new AxiPortShare(SMALL, List.of(READ, READ), 2)),
                "axi-port-share-readers");
        DesignVerifier.lint(Hdl.elaborate(() -> new AxiPortShare(SMALL, List.of(WRITE), 2)), "axi-port-share-writer");
    }

    @Test
    void shareConnectsEngineClientsInOneCall() {
        AxiBurstConfig bursts = AxiBurstConfig.of(KV260, 16, 4);
        Design<TestModule> design = TestModule.elaborate("SharedEngines", m -> {
            Axi4 port = m.output("m_axi_d0", Axi4.master(KV260));
            AxiBurstReader reader = m.child("reader", new AxiBurstReader(bursts));
            AxiBurstWriter writer = m.child("writer", new AxiBurstWriter(bursts));
            m.input("read_command", Stream.of(BurstCommand.shape(bursts))).connectTo(reader.command);
            reader.data.connectTo(m.output("read_data", Stream.of(new AxiBurstReader.ReadBeat(Hdl.bits(128),
                    Hdl.bool(), Hdl.bool()))));
            m.input("write_command", Stream.of(BurstCommand.shape(bursts))).connectTo(writer.command);
            m.input("write_data", Stream.of(new AxiBurstWriter.WriteBeat(Hdl.bits(128), Hdl.bits(16))))
                    .connectTo(writer.data);
            writer.done.connectTo(m.output("write_done", Flow.of(new AxiBurstWriter.WriteDone(Hdl.bool()))));
            AxiPortShare.share("d0_share", port, 4, AxiPortShare.reads(reader.axi), AxiPortShare.writes(writer.axi));
        });
        String top = design.definitions().get("SharedEngines");
        assertTrue(top.contains("AxiPortShare_w128_rw_o4 d0_share ("), top);
        DesignVerifier.lint(design, "axi-port-share-engines");
    }

    @Test
    void theInvariantsAreCheckedInSimulationOnly() {
        String reader = joinedStrings(Hdl.elaborate(() -> new AxiReadArbiter(SMALL, 3, 4)).definitions()
                .get("AxiReadArbiter_w64_n3_o4_a40_i2"));
        String writer = joinedStrings(Hdl.elaborate(() -> new AxiWriteArbiter(SMALL, 3, 4)).definitions()
                .get("AxiWriteArbiter_w64_n3_o4_a40_i2"));
        for (String text : List.of(reader, writer)) {
            assertTrue(text.contains("`ifndef SYNTHESIS"), text);
        }
        assertTrue(reader.contains("an R beat arrived with no burst recorded"), reader);
        assertTrue(reader.contains("client 2 raised awvalid or wvalid"), reader);
        assertTrue(writer.contains("a write response arrived with no burst recorded, or before its burst's address"
                + " was accepted and its last W beat taken"), writer);
        assertTrue(writer.contains("a client withdrew awvalid before its address was accepted"), writer);
        assertTrue(writer.contains("client 1 raised arvalid"), writer);
    }

    private static String joinedStrings(String verilog) {
        return verilog.replaceAll("\",\\s*\"", "");
    }

    @Test
    void elaborationIsDeterministic() {
        DesignVerifier.assertDeterministic(Hdl.elaborate(() -> new AxiReadArbiter(SMALL, 4, 4)),
                Hdl.elaborate(() -> new AxiReadArbiter(SMALL, 4, 4)));
        DesignVerifier.assertDeterministic(Hdl.elaborate(() -> new AxiWriteArbiter(KV260, 3, 8)),
                Hdl.elaborate(() -> new AxiWriteArbiter(KV260, 3, 8)));
        DesignVerifier.assertDeterministic(
                Hdl.elaborate(() -> new AxiPortShare(SMALL, List.of(READ, WRITE, READ_WRITE), 4)),
                Hdl.elaborate(() -> new AxiPortShare(SMALL, List.of(READ, WRITE, READ_WRITE), 4)));
    }

    @Test
    void impossibleParametersAreRefusedWithTheReason() {
        assertRefused(() -> new AxiReadArbiter(KV260, 0, 8), "AxiReadArbiter: it needs at least one client, got 0");
        assertRefused(() -> new AxiWriteArbiter(KV260, 33, 8), "AxiWriteArbiter: at most 32 clients share a port,"
                + " got 33");
        assertRefused(() -> new AxiReadArbiter(KV260, 2, 0), "bursts in flight must be 1..64, got 0");
        assertRefused(() -> new AxiWriteArbiter(KV260, 2, 65), "bursts in flight must be 1..64, got 65");
        assertRefused(() -> new AxiReadArbiter(null, 2, 4), "AxiReadArbiter needs the shared port's Axi4Config");
        assertRefused(() -> new AxiPortShare(KV260, List.of(), 4), "AxiPortShare needs at least one client");
        assertRefused(() -> new AxiPortShare(KV260, java.util.Arrays.asList(READ, null), 4),
                "AxiPortShare needs at least one client, each READ, WRITE or READ_WRITE, got [READ, null]");
        assertRefused(() -> new AxiPortShare(KV260, List.of(READ, WRITE), 0),
                "AxiPortShare (its reading clients): bursts in flight must be 1..64, got 0");
    }

    @Test
    void aClientWithOtherWidthsThanTheSharedPortIsNamed() {
        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> TestModule.elaborate(
                "Mismatch", m -> {
                    Axi4 port = m.output("m_axi_d0", Axi4.master(KV260));
                    Axi4 narrow = m.input("narrow", Axi4.slave(Axi4Config.of(64)));
                    Axi4 fine = m.input("fine", Axi4.slave(KV260));
                    Axi4 ids = m.input("ids", Axi4.slave(KV260.withIdWidth(1).withAddressWidth(48)));
                    AxiPortShare.share("d0_share", port, 4, AxiPortShare.reads(fine), AxiPortShare.reads(narrow),
                            AxiPortShare.writes(ids));
                }));
        String message = e.getMessage();
        assertTrue(message.contains("AxiPortShare d0_share: client 1 has 64-bit data, the shared port 128; client 2"
                + " has 48-bit addresses, the shared port 64 and 1 ID bits, the shared port 0. Every client's port"
                + " must have the shared port's Axi4Config"), message);
    }

    private static void assertRefused(Supplier<? extends Module> top, String expected) {
        String message = assertThrows(InvalidParameterException.class, () -> Hdl.elaborate(top::get)).getMessage();
        assertTrue(message.contains(expected), message);
    }
}
