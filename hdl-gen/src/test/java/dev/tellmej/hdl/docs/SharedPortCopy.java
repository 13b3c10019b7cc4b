package dev.tellmej.hdl.docs;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.Stream;
import dev.tellmej.hdl.lib.axi.Axi4;
import dev.tellmej.hdl.lib.axi.AxiBurstReader;
import dev.tellmej.hdl.lib.axi.AxiBurstWriter;
import dev.tellmej.hdl.lib.axi.AxiPortShare;
import dev.tellmej.hdl.lib.axi.BurstCommand;
import java.util.List;

/** The burst copy of {@link BurstCopy} through one DDR port: the reader and the writer share it. */
public final class SharedPortCopy extends Module {
    public final Stream<BurstCopy.Copy> copy = in("copy", Stream.of(new BurstCopy.Copy(uint(64), uint(64), uint(32))));
    public final Flow<AxiBurstWriter.WriteDone> done = out("done", Flow.of(new AxiBurstWriter.WriteDone(bool())));

    // doc:begin port-share
    public final Axi4 memory = out("m_axi_gmem", Axi4.master(BurstCopy.PORT.axi()));

    public SharedPortCopy() {
        AxiBurstReader reader = instance("reader", new AxiBurstReader(BurstCopy.PORT));
        AxiBurstWriter writer = instance("writer", new AxiBurstWriter(BurstCopy.PORT));
        AxiPortShare.share("gmem_share", memory, 8,              // up to 8 bursts in flight each way
                AxiPortShare.reads(reader.axi), AxiPortShare.writes(writer.axi));
        // doc:end port-share
        List<Stream<BurstCopy.Copy>> commands = copy.fork("copy", 2);
        commands.get(0).map(c -> new BurstCommand(c.from(), c.beats())).connectTo(reader.command);
        commands.get(1).map(c -> new BurstCommand(c.to(), c.beats())).connectTo(writer.command);
        reader.data.map(beat -> AxiBurstWriter.WriteBeat.full(beat.data())).connectTo(writer.data);
        writer.done.connectTo(done);
    }
}
