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

    /**
     * {@code text} cut into pieces of at most {@code width} characters, at spaces where it can (the pieces
     * keep their spaces, so joined they give the text back): for long strings in {@code $display}.
     */
    static List<String> pieces(String text, int width) {
        List<String> out = new ArrayList<>();
        int start = 0;
        while (text.length() - start > width) {
            int cut = text.lastIndexOf(' ', start + width);
            if (cut <= start) {
                cut = start + width;
            } else {
                cut++;
            }
            // A piece may not end inside an escape (a backslash or a doubled %).
            while (cut > start + 1 && (text.charAt(cut - 1) == '\\' || text.charAt(cut - 1) == '%')) {
                cut--;
            }
            out.add(text.substring(start, cut));
            start = cut;
        }
        out.add(text.substring(start));
        return out;
    }
}
