package dev.tellmej.sim;

/**
 * Java code that takes part in every clock cycle: test-bench drivers, monitors, scoreboards. Registered
 * with {@link SimModel#onCycle}; while any is registered, the model steps one cycle at a time.
 *
 * <p>{@link #beforeEdge} sees the design settled just before the rising edge: read ports there to learn
 * what transfers at this edge (valid and ready both high). {@link #afterEdge} runs after the edge: drive
 * inputs there for the next cycle. Driving an input in {@code beforeEdge} would change what the
 * registers capture at this very edge.
 */
public interface CycleListener {
    /** Just before the rising edge of cycle {@code cycle}. */
    default void beforeEdge(SimModel sim, long cycle) {}

    /** Just after it; {@code cycle} is the edge that was taken. */
    default void afterEdge(SimModel sim, long cycle) {}
}
