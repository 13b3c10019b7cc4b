package dev.tellmej.accel.sim;

import dev.tellmej.accel.protocol.CallMode;
import dev.tellmej.accel.protocol.Instruction;
import dev.tellmej.accel.protocol.Opcode;
import dev.tellmej.hdl.lib.axi.Axi4;
import dev.tellmej.sim.AxiMemory;
import dev.tellmej.sim.Port;
import dev.tellmej.sim.SimModel;
import dev.tellmej.sim.SimTimeoutException;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one call of a simulated kernel and splits its cycles by instruction, without touching the kernel: the
 * sequencer fetches every instruction it executes with one read of the program on the data port
 * {@code m_axi_d0} (docs/kernel.md, "A call"), so the cycle of each such read's address handshake marks where an
 * instruction starts, and the next one where it ends. An instruction's share is therefore its fetch (a DDR round
 * trip), its decode, its unit's work and its debug record (a LINEAR's reads of the next instructions ahead of
 * their turn are not counted as starts); the call's first share (the header, the checks and the
 * tokens, up to the first fetch) is {@link Profile#headCycles}, and the last instruction of the call (its last
 * chunk's {@code END}) takes everything up to {@code ap_done} (the call record). The shares add up to the cycles the
 * kernel itself counts ({@code cycles} in the call record).
 *
 * <p>The DDR model's counters are read at every fetch, so each instruction also gets the bytes it read and wrote
 * and the cycles in which the DDR moved data for it. The end of the call is seen on the kernel's {@code interrupt}
 * (enabled for {@code ap_done} during the call, then cleared and disabled again), so no register read steps the
 * model while an instruction is fetched. The call is stepped one cycle at a time from Java, which costs little
 * beside the kernel's own evaluation.
 */
public final class ProgramProfiler {
    private ProgramProfiler() {}

    /**
     * What one executed instruction cost.
     *
     * @param chunk        index of the chunk it ran in (0 first)
     * @param pc           its index in the program
     * @param opcode       its opcode, as the DDR model's copy of the program holds it (null: no opcode)
     * @param cycles       kernel cycles from its fetch to the next instruction's fetch (or to {@code ap_done})
     * @param bytesRead    bytes the DDR model served in that time, every port
     * @param bytesWritten bytes the DDR model took in that time, every port
     * @param busyCycles   cycles of that time in which some port moved a beat (the DDR model's count)
     */
    public record Step(int chunk, int pc, Opcode opcode, long cycles, long bytesRead, long bytesWritten,
            long busyCycles) {}

    /**
     * One call, split by instruction.
     *
     * @param status     the status registers after the call
     * @param headCycles cycles from {@code ap_start} to the first instruction's fetch
     * @param headBytes  DDR bytes read and written in that time
     * @param headBusy   DDR busy cycles in that time
     * @param steps      every executed instruction, in order
     */
    public record Profile(KernelRunner.CallStatus status, long headCycles, long headBytes, long headBusy,
            List<Step> steps) {
        public Profile {
            steps = List.copyOf(steps);
        }

        /** The steps of chunk {@code chunk}. */
        public List<Step> chunk(int chunk) {
            return steps.stream().filter(s -> s.chunk() == chunk).toList();
        }

        /** Chunks the call ran. */
        public int chunks() {
            return steps.isEmpty() ? 0 : steps.getLast().chunk() + 1;
        }

        /** The step of instruction {@code pc} in chunk {@code chunk}. */
        public Step step(int chunk, int pc) {
            return steps.stream().filter(s -> s.chunk() == chunk && s.pc() == pc).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no instruction " + pc + " in chunk " + chunk));
        }

        /** DDR bytes of the whole call, both directions. */
        public long bytes() {
            return headBytes + steps.stream().mapToLong(s -> s.bytesRead() + s.bytesWritten()).sum();
        }

        /** DDR busy cycles of the whole call, as the DDR model counts them. */
        public long busyCycles() {
            return headBusy + steps.stream().mapToLong(Step::busyCycles).sum();
        }
    }

    /**
     * Runs one call of {@code runner}'s kernel ({@link KernelRunner#start}) and profiles it.
     *
     * @param programOffset byte offset of the program in the image (the header's)
     * @param instructions  the program's instruction words
     * @param maxCycles     the call may take this many cycles before it counts as hung
     * @throws SimTimeoutException when the kernel has not finished within {@code maxCycles}
     */
    public static Profile run(KernelRunner runner, CallMode mode, int[] tokens, int startPosition, long debugOffset,
                              long tapCapacity, long programOffset, int instructions, long maxCycles) {
        SimModel sim = runner.sim();
        Axi4 data = runner.top().ports.get("m_axi_d0");
        Port arvalid = sim.port(data.arvalid);
        Port arready = sim.port(data.arready);
        Port araddr = sim.port(data.araddr);
        AxiMemory memory = runner.memory();
        long program = KernelRunner.IMAGE_BASE + programOffset;
        long programEnd = program + (long) Instruction.BYTES * instructions;

        // The kernel moves no data before ap_start, nor after ap_done.
        AxiMemory.AxiCounters before = memory.counters();
        List<long[]> fetches = new ArrayList<>();           // {cycles since ap_start, pc}
        List<AxiMemory.AxiCounters> counters = new ArrayList<>();
        KernelRunner.CallStatus status = runner.callWatched(mode, tokens, startPosition, debugOffset, tapCapacity,
                maxCycles, cycle -> {
                    if (arvalid.isHigh() && arready.isHigh()) {
                        long address = araddr.get();
                        if (address >= program && address < programEnd) {
                            fetches.add(new long[] {cycle, (address - program) / Instruction.BYTES});
                            counters.add(memory.counters());
                        }
                    }
                });
        AxiMemory.AxiCounters after = memory.counters();

        dropReadsAhead(runner, programOffset, fetches, counters);
        List<Step> steps = new ArrayList<>();
        long head = fetches.isEmpty() ? status.cycles() : fetches.getFirst()[0];
        AxiMemory.AxiCounters headEnd = fetches.isEmpty() ? after : counters.getFirst();
        long accounted = head;
        int chunk = 0;
        for (int i = 0; i < fetches.size(); i++) {
            int pc = (int) fetches.get(i)[1];
            if (i > 0 && pc <= fetches.get(i - 1)[1]) {
                chunk++;
            }
            boolean last = i == fetches.size() - 1;
            long cycles = last ? status.cycles() - accounted : fetches.get(i + 1)[0] - fetches.get(i)[0];
            accounted += cycles;
            AxiMemory.AxiCounters from = counters.get(i);
            AxiMemory.AxiCounters to = last ? after : counters.get(i + 1);
            steps.add(new Step(chunk, pc, opcodeAt(runner, programOffset, pc), cycles,
                    to.bytesRead() - from.bytesRead(), to.bytesWritten() - from.bytesWritten(),
                    to.busyCycles() - from.busyCycles()));
        }
        return new Profile(status, head, headEnd.bytesRead() - before.bytesRead() + headEnd.bytesWritten()
                - before.bytesWritten(), headEnd.busyCycles() - before.busyCycles(), steps);
    }

    /**
     * Takes out the sequencer's reads ahead: while a LINEAR at p runs it reads the instructions after it early (one
     * read from p + 1, cut into bursts at their alignment: a hint for the weight prefetch, docs/kernel.md "Running
     * ahead") and fetches p + 1 again in its turn, so reads at rising addresses from p + 1 right after the LINEAR,
     * followed by another read of p + 1, are not where those instructions start.
     */
    private static void dropReadsAhead(KernelRunner runner, long programOffset, List<long[]> fetches,
                                       List<AxiMemory.AxiCounters> counters) {
        for (int i = 0; i + 1 < fetches.size(); i++) {
            long pc = fetches.get(i)[1];
            if (fetches.get(i + 1)[1] != pc + 1 || opcodeAt(runner, programOffset, (int) pc) != Opcode.LINEAR) {
                continue;
            }
            int k = 1;
            while (i + k + 1 < fetches.size() && fetches.get(i + k + 1)[1] > fetches.get(i + k)[1]) {
                k++;
            }
            // The rising run ends either at the fetch in turn of p + 1 (then it was read ahead) or elsewhere (then it
            // was the program running on, and nothing was read ahead).
            if (i + k + 1 < fetches.size() && fetches.get(i + k + 1)[1] == pc + 1) {
                fetches.subList(i + 1, i + k + 1).clear();
                counters.subList(i + 1, i + k + 1).clear();
            }
        }
    }

    private static Opcode opcodeAt(KernelRunner runner, long programOffset, int pc) {
        int code = Byte.toUnsignedInt(runner.image().get(ValueLayout.JAVA_BYTE,
                programOffset + (long) Instruction.BYTES * pc));
        return Opcode.ofCode(code);
    }
}
