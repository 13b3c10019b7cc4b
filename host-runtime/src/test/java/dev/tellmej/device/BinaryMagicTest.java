package dev.tellmej.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The magic checked before a binary reaches the driver: PoCL's and XRT's, nothing for other platforms. */
class BinaryMagicTest {
    @Test
    void knownPlatformsHaveTheirMagic() {
        assertEquals(BinaryMagic.POCL, BinaryMagic.expectedBy("Portable Computing Language"));
        assertEquals(BinaryMagic.XCLBIN, BinaryMagic.expectedBy("Xilinx"));
        assertNull(BinaryMagic.expectedBy("NVIDIA CUDA"));
    }

    @Test
    void onlyAFileStartingWithTheWholeMagicPasses() {
        byte[] pocl = "poclbin\0 and the rest".getBytes(StandardCharsets.US_ASCII);
        assertTrue(BinaryMagic.startsWith(pocl, BinaryMagic.POCL));
        assertFalse(BinaryMagic.startsWith(pocl, BinaryMagic.XCLBIN));
        assertFalse(BinaryMagic.startsWith("poclbin".getBytes(StandardCharsets.US_ASCII), BinaryMagic.POCL));
        assertFalse(BinaryMagic.startsWith(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, BinaryMagic.POCL));
        assertTrue(BinaryMagic.startsWith("xclbin2\0".getBytes(StandardCharsets.US_ASCII), BinaryMagic.XCLBIN));
    }
}
