package dev.tellmej.cli;

import java.lang.reflect.Field;
import java.util.Collections;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/** Checks every {@link Range}-annotated option of the commands a command line names, before any of them runs. */
final class OptionRanges {
    private OptionRanges() {}

    /**
     * Checks the options of each command in {@code parseResult} (given or defaulted).
     *
     * @throws CommandLine.ParameterException naming the first option out of range, its range and its value
     */
    static void check(ParseResult parseResult) {
        for (CommandLine command : parseResult.asCommandLineList()) {
            for (OptionSpec option : command.getCommandSpec().options()) {
                Range range = range(option);
                if (range == null) {
                    continue;
                }
                Object value = option.getValue();
                for (Object element : value instanceof List<?> list ? list : Collections.singletonList(value)) {
                    if (element instanceof Number number && !accepts(range, number.doubleValue())) {
                        throw new CommandLine.ParameterException(command, option.longestName() + " must be "
                                + describe(range) + ", not " + number);
                    }
                }
            }
        }
    }

    /** The option's {@link Range}, or null. */
    static Range range(ArgSpec arg) {
        return arg.userObject() instanceof Field field ? field.getAnnotation(Range.class) : null;
    }

    private static boolean accepts(Range range, double value) {
        boolean aboveMin = range.minExclusive() ? value > range.min() : value >= range.min();
        return aboveMin && value <= range.max();
    }

    /** {@code from 1 to 1048576}, or {@code in (0, 1]}. */
    static String describe(Range range) {
        if (range.minExclusive()) {
            return "in (" + format(range.min()) + ", " + format(range.max()) + "]";
        }
        return "from " + format(range.min()) + " to " + format(range.max());
    }

    private static String format(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e18 ? Long.toString((long) value) : Double.toString(value);
    }
}
