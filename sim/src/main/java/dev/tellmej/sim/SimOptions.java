package dev.tellmej.sim;

import java.nio.file.Path;

/**
 * How a model is built and opened.
 *
 * @param waves     the FST file to write the waveform to, or null for none (the default). A model that
 *                  writes waves is built with {@code --trace-fst}, a separately cached variant.
 * @param cacheRoot the model cache, or null for {@link SimCache#defaultRoot()}
 */
public record SimOptions(Path waves, Path cacheRoot) {
    /** System property: {@code -Dtellme.sim.waves=true} makes the test fixture write waveforms. */
    public static final String WAVES_PROPERTY = "tellme.sim.waves";

    /** No waveform, the default cache. */
    public static final SimOptions DEFAULT = new SimOptions(null, null);

    /** These options writing the waveform to {@code fstFile}. */
    public SimOptions withWaves(Path fstFile) {
        return new SimOptions(fstFile, cacheRoot);
    }

    /** These options with another cache directory. */
    public SimOptions withCacheRoot(Path root) {
        return new SimOptions(waves, root);
    }

    /** True when {@code -Dtellme.sim.waves=true}. */
    public static boolean wavesRequested() {
        return Boolean.getBoolean(WAVES_PROPERTY);
    }
}
