package dev.tellmej.accel.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.protocol.CallMode;
import dev.tellmej.accel.protocol.ErrorCode;
import dev.tellmej.accel.protocol.Instruction;
import dev.tellmej.accel.protocol.KvCacheLayout;
import dev.tellmej.accel.protocol.Opcode;
import dev.tellmej.accel.tlmm.TlmmLayout;
import dev.tellmej.hdl.lib.axi.Axi4;
import dev.tellmej.image.MemoryImage;
import dev.tellmej.sim.Port;
import dev.tellmej.sim.SimModel;
import dev.tellmej.sim.junit.SimFixture;
import dev.tellmej.sim.junit.SimTest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/**
 * The weights run ahead past the instructions that read none (docs/kernel.md, "Running ahead"): in a prefill of the
 * student through the kernel (sim-small, DDR latency with seeded jitter), watched on the AXI read-address channels,
 * each layer's {@code o} projection has its first weights requested before the layer's {@code ATTENTION} reads the
 * KV cache, its {@code gate} before the {@code QUANTIZE} before it reads its gains, and every layer's {@code q} but
 * the first's before its {@code QUANTIZE} reads its gains; the call's results are those the other tests check bit
 * for bit, so here only its success is.
 */
class RunAheadTest {
    @TempDir
    Path dir;

    /** An AXI read request seen: the cycle of its address handshake (since ap_start) and its address. */
    private record Request(long cycle, long address) {}

    @SimTest
    void weightsAreRequestedBeforeTheInstructionsBetweenLinearsRun(SimFixture fixture) {
        AcceleratorConfig build = StudentKernel.build();
        Path path = AcceleratorBenchmark.studentImage(build, StudentKernel.CONTEXT, dir);
        try (MemoryImage image = MemoryImage.open(path)) {
            KernelRunner runner = StudentKernel.open(fixture, image);
            Map<String, List<Request>> requests = run(runner, new int[] {1, 400, 17});

            List<Instruction> program = image.program();
            var model = image.header().model();
            KvCacheLayout kv = new KvCacheLayout(model.layers(), model.kvHeads(), model.headDim(),
                    image.header().context(), 2);
            int layerLength = (program.size() - ProgramCut.PROLOGUE - ProgramCut.TAIL) / model.layers();
            int checked = 0;
            for (int l = 0; l < model.layers(); l++) {
                int first = ProgramCut.PROLOGUE + l * layerLength;
                long kvFrom = runner.kvCacheAddress() + kv.rowOffset(l, 0, 0, 0);
                long kvTo = runner.kvCacheAddress() + kv.rowOffset(l, model.kvHeads() - 1, 1, 0) + kv.rowBytes()
                        * image.header().context();
                long attention = firstIn(requests.get("data"), kvFrom, kvTo);
                for (int pc = first; pc < first + layerLength; pc++) {
                    Instruction in = program.get(pc);
                    if (in.opcode() != Opcode.LINEAR || program.get(pc - 1).opcode() != Opcode.QUANTIZE) {
                        continue;
                    }
                    long weights = firstWeights(requests, build, in);
                    Instruction quantize = program.get(pc - 1);
                    boolean afterAttention = program.get(pc - 2).opcode() == Opcode.ATTENTION;
                    if (afterAttention) {
                        assertTrue(weights < attention, "layer " + l + ", pc " + pc + ": weights requested at "
                                + weights + ", the layer's ATTENTION's first K/V read at " + attention);
                        checked++;
                    } else if (quantize.getFlag("norm") && pc - 1 != ProgramCut.PROLOGUE) {
                        long gain = KernelRunner.IMAGE_BASE + quantize.get("gain");
                        long gains = firstIn(requests.get("data"), gain, gain + 1);
                        assertTrue(weights < gains, "layer " + l + ", pc " + pc + ": weights requested at "
                                + weights + ", the QUANTIZE's gains at " + gains);
                        checked++;
                    }
                }
            }
            // o and gate in every layer, q in every layer but the first.
            assertEquals(3 * model.layers() - 1, checked, "LINEARs checked");
        }
    }

    /** The first cycle a weight port asked for a byte of {@code linear}'s matrix. */
    private static long firstWeights(Map<String, List<Request>> requests, AcceleratorConfig build, Instruction linear) {
        long from = KernelRunner.IMAGE_BASE + linear.get("weights");
        long bytes = new TlmmLayout(build.tlmmConfig(), (int) linear.get("rows"), (int) linear.get("cols"))
                .imageBytes();
        return requests.get("weights").stream().filter(r -> r.address() >= from && r.address() < from + bytes)
                .mapToLong(Request::cycle).min()
                .orElseThrow(() -> new AssertionError("no weights read for " + linear));
    }

    /** The first cycle a request began in [{@code from}, {@code to}). */
    private static long firstIn(List<Request> requests, long from, long to) {
        return requests.stream().filter(r -> r.address() >= from && r.address() < to).mapToLong(Request::cycle)
                .min().orElseThrow(() -> new AssertionError("no read in [" + from + ", " + to + ")"));
    }

    /** Runs a prefill from position 0 and returns the read requests of the data port and of the weight ports. */
    private static Map<String, List<Request>> run(KernelRunner runner, int[] tokens) {
        SimModel sim = runner.sim();
        List<Port[]> weightPorts = new ArrayList<>();
        Port[] data = null;
        for (var e : runner.top().ports.entrySet()) {
            Axi4 axi = e.getValue();
            Port[] ar = {sim.port(axi.arvalid), sim.port(axi.arready), sim.port(axi.araddr)};
            if (e.getKey().startsWith("m_axi_w")) {
                weightPorts.add(ar);
            } else if (e.getKey().equals("m_axi_d0")) {
                data = ar;
            }
        }
        assertTrue(data != null && !weightPorts.isEmpty(), "the kernel's ports: " + runner.top().ports.keySet());
        List<Request> dataRequests = new ArrayList<>();
        List<Request> weightRequests = new ArrayList<>();
        Port[] d = data;
        KernelRunner.CallStatus status = runner.callWatched(CallMode.PREFILL, tokens, 0, 0, 0, 5_000_000, cycle -> {
            if (d[0].isHigh() && d[1].isHigh()) {
                dataRequests.add(new Request(cycle, d[2].get()));
            }
            for (Port[] w : weightPorts) {
                if (w[0].isHigh() && w[1].isHigh()) {
                    weightRequests.add(new Request(cycle, w[2].get()));
                }
            }
        });
        assertEquals(ErrorCode.NONE.code(), status.errorCode(), "error detail " + status.errorDetail());
        return Map.of("data", dataRequests, "weights", weightRequests);
    }
}
