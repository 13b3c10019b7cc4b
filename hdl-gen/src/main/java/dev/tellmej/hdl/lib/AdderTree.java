package dev.tellmej.hdl.lib;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.SInt;
import dev.tellmej.hdl.Vec;
import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.hdl.ir.Locations;
import java.util.ArrayList;
import java.util.List;

/**
 * Sums {@code n} signed inputs in a balanced tree of two-input adders, each one bit wider than its
 * operands, so the sum is exact: the output has {@code width + ceil(log2 n)} bits.
 *
 * <p>A register level follows every {@code levelsPerStage} adder levels (and the last level), so the
 * latency is {@code ceil(ceil(log2 n) / levelsPerStage)} cycles, with one result per cycle; a valid bit
 * travels alongside. Cost: n - 1 adders; registers for the partial sums at each register level.
 * Named {@code AdderTree_n<n>_w<width>_l<levelsPerStage>}.
 */
public final class AdderTree extends Module {
    public final Flow<Vec<SInt>> in;
    public final Flow<SInt> out;
    /** Cycles from input to output. */
    public final int latency;

    public AdderTree(int n, int width, int levelsPerStage) {
        if (n < 2 || width < 1 || levelsPerStage < 1) {
            throw new InvalidParameterException(Locations.capture(), "AdderTree needs n >= 2, width >= 1,"
                    + " levelsPerStage >= 1; got n " + n + ", width " + width + ", levelsPerStage " + levelsPerStage);
        }
        param("n", n);
        param("w", width);
        param("l", levelsPerStage);
        int levels = log2Up(n);
        in = in("in", Flow.of(vec(n, sint(width))));
        out = out("out", Flow.of(sint(width + levels)));

        List<SInt> terms = new ArrayList<>(in.payload);
        Bool valid = in.valid;
        int stages = 0;
        for (int level = 1; level <= levels; level++) {
            List<SInt> next = new ArrayList<>();
            for (int i = 0; i < terms.size(); i += 2) {
                next.add(i + 1 < terms.size() ? terms.get(i).addExpand(terms.get(i + 1))
                        : terms.get(i).sext(terms.get(i).width() + 1));
            }
            terms = next;
            if (level % levelsPerStage == 0 || level == levels) {
                stages++;
                List<SInt> registered = new ArrayList<>();
                for (int i = 0; i < terms.size(); i++) {
                    registered.add(regNext("level" + level + "_sum" + i, terms.get(i)));
                }
                terms = registered;
                valid = regNext("level" + level + "_valid", valid, 0);
            }
        }
        latency = stages;
        out.valid.set(valid);
        out.payload.set(terms.getFirst());
    }
}
