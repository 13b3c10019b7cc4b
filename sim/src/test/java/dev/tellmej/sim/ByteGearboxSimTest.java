package dev.tellmej.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.lib.ByteGearbox;
import dev.tellmej.sim.junit.SimFixture;
import dev.tellmej.sim.junit.SimTest;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.util.Random;

/** The gearbox keeps bytes in order and takes an input word every cycle while its output keeps up. */
class ByteGearboxSimTest {
    @SimTest
    void narrowBeatsIntoWiderWordsRunAtTheInputsFullRate(SimFixture fixture) {
        for (int[] widths : new int[][] {{16, 34}, {32, 34}, {8, 17}, {34, 16}, {4, 28}, {16, 17}}) {
            int inBytes = widths[0];
            int outBytes = widths[1];
            Design<ByteGearbox> design = Hdl.elaborate(() -> new ByteGearbox(inBytes, outBytes));
            ByteGearbox top = design.top();
            SimModel sim = fixture.open(design);
            sim.poke(top.clear, false);
            sim.reset();
            Random random = fixture.random(inBytes * 100 + outBytes);
            ByteArrayOutputStream sent = new ByteArrayOutputStream();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            int cycles = 2000;
            int taken = 0;
            byte[] word = new byte[inBytes];
            random.nextBytes(word);
            sim.poke(top.in.valid, true);
            sim.poke(top.out.ready, true);
            for (int cycle = 0; cycle < cycles; cycle++) {
                sim.poke(top.in.payload, littleEndian(word));
                boolean push = sim.peek(top.in.ready) == 1;
                if (sim.peek(top.out.valid) == 1) {
                    received.writeBytes(bytes(sim.peekBig(top.out.payload), outBytes));
                }
                sim.step();
                if (push) {
                    sent.writeBytes(word);
                    taken++;
                    word = new byte[inBytes];
                    random.nextBytes(word);
                }
            }
            String label = inBytes + " -> " + outBytes + " bytes";
            int rate = Math.min(inBytes, outBytes);
            // After the first few cycles the slower side sets the pace: within a word of the ideal byte count.
            assertEquals((double) rate * cycles, (double) (inBytes >= outBytes ? received.size() : taken * inBytes),
                    2.0 * Math.max(inBytes, outBytes) + 4 * rate, label + ": sustained bytes over " + cycles + " cycles");
            byte[] in = sent.toByteArray();
            byte[] out = received.toByteArray();
            byte[] prefix = java.util.Arrays.copyOf(in, out.length);
            assertArrayEquals(prefix, out, label + ": bytes leave in the order they arrived");
        }
    }

    private static BigInteger littleEndian(byte[] bytes) {
        byte[] big = new byte[bytes.length + 1];
        for (int i = 0; i < bytes.length; i++) {
            big[bytes.length - i] = bytes[i];
        }
        return new BigInteger(big);
    }

    private static byte[] bytes(BigInteger value, int count) {
        byte[] out = new byte[count];
        for (int i = 0; i < count; i++) {
            out[i] = value.shiftRight(8 * i).byteValue();
        }
        return out;
    }
}
