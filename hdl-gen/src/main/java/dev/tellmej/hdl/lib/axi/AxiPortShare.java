package dev.tellmej.hdl.lib.axi;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.ElaborationHelper;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.hdl.ir.Locations;
import java.util.ArrayList;
import java.util.List;

/**
 * One AXI4 master port shared by clients that read, write or both: an {@link AxiReadArbiter} over the clients
 * that read and an {@link AxiWriteArbiter} over those that write, each with {@code burstsInFlight} routes, on
 * the two halves of {@link #axi}. Client i connects to the slave port {@code s_axi_<i>} ({@link #clients}); the
 * half a client does not use is tied off on its port ({@code awready}, {@code wready} and {@code bvalid} low for
 * a reader; {@code arready} and {@code rvalid} low for a writer) and an assertion stops a simulation if the
 * client uses it anyway. Latency, throughput, fairness and routing are the arbiters'; the cost is theirs,
 * nothing more.
 *
 * <p>From a parent module, {@link #share} places it and connects everything in one call:
 * <pre>{@code
 * AxiPortShare.share("d0_share", m_axi_d0, 8, AxiPortShare.reads(fetcher.axi), AxiPortShare.reads(rows.axi),
 *         AxiPortShare.writes(records.axi));
 * }</pre>
 *
 * <p>The Verilog module is {@code AxiPortShare_w<data bits>_<uses>_o<bursts in flight>} with one letter per
 * client in port order ({@code r} reads, {@code w} writes, {@code b} both) and the arbiters' suffixes
 * ({@code _a<address bits>} unless 64, {@code _i<ID bits>} with IDs).
 */
public final class AxiPortShare extends Module {
    /** What a client does on the shared port. */
    public enum Access {
        /** AR and R only. */
        READ("r"),
        /** AW, W and B only. */
        WRITE("w"),
        /** Both halves. */
        READ_WRITE("b");

        private final String letter;

        Access(String letter) {
            this.letter = letter;
        }

        boolean reads() {
            return this != WRITE;
        }

        boolean writes() {
            return this != READ;
        }
    }

    /**
     * A client for {@link #share}: its AXI4 master port (a child's {@code m_axi}, or any signals of that role)
     * and what it does on it.
     */
    public record Client(Axi4 port, Access access) {}

    /** A client that only reads. */
    public static Client reads(Axi4 port) {
        return new Client(port, Access.READ);
    }

    /** A client that only writes. */
    public static Client writes(Axi4 port) {
        return new Client(port, Access.WRITE);
    }

    /** A client that reads and writes. */
    public static Client readsAndWrites(Axi4 port) {
        return new Client(port, Access.READ_WRITE);
    }

    /** The clients' ports, slave side, in the order given. */
    public final List<Axi4> clients;
    /** The shared master port. */
    public final Axi4 axi;
    /** Read bursts accepted downstream whose last beat has not arrived (0 when no client reads). */
    public final UInt readsOutstanding;
    /** Write bursts whose response has not arrived (0 when no client writes). */
    public final UInt writesOutstanding;
    /** The read arbiter, or null when no client reads. */
    public final AxiReadArbiter reads;
    /** The write arbiter, or null when no client writes. */
    public final AxiWriteArbiter writes;

    /**
     * @param config         the widths of the shared port and of every client port
     * @param access         what each client does, in port order: 1 to 32 clients of each direction
     * @param burstsInFlight routes per direction: 1 to 64 bursts in flight downstream (see the arbiters)
     */
    public AxiPortShare(Axi4Config config, List<Access> access, int burstsInFlight) {
        if (access == null || access.isEmpty() || access.stream().anyMatch(java.util.Objects::isNull)) {
            throw new InvalidParameterException(Locations.capture(), "AxiPortShare needs at least one client, each"
                    + " READ, WRITE or READ_WRITE, got " + access);
        }
        int readers = (int) access.stream().filter(Access::reads).count();
        int writers = (int) access.stream().filter(Access::writes).count();
        if (readers > 0) {
            BurstRoutes.check("AxiPortShare (its reading clients)", config, readers, burstsInFlight);
        }
        if (writers > 0) {
            BurstRoutes.check("AxiPortShare (its writing clients)", config, writers, burstsInFlight);
        }
        StringBuilder uses = new StringBuilder();
        access.forEach(a -> uses.append(a.letter));
        var names = BurstRoutes.verilogParameters(config, access.size(), burstsInFlight);
        names.remove("n");
        param("w", names.remove("w"));
        param("", uses.toString());
        names.forEach(this::param);

        List<Axi4> ports = new ArrayList<>();
        for (int i = 0; i < access.size(); i++) {
            ports.add(in("s_axi_" + i, Axi4.slave(config)));
        }
        clients = List.copyOf(ports);
        axi = out("m_axi", Axi4.master(config));
        readsOutstanding = out("reads_outstanding", uint(bitsFor(burstsInFlight)));
        writesOutstanding = out("writes_outstanding", uint(bitsFor(burstsInFlight)));
        reads = readers == 0 ? null : instance("reads", new AxiReadArbiter(config, readers, burstsInFlight));
        writes = writers == 0 ? null : instance("writes", new AxiWriteArbiter(config, writers, burstsInFlight));

        int reader = 0;
        int writer = 0;
        for (int i = 0; i < access.size(); i++) {
            Axi4 client = ports.get(i);
            Access use = access.get(i);
            if (use == Access.READ) {
                forward(reads.clients.get(reader++), client);   // the arbiter ties off and watches its write half
            } else if (use == Access.WRITE) {
                forward(writes.clients.get(writer++), client);
            } else {
                Axi4 readSide = reads.clients.get(reader++);
                Axi4 writeSide = writes.clients.get(writer++);
                Axi4.forwardReadChannels(readSide, client);
                readSide.tieOffWriteChannels();
                Axi4.forwardWriteChannels(writeSide, client);
                writeSide.tieOffReadChannels();
            }
        }
        if (reads == null) {
            axi.tieOffReadChannels();
            readsOutstanding.set(0);
        } else {
            readsOutstanding.set(reads.outstanding);
            Axi4.forwardReadChannels(axi, reads.axi);
            reads.axi.tieOffWriteChannelsAsSlave();   // its own write half is idle
        }
        if (writes == null) {
            axi.tieOffWriteChannels();
            writesOutstanding.set(0);
        } else {
            writesOutstanding.set(writes.outstanding);
            Axi4.forwardWriteChannels(axi, writes.axi);
            writes.axi.tieOffReadChannelsAsSlave();
        }
    }

    /**
     * Places an {@code AxiPortShare} named {@code name} in the module under construction and connects it: its
     * shared port to {@code port} (a master port of that module, or wires of that role), each client's port to
     * its slave port in the order given.
     *
     * @throws InvalidParameterException when a client's port has other widths than {@code port} (naming the
     *                                   client and the widths), or the arbiters' limits are exceeded
     */
    @ElaborationHelper
    public static AxiPortShare share(String name, Axi4 port, int burstsInFlight, Client... clients) {
        return share(name, port, burstsInFlight, List.of(clients));
    }

    /** {@link #share(String, Axi4, int, Client...)} with the clients in a list. */
    @ElaborationHelper
    public static AxiPortShare share(String name, Axi4 port, int burstsInFlight, List<Client> clients) {
        if (port == null) {
            throw new InvalidParameterException(Locations.capture(), "AxiPortShare " + name + ": no shared port");
        }
        List<String> problems = new ArrayList<>();
        List<Access> access = new ArrayList<>();
        for (int i = 0; i < clients.size(); i++) {
            Client client = clients.get(i);
            if (client == null || client.port() == null || client.access() == null) {
                problems.add("client " + i + " has no port or no access (use reads(...), writes(...) or"
                        + " readsAndWrites(...))");
                continue;
            }
            access.add(client.access());
            String mismatch = mismatch(client.port().config(), port.config());
            if (mismatch != null) {
                problems.add("client " + i + " has " + mismatch);
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidParameterException(Locations.capture(), "AxiPortShare " + name + ": "
                    + String.join("; ", problems) + ". Every client's port must have the shared port's Axi4Config"
                    + " (put a width converter in front of a narrower client, or widen its address)");
        }
        AxiPortShare share = dev.tellmej.hdl.Hdl.instance(name,
                new AxiPortShare(port.config(), access, burstsInFlight));
        forward(port, share.axi);
        for (int i = 0; i < clients.size(); i++) {
            forward(share.clients.get(i), clients.get(i).port());
        }
        return share;
    }

    /** What differs between a client's widths and the shared port's, or null. */
    private static String mismatch(Axi4Config client, Axi4Config shared) {
        List<String> differences = new ArrayList<>();
        if (client.dataWidth() != shared.dataWidth()) {
            differences.add(client.dataWidth() + "-bit data, the shared port " + shared.dataWidth());
        }
        if (client.addressWidth() != shared.addressWidth()) {
            differences.add(client.addressWidth() + "-bit addresses, the shared port " + shared.addressWidth());
        }
        if (client.idWidth() != shared.idWidth()) {
            differences.add(client.idWidth() + " ID bits, the shared port " + shared.idWidth());
        }
        return differences.isEmpty() ? null : String.join(" and ", differences);
    }
}
