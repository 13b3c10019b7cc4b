package dev.tellmej.sim.designs;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.BlackBox;
import dev.tellmej.hdl.ImportedBlackBox;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.lib.Stream;
import java.nio.file.Path;

/** The hand-written Verilog FIFO of hdl-gen's import tests, imported as a black box and wrapped with streams. */
public final class ImportedFifo extends Module {
    /** The FIFO's file (hdl-gen/src/test/resources/verilog-import/fifo.v). */
    public static final Path FILE = Path.of(System.getProperty("tellme.repo.root", "..")).resolve("hdl-gen")
            .resolve("src/test/resources/verilog-import/fifo.v").toAbsolutePath().normalize();

    public final Stream<UInt> in;
    public final Stream<UInt> out;
    public final UInt level;

    public ImportedFifo(int width, int depth) {
        param("w", width);
        param("d", depth);
        in = in("in", Stream.of(uint(width)));
        out = out("out", Stream.of(uint(width)));
        level = out("level", uint(log2Up(depth) + 1));
        ImportedBlackBox fifo = instance("fifo", BlackBox.importVerilog(FILE, "fifo")
                .parameter("WIDTH", width).parameter("DEPTH", depth).build());
        fifo.bool("clk").set(clockDomain().clock());
        fifo.bool("rst").set(clockDomain().resetActive());
        fifo.bool("in_valid").set(in.valid);
        in.ready.set(fifo.bool("in_ready"));
        fifo.uint("in_data").set(in.payload);
        out.valid.set(fifo.bool("out_valid"));
        fifo.bool("out_ready").set(out.ready);
        out.payload.set(fifo.uint("out_data"));
        level.set(fifo.uint("level"));
    }
}
