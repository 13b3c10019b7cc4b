package dev.tellmej.hdl.examples;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Mem;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.RamStyle;
import dev.tellmej.hdl.UInt;

/**
 * A simple dual-port UltraRAM buffer: one write port, one read port with latency 2 (read register plus
 * output register). At 4,096 x 72 it is exactly one URAM288.
 */
public final class UramBuffer extends Module {
    public final Bool writeEnable;
    public final UInt writeAddress;
    public final Bits writeData;
    public final Bool readEnable;
    public final UInt readAddress;
    public final Bits readData;

    public UramBuffer(int depth, int width) {
        param("d", depth);
        param("w", width);
        int addressWidth = log2Up(depth);
        writeEnable = in("wr_en", bool());
        writeAddress = in("wr_addr", uint(addressWidth));
        writeData = in("wr_data", bits(width));
        readEnable = in("rd_en", bool());
        readAddress = in("rd_addr", uint(addressWidth));
        readData = out("rd_data", bits(width));

        Mem<Bits> buffer = mem("buffer", bits(width), depth).style(RamStyle.ULTRA);
        when(writeEnable, () -> buffer.write(writeAddress, writeData));
        readData.set(buffer.readSync("buffer_rdata", readAddress, readEnable, 2));
    }
}
