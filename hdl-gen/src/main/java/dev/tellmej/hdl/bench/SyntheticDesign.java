package dev.tellmej.hdl.bench;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.UInt;
import java.util.ArrayList;
import java.util.List;

/**
 * A large, deterministic design for measuring the compiler: {@code lanes} independent datapaths, each a
 * chain of {@code depth} steps mixing adds, XORs, comparisons, multiplexers, slices and concatenations,
 * with a register every fourth step and a conditional update, all in one module (the emitter's worst case:
 * nothing is deduplicated). About 16 IR nodes per step.
 */
public final class SyntheticDesign extends Module {
    public SyntheticDesign(int lanes, int depth) {
        param("lanes", lanes);
        param("depth", depth);
        UInt in = in("data_in", uint(16));
        Bool mode = in("mode", bool());
        UInt out = out("data_out", uint(16));
        List<UInt> results = new ArrayList<>();
        for (int lane = 0; lane < lanes; lane++) {
            UInt value = in.rotateLeft(lane % 16);
            for (int step = 0; step < depth; step++) {
                int constant = (lane * 131 + step * 17) & 0xffff;
                UInt mixed = value.add(constant).xor(value.shr(3).zext(16));
                UInt chosen = mux(mixed.gt(value), mixed, cat(value.slice(7, 0), mixed.slice(15, 8)).asUInt());
                if (step % 4 == 3) {
                    UInt stage = reg("lane" + lane + "_stage" + step, uint(16), 0);
                    when(mode, () -> stage.set(chosen)).otherwise(() -> stage.set(chosen.not()));
                    value = stage;
                } else {
                    value = chosen;
                }
            }
            results.add(value);
        }
        UInt total = results.getFirst();
        for (int i = 1; i < results.size(); i++) {
            total = total.xor(results.get(i));
        }
        out.set(total);
    }
}
