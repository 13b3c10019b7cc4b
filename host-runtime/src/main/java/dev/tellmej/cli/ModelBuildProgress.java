package dev.tellmej.cli;

import dev.tellmej.sim.ModelBuildListener;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.function.Function;

/**
 * Shows a Verilator model build as a bar of unknown length on standard error ("building Verilator model X" and
 * the time so far), from {@code verilator} starting until the shared library is built. A model taken from the
 * cache shows nothing. Every command runs with one ({@link TellmeMain}); it draws only on a terminal.
 */
final class ModelBuildProgress implements ModelBuildListener {
    private final Function<String, ProgressBar> bars;
    private ProgressBar bar;

    /** Bars on {@code err}, drawn only when the JVM's standard streams are a terminal. */
    ModelBuildProgress(PrintWriter err) {
        this(top -> new ProgressBar(err, "building Verilator model " + top));
    }

    /** Bars made by {@code bars} from the top module's name (tests give bars that draw). */
    ModelBuildProgress(Function<String, ProgressBar> bars) {
        this.bars = bars;
    }

    @Override
    public synchronized void building(String top) {
        close();
        bar = bars.apply(top).indeterminate();
    }

    @Override
    public synchronized void built(String top, Duration elapsed, boolean succeeded) {
        close();
    }

    private void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
