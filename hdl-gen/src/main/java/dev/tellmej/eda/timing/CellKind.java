package dev.tellmej.eda.timing;

import java.util.regex.Pattern;

/** How the timing analysis treats a cell type of a Yosys Xilinx netlist. */
enum CellKind {
    /** FDRE, FDSE, FDCE, FDPE: a path starts at Q and ends at D, CE and set/reset. */
    FLIP_FLOP,
    /** LUT2 to LUT6: one LUT level. */
    LUT,
    /** INV, LUT1, BUF: no delay and no level; Vivado folds them into their neighbours. */
    TRANSPARENT,
    /** MUXF7, MUXF8, MUXF9: the slice's wide multiplexers behind its LUTs. */
    MUXF,
    /** CARRY4, CARRY8: a carry chain, counted in bits. */
    CARRY,
    /** DSP48E2 (and DSP48E1): its pipeline registers decide where paths start and end. */
    DSP,
    /** RAMB18E2, RAMB36E2 (and the E1 ones). */
    BRAM,
    /** URAM288. */
    URAM,
    /** Distributed RAM (RAM32M, RAM64M, RAM32X1D, ...): clocked write, LUT-like read. */
    LUTRAM,
    /** SRL16E, SRLC16E, SRLC32E. */
    SRL,
    /** GND, VCC. */
    CONSTANT,
    /** An instance of another module of the netlist. */
    INSTANCE,
    /** Anything else: treated as a register (paths end at its inputs and start at its outputs). */
    UNKNOWN;

    private static final Pattern LUT_RAM = Pattern.compile("RAM\\d+(X\\d+[DS]|M\\d*|X\\d+DR\\d+|X\\d+SW)");

    static CellKind of(String type, boolean isModule) {
        if (isModule) {
            return INSTANCE;
        }
        return switch (type) {
            case "LUT2", "LUT3", "LUT4", "LUT5", "LUT6", "LUT6_2" -> LUT;
            case "LUT1", "INV", "BUF" -> TRANSPARENT;
            case "MUXF7", "MUXF8", "MUXF9" -> MUXF;
            case "CARRY4", "CARRY8" -> CARRY;
            case "DSP48E2", "DSP48E1" -> DSP;
            case "RAMB18E2", "RAMB36E2", "RAMB18E1", "RAMB36E1" -> BRAM;
            case "URAM288", "URAM288_BASE" -> URAM;
            case "SRL16E", "SRLC16E", "SRLC32E", "SRL16", "SRLC16" -> SRL;
            case "GND", "VCC" -> CONSTANT;
            default -> type.startsWith("FD") ? FLIP_FLOP : LUT_RAM.matcher(type).matches() ? LUTRAM : UNKNOWN;
        };
    }

    /** True for a clock pin, which no path ends at. */
    static boolean isClock(String pin) {
        return pin.equals("C") || pin.endsWith("CLK");
    }
}
