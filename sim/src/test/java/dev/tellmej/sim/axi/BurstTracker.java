package dev.tellmej.sim.axi;

import dev.tellmej.hdl.lib.axi.AxiBurstConfig;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Follows the commands an engine was given and checks every burst it issues on AR or AW against them: the
 * bursts of a command are contiguous and cover it exactly, each is at most the configured length, none
 * crosses a 4 KB boundary, and each ends at the next multiple of the longest burst or at the command's end
 * (so an unaligned start costs one short burst and every later burst is aligned).
 */
final class BurstTracker {
    private final String channel;
    private final int beatBytes;
    private final int burstBeats;
    private final Deque<BurstTraffic.Command> commands = new ArrayDeque<>();
    private final List<Integer> burstsPerCommand = new ArrayList<>();
    private long nextAddress;
    private long left;
    private long beatsIssued;

    BurstTracker(String channel, AxiBurstConfig config, List<BurstTraffic.Command> given) {
        this.channel = channel;
        this.beatBytes = config.axi().dataBytes();
        this.burstBeats = config.burstBeats();
        for (BurstTraffic.Command command : given) {
            if (command.beats() > 0) {
                commands.add(command);
            }
        }
    }

    /** Checks a burst accepted at the edge of {@code cycle}; {@code len} is AxLEN (beats - 1). */
    void issued(long address, int len, int size, int burst, long cycle) {
        String where = channel + " burst at 0x" + Long.toHexString(address) + " of " + (len + 1) + " beats (cycle "
                + cycle + ")";
        if (left == 0) {
            BurstTraffic.Command command = commands.poll();
            if (command == null) {
                throw new AssertionError(where + ": no command left to issue it for");
            }
            nextAddress = command.aligned(beatBytes);
            left = command.beats();
            burstsPerCommand.add(0);
        }
        int beats = len + 1;
        long boundary = (long) burstBeats * beatBytes;
        long expected = Math.min(left, (boundary - nextAddress % boundary) / beatBytes);
        check(address == nextAddress, where + ": expected the address 0x" + Long.toHexString(nextAddress));
        check(beats == expected, where + ": expected " + expected + " beats (" + left + " left in the command)");
        check(beats <= burstBeats, where + ": longer than " + burstBeats + " beats");
        check(address >> 12 == (address + (long) beats * beatBytes - 1) >> 12, where + ": crosses a 4 KB boundary");
        check(size == Integer.numberOfTrailingZeros(beatBytes), where + ": AxSIZE " + size + " is not the full width");
        check(burst == 1, where + ": not INCR");
        nextAddress += (long) beats * beatBytes;
        left -= beats;
        beatsIssued += beats;
        burstsPerCommand.set(burstsPerCommand.size() - 1, burstsPerCommand.getLast() + 1);
    }

    /** Beats of all bursts issued so far. */
    long beatsIssued() {
        return beatsIssued;
    }

    /** Bursts of commands 0..k (of those with beats) issued so far. */
    long burstsThrough(int k) {
        long total = 0;
        for (int i = 0; i <= k && i < burstsPerCommand.size(); i++) {
            total += burstsPerCommand.get(i);
        }
        return total;
    }

    /** True when every command's bursts were issued. */
    boolean finished() {
        return commands.isEmpty() && left == 0;
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }
}
