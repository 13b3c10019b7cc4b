package dev.tellmej.hdl.docs;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.Vec;

/** A run-time Vec read (a case statement), constant folding and a wrapped statement. */
public final class LaneSelect extends Module {
    // doc:begin lane-select
    public final Vec<UInt> lanes = in("lane", vec(4, uint(8)));   // lane_0 .. lane_3
    public final UInt index = in("index", uint(2));
    public final Bool enable = in("enable", bool());
    public final UInt picked = out("picked", uint(8));
    public final Bool distinct = out("distinct", bool());

    public LaneSelect() {
        when(enable, () -> picked.set(lanes.get(index)))          // a case on index, outside the if
                .otherwise(() -> picked.set(0));
        Bool differ = TRUE;                                        // folded: no 1'b1 & in the Verilog
        for (int i = 0; i < lanes.size(); i++) {
            for (int j = i + 1; j < lanes.size(); j++) {
                differ = differ.and(lanes.get(i).ne(lanes.get(j)));
            }
        }
        distinct.set(differ);                                      // six comparisons: wrapped
    }
    // doc:end lane-select
}
