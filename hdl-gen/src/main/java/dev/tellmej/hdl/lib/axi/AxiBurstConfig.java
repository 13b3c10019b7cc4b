package dev.tellmej.hdl.lib.axi;

import dev.tellmej.hdl.RamStyle;
import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.hdl.ir.Locations;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parameters of an {@link AxiBurstReader} or {@link AxiBurstWriter}.
 *
 * @param axi               the port's widths (data, address, ID)
 * @param burstBeats        the longest burst, in beats: a power of two from 1 to 256 whose bytes
 *                          ({@code burstBeats x data bytes}) fit in 4 KB. Bursts start on multiples of their
 *                          own size where the command allows, so none crosses a 4 KB boundary
 * @param outstandingBursts bursts in flight at once (address accepted, last data or response not yet
 *                          received): 1 to 64
 * @param lengthBits        width of a command's beat count: commands of up to 2^lengthBits - 1 beats (1..32)
 * @param id                the transaction ID put on AR and AW (0 when the interface has no IDs); one ID keeps
 *                          responses in order
 */
public record AxiBurstConfig(Axi4Config axi, int burstBeats, int outstandingBursts, int lengthBits, long id) {
    /**
     * Above this many bits of data a FIFO goes into block RAM instead of LUT RAM: a 32-beat FIFO of 128 bits
     * costs some 300 LUTs in LUT RAM, and the kernels built here run short of LUTs long before block RAM.
     */
    static final int LUT_RAM_BITS = 2048;

    public AxiBurstConfig {
        List<String> problems = new ArrayList<>();
        if (axi == null) {
            throw new InvalidParameterException(Locations.capture(), "an AXI burst engine needs an Axi4Config");
        }
        if (burstBeats < 1 || burstBeats > 256 || Integer.bitCount(burstBeats) != 1) {
            problems.add("burst length must be a power of two from 1 to 256 beats, got " + burstBeats);
        } else if (burstBeats * axi.dataBytes() > 4096) {
            problems.add("a burst of " + burstBeats + " x " + axi.dataBytes() + " bytes exceeds 4 KB; use at most "
                    + 4096 / axi.dataBytes() + " beats");
        }
        if (outstandingBursts < 1 || outstandingBursts > 64) {
            problems.add("outstanding bursts must be 1..64, got " + outstandingBursts);
        }
        if (lengthBits < 1 || lengthBits > 32) {
            problems.add("the beat count must be 1..32 bits wide, got " + lengthBits);
        }
        if (id < 0 || (axi.idWidth() == 0 ? id != 0 : axi.idWidth() < 63 && id >> axi.idWidth() != 0)) {
            problems.add("ID " + id + " does not fit the interface's " + axi.idWidth() + " ID bits");
        }
        if (!problems.isEmpty()) {
            throw new InvalidParameterException(Locations.capture(),
                    "AXI burst engine: " + String.join("; ", problems));
        }
    }

    /** Bursts of up to {@code burstBeats} beats, {@code outstandingBursts} in flight, 32-bit beat counts, ID 0. */
    public static AxiBurstConfig of(Axi4Config axi, int burstBeats, int outstandingBursts) {
        return new AxiBurstConfig(axi, burstBeats, outstandingBursts, 32, 0);
    }

    /** These parameters with commands of up to 2^bits - 1 beats. */
    public AxiBurstConfig withLengthBits(int bits) {
        return new AxiBurstConfig(axi, burstBeats, outstandingBursts, bits, id);
    }

    /** These parameters with transaction ID {@code value} on AR and AW. */
    public AxiBurstConfig withId(long value) {
        return new AxiBurstConfig(axi, burstBeats, outstandingBursts, lengthBits, value);
    }

    /** log2 of the bytes per beat: the address bits below a beat. */
    public int beatShift() {
        return axi.fullSize();
    }

    /**
     * The parameters an engine's Verilog name carries: {@code w}, {@code b}, {@code o}, then {@code a} unless the
     * address is 64 bits, {@code l} unless the length is 32 bits, {@code i} and {@code id} with IDs.
     */
    Map<String, Object> verilogParameters() {
        Map<String, Object> names = new LinkedHashMap<>();
        names.put("w", axi.dataWidth());
        names.put("b", burstBeats);
        names.put("o", outstandingBursts);
        if (axi.addressWidth() != 64) {
            names.put("a", axi.addressWidth());
        }
        if (lengthBits != 32) {
            names.put("l", lengthBits);
        }
        if (axi.idWidth() > 0) {
            names.put("i", axi.idWidth());
            names.put("id", id);
        }
        return names;
    }

    /**
     * LUT RAM for a FIFO of {@code beats} beats holding up to {@value #LUT_RAM_BITS} bits of data, block RAM
     * above (the flags or strobes beside the data do not count).
     */
    RamStyle fifoStyle(int beats) {
        return (long) beats * axi.dataWidth() > LUT_RAM_BITS ? RamStyle.BLOCK : RamStyle.DISTRIBUTED;
    }
}
