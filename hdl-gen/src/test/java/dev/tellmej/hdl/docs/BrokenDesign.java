package dev.tellmej.hdl.docs;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.UInt;

/** Three mistakes, reported together. */
public final class BrokenDesign extends Module {
    // doc:begin broken
    public BrokenDesign() {
        UInt a = in("a", uint(8));
        Bool enable = in("enable", bool());
        UInt y = out("y", uint(8));
        UInt end = out("end", uint(9));            // 'end' is a Verilog keyword
        when(enable, () -> y.set(a));              // no default: y would be a latch
        end.set(a);                                // UInt(8) into UInt(9): resize explicitly
    }
    // doc:end broken
}
