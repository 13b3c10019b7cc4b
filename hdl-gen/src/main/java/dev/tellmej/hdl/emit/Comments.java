package dev.tellmej.hdl.emit;

import java.util.ArrayList;
import java.util.List;

/** Comment text wrapped at word boundaries to a line width. */
final class Comments {
    private Comments() {}

    /** {@code text} in lines of at most {@code width} characters (a longer word gets a line of its own). */
    static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.strip().split("\\s+")) {
            if (!line.isEmpty() && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (!line.isEmpty()) {
                line.append(' ');
            }
            line.append(word);
        }
        if (!line.isEmpty()) {
            lines.add(line.toString());
        }
        return lines;
    }
}
