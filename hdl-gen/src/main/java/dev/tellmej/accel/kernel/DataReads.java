package dev.tellmej.accel.kernel;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.lib.Stream;
import dev.tellmej.hdl.lib.axi.AxiBurstReader;
import dev.tellmej.hdl.lib.axi.BurstCommand;

/**
 * The data port's reads, shared in turn: the sequencer (header, tokens, instructions) and the unit running an
 * instruction each drive {@link #command} and take {@link #data} only while it is theirs, so one
 * {@link AxiBurstReader} serves them all. Defaults (no command, nothing taken) are set here, before the clients,
 * whose {@code when} blocks override them.
 */
final class DataReads extends Area {
    /** Read commands: driven by the client whose turn it is. */
    final Stream<BurstCommand> command;
    /** The beats, in command order; the client whose turn it is drives {@code ready}. */
    final Stream<AxiBurstReader.ReadBeat> data;
    /** A beat came back SLVERR or DECERR since {@code clear}. */
    final Bool failed;
    /** Driven by the reader whose beats are only a hint: an error on them does not count as {@link #failed}. */
    final Bool quiet;

    DataReads(KernelShape shape, AxiBurstReader reader, Bool clear) {
        super("data_reads", "the data port's reads, taken in turn by the sequencer and the running unit");
        command = wire("data_read", Stream.of(BurstCommand.shape(shape.dataBursts())));
        command.valid.set(false);
        command.payload.address().set(0);
        command.payload.beats().set(0);
        // Through a skid buffer (for timing: the reader's ready, from its AR slice through its burst cutter, lay on
        // the path into the client's next step).
        command.s2mPipe("data_read_skid").connectTo(reader.command);
        data = wire("data_beat", Stream.of(new AxiBurstReader.ReadBeat(bits(widthOf(reader.data.payload.data())),
                bool(), bool())));
        // Through a skid buffer, then a register stage (a cycle more on each read's latency): the ready of the
        // client whose turn it is, decided from its own state, ends at these registers instead of running on into
        // the reader's FIFO, and every client takes the beats from registers.
        reader.data.s2mPipe("data_beat_skid").stage("data_beat_slice").connectTo(data);
        data.ready.set(false);
        quiet = wire("data_read_quiet", bool());
        quiet.set(false);
        Bool failure = reg("data_read_failed", bool(), 0);
        when(clear, () -> failure.set(false))
                .elseWhen(data.fire().and(data.payload.error()).and(quiet.not()), () -> failure.set(true));
        failed = failure;
    }
}
