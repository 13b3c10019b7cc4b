package dev.tellmej.eda.timing;

import dev.tellmej.eda.timing.YosysNetlist.Cell;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A DSP48E2's datapath as its parameters set it: which of its pipeline registers are on (A, B, C, D, AD, M, P and
 * the control registers) and whether its multiplier and pre-adder are used; and from that, how far a signal goes
 * from an input pin or an inner register: into the next register, or on to P. Package-private and mutable: the
 * analysis turns registers on where Vivado would pack neighbouring flip-flops into them.
 */
final class DspPipeline {
    private enum Stage { PRE_ADDER, MULTIPLIER, ALU }

    boolean areg;
    boolean breg;
    boolean creg;
    boolean dreg;
    boolean adreg;
    boolean mreg;
    boolean preg;
    boolean inmodereg;
    boolean opmodereg;
    boolean alumodereg;
    boolean carryinreg;
    boolean carryinselreg;
    /** True when a neighbouring flip-flop was counted as one of its registers. */
    boolean absorbed;
    private final boolean preA;
    private final boolean preB;
    private final boolean mult;
    private final boolean usesA;
    private final boolean usesB;
    private final Map<String, int[]> pins;

    /**
     * Where a signal entering at a pin (or leaving an inner register) goes before the next register.
     *
     * @param delay      the pre-adder, multiplier and ALU delays on the way
     * @param registered true when it ends in a register; false when it reaches P unregistered
     */
    record Walk(double delay, boolean registered) {}

    DspPipeline(Cell cell) {
        pins = cell.connections();
        areg = cell.number("AREG", 0) > 0;
        breg = cell.number("BREG", 0) > 0;
        creg = cell.number("CREG", 0) > 0;
        dreg = cell.number("DREG", 0) > 0;
        adreg = cell.number("ADREG", 0) > 0;
        mreg = cell.number("MREG", 0) > 0;
        preg = cell.number("PREG", 0) > 0;
        inmodereg = cell.number("INMODEREG", 0) > 0;
        opmodereg = cell.number("OPMODEREG", 0) > 0;
        alumodereg = cell.number("ALUMODEREG", 0) > 0;
        carryinreg = cell.number("CARRYINREG", 0) > 0;
        carryinselreg = cell.number("CARRYINSELREG", 0) > 0;
        mult = !cell.text("USE_MULT", "MULTIPLY").equals("NONE");
        preA = cell.text("AMULTSEL", "A").equals("AD") || cell.text("USE_DPORT", "FALSE").equals("TRUE");
        preB = cell.text("BMULTSEL", "B").equals("AD");
        usesA = used("A") || used("ACIN");
        usesB = used("B") || used("BCIN");
    }

    boolean multiplies() {
        return mult;
    }

    /** True when pin {@code pin} carries a signal (not only constants). */
    boolean used(String pin) {
        for (int b : pins.getOrDefault(pin, new int[0])) {
            if (b >= 2) {
                return true;
            }
        }
        return false;
    }

    /** The registers that are off on the multiplier's way ({@code "AREG, BREG, MREG, PREG"}); empty when none. */
    String missing() {
        List<String> off = new ArrayList<>();
        if (usesA && !areg) {
            off.add("AREG");
        }
        if (usesB && !breg) {
            off.add("BREG");
        }
        if (mult && !mreg) {
            off.add("MREG");
        }
        if (!preg) {
            off.add("PREG");
        }
        return String.join(", ", off);
    }

    /** The input group of a pin: A, B, C, D, INMODE, OPMODE, ALUMODE, CARRYIN, CARRYINSEL, ALU or CONTROL. */
    static String groupOf(String pin) {
        return switch (pin) {
            case "A", "ACIN" -> "A";
            case "B", "BCIN" -> "B";
            case "D", "INMODE", "C", "OPMODE", "ALUMODE", "CARRYIN", "CARRYINSEL" -> pin;
            case "PCIN", "CARRYCASCIN", "MULTSIGNIN" -> "ALU";
            default -> "CONTROL";   // clock enables and resets
        };
    }

    /** True when the group's pins end at a register right at the pin (or they are control pins). */
    boolean registeredAtPin(String group) {
        return switch (group) {
            case "A" -> areg;
            case "B" -> breg;
            case "C" -> creg;
            case "D" -> dreg;
            case "INMODE" -> inmodereg;
            case "OPMODE" -> opmodereg;
            case "ALUMODE" -> alumodereg;
            case "CARRYIN" -> carryinreg;
            case "CARRYINSEL" -> carryinselreg;
            case "CONTROL" -> true;
            default -> false;
        };
    }

    /** From after the pin (or register) of {@code group} to the next register or to P; groups AD and M too. */
    Walk walk(String group, DelayModel model) {
        double delay = 0;
        for (Stage stage : stages(group)) {
            delay += switch (stage) {
                case PRE_ADDER -> model.dspPreAdder();
                case MULTIPLIER -> model.dspMultiplier();
                case ALU -> model.dspAlu();
            };
            boolean register = switch (stage) {
                case PRE_ADDER -> adreg;
                case MULTIPLIER -> mreg;
                case ALU -> preg;
            };
            if (register) {
                return new Walk(delay, true);
            }
        }
        return new Walk(delay, false);
    }

    private List<Stage> stages(String group) {
        List<Stage> stages = new ArrayList<>();
        boolean pre = switch (group) {
            case "A" -> preA;
            case "B" -> preB;
            case "D", "INMODE" -> true;
            default -> false;
        };
        if (pre) {
            stages.add(Stage.PRE_ADDER);
        }
        if (mult && List.of("A", "B", "D", "INMODE", "AD").contains(group)) {
            stages.add(Stage.MULTIPLIER);
        }
        stages.add(Stage.ALU);
        return stages;
    }

    /** The groups whose inner register is on and used: A, B, D, INMODE, C, OPMODE, ALUMODE, CARRYIN, AD, M. */
    List<String> innerRegisters() {
        List<String> on = new ArrayList<>();
        if (areg && usesA) {
            on.add("A");
        }
        if (breg && usesB) {
            on.add("B");
        }
        for (String group : List.of("D", "INMODE", "C", "OPMODE", "ALUMODE", "CARRYIN")) {
            if (registeredAtPin(group) && used(group)) {
                on.add(group);
            }
        }
        if (adreg && (preA || preB)) {
            on.add("AD");
        }
        if (mreg && mult) {
            on.add("M");
        }
        return on;
    }
}
