package dev.tellmej.model.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SamplerTest {
    private static final float[] LOGITS = {1f, 3f, 2f, 3f, -1f};

    @Test
    void greedyTakesTheFirstMaximum() {
        assertEquals(1, new Sampler(SamplerConfig.greedy()).sample(LOGITS));
        assertEquals(1, Sampler.argmax(LOGITS));
    }

    @Test
    void seededSamplingRepeatsAndFollowsTheDistribution() {
        int[] counts = new int[LOGITS.length];
        Sampler a = new Sampler(new SamplerConfig(1f, 0, 1f, 99));
        Sampler b = new Sampler(new SamplerConfig(1f, 0, 1f, 99));
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            int t = a.sample(LOGITS);
            assertEquals(t, b.sample(LOGITS), "same seed, same draw (seed 99)");
            counts[t]++;
        }
        double z = 0;
        for (float l : LOGITS) {
            z += Math.exp(l);
        }
        for (int i = 0; i < LOGITS.length; i++) {
            assertEquals(Math.exp(LOGITS[i]) / z, counts[i] / (double) n, 0.02, "token " + i);
        }
    }

    @Test
    void topKAndTopPRestrictTheCandidates() {
        Sampler k2 = new Sampler(new SamplerConfig(5f, 2, 1f, 1));
        Sampler p = new Sampler(new SamplerConfig(1f, 0, 0.5f, 2));
        Sampler k1 = new Sampler(new SamplerConfig(2f, 1, 1f, 3));
        for (int i = 0; i < 2000; i++) {
            int t = k2.sample(LOGITS);
            assertTrue(t == 1 || t == 3, "top-2 are ids 1 and 3, got " + t);
            int u = p.sample(LOGITS);
            assertTrue(u == 1 || u == 3, "the top token alone has p < 0.5, the top two reach it; got " + u);
            assertEquals(1, k1.sample(LOGITS));
        }
    }

    @Test
    void badSettingsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new SamplerConfig(-1f, 0, 1f, 0));
        assertThrows(IllegalArgumentException.class, () -> new SamplerConfig(1f, -2, 1f, 0));
        assertThrows(IllegalArgumentException.class, () -> new SamplerConfig(1f, 0, 0f, 0));
    }
}
