package dev.tellmej.accel.tlmm;

import dev.tellmej.accel.config.AcceleratorConfig;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.model.ternary.TernaryMatrix;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WeightPackerTest {
    private static final long SEED = 0x7e11_0001L;

    @Test
    void packingRoundTripsForEveryConfigurationAndAwkwardShapes() {
        Random random = new Random(SEED);
        for (TlmmConfig config : AcceleratorConfig.named().values().stream().map(AcceleratorConfig::tlmmConfig).toList()) {
            for (int[] shape : new int[][] {{1, 1}, {7, 16}, {33, 100}, {64, 3 * config.tables() * 3 + 1}, {250, 311}}) {
                TernaryMatrix matrix = TernaryMatrix.random(shape[0], shape[1], 0.5f, random);
                TlmmLayout layout = new TlmmLayout(config, shape[0], shape[1]);
                byte[] image = WeightPacker.pack(layout, matrix);
                TernaryMatrix back = WeightPacker.unpack(layout, image, matrix.scale());
                assertArrayEquals(matrix.indices(), back.indices(), config.name() + " " + shape[0] + "x" + shape[1]
                        + " (seed " + SEED + ")");
            }
        }
    }

    @Test
    void theKv260PackingStaysUnder167BitsPerWeight() {
        TlmmConfig config = AcceleratorConfig.kv260().tlmmConfig();
        assertEquals(17, config.indexWordBytes());
        assertEquals(136.0 / 84, config.bitsPerWeight(), 1e-12);
        for (int[] shape : new int[][] {{1536, 1536}, {4096, 1536}, {1536, 4096}}) {
            TlmmLayout layout = new TlmmLayout(config, shape[0], shape[1]);
            double bitsRead = 8.0 * layout.bytesRead() / ((double) shape[0] * shape[1]);
            assertTrue(bitsRead <= 1.67, shape[0] + "x" + shape[1] + ": " + bitsRead + " bits per weight read");
            assertTrue(layout.tileGroups() * layout.blocks() <= config.halfDepth());
        }
    }

    @Test
    void tilesAreBalancedAndFitHalfABank() {
        TlmmLayout layout = new TlmmLayout(AcceleratorConfig.kv260().tlmmConfig(), 1536, 4096);
        assertEquals(49, layout.blocks());
        assertEquals(96, layout.groups());
        assertEquals(3, layout.tiles());
        assertEquals(32, layout.tileGroups());
        assertEquals(32, layout.lastTileGroups());
        TlmmConfig config = layout.config();
        assertEquals(0, layout.regionStride() % ((long) config.burstBeats() * config.beatBytes()));
        assertTrue(8.0 * layout.imageBytes() / (1536.0 * 4096) <= 1.67, "the image, padding included, <= 1.67 bits"
                + " per weight");
    }

    @Test
    void impossiblePackingsAndShapesAreRejectedWithReasons() {
        InvalidParameterException wide = assertThrows(InvalidParameterException.class,
                () -> new TlmmConfig("bad", 4, 4, 2, 64, 4, 512, 1, 10, 10, 16, 2));
        assertTrue(wide.getMessage().contains("2.000 bits per weight"), wide.getMessage());
        assertTrue(wide.getMessage().contains("choose T among 5, 8, 10"), wide.getMessage());
        InvalidParameterException ports = assertThrows(InvalidParameterException.class,
                () -> new TlmmConfig("bad", 5, 4, 3, 64, 5, 512, 1, 10, 10, 16, 2));
        assertTrue(ports.getMessage().contains("must divide Q = 4"), ports.getMessage());
        InvalidParameterException tooWide = assertThrows(InvalidParameterException.class,
                () -> new TlmmLayout(AcceleratorConfig.kv260().tlmmConfig(), 16, 100_000));
        assertTrue(tooWide.getMessage().contains("blocks"), tooWide.getMessage());
    }
}
