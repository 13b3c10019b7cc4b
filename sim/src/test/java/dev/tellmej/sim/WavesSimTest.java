package dev.tellmej.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.examples.Counter;
import dev.tellmej.sim.junit.SimFixture;
import dev.tellmej.sim.junit.SimTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** FST waveforms on request, under target/sim/<test class>/<test method>/. */
class WavesSimTest {
    @SimTest
    void aTestAskingForWavesGetsAnFstFilePerModel(SimFixture fixture) throws IOException {
        Design<Counter> design = Hdl.elaborate(() -> new Counter(8));
        SimModel sim = fixture.waves(true).open(design);
        SimModel second = fixture.open(design);
        Path expected = Path.of("target", "sim", "WavesSimTest", "aTestAskingForWavesGetsAnFstFilePerModel")
                .toAbsolutePath();
        assertEquals(expected, fixture.outputDir());
        assertEquals(expected.resolve("Counter_w8.fst"), sim.waves());
        assertEquals(expected.resolve("Counter_w8_2.fst"), second.waves());
        sim.reset();
        sim.poke(design.top().enable, true);
        sim.step(300);
        assertEquals(300 % 256, sim.peek(design.top().count), "the tracing build simulates the same");
        sim.close();
        second.close();
        assertTrue(Files.size(sim.waves()) > 100, "FST written: " + Files.size(sim.waves()) + " bytes");
        assertTrue(Files.exists(second.waves()));
    }

    @SimTest
    void wavesAreOffByDefault(SimFixture fixture) {
        SimModel sim = fixture.open(Hdl.elaborate(() -> new Counter(8)));
        assertEquals(SimOptions.wavesRequested(), sim.waves() != null);
    }
}
