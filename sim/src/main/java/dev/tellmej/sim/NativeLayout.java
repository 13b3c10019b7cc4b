package dev.tellmej.sim;

/** How Verilator stores values in C++, which the shim exposes to Java byte for byte. */
final class NativeLayout {
    private NativeLayout() {}

    /**
     * Bytes of storage for a {@code width}-bit value: CData (1), SData (2), IData (4), QData (8), or
     * VlWide words of 32 bits, least significant word first, above 64 bits.
     */
    static int storageBytes(int width) {
        if (width <= 8) {
            return 1;
        }
        if (width <= 16) {
            return 2;
        }
        if (width <= 32) {
            return 4;
        }
        if (width <= 64) {
            return 8;
        }
        return 4 * ((width + 31) / 32);
    }
}
