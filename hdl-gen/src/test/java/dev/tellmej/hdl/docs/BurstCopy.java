package dev.tellmej.hdl.docs;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.Stream;
import dev.tellmej.hdl.lib.axi.Axi4;
import dev.tellmej.hdl.lib.axi.Axi4Config;
import dev.tellmej.hdl.lib.axi.AxiBurstConfig;
import dev.tellmej.hdl.lib.axi.AxiBurstReader;
import dev.tellmej.hdl.lib.axi.AxiBurstWriter;
import dev.tellmej.hdl.lib.axi.BurstCommand;
import java.util.List;

/** The AXI burst engines: a copy from one DDR port to another, the data streaming through. */
public final class BurstCopy extends Module {
    // doc:begin burst-copy
    /** Copy {@code beats} 16-byte beats from byte address {@code from} to {@code to}. */
    public record Copy(UInt from, UInt to, UInt beats) {}

    static final AxiBurstConfig PORT = AxiBurstConfig.of(Axi4Config.of(128), 16, 4);  // 16-beat bursts, 4 in flight

    public final Stream<Copy> copy = in("copy", Stream.of(new Copy(uint(64), uint(64), uint(32))));
    public final Flow<AxiBurstWriter.WriteDone> done = out("done", Flow.of(new AxiBurstWriter.WriteDone(bool())));
    public final Axi4 source = out("m_axi_src", Axi4.master(PORT.axi()));
    public final Axi4 destination = out("m_axi_dst", Axi4.master(PORT.axi()));

    public BurstCopy() {
        AxiBurstReader reader = instance("reader", new AxiBurstReader(PORT));
        AxiBurstWriter writer = instance("writer", new AxiBurstWriter(PORT));
        forward(source, reader.axi);
        forward(destination, writer.axi);
        List<Stream<Copy>> commands = copy.fork("copy", 2);       // one command to each engine
        commands.get(0).map(c -> new BurstCommand(c.from(), c.beats())).connectTo(reader.command);
        commands.get(1).map(c -> new BurstCommand(c.to(), c.beats())).connectTo(writer.command);
        reader.data.map(beat -> AxiBurstWriter.WriteBeat.full(beat.data())).connectTo(writer.data);
        writer.done.connectTo(done);                                // after the last write is acknowledged
    }
    // doc:end burst-copy
}
