package dev.tellmej.accel.tlmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.hdl.Hdl;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;

/** A command packs into the engine's command port at the port's own field widths. */
class TlmmCommandTest {
    @Test
    void fieldsPackInOrderAtThePortsWidths() {
        TlmmCommand command = new TlmmLayout(AcceleratorConfig.kv260().tlmmConfig(), 1536, 4096)
                .command(0x1000, 3);
        BigInteger payload = command.payload();
        assertEquals(306, Hdl.widthOf(TlmmEngine.commandShape()), "the port's width");
        assertEquals(0x1000, payload.longValue() & 0xFFFF_FFFFL, "the address is the least significant field");
        assertEquals(command.blocks(), payload.shiftRight(64).intValue() & 0xFFFF);
        assertEquals(command.wordsLast(), payload.shiftRight(306 - 32).longValue());
    }

    @Test
    void aFieldTooWideForThePortIsNamed() {
        TlmmCommand command = new TlmmCommand(0, 1, 0, 70_000, 1, 1, 1, 0, 1, 1, 1, 1);
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, command::payload);
        assertEquals("command field tokens = 70000 does not fit its 16 bits", error.getMessage());
    }
}
