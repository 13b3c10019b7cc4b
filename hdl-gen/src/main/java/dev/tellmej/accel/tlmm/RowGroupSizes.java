package dev.tellmej.accel.tlmm;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.UInt;
import java.util.ArrayList;
import java.util.List;

/**
 * What one port reads per row group, from the row's blocks and last block class: {@code blocks x Q/P} index
 * words, and {@code ((blocks - 1) x wordBytes + lastWordBytes(class)) x Q/P} bytes. Every factor is a
 * configuration constant, so each product is a few shifted copies added (no multiplier), in two registered
 * steps. The registers follow their inputs every cycle; the sequencer reads them only after several divisions
 * have passed since the blocks were found.
 */
final class RowGroupSizes extends Area {
    /** Index words one port reads per row group. */
    final UInt words;
    /** DDR bytes one port reads per row group. */
    final UInt bytes;

    RowGroupSizes(CommandUnitSizes sizes, UInt blocks, UInt lastClass) {
        super("row_group_sizes", "index words and bytes one port reads per row group, from the blocks of a row");
        TlmmConfig config = sizes.config();
        int wordBytes = config.indexWordBytes();
        // A row's bytes: blocks full words, less what the last block's smaller words leave out.
        List<UInt> shortfall = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            shortfall.add(U(wordBytes - config.quarterWordBytes(c), sizes.rowBytesBits()));
        }
        UInt lastShortfall = mux(lastClass.bit(1), mux(lastClass.bit(0), shortfall.get(3), shortfall.get(2)),
                mux(lastClass.bit(0), shortfall.get(1), shortfall.get(0)));
        UInt rowBytes = regNext("row_bytes", blocks.timesConstant(wordBytes, sizes.rowBytesBits()).sub(lastShortfall));
        words = regNext("group_words", blocks.timesConstant(config.lanesPerPort(), sizes.groupWordsBits()));
        bytes = regNext("group_bytes", rowBytes.timesConstant(config.lanesPerPort(), sizes.groupBytesBits()));
    }
}
