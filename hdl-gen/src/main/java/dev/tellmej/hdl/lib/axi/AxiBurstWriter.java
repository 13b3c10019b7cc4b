package dev.tellmej.hdl.lib.axi;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.ElaborationHelper;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.RamStyle;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.Stream;
import dev.tellmej.hdl.lib.SyncFifo;
import java.math.BigInteger;

/**
 * An AXI4 write master for DDR streams: takes {@link BurstCommand}s (a byte address and a length in full-width
 * beats) and, separately, the data as a {@link Stream} of beats with byte strobes (exactly {@code beats} per
 * command, in command order; strobes mask bytes of a partial first or last beat). It writes them with INCR
 * bursts and signals each command's completion on {@link #done} once every burst of it has been acknowledged.
 *
 * <p><b>Bursts.</b> Cut as the {@link AxiBurstReader} cuts them: up to {@link AxiBurstConfig#burstBeats()}
 * beats, at multiples of that size, never across a 4 KB boundary. A burst's address is issued only when all
 * of its beats are in the write FIFO (2 x {@code burstBeats} beats), so once a burst starts, {@code wvalid}
 * stays high to its {@code wlast}: a slow producer never holds the interconnect's write channel
 * mid-burst. At most {@code outstandingBursts} bursts wait for their response ({@link #outstanding}); W
 * follows AW in order, {@code wlast} on each burst's final beat.
 *
 * <p><b>Completion and errors.</b> Responses arrive in order (one ID); when the last burst of a command is
 * acknowledged, {@link #done} pulses one cycle later with {@code error} set if any burst of that command was
 * answered with SLVERR or DECERR (EXOKAY counts as OKAY). {@code bready} is always high.
 *
 * <p><b>Latency.</b> The first AW follows the command by two cycles (the burst cutter's command stage, then its
 * burst) once its first burst's data is buffered;
 * W starts one cycle after AW is accepted; {@code done} comes one cycle after the last response.
 * <b>Throughput.</b> One beat per cycle while the producer keeps up and {@code outstandingBursts} bursts
 * cover the time from a burst's address to its response (measured in Verilator at 64 bits, 16-beat bursts,
 * 4 in flight: 8,192 beats in 8,251 cycles at a write latency of 40). One AW per cycle (300 single-beat
 * commands in 306 cycles).
 * <b>Cost.</b> The write FIFO, 2 x {@code burstBeats} words of data width + data width / 8 bits (LUT RAM up to
 * 2 Kbit of data, block RAM above); two small LUT-RAM FIFOs with an entry per burst in flight (its length,
 * whether it ends its command); registers for the next address, the beats left, the buffered beats and the
 * beat in burst; an address adder and three comparators. The read channels are tied off: {@code arvalid}
 * low, {@code rready} high.
 *
 * <p><b>Checks.</b> Simulation-only assertions ({@code assertAlways}) stop a simulation if a burst's address
 * goes out before all its beats are buffered, the count of buffered beats exceeds the FIFO, or a response
 * arrives with no burst awaiting one.
 *
 * <p>The Verilog module is {@code AxiBurstWriter_w<data bits>_b<burst beats>_o<outstanding>} (suffixes as the
 * reader's).
 */
public final class AxiBurstWriter extends Module {
    /**
     * A beat to write.
     *
     * @param data    the beat as the bus carries it (byte i at address aligned + i)
     * @param strobes bit i writes byte i; zero bits leave memory unchanged
     */
    public record WriteBeat(Bits data, Bits strobes) {
        /** A beat that writes every byte of {@code data}. */
        public static WriteBeat full(Bits data) {
            int bytes = data.width() / 8;
            return new WriteBeat(data, B(BigInteger.ONE.shiftLeft(bytes).subtract(BigInteger.ONE), bytes));
        }
    }

    /**
     * A finished command.
     *
     * @param error a burst of it was answered with SLVERR or DECERR
     */
    public record WriteDone(Bool error) {}

    /** Commands in. */
    public final Stream<BurstCommand> command;
    /** The beats to write, in command order. */
    public final Stream<WriteBeat> data;
    /** One pulse per command (of at least one beat), in order, when all its bursts are acknowledged. */
    public final Flow<WriteDone> done;
    /** The AXI4 master port ({@code m_axi_...}). */
    public final Axi4 axi;
    /** No command in progress and every burst acknowledged. */
    public final Bool idle;
    /** Bursts whose address was issued and whose response has not arrived: 0 to {@code outstandingBursts}. */
    public final UInt outstanding;
    /** Beats in the write FIFO not yet given to a burst (for tests and performance counters). */
    public final UInt buffered;
    /**
     * The command stage is empty, a register: a command offered now is taken at this edge. A client that offers
     * commands only then sees its handshake from a register, not from the burst issue behind the stage (for
     * timing), at the cost of a cycle between commands.
     */
    public final Bool commandFree;

    public AxiBurstWriter(AxiBurstConfig config) {
        config.verilogParameters().forEach(this::param);
        Axi4Config axiConfig = config.axi();
        int depth = 2 * config.burstBeats();
        int maxBursts = config.outstandingBursts();
        RamStyle style = config.fifoStyle(depth);
        int capacity = style == RamStyle.BLOCK ? depth + 1 : depth;
        command = in("command", Stream.of(BurstCommand.shape(config)));
        data = in("data", Stream.of(new WriteBeat(bits(axiConfig.dataWidth()), bits(axiConfig.dataBytes()))));
        done = out("done", Flow.of(new WriteDone(bool())));
        axi = out("m_axi", Axi4.master(axiConfig));
        idle = out("idle", bool());
        outstanding = out("outstanding", uint(bitsFor(maxBursts)));
        buffered = out("buffered", uint(bitsFor(capacity)));
        commandFree = out("command_free", bool());

        // ---- AW: a burst once all its beats are buffered and a response slot is free ----
        Stream<WriteBeat> queued = data.queue("write_fifo", depth, style).stream();
        BurstCutter bursts = area(new BurstCutter("aw", config, command));
        commandFree.set(bursts.commandFree);
        Bool addressed = wire("addressed", bool());
        Unclaimed unclaimed = area(new Unclaimed(capacity, bursts.beats, data.fire().named("pushed"), addressed));
        int burstSlots = Math.max(2, maxBursts);
        SyncFifo awaiting = instance("awaiting_response", new SyncFifo(1, burstSlots, RamStyle.DISTRIBUTED));
        SyncFifo lengths = instance("burst_lengths", new SyncFifo(8, burstSlots, RamStyle.DISTRIBUTED));
        Bool burstBuffered = unclaimed.count.ge(bursts.beats).named("burst_buffered");
        Bool slotFree = awaiting.occupancy.lt(maxBursts).named("slot_free");
        axi.awvalid.set(bursts.pending.and(burstBuffered).and(slotFree));
        axi.awaddr.set(bursts.address);
        axi.awlen.set(bursts.beats.sub(1).resize(8));
        axi.awsize.set(config.beatShift());
        axi.awburst.set(AxiAddress.BURST_INCR);
        if (axi.awid != null) {
            axi.awid.set(config.id());
        }
        addressed.set(axi.awvalid.and(axi.awready));
        bursts.issue(addressed);
        awaiting.push.valid.set(addressed);
        awaiting.push.payload.set(bursts.lastOfCommand.asBits());
        lengths.push.valid.set(addressed);
        lengths.push.payload.set(bursts.beats.sub(1).resize(8).asBits());
        buffered.set(unclaimed.count);

        // ---- W: the bursts' beats in address order; their data is already buffered ----
        // The burst in progress's length comes from a register after the queue (for timing: the queue's LUT RAM
        // read and the compare with the beat count lay on the path into the queue's own pointers).
        Stream<Bits> length = lengths.pop.stage("burst_length");
        Bool written = wire("written", bool());
        BurstBeats beat = area(new BurstBeats(length.payload.asUInt(), written));
        axi.wvalid.set(length.valid.and(queued.valid));
        axi.wdata.set(queued.payload.data());
        axi.wstrb.set(queued.payload.strobes());
        axi.wlast.set(beat.last);
        queued.ready.set(axi.wready.and(length.valid));
        written.set(axi.wvalid.and(axi.wready));
        length.ready.set(written.and(beat.last));

        // ---- B: a command is done when its last burst is acknowledged ----
        axi.bready.set(true);
        awaiting.pop.ready.set(axi.bvalid);
        Responses responses = area(new Responses(axi.bvalid, axi.bresp.bit(1), awaiting.pop.payload.bit(0)));
        done.valid.set(responses.doneValid);
        done.payload.error().set(responses.doneError);
        assertAlways(axi.bvalid.not().or(awaiting.pop.valid), "AxiBurstWriter: a write response arrived with no"
                + " burst awaiting one");

        outstanding.set(awaiting.occupancy.resize(outstanding.width()));
        idle.set(bursts.busy.not().and(awaiting.occupancy.eq(0)));
        axi.tieOffReadChannels();
    }

    /** Beats in the write FIFO that no burst has claimed: a burst's address waits until all its beats are here. */
    private static final class Unclaimed extends Area {
        final UInt count;

        Unclaimed(int capacity, UInt burstBeats, Bool pushed, Bool claimed) {
            super("unclaimed", "beats in the write FIFO that no burst has claimed: each beat taken in adds one, a"
                    + " burst's address takes its beats");
            count = reg("unclaimed_beats", uint(bitsFor(capacity)), 0);
            UInt afterClaim = mux(claimed, count.sub(burstBeats.resize(count.width())), count);
            count.set(mux(pushed, afterClaim.add(1), afterClaim));
            assertAlways(claimed.not().or(count.ge(burstBeats)), "AxiBurstWriter: a burst's address goes out only"
                    + " when all its beats are buffered");
            assertAlways(pushed.not().or(claimed).or(count.lt(capacity)), "AxiBurstWriter: the unclaimed beats never"
                    + " exceed the FIFO's " + capacity + " words");
        }
    }

    /** The position in the burst on W: {@code wlast} on its final beat. */
    private static final class BurstBeats extends Area {
        final Bool last;

        BurstBeats(UInt burstLength, Bool written) {
            super("burst_beats", "counts the W beats of the burst in progress; wlast on its last");
            UInt beat = reg("beat_in_burst", uint(8), 0);
            last = beat.eq(burstLength).named("last_beat");
            when(written, () -> beat.set(mux(last, U(0, 8), beat.add(1))));
        }
    }

    /** Completion: one {@code done} per command, after its last burst's response, with the OR of its errors. */
    private static final class Responses extends Area {
        final Bool doneValid;
        final Bool doneError;

        Responses(Bool response, Bool failed, Bool endsCommand) {
            super("responses", "gathers the responses of a command's bursts; done after its last one");
            Bool commandEnds = response.and(endsCommand).named("command_ends");
            Bool errorSoFar = reg("error_so_far", bool(), 0);
            when(response, () -> errorSoFar.set(mux(commandEnds, FALSE, errorSoFar.or(failed))));
            doneValid = regNext("done_valid_q", commandEnds, 0);
            doneError = regNextWhen("done_error_q", errorSoFar.or(failed), commandEnds);
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
