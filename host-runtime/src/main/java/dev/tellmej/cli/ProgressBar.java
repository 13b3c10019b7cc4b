package dev.tellmej.cli;

import dev.tellmej.image.ImagePacker;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar for work that takes more than a second or two, on standard error, drawn by the
 * {@code me.tongfei:progressbar} library (percentage, elapsed time and estimate, redrawn in place). It is off
 * when standard error is not a terminal: a pipe, a log or a test gets nothing, not hundreds of redraws.
 *
 * <p>Three kinds: bytes ({@link #update}, packing an image), steps ({@link #steps} then {@link #step}, the cases
 * of a benchmark) and work of unknown length ({@link #indeterminate}, a Verilator build), which shows the
 * elapsed time. Close it when the work ends or fails (the library redraws from a thread of its own until then).
 */
final class ProgressBar implements ImagePacker.Progress, AutoCloseable {
    private final PrintWriter out;
    private final String label;
    private final boolean interactive;
    private me.tongfei.progressbar.ProgressBar bar;
    private Thread ticker;

    /** A bar on {@code err} (the command's standard error) labelled {@code label}; drawn only on a terminal. */
    ProgressBar(PrintWriter err, String label) {
        this(err, label, errorOnTerminal());
    }

    ProgressBar(PrintWriter err, String label, boolean interactive) {
        this.out = err;
        this.label = label;
        this.interactive = interactive;
    }

    /** True when the JVM's standard streams are a terminal (not redirected to a pipe or a file). */
    static boolean onTerminal() {
        return System.console() != null && System.console().isTerminal();
    }

    /**
     * True when standard error is a terminal, so that {@code --json > file} still shows the bar. Java cannot ask
     * that of one stream: the launcher, whose filter makes standard error a pipe, says it in
     * {@code TELLME_STDERR_TERMINAL} (1 or 0); otherwise on Linux the process's file descriptor 2 names its
     * terminal device, and elsewhere the answer is {@link #onTerminal()}'s.
     */
    static boolean errorOnTerminal() {
        String launcher = System.getenv("TELLME_STDERR_TERMINAL");
        if (launcher != null) {
            return launcher.equals("1");
        }
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return onTerminal();
        }
    }

    /** True when this bar draws (standard error is a terminal). */
    boolean drawn() {
        return interactive;
    }

    /** Sets the progress in bytes; the section (or step) just done is shown after the bar. */
    @Override
    public void update(long bytesDone, long bytesTotal, String section) {
        if (!interactive) {
            return;
        }
        if (bar == null) {
            bar = start(Math.max(1, bytesTotal), " MB", 1 << 20);
        }
        bar.maxHint(Math.max(1, bytesTotal));
        bar.stepTo(bytesDone);
        bar.setExtraMessage(shorten(section));
        if (bytesDone >= bytesTotal) {
            close();
        }
    }

    /** Starts a bar over {@code total} steps (the cases of a benchmark). */
    ProgressBar steps(long total) {
        if (interactive && bar == null) {
            bar = start(Math.max(1, total), "", 1);
        }
        return this;
    }

    /** One more step is done; {@code what} (the step just done) is shown after the bar. */
    ProgressBar step(String what) {
        if (bar != null) {
            bar.step();
            bar.setExtraMessage(shorten(what));
        }
        return this;
    }

    /** Starts a bar for work of unknown length: it shows that the work goes on and for how long. */
    ProgressBar indeterminate() {
        if (interactive && bar == null) {
            me.tongfei.progressbar.ProgressBar started = start(-1, " s", 1);
            bar = started;
            // The library redraws only when the count moves: count seconds, so that the time so far ticks.
            long began = System.nanoTime();
            ticker = Thread.ofVirtual().name("progress-ticker").start(() -> {
                try {
                    while (true) {
                        Thread.sleep(500);
                        started.stepTo((System.nanoTime() - began) / 1_000_000_000L);
                    }
                } catch (InterruptedException e) {
                    // closed
                }
            });
        }
        return this;
    }

    /**
     * Clears the bar's line so that a line printed on standard output next (a benchmark's table row) does not
     * land after the bar on a shared terminal; the bar is redrawn below it.
     */
    void clearLine() {
        if (bar != null) {
            out.print("\r\033[2K");
            out.flush();
        }
    }

    private me.tongfei.progressbar.ProgressBar start(long max, String unit, long unitSize) {
        return new ProgressBarBuilder().setTaskName(label).setInitialMax(max)
                .setStyle(ProgressBarStyle.ASCII).setUnit(unit, unitSize).setUpdateIntervalMillis(100)
                .setConsumer(new DelegatingProgressBarConsumer(line -> {
                    out.print('\r' + line);
                    out.flush();
                }, 100))
                .build();
    }

    private static String shorten(String text) {
        return text.length() > 24 ? text.substring(0, 24) : text;
    }

    /** Draws the bar a last time and ends its line. */
    @Override
    public void close() {
        if (ticker != null) {
            ticker.interrupt();
            ticker = null;
        }
        if (bar != null) {
            bar.close();
            bar = null;
            out.println();
            out.flush();
        }
    }
}
