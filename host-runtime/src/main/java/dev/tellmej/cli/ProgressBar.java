package dev.tellmej.cli;

import dev.tellmej.image.ImagePacker;
import java.io.PrintWriter;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar for work that takes more than a second or two, on standard error, drawn by the
 * {@code me.tongfei:progressbar} library (percentage, elapsed time and estimate, redrawn in place). It is off
 * when standard error is not a terminal: a pipe, a log or a test gets nothing, not hundreds of redraws.
 *
 * <p>Close it when the work ends or fails (the library redraws from a thread of its own until then).
 */
final class ProgressBar implements ImagePacker.Progress, AutoCloseable {
    private final PrintWriter out;
    private final String label;
    private final boolean interactive;
    private me.tongfei.progressbar.ProgressBar bar;

    /** A bar on {@code err} (the command's standard error) labelled {@code label}; drawn only on a terminal. */
    ProgressBar(PrintWriter err, String label) {
        this(err, label, onTerminal());
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

    /** Sets the progress in bytes; the section (or step) just done is shown after the bar. */
    @Override
    public void update(long bytesDone, long bytesTotal, String section) {
        if (!interactive) {
            return;
        }
        if (bar == null) {
            bar = new ProgressBarBuilder().setTaskName(label).setInitialMax(Math.max(1, bytesTotal))
                    .setStyle(ProgressBarStyle.ASCII).setUnit(" MB", 1 << 20).setUpdateIntervalMillis(100)
                    .setConsumer(new DelegatingProgressBarConsumer(line -> {
                        out.print('\r' + line);
                        out.flush();
                    }, 100))
                    .build();
        }
        bar.maxHint(Math.max(1, bytesTotal));
        bar.stepTo(bytesDone);
        bar.setExtraMessage(section.length() > 24 ? section.substring(0, 24) : section);
        if (bytesDone >= bytesTotal) {
            close();
        }
    }

    /** Draws the bar a last time and ends its line. */
    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            bar = null;
            out.println();
            out.flush();
        }
    }
}
