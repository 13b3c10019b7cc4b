package dev.tellmej.sim.axi;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.Stream;
import dev.tellmej.hdl.lib.axi.Axi4;
import dev.tellmej.hdl.lib.axi.AxiBurstConfig;
import dev.tellmej.hdl.lib.axi.AxiBurstReader;
import dev.tellmej.hdl.lib.axi.AxiBurstWriter;
import dev.tellmej.hdl.lib.axi.AxiPortShare;
import dev.tellmej.hdl.lib.axi.BurstCommand;
import java.util.ArrayList;
import java.util.List;

/**
 * A test bench's design: six burst engines share one AXI4 port ({@code m_axi}) through an {@link AxiPortShare}.
 * Readers 0, 1 and 2 and writer 0 are clients of their own; reader 3 and writer 1 are one client that reads and
 * writes (both engines on one {@code m_axi}, as a unit with a reader and a writer would be). The share's clients in
 * port order: reader 0, reader 1, writer 0, reader 2, reader 3 with writer 1 ({@code rrwrb}); so the read arbiter
 * serves readers 0..3 as its clients 0..3, the write arbiter writers 0 and 1 as its clients 0 and 1.
 *
 * <p>Every engine's command and data streams are top-level ports ({@code r<k>_command}, {@code r<k>_data},
 * {@code w<k>_command}, {@code w<k>_data}, {@code w<k>_done}); so are, for the checkers, each arbiter client's
 * address valid and handshake ({@code ar_requests}, {@code ar_grants}, {@code aw_requests}, {@code aw_grants}:
 * bit k for client k), the IDs the share hands back ({@code r<k>_rvalid}, {@code r<k>_rid}, {@code w<k>_bvalid},
 * {@code w<k>_bid}, when the port has IDs), the arbiters' {@code outstanding} counts and whether every engine is
 * idle. Engine k puts ID {@code k + 1} on its bursts (readers) or {@code k + 5} (writers) when the port has IDs.
 */
public final class SharedPortTop extends Module {
    /** Reader engines. */
    static final int READERS = 4;
    /** Writer engines. */
    static final int WRITERS = 2;

    final List<Stream<BurstCommand>> readCommands = new ArrayList<>();
    final List<Stream<AxiBurstReader.ReadBeat>> readData = new ArrayList<>();
    final List<Stream<BurstCommand>> writeCommands = new ArrayList<>();
    final List<Stream<AxiBurstWriter.WriteBeat>> writeData = new ArrayList<>();
    final List<Flow<AxiBurstWriter.WriteDone>> writeDone = new ArrayList<>();
    final Axi4 axi;
    final Bits arRequests;
    final Bits arGrants;
    final Bits awRequests;
    final Bits awGrants;
    final List<Bool> rvalids = new ArrayList<>();
    final List<UInt> rids = new ArrayList<>();
    final List<Bool> bvalids = new ArrayList<>();
    final List<UInt> bids = new ArrayList<>();
    final UInt readsOutstanding;
    final UInt writesOutstanding;
    final Bool idle;

    /** Engines of {@code bursts} (its ID is replaced per engine), {@code inFlight} routes per direction. */
    public SharedPortTop(AxiBurstConfig bursts, int inFlight) {
        param("o", inFlight);
        boolean ids = bursts.axi().idWidth() > 0;
        List<AxiBurstReader> readers = new ArrayList<>();
        List<AxiBurstWriter> writers = new ArrayList<>();
        for (int k = 0; k < READERS; k++) {
            AxiBurstReader reader = instance("reader" + k, new AxiBurstReader(ids ? bursts.withId(k + 1) : bursts));
            readCommands.add(in("r" + k + "_command", Stream.of(BurstCommand.shape(bursts))));
            readData.add(out("r" + k + "_data", Stream.of(new AxiBurstReader.ReadBeat(bits(bursts.axi().dataWidth()),
                    bool(), bool()))));
            readCommands.get(k).connectTo(reader.command);
            reader.data.connectTo(readData.get(k));
            readers.add(reader);
        }
        for (int k = 0; k < WRITERS; k++) {
            AxiBurstWriter writer = instance("writer" + k, new AxiBurstWriter(ids ? bursts.withId(k + 5) : bursts));
            writeCommands.add(in("w" + k + "_command", Stream.of(BurstCommand.shape(bursts))));
            writeData.add(in("w" + k + "_data", Stream.of(new AxiBurstWriter.WriteBeat(bits(bursts.axi().dataWidth()),
                    bits(bursts.axi().dataBytes())))));
            writeDone.add(out("w" + k + "_done", Flow.of(new AxiBurstWriter.WriteDone(bool()))));
            writeCommands.get(k).connectTo(writer.command);
            writeData.get(k).connectTo(writer.data);
            writer.done.connectTo(writeDone.get(k));
            writers.add(writer);
        }
        axi = out("m_axi", Axi4.master(bursts.axi()));

        // Reader 3 and writer 1 as one client: their halves on one bundle.
        Axi4 both = wire("both_axi", Axi4.master(bursts.axi()));
        Axi4.forwardReadChannels(both, readers.get(3).axi);
        readers.get(3).axi.tieOffWriteChannelsAsSlave();   // the reader's write half answers nothing
        Axi4.forwardWriteChannels(both, writers.get(1).axi);
        writers.get(1).axi.tieOffReadChannelsAsSlave();
        AxiPortShare share = AxiPortShare.share("share", axi, inFlight, AxiPortShare.reads(readers.get(0).axi),
                AxiPortShare.reads(readers.get(1).axi), AxiPortShare.writes(writers.get(0).axi),
                AxiPortShare.reads(readers.get(2).axi), AxiPortShare.readsAndWrites(both));

        List<Axi4> readPorts = List.of(readers.get(0).axi, readers.get(1).axi, readers.get(2).axi, both);
        List<Axi4> writePorts = List.of(writers.get(0).axi, both);
        arRequests = out("ar_requests", bits(READERS));
        arGrants = out("ar_grants", bits(READERS));
        awRequests = out("aw_requests", bits(WRITERS));
        awGrants = out("aw_grants", bits(WRITERS));
        arRequests.set(bitsOf(readPorts.stream().map(p -> p.arvalid).toList()));
        arGrants.set(bitsOf(readPorts.stream().map(p -> p.arvalid.and(p.arready)).toList()));
        awRequests.set(bitsOf(writePorts.stream().map(p -> p.awvalid).toList()));
        awGrants.set(bitsOf(writePorts.stream().map(p -> p.awvalid.and(p.awready)).toList()));
        if (ids) {
            for (int k = 0; k < READERS; k++) {
                rvalids.add(out("r" + k + "_rvalid", bool()));
                rids.add(out("r" + k + "_rid", uint(bursts.axi().idWidth())));
                rvalids.get(k).set(readPorts.get(k).rvalid);
                rids.get(k).set(readPorts.get(k).rid);
            }
            for (int k = 0; k < WRITERS; k++) {
                bvalids.add(out("w" + k + "_bvalid", bool()));
                bids.add(out("w" + k + "_bid", uint(bursts.axi().idWidth())));
                bvalids.get(k).set(writePorts.get(k).bvalid);
                bids.get(k).set(writePorts.get(k).bid);
            }
        }
        readsOutstanding = out("reads_outstanding", uint(bitsFor(inFlight)));
        writesOutstanding = out("writes_outstanding", uint(bitsFor(inFlight)));
        readsOutstanding.set(share.readsOutstanding);
        writesOutstanding.set(share.writesOutstanding);
        idle = out("idle", bool());
        Bool allIdle = TRUE;
        for (AxiBurstReader reader : readers) {
            allIdle = allIdle.and(reader.idle);
        }
        for (AxiBurstWriter writer : writers) {
            allIdle = allIdle.and(writer.idle);
        }
        idle.set(allIdle);
    }

    /** Bit k of the result is {@code bits.get(k)}. */
    private static Bits bitsOf(List<Bool> bits) {
        Bool[] reversed = new Bool[bits.size()];
        for (int k = 0; k < bits.size(); k++) {
            reversed[bits.size() - 1 - k] = bits.get(k);
        }
        return cat(reversed);
    }
}
