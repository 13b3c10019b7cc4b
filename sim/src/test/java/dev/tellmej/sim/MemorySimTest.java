package dev.tellmej.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.examples.BlockRamBuffer;
import dev.tellmej.sim.junit.SimFixture;
import dev.tellmej.sim.junit.SimTest;
import java.util.Random;

/** A Mem's contents preloaded and read back from Java, without simulating the writes. */
class MemorySimTest {
    private static final Design<BlockRamBuffer> DESIGN = Hdl.elaborate(() -> new BlockRamBuffer(512, 32));

    @SimTest
    void preloadedWordsComeOutOfTheReadPort(SimFixture fixture) {
        BlockRamBuffer top = DESIGN.top();
        SimModel sim = fixture.open(DESIGN);
        SimMemory buffer = sim.memory("buffer");
        assertEquals(512, buffer.depth());
        assertEquals(32, buffer.width());
        assertSame(buffer, sim.memory(sim.layout().memories().getFirst().node()));
        Random random = fixture.random();
        long[] words = random.longs(512, 0, 1L << 32).toArray();
        buffer.load(words);
        sim.reset();
        sim.poke(top.readEnable, true);
        for (int address : new int[] {0, 1, 3, 255, 511, 100}) {
            sim.poke(top.readAddress, address);
            sim.step();
            assertEquals(words[address], sim.peek(top.readData), "word " + address);
        }
    }

    @SimTest
    void wordsTheDesignWritesAreReadBack(SimFixture fixture) {
        BlockRamBuffer top = DESIGN.top();
        SimModel sim = fixture.open(DESIGN);
        SimMemory buffer = sim.memory("buffer");
        buffer.load(new long[512]);
        sim.reset();
        Random random = fixture.random();
        long[] expected = new long[512];
        sim.poke(top.writeEnable, true);
        for (int i = 0; i < 200; i++) {
            int address = random.nextInt(512);
            long data = random.nextLong() & 0xffff_ffffL;
            int mask = random.nextInt(16);
            sim.poke(top.writeAddress, address);
            sim.poke(top.writeData, data);
            sim.poke(top.writeMask, mask);
            sim.step();
            for (int lane = 0; lane < 4; lane++) {
                if ((mask >> lane & 1) != 0) {
                    long bits = 0xffL << (8 * lane);
                    expected[address] = (expected[address] & ~bits) | (data & bits);
                }
            }
        }
        sim.poke(top.writeEnable, false);
        for (int address = 0; address < 512; address++) {
            assertEquals(expected[address], buffer.read(address), "word " + address);
        }
        buffer.write(7, 0xdead_beefL);
        sim.poke(top.readEnable, true);
        sim.poke(top.readAddress, 7);
        sim.step();
        assertEquals(0xdead_beefL, sim.peek(top.readData));
    }

    @SimTest
    void badAddressesAndWordsAreRejected(SimFixture fixture) {
        SimModel sim = fixture.open(DESIGN);
        SimMemory buffer = sim.memory("buffer");
        assertThrows(IndexOutOfBoundsException.class, () -> buffer.read(512));
        assertThrows(IllegalArgumentException.class, () -> buffer.write(0, 1L << 32));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> sim.memory("nothing"));
        assertTrue(unknown.getMessage().contains("[buffer]"), unknown.getMessage());
    }
}
