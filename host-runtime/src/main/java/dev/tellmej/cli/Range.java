package dev.tellmej.cli;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The values a numeric option accepts, checked by {@link OptionRanges} before a command runs (for a list
 * option, every element). Every numeric option of every command carries one ({@code TellmeMainTest} checks),
 * so no value can overflow a computation further on.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
@interface Range {
    /** The smallest value accepted. */
    double min();

    /** The largest value accepted. */
    double max();

    /** True when {@link #min} itself is not accepted (for fractions such as a probability in (0, 1]). */
    boolean minExclusive() default false;
}
