package dev.tellmej.accel.lmhead;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.hdl.ir.Locations;
import dev.tellmej.hdl.lib.axi.Axi4Config;
import dev.tellmej.hdl.lib.axi.AxiBurstConfig;

/**
 * The parameters of an {@link LmHeadUnit}: every size of the unit is derived here.
 *
 * @param lanes   row lanes, one AXI4 read port each (the build's weight ports: the LM head runs after the
 *                last linear, when they are free)
 * @param bursts  each port's burst engine
 * @param maxCols the largest hidden size (int8 inputs per row), a multiple of a beat's bytes
 * @param maxRows the largest vocabulary (rows)
 */
public record LmHeadShape(int lanes, AxiBurstConfig bursts, int maxCols, int maxRows) {
    /** Beats per burst of a lane's row reads. */
    public static final int BURST_BEATS = 32;
    /** Bursts in flight per lane: 128 beats of FIFO cover a DDR read latency of about 120 cycles. */
    public static final int OUTSTANDING = 4;

    public LmHeadShape {
        int beat = bursts.axi().dataBytes();
        if (lanes < 1 || maxCols < beat || maxCols % beat != 0 || maxRows < 1) {
            throw new InvalidParameterException(Locations.capture(), "LmHeadUnit needs at least one lane, a hidden"
                    + " size that is a positive multiple of the port's " + beat + " bytes and at least one row; got "
                    + lanes + " lanes, " + maxCols + " columns, " + maxRows + " rows");
        }
    }

    /** The LM head of build {@code config}: a lane per weight port, the model maxima. */
    public static LmHeadShape of(AcceleratorConfig config) {
        return new LmHeadShape(config.memory().weightPorts(), AxiBurstConfig.of(
                Axi4Config.of(config.memory().portBits()), BURST_BEATS, OUTSTANDING), config.limits().hidden(),
                config.limits().vocab());
    }

    /** int8 values per beat. */
    public int beatBytes() {
        return bursts.axi().dataBytes();
    }

    /** Beats of the longest row. */
    public int maxColBeats() {
        return maxCols / beatBytes();
    }

    /** Verilog name suffix. */
    String suffix() {
        return "p" + lanes + "_w" + bursts.axi().dataWidth() + "_c" + maxCols + "_r" + maxRows;
    }
}
