package dev.tellmej.hdl.examples;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Mem;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.RamStyle;
import dev.tellmej.hdl.UInt;

/**
 * A simple dual-port block RAM with byte-enable writes and a registered read (latency 1).
 * 1,024 x 32 fills one RAMB36E2; 512 x 32 one RAMB18E2.
 */
public final class BlockRamBuffer extends Module {
    public final Bool writeEnable;
    public final UInt writeAddress;
    public final Bits writeData;
    public final Bits writeMask;
    public final Bool readEnable;
    public final UInt readAddress;
    public final Bits readData;

    public BlockRamBuffer(int depth, int width) {
        param("d", depth);
        param("w", width);
        int addressWidth = log2Up(depth);
        writeEnable = in("wr_en", bool());
        writeAddress = in("wr_addr", uint(addressWidth));
        writeData = in("wr_data", bits(width));
        writeMask = in("wr_mask", bits(width / 8));
        readEnable = in("rd_en", bool());
        readAddress = in("rd_addr", uint(addressWidth));
        readData = out("rd_data", bits(width));

        Mem<Bits> buffer = mem("buffer", bits(width), depth).style(RamStyle.BLOCK);
        when(writeEnable, () -> buffer.write(writeAddress, writeData, writeMask));
        readData.set(buffer.readSync("buffer_rdata", readAddress, readEnable, 1));
    }
}
