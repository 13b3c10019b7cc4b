package dev.tellmej.device;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The first bytes a program binary of a known OpenCL platform starts with, checked before the bytes are handed
 * to {@code clCreateProgramWithBinary}: PoCL's binaries start with {@code poclbin} and a NUL, XRT's xclbin
 * files with {@code xclbin2} and a NUL. Other platforms' formats are not known here and are not checked.
 */
final class BinaryMagic {
    static final String POCL = "poclbin\0";
    static final String XCLBIN = "xclbin2\0";

    private BinaryMagic() {}

    /** The magic the platform named {@code platformName} puts first in its binaries, or null when unknown. */
    static String expectedBy(String platformName) {
        String name = platformName.toLowerCase(Locale.ROOT);
        if (name.contains("portable computing language") || name.contains("pocl")) {
            return POCL;
        }
        if (name.equals("xilinx") || name.contains("xrt")) {
            return XCLBIN;
        }
        return null;
    }

    /** True when {@code bytes} begins with {@code magic} (ASCII). */
    static boolean startsWith(byte[] bytes, String magic) {
        byte[] m = magic.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length < m.length) {
            return false;
        }
        for (int i = 0; i < m.length; i++) {
            if (bytes[i] != m[i]) {
                return false;
            }
        }
        return true;
    }
}
