package dev.tellmej.model.numerics;

/**
 * The configuration the hardware-exact path depends on (NUMERICS.md N19).
 *
 * @param lanes   L, the lanes of every order-fixed floating-point sum (N5); a power of two
 * @param storage the format of values stored between stages and in the KV cache (N4)
 * @param tables  T, TLMM tables built per 3T activations (N7.5): hardware pads the input to a multiple of 3T,
 *                which changes no result ({@code TlmmReference.matVecBlocked} shows it), so the Java model
 *                computes the unpadded sums and carries T only to describe the hardware
 */
public record ExactConfig(int lanes, StorageFormat storage, int tables) {
    public ExactConfig {
        LaneSum.checkLanes(lanes);
        if (tables < 1) {
            throw new IllegalArgumentException("tables must be >= 1, got " + tables);
        }
    }

    /** L = 16, binary16 storage, T = 28 (TeLLMe's table count). */
    public static ExactConfig defaults() {
        return new ExactConfig(16, StorageFormat.FP16, 28);
    }
}
