package dev.tellmej.sim;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Hears when a Verilator model is compiled, which takes from seconds to minutes, so that a tool can show it is
 * working (the command line draws a progress bar). A model found in the cache is not compiled and not reported.
 *
 * <p>The listener of a build is the one {@link #during bound} on the calling thread, so that code deep inside a
 * benchmark or a device that calls {@link SimModel#open} reports to the tool without passing it along.
 */
public interface ModelBuildListener {
    /** Hears nothing. */
    ModelBuildListener NONE = new ModelBuildListener() {};

    /** Verilator and the C++ compiler are about to build the model of top module {@code top}. */
    default void building(String top) {}

    /**
     * The build of {@code top} ended.
     *
     * @param elapsed   how long Verilator and the compiler ran
     * @param succeeded false when the build failed (its exception follows)
     */
    default void built(String top, Duration elapsed, boolean succeeded) {}

    /** Runs {@code body} with {@code listener} hearing every model build it starts on this thread. */
    static <T> T during(ModelBuildListener listener, Supplier<T> body) {
        return ScopedValue.where(Current.VALUE, listener).call(body::get);
    }

    /** The listener bound on this thread, or {@link #NONE}. */
    static ModelBuildListener current() {
        return Current.VALUE.orElse(NONE);
    }

    /** Holder of the scoped value (an interface's fields are public). */
    final class Current {
        private static final ScopedValue<ModelBuildListener> VALUE = ScopedValue.newInstance();

        private Current() {}
    }
}
