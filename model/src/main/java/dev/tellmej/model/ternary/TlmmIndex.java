package dev.tellmej.model.ternary;

/**
 * The 5-bit TLMM index of a weight triple (NUMERICS.md N7.2), in TeLLMe's order: 0 = (0,0,0); 1..3 a single +1
 * at position 1..3; 4..9 = (+,+,0), (+,-,0), (+,0,+), (+,0,-), (0,+,+), (0,+,-); 10..13 = (+,+,+), (+,+,-),
 * (+,-,+), (-,+,+); 13 + k = the negation of pattern k for k = 1..13; 27..31 are invalid.
 */
public final class TlmmIndex {
    /** Valid indices are 0..26. */
    public static final int COUNT = 27;
    private static final byte[][] PATTERNS = new byte[COUNT][];
    private static final byte[] INDEX_OF = new byte[27];
    /**
     * The index of the triple whose codes {@code w + 1} are c0, c1, c2, at {@code c0 | c1 << 2 | c2 << 4}; -1 where
     * a code is 3 (no weight).
     */
    private static final byte[] BY_CODES = new byte[64];

    static {
        byte[][] base = {
            {0, 0, 0},
            {1, 0, 0}, {0, 1, 0}, {0, 0, 1},
            {1, 1, 0}, {1, -1, 0}, {1, 0, 1}, {1, 0, -1}, {0, 1, 1}, {0, 1, -1},
            {1, 1, 1}, {1, 1, -1}, {1, -1, 1}, {-1, 1, 1},
        };
        for (int k = 0; k < 14; k++) {
            PATTERNS[k] = base[k];
        }
        for (int k = 1; k <= 13; k++) {
            PATTERNS[13 + k] = new byte[] {(byte) -base[k][0], (byte) -base[k][1], (byte) -base[k][2]};
        }
        java.util.Arrays.fill(INDEX_OF, (byte) -1);
        for (int idx = 0; idx < COUNT; idx++) {
            byte[] p = PATTERNS[idx];
            int key = (p[0] + 1) * 9 + (p[1] + 1) * 3 + (p[2] + 1);
            if (INDEX_OF[key] != -1) {
                throw new AssertionError("pattern table is not a bijection at " + idx);
            }
            INDEX_OF[key] = (byte) idx;
        }
        java.util.Arrays.fill(BY_CODES, (byte) -1);
        for (int idx = 0; idx < COUNT; idx++) {
            byte[] p = PATTERNS[idx];
            BY_CODES[(p[0] + 1) | (p[1] + 1) << 2 | (p[2] + 1) << 4] = (byte) idx;
        }
    }

    private TlmmIndex() {}

    /** The index of the triple (w0, w1, w2), each in {-1, 0, +1}. */
    public static int encode(int w0, int w1, int w2) {
        if (w0 < -1 || w0 > 1 || w1 < -1 || w1 > 1 || w2 < -1 || w2 > 1) {
            throw new IllegalArgumentException("weights must be ternary: " + w0 + ", " + w1 + ", " + w2);
        }
        return INDEX_OF[(w0 + 1) * 9 + (w1 + 1) * 3 + (w2 + 1)];
    }

    /**
     * As {@link #encode}, from the codes {@code w + 1} of the triple (each 0, 1 or 2): one check and one table
     * load, for packing whole matrices.
     *
     * @throws IllegalArgumentException when a code is not 0, 1 or 2
     */
    static int encodeCodes(int c0, int c1, int c2) {
        int idx = ((c0 | c1 | c2) & ~3) == 0 ? BY_CODES[c0 | c1 << 2 | c2 << 4] : -1;
        if (idx < 0) {
            throw new IllegalArgumentException("weights must be ternary: " + (c0 - 1) + ", " + (c1 - 1) + ", "
                    + (c2 - 1));
        }
        return idx;
    }

    /** The weight at {@code position} (0..2) of the triple with index {@code index} (0..26). */
    public static int weight(int index, int position) {
        return pattern(index)[position];
    }

    /** The triple of an index, as a new array. */
    public static byte[] decode(int index) {
        return pattern(index).clone();
    }

    private static byte[] pattern(int index) {
        if (index < 0 || index >= COUNT) {
            throw new IllegalArgumentException("TLMM index " + index + " is invalid (0..26)");
        }
        return PATTERNS[index];
    }

    /**
     * The 27-entry table of a group (N7.3): entry {@code idx} = the pattern's dot product with (x0, x1, x2),
     * a signed integer of at most 10 bits for int8 activations.
     */
    public static int[] table(int x0, int x1, int x2) {
        int[] t = new int[COUNT];
        for (int idx = 0; idx < COUNT; idx++) {
            byte[] p = PATTERNS[idx];
            t[idx] = p[0] * x0 + p[1] * x1 + p[2] * x2;
        }
        return t;
    }
}
