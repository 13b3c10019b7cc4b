package dev.tellmej.host;

import java.util.List;

/**
 * Finds stop strings in streamed text. Text that could be the start of a stop string is held back until the
 * next piece shows whether it is one, so a stop string never reaches the output, even split across tokens.
 */
public final class StopStrings {
    private final List<String> stops;
    private final StringBuilder held = new StringBuilder();
    private boolean matched;

    /** @param stops the stop strings (empty ones are ignored) */
    public StopStrings(List<String> stops) {
        this.stops = stops.stream().filter(s -> !s.isEmpty()).toList();
    }

    /** The text that is safe to show after {@code piece}; once a stop string is found, the text before it. */
    public String accept(String piece) {
        if (matched) {
            return "";
        }
        held.append(piece);
        int first = -1;
        for (String s : stops) {
            int at = held.indexOf(s);
            if (at >= 0 && (first < 0 || at < first)) {
                first = at;
            }
        }
        if (first >= 0) {
            matched = true;
            String out = held.substring(0, first);
            held.setLength(0);
            return out;
        }
        int keep = 0;
        for (String s : stops) {
            for (int n = Math.min(s.length() - 1, held.length()); n > keep; n--) {
                if (held.substring(held.length() - n).equals(s.substring(0, n))) {
                    keep = n;
                    break;
                }
            }
        }
        String out = held.substring(0, held.length() - keep);
        held.delete(0, held.length() - keep);
        return out;
    }

    /** True once a stop string was found. */
    public boolean matched() {
        return matched;
    }

    /** The held-back text, at the end of the generation (it was not a stop string after all). */
    public String flush() {
        String out = held.toString();
        held.setLength(0);
        return out;
    }
}
