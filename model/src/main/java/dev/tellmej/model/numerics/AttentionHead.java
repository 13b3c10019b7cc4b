package dev.tellmej.model.numerics;

/**
 * One head of attention for one query (N15), as {@link ExactOps#attentionHead} computes it, with scratch of its
 * own (one instance per thread). {@link #create} picks the Vector API version where it applies.
 */
@FunctionalInterface
public interface AttentionHead {
    /**
     * Exactly {@link ExactOps#attentionHead}{@code (q, qOff, keys, values, kOff, stride, n, headDim, scale, lanes,
     * st, scores, out, outOff)} with the head size and lanes this instance was made for.
     */
    void head(float[] q, int qOff, float[] keys, float[] values, int kOff, int stride, int n, float scale,
              StorageFormat st, float[] scores, float[] out, int outOff);

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

    /** The scalar version ({@link ExactOps#attentionHead} itself). */
    static AttentionHead scalar(int lanes, int headDim) {
        return (q, qOff, keys, values, kOff, stride, n, scale, st, scores, out, outOff) -> ExactOps.attentionHead(
                q, qOff, keys, values, kOff, stride, n, headDim, scale, lanes, st, scores, out, outOff);
    }
}
