package dev.tellmej.accel.attention;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.UInt;
import java.util.ArrayList;
import java.util.List;

/**
 * Pass beats: the P beats of a row (W stored values each) that a pass of an {@link AttentionUnit} reads in one
 * cycle, {@link AttentionShape#passWidth} values (beat b of a row is in memory b mod P of its buffer, at pass beat
 * b / P). With one port a pass, a pass beat is a beat.
 */
final class PassBeats {
    private PassBeats() {}

    /** The pass beat of beat {@code beat} of a row: {@code beat / P}. */
    static UInt of(AttentionShape shape, UInt beat) {
        int shift = shape.portBits();
        return shift == 0 ? beat : widthOf(beat) <= shift ? U(0, 1) : beat.shr(shift);
    }

    /** Pass beats of a row of {@code rowBeats} beats (8 bits): {@code ceil(rowBeats / P)}, 8 bits. */
    static UInt perRow(AttentionShape shape, UInt rowBeats) {
        return rowBeats.resize(9).add(shape.ports() - 1).trunc(9).shr(shape.portBits()).resize(8);
    }

    /**
     * Bit p (P bits): beat {@code P x passBeat + p} of a row of {@code rowBeats} beats exists. All do but, with an odd
     * d / W and two ports, the last pass beat's second, whose lanes then write nothing.
     */
    static Bits present(AttentionShape shape, UInt passBeat, UInt rowBeats) {
        List<Bool> present = new ArrayList<>();
        for (int p = shape.ports() - 1; p >= 0; p--) {
            present.add(p == 0 ? TRUE : cat(passBeat.resize(8), U(p, shape.portBits())).asUInt().resize(16)
                    .lt(rowBeats.resize(16)));
        }
        return cat(present.toArray(new Bool[0]));
    }
}
