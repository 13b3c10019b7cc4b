package dev.tellmej.accel.kernel;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.lib.Stream;
import dev.tellmej.hdl.lib.axi.AxiBurstWriter;
import dev.tellmej.hdl.lib.axi.BurstCommand;

/**
 * The data port's writes (the call record, the debug area), shared in turn like {@link DataReads}: the writer
 * whose turn it is drives {@link #command} and {@link #data}. Counts the commands not yet acknowledged, so the
 * sequencer can wait for every write to land before it reports the call done.
 */
final class DataWrites extends Area {
    /** Commands of at least one beat each (a command of 0 beats would never be acknowledged). */
    final Stream<BurstCommand> command;
    /** The beats, in command order. */
    final Stream<AxiBurstWriter.WriteBeat> data;
    /** Every command taken has been acknowledged. */
    final Bool drained;
    /** A burst was answered SLVERR or DECERR since {@code clear}. */
    final Bool failed;

    DataWrites(KernelShape shape, AxiBurstWriter writer, Bool clear) {
        super("data_writes", "the data port's writes, taken in turn; counts the commands not yet acknowledged");
        command = wire("data_write", Stream.of(BurstCommand.shape(shape.dataBursts())));
        command.valid.set(false);
        command.payload.address().set(0);
        command.payload.beats().set(0);
        // Through a skid buffer (for timing: the writer's ready, from its AW handshake through its burst cutter,
        // lay on the path into the client's next step).
        command.s2mPipe("data_write_skid").connectTo(writer.command);
        data = wire("data_write_beat", Stream.of(new AxiBurstWriter.WriteBeat(bits(8 * shape.beatBytes()),
                bits(shape.beatBytes()))));
        data.valid.set(false);
        data.payload.data().set(0);
        data.payload.strobes().set(0);
        // Registered both ways, the ready first (for timing: the writers' steps, through their multiplexer, lay on
        // the path into the writer's FIFO's write, and its ready on the paths into the writers' queues); the
        // commands not yet acknowledged still cover the beats held there.
        data.s2mPipe("data_write_beat_s2m").stage("data_write_beat_stage").connectTo(writer.data);
        UInt pending = reg("data_writes_pending", uint(8), 0);
        UInt up = command.fire().asUInt().resize(8);
        UInt down = writer.done.valid.asUInt().resize(8);
        pending.set(pending.add(up).trunc(8).sub(down).trunc(8));
        assertAlways(pending.lt(255).or(command.fire().not()), "TellmeKernel: fewer than 255 writes in flight");
        drained = pending.eq(0).and(command.valid.not()).named("data_writes_drained");
        Bool failure = reg("data_write_failed", bool(), 0);
        when(clear, () -> failure.set(false))
                .elseWhen(writer.done.valid.and(writer.done.payload.error()), () -> failure.set(true));
        failed = failure;
    }
}
