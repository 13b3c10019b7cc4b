package dev.tellmej.hdl.docs;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.HwEnum;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.lib.Stream;

// doc:begin serial-tx
/** Sends bytes on a serial line, 8N1: a start bit, eight data bits (LSB first), a stop bit. */
public final class SerialTx extends Module {
    public final Stream<UInt> data = in("data", Stream.of(uint(8)));
    public final Bool txd = out("txd", bool());

    /** The frame's parts. */
    enum Phase { IDLE, START, DATA, STOP }

    /** A tick every {@code divider} cycles: the bit rate. */
    static final class BitTimer extends Area {
        final Bool tick;

        BitTimer(int divider) {
            super("bit_timer", "a tick every divider cycles: the bit rate");
            UInt count = reg("count", uint(log2Up(divider)), 0);
            tick = count.eq(divider - 1).named("tick");
            count.set(mux(tick, U(0, count.width()), count.add(1)));
        }
    }

    /** Takes a byte while idle, on a tick, and shifts it out one bit per tick. */
    static final class Framer extends Area {
        final Bool line;

        Framer(BitTimer timer, Stream<UInt> data) {
            super("framer", "sends each byte as a start bit, eight data bits and a stop bit");
            HwEnum<Phase> phase = reg("phase", enumOf(Phase.class), Phase.IDLE);
            UInt shift = reg("shift", uint(8));
            UInt sent = reg("sent", uint(3), 0);
            data.ready.set(phase.is(Phase.IDLE).and(timer.tick));
            when(data.fire(), () -> {
                shift.set(data.payload);
                phase.set(Phase.START);
            }).elseWhen(timer.tick, () -> switchOn(phase)
                    .is(Phase.START, () -> phase.set(Phase.DATA))
                    .is(Phase.DATA, () -> {
                        shift.set(shift.shr(1).zext(8));
                        sent.set(sent.add(1));
                        when(sent.eq(7), () -> phase.set(Phase.STOP));
                    })
                    .is(Phase.STOP, () -> phase.set(Phase.IDLE)));
            line = phase.isOneOf(Phase.IDLE, Phase.STOP).or(phase.is(Phase.DATA).and(shift.lsb())).named("line");
            assertAlways(phase.isNot(Phase.IDLE).or(line), "the line idles high");
        }
    }

    public SerialTx(int divider) {
        param("div", divider);
        BitTimer timer = area(new BitTimer(divider));
        Framer framer = area(new Framer(timer, data));
        txd.set(framer.line);
    }
}
// doc:end serial-tx
