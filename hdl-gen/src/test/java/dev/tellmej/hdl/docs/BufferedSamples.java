package dev.tellmej.hdl.docs;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.BlackBox;
import dev.tellmej.hdl.ImportedBlackBox;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.lib.Stream;
import java.nio.file.Path;

/** Buffers a stream of samples in a hand-written Verilog FIFO whose ports are imported from its file. */
public final class BufferedSamples extends Module {
    static final Path FIFO = Path.of("src", "test", "resources", "verilog-import", "fifo.v");

    // doc:begin import-fifo
    public final Stream<UInt> in = in("in", Stream.of(uint(16)));
    public final Stream<UInt> out = out("out", Stream.of(uint(16)));
    public final UInt level = out("level", uint(6));

    public BufferedSamples() {
        ImportedBlackBox fifo = instance("fifo", BlackBox.importVerilog(FIFO, "fifo")
                .parameter("WIDTH", 16)
                .parameter("DEPTH", 32)                        // level is [$clog2(DEPTH):0]: 6 bits
                .build());
        fifo.bool("clk").set(clockDomain().clock());
        fifo.bool("rst").set(clockDomain().resetActive());
        fifo.bool("in_valid").set(in.valid);
        in.ready.set(fifo.bool("in_ready"));
        fifo.uint("in_data").set(in.payload);                  // UInt(16): checked like any port
        out.valid.set(fifo.bool("out_valid"));
        fifo.bool("out_ready").set(out.ready);
        out.payload.set(fifo.uint("out_data"));
        level.set(fifo.uint("level"));
    }
    // doc:end import-fifo
}
