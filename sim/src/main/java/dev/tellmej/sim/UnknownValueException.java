package dev.tellmej.sim;

import java.util.List;

/** A four-state run (Icarus Verilog) saw an output of the design at X or Z after reset. */
public final class UnknownValueException extends SimFailureException {
    private final List<Unknown> unknowns;

    /**
     * One output found unknown.
     *
     * @param port  the output's name
     * @param cycle the cycle after reset, counted from 0
     * @param value its value as Icarus printed it ({@code 00x1})
     */
    public record Unknown(String port, int cycle, String value) {}

    public UnknownValueException(String design, List<Unknown> unknowns) {
        super(describe(design, unknowns), unknowns.getFirst().cycle());
        this.unknowns = List.copyOf(unknowns);
    }

    private static String describe(String design, List<Unknown> unknowns) {
        StringBuilder text = new StringBuilder("outputs of " + design + " are unknown (X or Z) after reset:");
        for (Unknown unknown : unknowns.subList(0, Math.min(10, unknowns.size()))) {
            text.append("\n  ").append(unknown.port()).append(" = ").append(unknown.value()).append(" in cycle ")
                    .append(unknown.cycle());
        }
        if (unknowns.size() > 10) {
            text.append("\n  ... and ").append(unknowns.size() - 10).append(" more");
        }
        return text.toString();
    }

    /** Every unknown output seen, by cycle. */
    public List<Unknown> unknowns() {
        return unknowns;
    }
}
