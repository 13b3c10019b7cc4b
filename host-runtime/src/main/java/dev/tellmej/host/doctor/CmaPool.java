package dev.tellmej.host.doctor;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The contiguous memory pool (CMA) Linux reports in {@code /proc/meminfo}: embedded XRT allocates every buffer
 * of the board (the image, the KV cache, the I/O region) from it.
 *
 * @param totalBytes {@code CmaTotal}
 * @param freeBytes  {@code CmaFree}
 */
public record CmaPool(long totalBytes, long freeBytes) {
    private static final Pattern TOTAL = Pattern.compile("(?m)^CmaTotal:\\s+(\\d+)\\s*kB\\s*$");
    private static final Pattern FREE = Pattern.compile("(?m)^CmaFree:\\s+(\\d+)\\s*kB\\s*$");

    /** The pool in the text of {@code /proc/meminfo}, or empty when it has no {@code CmaTotal} and {@code CmaFree}. */
    public static Optional<CmaPool> parse(String meminfo) {
        Matcher total = TOTAL.matcher(meminfo);
        Matcher free = FREE.matcher(meminfo);
        if (!total.find() || !free.find()) {
            return Optional.empty();
        }
        return Optional.of(new CmaPool(Long.parseLong(total.group(1)) * 1024, Long.parseLong(free.group(1)) * 1024));
    }
}
