package dev.tellmej.accel.config;

/**
 * The fabric clock a build is meant for. Nothing here is checked by a timing tool (there is none on this
 * project's machines); the figures say at which clock the performance projections are reported.
 *
 * @param targetMhz   the clock the build aims at (MHz)
 * @param fallbackMhz the clock it is also reported at, in case the target is not met (MHz)
 */
public record ClockPlan(double targetMhz, double fallbackMhz) {
    public ClockPlan {
        if (!(targetMhz > 0) || !(fallbackMhz > 0) || fallbackMhz > targetMhz) {
            throw new IllegalArgumentException("clocks must be positive with the fallback at most the target, got "
                    + targetMhz + " and " + fallbackMhz + " MHz");
        }
    }
}
