package dev.tellmej.hdl.emit;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A module's namespace while emitting: user names are fixed; temporaries take the name of the signal they
 * feed plus what they compute ({@code acc_sum}), with {@code _2}, {@code _3} only on a clash, so an edit
 * elsewhere never renumbers them.
 */
final class Names {
    private final Set<String> taken = new HashSet<>();
    /** Per base name, the suffix to try next (every smaller one is taken). */
    private final Map<String, Integer> nextSuffix = new HashMap<>();

    void reserve(String name) {
        taken.add(name);
    }

    String fresh(String base) {
        if (taken.add(base)) {
            return base;
        }
        for (int i = nextSuffix.getOrDefault(base, 2); ; i++) {
            String candidate = base + "_" + i;
            if (taken.add(candidate)) {
                nextSuffix.put(base, i + 1);
                return candidate;
            }
        }
    }
}
