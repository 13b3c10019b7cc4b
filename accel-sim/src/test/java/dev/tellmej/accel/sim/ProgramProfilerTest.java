package dev.tellmej.accel.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.protocol.CallMode;
import dev.tellmej.accel.protocol.ControlRegister;
import dev.tellmej.accel.protocol.ErrorCode;
import dev.tellmej.accel.protocol.Opcode;
import dev.tellmej.image.MemoryImage;
import dev.tellmej.sim.junit.SimFixture;
import dev.tellmej.sim.junit.SimTest;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;

/**
 * The profiler on the student's whole program (sim-small, DDR latency with seeded jitter): its shares add up to the
 * kernel's own cycle count, it sees every instruction the kernel counts, in order, chunk by chunk, its DDR busy
 * cycles are the kernel's, and a call after it runs as before (the interrupt is left off).
 */
class ProgramProfilerTest {
    @TempDir
    Path dir;

    @SimTest
    void theSharesAddUpToTheKernelsCountsInstructionByInstruction(SimFixture fixture) {
        AcceleratorConfig build = StudentKernel.build();
        Path path = AcceleratorBenchmark.studentImage(build, StudentKernel.CONTEXT, dir);
        try (MemoryImage image = MemoryImage.open(path)) {
            KernelRunner runner = StudentKernel.open(fixture, image);
            int[] tokens = {1, 400, 17, 99, 250, 3};   // two chunks of 4
            int n = image.program().size();
            ProgramProfiler.Profile p = ProgramProfiler.run(runner, CallMode.PREFILL, tokens, 0, 0, 0,
                    image.header().programOffset(), n, 10_000_000);
            assertEquals(ErrorCode.NONE.code(), p.status().errorCode(), "error detail " + p.status().errorDetail());
            assertEquals(p.status().instructions(), p.steps().size(), "one share per instruction executed");
            assertEquals(2, p.chunks());
            for (int chunk = 0; chunk < 2; chunk++) {
                List<ProgramProfiler.Step> steps = p.chunk(chunk);
                assertEquals(n, steps.size());
                for (int pc = 0; pc < n; pc++) {
                    assertEquals(pc, steps.get(pc).pc());
                    assertEquals(image.program().get(pc).opcode(), steps.get(pc).opcode());
                    assertTrue(steps.get(pc).cycles() > 0, steps.get(pc).toString());
                }
            }
            long sum = p.headCycles() + p.steps().stream().mapToLong(ProgramProfiler.Step::cycles).sum();
            assertEquals(p.status().cycles(), sum, "the shares add up to the kernel's count");
            assertTrue(p.headCycles() > 30, "the header's read alone is a round trip: " + p.headCycles());
            assertEquals(p.status().ddrBusyCycles(), p.busyCycles(), "the DDR model's busy cycles are the kernel's");
            // Every LINEAR's matrix (at most five trits a byte) is read by the time it ends, but not necessarily in
            // its own share: the next LINEAR's weights stream in while the one before ends and while the QUANTIZE,
            // BARRIER and ATTENTION between them run (docs/kernel.md, "Running ahead"; RunAheadTest). So from the
            // chunk's first LINEAR on, the bytes read up to the end of each LINEAR cover its matrix and those before
            // it. The LM head reads its rows in the last chunk only.
            ProgramProfiler.Step head = p.step(1, n - 2);
            assertEquals(Opcode.LM_HEAD, head.opcode());
            var model = image.header().model();
            assertTrue(head.bytesRead() >= (long) model.vocabSize() * model.dim(), head.toString());
            assertTrue(p.step(0, n - 2).bytesRead() < 4096, "no rows in the first chunk: " + p.step(0, n - 2));
            for (int chunk = 0; chunk < 2; chunk++) {
                long read = 0;
                long matrices = 0;
                for (ProgramProfiler.Step s : p.chunk(chunk)) {
                    if (s.opcode() == Opcode.LINEAR) {
                        var in = image.program().get(s.pc());
                        matrices += in.get("rows") * in.get("cols") / 5;
                    }
                    if (matrices > 0) {
                        read += s.bytesRead();
                        assertTrue(read >= matrices, "up to " + s + ": " + read + " bytes read for " + matrices
                                + " bytes of matrices");
                    }
                }
            }

            // The interrupt is off again and the next call runs as a host's would.
            assertEquals(0, runner.control().read(ControlRegister.GIE.offset()));
            assertEquals(0, runner.control().read(ControlRegister.ISR.offset()));
            KernelRunner.CallStatus again = runner.call(CallMode.DECODE, new int[] {5}, tokens.length, 0, 0,
                    10_000_000);
            assertEquals(ErrorCode.NONE.code(), again.errorCode());
            assertEquals(tokens.length + 1, again.position());
        }
    }
}
