package dev.tellmej.accel.sim;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.kernel.TellmeKernel;
import dev.tellmej.accel.protocol.IoRegion;
import dev.tellmej.hdl.Design;
import dev.tellmej.image.MemoryImage;
import dev.tellmej.sim.AxiMemoryConfig;
import dev.tellmej.sim.junit.SimFixture;

/**
 * The sim-small kernel with the embedded student's image in its DDR model, as the tests that watch a whole call use
 * it: DDR read latency 30 cycles (writes 10) with up to 6 cycles of jitter from the fixture's seed, 16 bytes a
 * cycle.
 */
final class StudentKernel {
    /** The image's context, in positions. */
    static final int CONTEXT = 64;

    private StudentKernel() {}

    /** The sim-small build the student runs on. */
    static AcceleratorConfig build() {
        return AcceleratorConfig.simSmall();
    }

    /** A runner of a fresh simulation of the sim-small kernel, {@code image} (the student's) in its DDR model. */
    static KernelRunner open(SimFixture fixture, MemoryImage image) {
        Design<TellmeKernel> design = KernelRunner.design(build());
        IoRegion io = new IoRegion(image.header().context(), image.header().model().vocabSize());
        return new KernelRunner(fixture.open(design), design.top(), image.bytes(), image.header().kvCacheBytes(),
                io.debugOffset(), AxiMemoryConfig.DEFAULT.withLatency(30, 10).withJitter(6, fixture.seed())
                .withBandwidth(16));
    }
}
