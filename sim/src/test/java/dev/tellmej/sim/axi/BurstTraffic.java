package dev.tellmej.sim.axi;

import dev.tellmej.hdl.lib.axi.AxiBurstConfig;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Commands for the AXI burst engines' test benches and what they should do: random mixes of the shapes that
 * matter (single beats, unaligned starts, 4 KB crossings, short tails, long transfers, zero-length commands),
 * their packing onto a command stream, and the bytes of a beat in the memory model.
 */
final class BurstTraffic {
    private BurstTraffic() {}

    /**
     * One command: {@code beats} full-width beats from the byte {@code address}.
     *
     * @param address any byte address (the engines ignore the bits below a beat)
     * @param beats   full-width beats (0: the engines drop the command)
     */
    record Command(long address, int beats) {
        /** The first beat's address. */
        long aligned(int beatBytes) {
            return address & -(long) beatBytes;
        }

        /** The command as the engines' command stream packs it: the address in the low bits, beats above. */
        BigInteger packed(AxiBurstConfig config) {
            return BigInteger.valueOf(beats).shiftLeft(config.axi().addressWidth()).or(BigInteger.valueOf(address));
        }
    }

    /**
     * {@code count} random commands inside {@code [0, memoryBytes)}: a fifth single beats, a fifth placed a few
     * beats before a 4 KB boundary and crossing it, a fifth short (2 to 40 beats), a fifth of up to a few bursts,
     * and the rest long (up to {@code longest} beats); about one in 25 has zero beats. Addresses are random to
     * the byte, so most starts are unaligned to the burst (and to the beat).
     */
    static List<Command> random(Random random, int count, int beatBytes, int burstBeats, long memoryBytes,
            int longest) {
        List<Command> commands = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int beats = switch (random.nextInt(5)) {
                case 0 -> 1;
                case 1 -> 2 + random.nextInt(3 * burstBeats);
                case 2 -> 2 + random.nextInt(39);
                case 3 -> 1 + random.nextInt(4 * burstBeats);
                default -> 1 + random.nextInt(longest);
            };
            if (random.nextInt(25) == 0) {
                beats = 0;
            }
            long span = (long) Math.max(1, beats) * beatBytes;
            long address;
            if (random.nextInt(5) == 1) {  // a few beats before a 4 KB boundary, so the command crosses it
                long pages = (memoryBytes - span) / 4096;
                long page = 1 + (pages > 1 ? random.nextLong(pages - 1) : 0);
                address = page * 4096 - (long) (1 + random.nextInt(Math.max(1, Math.min(beats, 2 * burstBeats))))
                        * beatBytes + random.nextInt(beatBytes);
            } else {
                address = random.nextLong(memoryBytes - span);
            }
            commands.add(new Command(Math.max(0, address), beats));
        }
        return commands;
    }

    /** The beat of {@code beatBytes} bytes at {@code address} (aligned) as the bus carries it: byte 0 lowest. */
    static BigInteger beat(MemorySegment memory, long address, int beatBytes) {
        byte[] bytes = new byte[beatBytes];
        MemorySegment.copy(memory, ValueLayout.JAVA_BYTE, address, bytes, 0, beatBytes);
        return littleEndian(bytes);
    }

    /** An unsigned integer from bytes, byte 0 least significant. */
    static BigInteger littleEndian(byte[] bytes) {
        byte[] bigEndian = new byte[bytes.length + 1];
        for (int i = 0; i < bytes.length; i++) {
            bigEndian[bytes.length - i] = bytes[i];
        }
        return new BigInteger(bigEndian);
    }

    /** Whether a beat at {@code address} touches any of the byte ranges {@code [start, start + length)}. */
    static boolean touches(long address, int beatBytes, List<long[]> ranges) {
        for (long[] range : ranges) {
            if (address < range[0] + range[1] && range[0] < address + beatBytes) {
                return true;
            }
        }
        return false;
    }
}
