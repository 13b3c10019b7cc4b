package dev.tellmej.accel.sim;

/**
 * What a span of a kernel call costs: its cycles, the DDR bytes moved in it (read and written, every port) and
 * the cycles in which the DDR moved data. Fractional, because the analytic model interpolates and fits.
 *
 * @param cycles     kernel cycles
 * @param bytes      DDR bytes read and written
 * @param busyCycles cycles in which some port moved a beat
 */
public record KernelCost(double cycles, double bytes, double busyCycles) {
    /** Nothing. */
    public static final KernelCost ZERO = new KernelCost(0, 0, 0);

    /** The cost of one profiled instruction. */
    public static KernelCost of(ProgramProfiler.Step step) {
        return new KernelCost(step.cycles(), step.bytesRead() + step.bytesWritten(), step.busyCycles());
    }

    /** This and {@code other}. */
    public KernelCost plus(KernelCost other) {
        return new KernelCost(cycles + other.cycles, bytes + other.bytes, busyCycles + other.busyCycles);
    }

    /** This {@code k} times. */
    public KernelCost times(double k) {
        return new KernelCost(cycles * k, bytes * k, busyCycles * k);
    }

    /** The point a fraction {@code t} of the way from this to {@code other} (0: this, 1: other). */
    public KernelCost toward(KernelCost other, double t) {
        return plus(other.plus(times(-1)).times(t));
    }
}
