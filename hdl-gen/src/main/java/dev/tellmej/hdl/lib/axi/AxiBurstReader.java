package dev.tellmej.hdl.lib.axi;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.ElaborationHelper;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.RamStyle;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.lib.Stream;
import dev.tellmej.hdl.lib.SyncFifo;

/**
 * An AXI4 read master for DDR streams: takes {@link BurstCommand}s (a byte address and a length in full-width
 * beats), reads them with INCR bursts and delivers the beats, in order, as a {@link Stream} with a
 * {@code last} flag on each command's final beat.
 *
 * <p><b>Bursts.</b> Up to {@link AxiBurstConfig#burstBeats()} beats each, cut at multiples of that size, so
 * an unaligned start costs one short burst, a short tail one more, and no burst crosses a 4 KB boundary.
 * A burst is issued only while the read FIFO ({@code outstandingBursts x burstBeats} beats) has room for all
 * its data beside the data of every burst already in flight ({@link #credits}; the FIFO holds at least two
 * beats), and while fewer than {@code outstandingBursts} bursts are in flight ({@link #outstanding}). So
 * {@code rready} is never low when data arrives: the R channel never stalls the interconnect, however long
 * the consumer stalls {@link #data}.
 *
 * <p><b>Errors.</b> A beat returned with SLVERR or DECERR is delivered with {@code error} set (its data is
 * whatever the slave sent); the reader goes on. EXOKAY counts as OKAY. All bursts carry one ID, so the slave
 * returns them in order; the reader relies on that and on {@code rlast}.
 *
 * <p><b>Timing.</b> The AR channel is driven from registers, a register slice in both directions
 * ({@link Stream#fullPipe}, two bursts deep): {@code arvalid} and the address come from its registers, and a
 * burst enters it on the slice's own registered ready, so {@code arready} never travels back into the credits
 * or to {@code command}'s ready in the same cycle, and a port arbiter's choice starts from registered
 * {@code arvalid}s. The burst cutter's next burst (its length, whether it ends its command) is registered too.
 *
 * <p><b>Latency.</b> A command taken at a clock edge waits a cycle in the burst cutter's command stage, is cut
 * into its first burst, which enters the AR slice at the next edge (when credits allow), so its first AR can be
 * accepted at the edge after; an R beat is on {@link #data} one cycle after it arrives (two with a block-RAM
 * FIFO). The cutter takes the next command in the cycle the previous command's last burst enters the slice (or
 * at once when it is idle).
 * <b>Throughput.</b> One beat per cycle when the credits cover the round trip: {@code outstandingBursts x
 * burstBeats} at least the memory's read latency plus about 4 cycles, and the consumer keeps up (measured
 * in Verilator at 64 bits, 16-beat bursts, 4 in flight: 8,192 beats in 8,237 cycles at a read latency of 40).
 * One AR per cycle, so back-to-back single-beat commands run at one a cycle (300 in 307 cycles).
 * <b>Cost.</b> The FIFO, {@code outstandingBursts x burstBeats} words of data width + 2 bits (LUT RAM up to
 * 2 Kbit of data, block RAM above); a FIFO of one flag per burst in flight (LUT RAM); registers for the next
 * address (address width), the beats left (length bits), the credits (log2 of the FIFO depth + 1); an
 * address adder, a beat subtractor, two comparators. The write channels are tied off: {@code awvalid} and
 * {@code wvalid} low, {@code bready} high.
 *
 * <p><b>Checks.</b> Simulation-only assertions ({@code assertAlways}) stop a simulation if a burst is issued
 * without credits for all its beats, a credit comes back that no burst took, {@code rready} is low under
 * {@code rvalid}, or an R beat arrives with no burst in flight.
 *
 * <p>The Verilog module is {@code AxiBurstReader_w<data bits>_b<burst beats>_o<outstanding>}, plus
 * {@code _a<address bits>} unless 64, {@code _l<length bits>} unless 32 and {@code _i<ID bits>_id<ID>} with IDs.
 */
public final class AxiBurstReader extends Module {
    /**
     * A delivered beat.
     *
     * @param data  the beat as the bus carried it (byte i of the beat at address aligned + i)
     * @param last  the command's final beat
     * @param error the slave answered this beat with SLVERR or DECERR
     */
    public record ReadBeat(Bits data, Bool last, Bool error) {}

    /** Commands in. */
    public final Stream<BurstCommand> command;
    /** The beats read, in command order. */
    public final Stream<ReadBeat> data;
    /** The AXI4 master port ({@code m_axi_...}). */
    public final Axi4 axi;
    /** No command in progress, no burst in flight, nothing left to deliver. */
    public final Bool idle;
    /**
     * FIFO beats not promised to a burst in flight: 0 to the FIFO depth. With the outstanding bursts' beats and
     * the beats in the FIFO it always adds up to the depth (for tests and performance counters).
     */
    public final UInt credits;
    /** Bursts whose address was accepted and whose last beat has not arrived: 0 to {@code outstandingBursts}. */
    public final UInt outstanding;
    /**
     * The command stage is empty, a register: a command offered now is taken at this edge. A client that offers
     * commands only then sees its handshake from a register, not from the burst issue behind the stage (for
     * timing), at the cost of a cycle between commands.
     */
    public final Bool commandFree;

    public AxiBurstReader(AxiBurstConfig config) {
        config.verilogParameters().forEach(this::param);
        Axi4Config axiConfig = config.axi();
        int depth = Math.max(2, config.outstandingBursts() * config.burstBeats());
        int maxBursts = config.outstandingBursts();
        command = in("command", Stream.of(BurstCommand.shape(config)));
        data = out("data", Stream.of(new ReadBeat(bits(axiConfig.dataWidth()), bool(), bool())));
        axi = out("m_axi", Axi4.master(axiConfig));
        idle = out("idle", bool());
        credits = out("credits", uint(bitsFor(depth)));
        outstanding = out("outstanding", uint(bitsFor(maxBursts)));
        commandFree = out("command_free", bool());

        // ---- AR: bursts while the FIFO has room for their data and a burst slot is free ----
        // A burst is issued (its credits and its slot taken) when it enters the AR slice, which holds two: one
        // enters while the other waits for arready.
        BurstCutter bursts = area(new BurstCutter("ar", config, command));
        commandFree.set(bursts.commandFree);
        Bool requested = wire("requested", bool());
        Bool delivered = wire("delivered", bool());
        Credits credit = area(new Credits(depth, bursts.beats, requested, delivered));
        SyncFifo inFlight = instance("in_flight", new SyncFifo(1, Math.max(2, maxBursts), RamStyle.DISTRIBUTED));
        Bool room = credit.count.ge(bursts.beats).named("room");
        Bool slotFree = inFlight.occupancy.lt(maxBursts).named("slot_free");
        Stream<Burst> next = wire("ar_next", Stream.of(new Burst(uint(axiConfig.addressWidth()), uint(8))));
        next.valid.set(bursts.pending.and(room).and(slotFree));
        next.payload.address().set(bursts.address);
        next.payload.len().set(bursts.beats.sub(1).resize(8));
        Stream<Burst> ar = next.fullPipe("ar_slice");
        axi.arvalid.set(ar.valid);
        axi.araddr.set(ar.payload.address());
        axi.arlen.set(ar.payload.len());
        axi.arsize.set(config.beatShift());
        axi.arburst.set(AxiAddress.BURST_INCR);
        if (axi.arid != null) {
            axi.arid.set(config.id());
        }
        ar.ready.set(axi.arready);
        requested.set(next.fire());
        bursts.issue(requested);
        inFlight.push.valid.set(requested);
        inFlight.push.payload.set(bursts.lastOfCommand.asBits());
        // What the slice holds, so that credits and outstanding count from the AR handshake, as the port sees it.
        Bool accepted = axi.arvalid.and(axi.arready).named("ar_accepted");
        UInt sliceBursts = reg("ar_slice_bursts", uint(2), 0);
        sliceBursts.set(sliceBursts.add(requested.asUInt().resize(2)).sub(accepted.asUInt().resize(2)));
        int creditBits = widthOf(credit.count);
        // The beats in the slice as two counts that wrap, of the beats that entered and of those that left (for
        // timing: a shared port's arready, through its arbiter, reached one register through an addition and a
        // subtraction); their difference is the same at every cycle.
        UInt sliceBeatsIn = reg("ar_slice_beats_in", uint(creditBits), 0);
        UInt sliceBeatsOut = reg("ar_slice_beats_out", uint(creditBits), 0);
        when(requested, () -> sliceBeatsIn.set(sliceBeatsIn.add(bursts.beats.resize(creditBits)).trunc(creditBits)));
        when(accepted, () -> sliceBeatsOut.set(sliceBeatsOut.add(axi.arlen.resize(creditBits).add(1))
                .trunc(creditBits)));
        UInt sliceBeats = sliceBeatsIn.sub(sliceBeatsOut).trunc(creditBits).named("ar_slice_beats");

        // ---- R: every beat into the FIFO, which has room for it by construction ----
        Bool burstEndsCommand = inFlight.pop.payload.bit(0);
        Stream<ReadBeat> beats = new Stream<>(axi.rvalid, axi.rready,
                new ReadBeat(axi.rdata, axi.rlast.and(burstEndsCommand), axi.rresp.bit(1)));
        Stream<ReadBeat> queued = beats.queue("read_fifo", depth, config.fifoStyle(depth)).stream();
        inFlight.pop.ready.set(beats.fire().and(axi.rlast));
        queued.connectTo(data);
        delivered.set(data.fire());
        assertAlways(axi.rvalid.not().or(axi.rready), "AxiBurstReader: rready is high whenever rvalid is (the R"
                + " channel never stalls)");
        assertAlways(axi.rvalid.not().or(inFlight.pop.valid), "AxiBurstReader: an R beat arrived with no burst in"
                + " flight");

        credits.set(credit.count.add(sliceBeats));
        outstanding.set(inFlight.occupancy.resize(widthOf(outstanding)).sub(sliceBursts.resize(widthOf(outstanding))));
        idle.set(bursts.busy.not().and(credit.count.eq(depth)));

        axi.tieOffWriteChannels();
    }

    /** A burst on its way to the AR channel: its address and AXI length (beats - 1). */
    record Burst(UInt address, UInt len) {}

    /** The credits: read-FIFO beats that no burst in flight has claimed. */
    private static final class Credits extends Area {
        final UInt count;

        Credits(int depth, UInt burstBeats, Bool issued, Bool returned) {
            super("credits", "read-FIFO beats free for new bursts: a burst takes its beats when issued, each beat"
                    + " delivered gives one back");
            count = reg("credit_count", uint(bitsFor(depth)), depth);
            UInt afterIssue = mux(issued, count.sub(burstBeats.resize(count.width())), count);
            count.set(mux(returned, afterIssue.add(1), afterIssue));
            assertAlways(issued.not().or(count.ge(burstBeats)), "AxiBurstReader: a burst is issued only with credits"
                    + " for all its beats (the credits never go negative)");
            assertAlways(returned.not().or(issued).or(count.lt(depth)), "AxiBurstReader: a beat delivered gives back"
                    + " a credit some burst took (the credits never exceed the FIFO depth " + depth + ")");
        }
    }

    /**
     * Offers a command only while {@link #commandFree}, so that it is taken at the edge it is offered (see
     * {@link BurstCommand#offerWhenFree}); call from the client's module, which moves on the returned offer.
     *
     * @param name    the offer's signal name in the client's module
     * @param wants   the client has a command to give: 1 bit
     * @param address the command's first byte (resized to the address width)
     * @param beats   its length in full-width beats (resized to the length bits)
     * @param what    names the command in the simulation check's message
     * @return the offer, which is also the take: 1 bit
     */
    @ElaborationHelper
    public Bool offer(String name, Bool wants, UInt address, UInt beats, String what) {
        return BurstCommand.offerWhenFree(command, commandFree, name, wants, address, beats, what);
    }
}
