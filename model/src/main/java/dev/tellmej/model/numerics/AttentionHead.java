package dev.tellmej.model.numerics;

/**
 * One head of attention for one query (N15) over a {@link KvCache}, as {@link ExactOps#attentionHead} computes it
 * over the cache's decoded keys and values, with scratch of its own (one instance per thread). {@link #create}
 * picks the Vector API version where it applies.
 */
@FunctionalInterface
public interface AttentionHead {
    /**
     * Exactly {@link ExactOps#attentionHead}{@code (q, qOff, K, V, 0, headDim, n, headDim, scale, lanes,
     * cache.storage(), scores, out, outOff)}, where K and V hold KV head {@code kvHead}'s keys and values of
     * positions [0, n) of {@code layer}, decoded, position by position; with the head size and lanes this instance
     * was made for.
     */
    void head(float[] q, int qOff, KvCache cache, int layer, int kvHead, int n, float scale, float[] out, int outOff);

    /** The fastest version for L = {@code lanes} and heads of {@code headDim} that runs here. */
    static AttentionHead create(int lanes, int headDim) {
        LaneSum.checkLanes(lanes);
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            try {
                if (VectorAttention.applies(lanes, headDim)) {
                    return new VectorAttention(lanes, headDim);
                }
            } catch (LinkageError e) {
                // fall through to the scalar version
            }
        }
        return scalar(lanes, headDim);
    }

    /** The scalar version: the head's keys and values decoded, then {@link ExactOps#attentionHead} itself. */
    static AttentionHead scalar(int lanes, int headDim) {
        LaneSum.checkLanes(lanes);
        return new AttentionHead() {
            private float[] keys = new float[0];
            private float[] values = new float[0];
            private float[] scores = new float[0];

            @Override
            public void head(float[] q, int qOff, KvCache cache, int layer, int kvHead, int n, float scale,
                             float[] out, int outOff) {
                if (scores.length < n) {
                    keys = new float[n * headDim];
                    values = new float[n * headDim];
                    scores = new float[n];
                }
                for (int t = 0; t < n; t++) {
                    for (int i = 0; i < headDim; i++) {
                        keys[t * headDim + i] = cache.key(layer, kvHead, t, i);
                        values[t * headDim + i] = cache.value(layer, kvHead, t, i);
                    }
                }
                ExactOps.attentionHead(q, qOff, keys, values, 0, headDim, n, headDim, scale, lanes, cache.storage(),
                        scores, out, outOff);
            }
        };
    }
}
