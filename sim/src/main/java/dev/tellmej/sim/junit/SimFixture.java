package dev.tellmej.sim.junit;

import dev.tellmej.hdl.Design;
import dev.tellmej.sim.SimModel;
import dev.tellmej.sim.SimOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * What a {@link SimTest} gets: models that close themselves after the test, an output directory
 * {@code target/sim/<TestClass>/<testMethod>/}, waveforms on request, and a random seed that failures
 * report.
 *
 * <p><b>Waveforms</b> are off by default. {@code -Dtellme.sim.waves=true} turns them on for every test,
 * {@link #waves(boolean)} for one; each model then writes {@code <outputDir>/<design>.fst} (a second
 * model of the same design in the test gets {@code _2}, and so on).
 *
 * <p><b>Seeds.</b> {@link #seed()} is {@code -Dtellme.sim.seed} when set (decimal or 0x hex), otherwise
 * derived from the test's class and method names, so every run of a test uses the same stimulus unless
 * asked otherwise. A failing test that used the seed names it in its failure message.
 */
public final class SimFixture implements AutoCloseable {
    /** System property that fixes the seed of every test. */
    public static final String SEED_PROPERTY = "tellme.sim.seed";

    private final Class<?> testClass;
    private final String testMethod;
    private final long seed;
    private final List<SimModel> models = new ArrayList<>();
    private final Map<String, Integer> waveNames = new HashMap<>();
    private boolean waves = SimOptions.wavesRequested();
    private boolean seedUsed;

    SimFixture(Class<?> testClass, String testMethod) {
        this.testClass = testClass;
        this.testMethod = testMethod;
        this.seed = initialSeed(testClass.getName() + "#" + testMethod);
    }

    private static long initialSeed(String testName) {
        String configured = System.getProperty(SEED_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            String text = configured.strip();
            return text.startsWith("0x") ? Long.parseUnsignedLong(text.substring(2), 16) : Long.parseLong(text);
        }
        long hash = 0xcbf2_9ce4_8422_2325L;  // FNV-1a: stable across JVMs, unlike String.hashCode's spread
        for (byte b : testName.getBytes(StandardCharsets.UTF_8)) {
            hash = (hash ^ (b & 0xff)) * 0x100_0000_01b3L;
        }
        return hash;
    }

    /** Builds (or loads from the cache) and starts a model of {@code design}; it is closed after the test. */
    public SimModel open(Design<?> design) {
        SimOptions options = SimOptions.DEFAULT;
        if (waves) {
            options = options.withWaves(outputDir().resolve(waveName(design.topName()) + ".fst"));
        }
        SimModel model = SimModel.open(design, options);
        models.add(model);
        return model;
    }

    private String waveName(String topName) {
        int count = waveNames.merge(topName, 1, Integer::sum);
        return count == 1 ? topName : topName + "_" + count;
    }

    /** Turns waveforms on or off for the models this test opens from now on. */
    public SimFixture waves(boolean enabled) {
        this.waves = enabled;
        return this;
    }

    /** True when models opened now write waveforms. */
    public boolean waves() {
        return waves;
    }

    /** {@code target/sim/<TestClass>/<testMethod>/}, relative to the module being tested. */
    public Path outputDir() {
        return Path.of("target", "sim", testClass.getSimpleName(), testMethod).toAbsolutePath();
    }

    /** This test's seed (see the class comment). */
    public long seed() {
        seedUsed = true;
        return seed;
    }

    /** A new generator seeded with {@link #seed()}. */
    public Random random() {
        return new Random(seed());
    }

    /** A new generator seeded from {@link #seed()} and {@code stream}, for independent random streams. */
    public Random random(long stream) {
        return new Random(seed() * 0x9e37_79b9_7f4a_7c15L + stream);
    }

    boolean seedUsed() {
        return seedUsed;
    }

    String seedNote() {
        return "seed 0x" + Long.toHexString(seed) + "; repeat with -D" + SEED_PROPERTY + "=0x" + Long.toHexString(seed);
    }

    /** Closes every model this fixture opened (JUnit calls it after the test). */
    @Override
    public void close() {
        RuntimeException first = null;
        for (SimModel model : models) {
            try {
                model.close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        models.clear();
        if (first != null) {
            throw first;
        }
    }
}
