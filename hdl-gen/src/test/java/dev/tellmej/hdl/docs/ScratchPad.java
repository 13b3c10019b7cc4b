package dev.tellmej.hdl.docs;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Mem;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.RamStyle;
import dev.tellmej.hdl.UInt;

/** A memory with a masked write port and a registered read port. */
public final class ScratchPad extends Module {
    // doc:begin scratch-pad
    public final Bool write = in("write", bool());
    public final UInt address = in("address", uint(9));
    public final Bits data = in("data", bits(32));
    public final Bits byteEnable = in("byte_enable", bits(4));
    public final Bits readData = out("read_data", bits(32));

    public ScratchPad() {
        Mem<Bits> ram = mem("ram", bits(32), 512).style(RamStyle.BLOCK);   // one RAMB18E2
        when(write, () -> ram.write(address, data, byteEnable));
        readData.set(ram.readSync("ram_q", address, write.not(), 1));
    }
    // doc:end scratch-pad
}
