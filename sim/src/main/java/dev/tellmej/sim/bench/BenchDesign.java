package dev.tellmej.sim.bench;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.SInt;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.Vec;
import dev.tellmej.hdl.lib.AdderTree;
import java.util.ArrayList;
import java.util.List;

/**
 * The simulation benchmark's design: {@code lanes} lanes, each a 32-bit LFSR mixed with the input word,
 * feeding an 8-input 16-bit {@link AdderTree} (a register after every level) into a 32-bit accumulator;
 * the output is the XOR of the accumulators. About 190 flip-flops per lane: 16 lanes make about 3,000.
 * Every register toggles every cycle, so the simulator does real work each cycle.
 */
public final class BenchDesign extends Module {
    /** A new word every cycle (the benchmark writes the cycle number). */
    public final UInt in = in("in", uint(32));
    /** The XOR of all accumulators. */
    public final UInt out = out("out", uint(32));

    public BenchDesign(int lanes) {
        param("lanes", lanes);
        UInt mixed = null;
        for (int lane = 0; lane < lanes; lane++) {
            // A Galois LFSR (x^32 + x^22 + x^2 + x + 1), each lane from its own seed.
            UInt lfsr = reg("lane" + lane + "_lfsr", uint(32), 0x1234_5677L + 0x9e37_79b9L * lane & 0xffff_ffffL);
            UInt shifted = lfsr.shr(1).resize(32);
            lfsr.set(mux(lfsr.bit(0), shifted.xor(U(0x8020_0003L, 32)), shifted).xor(in.rotateLeft(lane)));
            AdderTree tree = instance("lane" + lane + "_tree", new AdderTree(8, 16, 1));
            List<SInt> terms = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                terms.add(lfsr.rotateLeft(4 * i).slice(15, 0).asSInt());
            }
            tree.in.valid.set(TRUE);
            assign(tree.in.payload, new Vec<>(terms));
            UInt accumulator = reg("lane" + lane + "_acc", uint(32), 0);
            accumulator.set(accumulator.add(tree.out.payload.sext(32).asUInt()));
            mixed = mixed == null ? accumulator : mixed.xor(accumulator);
        }
        out.set(mixed);
    }
}
