package dev.tellmej.accel;

import java.util.Locale;

/**
 * A design's resources as its authors published them, to print beside this project's Yosys estimates.
 *
 * @param source    who published them and for what
 * @param uram      URAM288 blocks
 * @param bramTiles block RAM in RAMB36 units (a RAMB18 counts half)
 * @param dsp       DSP48E2 slices
 * @param luts      LUTs (Vivado's figure, after implementation)
 * @param flipFlops flip-flops
 */
public record PublishedFigures(String source, double uram, double bramTiles, int dsp, int luts, int flipFlops) {
    /** TeLLMe's whole accelerator on the KV260, as its paper reports it: 60 URAM, 98.5 BRAM, 610 DSP, 98K LUT, 137K FF. */
    public static final PublishedFigures TELLME = new PublishedFigures("TeLLMe, whole design", 60, 98.5, 610, 98_000,
            137_000);

    /** A figure as the paper prints it: whole numbers as they are ({@code 60}), halves with one decimal. */
    public static String plain(double value) {
        return value == Math.rint(value) ? String.format(Locale.ROOT, "%d", (long) value)
                : String.format(Locale.ROOT, "%.1f", value);
    }

    /** A count in thousands, as the paper prints LUTs and flip-flops ({@code 98K}). */
    public static String thousands(int value) {
        return value % 1000 == 0 ? value / 1000 + "K" : String.format(Locale.ROOT, "%,d", value);
    }
}
