package dev.tellmej.hdl.lib.axi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.eda.ResourceReport;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.hdl.testing.DesignVerifier;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The AXI burst reader and writer elaborate deterministically, are {@code verilator --lint-only -Wall} clean,
 * synthesize with Yosys into the RAM their Javadoc promises, and refuse parameters they cannot build. Their
 * behaviour is tested in Verilator against the AXI memory model (sim: {@code AxiBurstReaderSimTest},
 * {@code AxiBurstWriterSimTest}).
 */
class AxiBurstEnginesTest {
    /** The kv260 weight port: 256-bit beats, 32-beat bursts, 4 in flight: a 128 x 258-bit block-RAM FIFO. */
    static final AxiBurstConfig WIDE = AxiBurstConfig.of(Axi4Config.of(256), 32, 4);
    /** A small port with IDs, a 40-bit address and 20-bit lengths: LUT-RAM FIFOs. */
    static final AxiBurstConfig SMALL = AxiBurstConfig.of(new Axi4Config(40, 64, 2), 16, 3).withLengthBits(20)
            .withId(1);

    @Test
    void theReaderIsLintCleanAndItsFifoGoesWhereTheJavadocSays() {
        Design<AxiBurstReader> wide = Hdl.elaborate(() -> new AxiBurstReader(WIDE));
        assertEquals("AxiBurstReader_w256_b32_o4", wide.topName());
        ResourceReport big = DesignVerifier.verify(wide, "axi-burst-reader-wide");
        assertTrue(big.bramTiles() >= 1 && big.bramTiles() <= 4, big.toString());
        assertEquals(0, big.dsp(), big.toString());

        Design<AxiBurstReader> small = Hdl.elaborate(() -> new AxiBurstReader(SMALL));
        assertEquals("AxiBurstReader_w64_b16_o3_a40_l20_i2_id1", small.topName());
        ResourceReport report = DesignVerifier.verify(small, "axi-burst-reader-small");
        assertTrue(report.bramTiles() >= 1, "48 x 64 bits of data are over 2 Kbit: block RAM: " + report);
        System.out.println("AxiBurstReader SMALL: " + report + "; WIDE: " + big);
        Design<AxiBurstReader> edge = Hdl.elaborate(() -> new AxiBurstReader(AxiBurstConfig.of(Axi4Config.of(128), 16,
                1)));
        assertEquals(0, DesignVerifier.verify(edge, "axi-burst-reader-edge").bramTiles(), "16 beats of 128 bits are"
                + " 2 Kbit of data: LUT RAM");
        // The AR slice holds two bursts: a 40-bit address and an 8-bit length each.
        assertTrue(report.flipFlops() < 200 + 2 * (40 + 8), "address, length and credit registers and the AR"
                + " slice only: " + report);
    }

    @Test
    void theWriterIsLintCleanAndItsFifoGoesWhereTheJavadocSays() {
        Design<AxiBurstWriter> wide = Hdl.elaborate(() -> new AxiBurstWriter(WIDE));
        assertEquals("AxiBurstWriter_w256_b32_o4", wide.topName());
        ResourceReport big = DesignVerifier.verify(wide, "axi-burst-writer-wide");
        assertTrue(big.bramTiles() >= 1 && big.bramTiles() <= 4, "64 beats of 256 bits are 16 Kbit of data, over"
                + " the 2 Kbit that stay in LUT RAM: block RAM: " + big);

        Design<AxiBurstWriter> small = Hdl.elaborate(() -> new AxiBurstWriter(SMALL));
        ResourceReport report = DesignVerifier.verify(small, "axi-burst-writer-small");
        assertEquals(0, report.bramTiles(), "32 x 64 bits of data are 2 Kbit: LUT RAM: " + report);
        System.out.println("AxiBurstWriter SMALL: " + report + "; WIDE: " + big);
        assertTrue(report.flipFlops() < 200, report.toString());
    }

    @Test
    void singleBeatBurstsAndOneBurstInFlightAreLintClean() {
        AxiBurstConfig tiny = AxiBurstConfig.of(new Axi4Config(32, 8, 0), 1, 1).withLengthBits(4);
        DesignVerifier.lint(Hdl.elaborate(() -> new AxiBurstReader(tiny)), "axi-burst-reader-tiny");
        DesignVerifier.lint(Hdl.elaborate(() -> new AxiBurstWriter(tiny)), "axi-burst-writer-tiny");
    }

    @Test
    void theInvariantsAreCheckedInSimulationOnly() {
        // A long message is written as several string arguments of one $display: join them to read it.
        String reader = joinedStrings(Hdl.elaborate(() -> new AxiBurstReader(SMALL)).definitions()
                .get("AxiBurstReader_w64_b16_o3_a40_l20_i2_id1"));
        String writer = joinedStrings(Hdl.elaborate(() -> new AxiBurstWriter(SMALL)).definitions()
                .get("AxiBurstWriter_w64_b16_o3_a40_l20_i2_id1"));
        for (String text : List.of(reader, writer)) {
            assertTrue(text.contains("`ifndef SYNTHESIS"), text);
        }
        assertTrue(reader.contains("the credits never go negative"), reader);
        assertTrue(reader.contains("the credits never exceed the FIFO depth 48"), reader);
        assertTrue(writer.contains("a write response arrived with no burst awaiting one"), writer);
    }

    private static String joinedStrings(String verilog) {
        return verilog.replaceAll("\",\\s*\"", "");
    }

    @Test
    void elaborationIsDeterministic() {
        DesignVerifier.assertDeterministic(Hdl.elaborate(() -> new AxiBurstReader(SMALL)),
                Hdl.elaborate(() -> new AxiBurstReader(SMALL)));
        DesignVerifier.assertDeterministic(Hdl.elaborate(() -> new AxiBurstWriter(WIDE)),
                Hdl.elaborate(() -> new AxiBurstWriter(WIDE)));
    }

    @Test
    void impossibleParametersAreRefusedWithTheReason() {
        Axi4Config wide = Axi4Config.of(512);
        String tooLong = assertThrows(InvalidParameterException.class,
                () -> AxiBurstConfig.of(wide, 128, 4)).getMessage();
        assertTrue(tooLong.contains("a burst of 128 x 64 bytes exceeds 4 KB; use at most 64 beats"), tooLong);
        String notPowerOfTwo = assertThrows(InvalidParameterException.class,
                () -> AxiBurstConfig.of(wide, 24, 4)).getMessage();
        assertTrue(notPowerOfTwo.contains("power of two from 1 to 256 beats, got 24"), notPowerOfTwo);
        assertThrows(InvalidParameterException.class, () -> AxiBurstConfig.of(wide, 16, 0));
        assertThrows(InvalidParameterException.class, () -> AxiBurstConfig.of(wide, 16, 4).withLengthBits(33));
        String id = assertThrows(InvalidParameterException.class,
                () -> AxiBurstConfig.of(Axi4Config.of(64).withIdWidth(2), 16, 4).withId(4)).getMessage();
        assertTrue(id.contains("ID 4 does not fit the interface's 2 ID bits"), id);
        assertThrows(InvalidParameterException.class, () -> AxiBurstConfig.of(Axi4Config.of(64), 16, 4).withId(1));
    }
}
