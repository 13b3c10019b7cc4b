package dev.tellmej.cli;

import dev.tellmej.image.ImagePacker;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar for long commands, redrawn in place ({@code \r}) at most every 100 ms and at the end,
 * on the stream progress lines go to (standard error beside {@code --json}).
 */
final class ProgressBar implements ImagePacker.Progress {
    private static final int WIDTH = 30;
    private final PrintWriter out;
    private final String label;
    private long lastDraw;

    ProgressBar(PrintWriter out, String label) {
        this.out = out;
        this.label = label;
    }

    @Override
    public void update(long bytesDone, long bytesTotal, String section) {
        long now = System.nanoTime();
        boolean finished = bytesDone >= bytesTotal;
        if (!finished && now - lastDraw < 100_000_000L) {
            return;
        }
        lastDraw = now;
        double fraction = bytesTotal == 0 ? 1 : Math.min(1, (double) bytesDone / bytesTotal);
        int filled = (int) Math.round(fraction * WIDTH);
        out.printf(Locale.ROOT, "\r%s [%s%s] %3.0f%% %-24s", label, "#".repeat(filled), ".".repeat(WIDTH - filled),
                100 * fraction, section.length() > 24 ? section.substring(0, 24) : section);
        if (finished) {
            out.println();
        }
        out.flush();
    }
}
