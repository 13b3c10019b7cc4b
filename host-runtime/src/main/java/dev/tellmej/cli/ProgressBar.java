package dev.tellmej.cli;

import dev.tellmej.image.ImagePacker;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar for long commands, on standard error: on a terminal it is redrawn in place
 * ({@code \r}) at most every 100 ms; elsewhere (a pipe, a log, a test) only the finished bar is printed, so
 * logs get one line, not hundreds.
 */
final class ProgressBar implements ImagePacker.Progress {
    private static final int WIDTH = 30;
    private final PrintWriter out;
    private final String label;
    private final boolean interactive;
    private long lastDraw;

    /** A bar on {@code err} (the command's standard error) labelled {@code label}. */
    ProgressBar(PrintWriter err, String label) {
        this.out = err;
        this.label = label;
        this.interactive = System.console() != null && System.console().isTerminal();
    }

    @Override
    public void update(long bytesDone, long bytesTotal, String section) {
        long now = System.nanoTime();
        boolean finished = bytesDone >= bytesTotal;
        if (!finished && (!interactive || now - lastDraw < 100_000_000L)) {
            return;
        }
        lastDraw = now;
        double fraction = bytesTotal == 0 ? 1 : Math.min(1, (double) bytesDone / bytesTotal);
        int filled = (int) Math.round(fraction * WIDTH);
        out.printf(Locale.ROOT, "%s%s [%s%s] %3.0f%% %-24s", interactive ? "\r" : "", label, "#".repeat(filled), ".".repeat(WIDTH - filled),
                100 * fraction, section.length() > 24 ? section.substring(0, 24) : section);
        if (finished) {
            out.println();
        }
        out.flush();
    }
}
