package dev.tellmej.accel.sim;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.kernel.TellmeKernel;
import dev.tellmej.accel.protocol.CallMode;
import dev.tellmej.accel.protocol.ControlRegister;
import dev.tellmej.accel.protocol.DebugTaps;
import dev.tellmej.accel.protocol.IoRegion;
import dev.tellmej.accel.protocol.KernelInterface;
import dev.tellmej.hdl.ClockDomainConfig;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.ElaborationOptions;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.lib.axi.Axi4;
import dev.tellmej.sim.Axi4LiteMaster;
import dev.tellmej.sim.AxiMemory;
import dev.tellmej.sim.AxiMemoryConfig;
import dev.tellmej.sim.Port;
import dev.tellmej.sim.SimModel;
import dev.tellmej.sim.SimTimeoutException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.LongConsumer;

/**
 * Drives a simulated {@link TellmeKernel} the way a host drives the board (docs/device.md, "A call"): the image,
 * the KV cache and the I/O region in one DDR model that every master port reaches, the arguments written through
 * {@code s_axi_control}, {@code ap_start}, then {@code ctrl} polled until {@code ap_done}, and the status registers
 * read back. Used by the kernel's tests and the {@code rtl} device.
 */
public final class KernelRunner {
    /** Where the image starts in the DDR model (a non-zero address, so an address that ignores it shows). */
    public static final long IMAGE_BASE = 0x10_0000;
    /** Cycles between two polls of {@code ctrl}. */
    public static final int POLL_CYCLES = 256;

    /**
     * What a call left in the status registers (docs/device.md, the register map).
     *
     * @param status        1 succeeded, 2 failed
     * @param errorCode     the {@link dev.tellmej.accel.protocol.ErrorCode} value
     * @param errorDetail   where the error was
     * @param position      KV-cache positions filled after the call
     * @param instructions  instructions executed
     * @param argmax        the largest logit's index
     * @param cycles        ap_clk cycles of the call
     * @param ddrBusyCycles cycles in which some master port moved data
     * @param stallCycles   cycles in which compute waited for data
     */
    public record CallStatus(int status, int errorCode, int errorDetail, int position, int instructions, int argmax,
            long cycles, long ddrBusyCycles, long stallCycles) {}

    private final SimModel sim;
    private final TellmeKernel top;
    private final KernelInterface iface;
    private final AxiMemory memory;
    private final Axi4LiteMaster control;
    private final long imageBytes;
    private final long kvCache;
    private final long io;
    private final long ioBytes;

    /** The kernel of {@code config} as Vitis elaborates it (ap_clk, active-low ap_rst_n). */
    public static Design<TellmeKernel> design(AcceleratorConfig config) {
        return Hdl.elaborate(new ElaborationOptions(ClockDomainConfig.VITIS_KERNEL), () -> TellmeKernel.of(config));
    }

    /**
     * A runner on the opened simulation of {@link #design}: copies {@code image} into the DDR model and lays out a
     * KV cache of {@code kvBytes} and an I/O region of {@code ioBytes} after it, each 4 KB aligned; resets the
     * kernel.
     */
    public KernelRunner(SimModel sim, TellmeKernel top, MemorySegment image, long kvBytes, long ioBytes,
                        AxiMemoryConfig ddr) {
        this.sim = sim;
        this.top = top;
        this.iface = top.shape.iface();
        this.imageBytes = image.byteSize();
        this.kvCache = align(IMAGE_BASE + imageBytes);
        this.io = align(kvCache + kvBytes);
        this.ioBytes = ioBytes;
        long total = align(io + ioBytes);
        memory = sim.axiMemory(total, ddr);
        for (Axi4 port : top.ports.values()) {
            memory.attach(port);
        }
        MemorySegment.copy(image, 0, memory.bytes(), IMAGE_BASE, imageBytes);
        control = new Axi4LiteMaster(sim, top.control);
        sim.reset();
    }

    /** The whole DDR model (byte 0 at AXI address 0). */
    public AxiMemory memory() {
        return memory;
    }

    /** The image as the kernel sees it (a test may patch it). */
    public MemorySegment image() {
        return memory.bytes().asSlice(IMAGE_BASE, imageBytes);
    }

    /** The I/O region. */
    public MemorySegment io() {
        return memory.bytes().asSlice(io, ioBytes);
    }

    /** The KV cache. */
    public MemorySegment kvCache() {
        return memory.bytes().asSlice(kvCache, io - kvCache);
    }

    /** The AXI address of the KV cache (the {@code kv_cache} argument of every call). */
    public long kvCacheAddress() {
        return kvCache;
    }

    /** The simulation. */
    public SimModel sim() {
        return sim;
    }

    /**
     * Runs one call: writes the tokens into the I/O region and, with {@code tapCapacity > 0}, the debug area's
     * capacity at {@code debugOffset}; writes the arguments, starts the kernel and waits for {@code ap_done}.
     *
     * @param maxCycles the call may take this many cycles before it counts as hung
     * @throws SimTimeoutException when the kernel has not finished within {@code maxCycles}
     */
    public CallStatus call(CallMode mode, int[] tokens, int startPosition, long debugOffset, long tapCapacity,
                           long maxCycles) {
        start(mode, tokens, startPosition, debugOffset, tapCapacity);
        long started = sim.cycle();
        while ((control.read(ControlRegister.CTRL.offset()) & (1L << ControlRegister.AP_DONE_BIT)) == 0) {
            if (sim.cycle() - started > maxCycles) {
                throw new SimTimeoutException("the kernel raises ap_done after ap_start", maxCycles, sim.cycle());
            }
            sim.step(POLL_CYCLES);
        }
        return status();
    }

    /**
     * Starts one call and returns at once, the kernel running: the first half of {@link #call}, for a driver that
     * watches the call cycle by cycle ({@link ProgramProfiler}) and then reads {@link #status()}.
     */
    public void start(CallMode mode, int[] tokens, int startPosition, long debugOffset, long tapCapacity) {
        MemorySegment region = io();
        for (int i = 0; i < tokens.length; i++) {
            region.set(ValueLayout.JAVA_INT_UNALIGNED, IoRegion.TOKENS_OFFSET + 4L * i, tokens[i]);
        }
        if (tapCapacity > 0) {
            region.set(ValueLayout.JAVA_INT_UNALIGNED, debugOffset + DebugTaps.CAPACITY, (int) tapCapacity);
        }
        write("mode", mode.code());
        write("token_count", tokens.length);
        write("start_position", startPosition);
        write("debug", DebugTaps.register(tapCapacity > 0));
        write("image", IMAGE_BASE);
        write("kv_cache", kvCache);
        write("io", io);
        for (int p = 0; hasWeights(p); p++) {
            write("weights" + p, IMAGE_BASE);
        }
        if (iface.registers().stream().anyMatch(r -> r.name().equals(KernelInterface.KV_CACHE_VALUES))) {
            write(KernelInterface.KV_CACHE_VALUES, kvCache);
        }
        control.write(ControlRegister.CTRL.offset(), 1L << ControlRegister.AP_START_BIT);
    }

    /**
     * Runs one call cycle by cycle, for a driver that watches the kernel's ports as it runs ({@link ProgramProfiler}):
     * enables the interrupt for {@code ap_done}, starts the call ({@link #start}), calls {@code eachCycle} with the
     * cycles since the start before every step until the interrupt rises, then, as a host does, reads the control
     * register (which clears {@code ap_done}) and clears and disables the interrupt again.
     *
     * @param maxCycles the call may take this many cycles before it counts as hung
     * @throws SimTimeoutException when the kernel has not finished within {@code maxCycles}
     */
    public CallStatus callWatched(CallMode mode, int[] tokens, int startPosition, long debugOffset, long tapCapacity,
                                  long maxCycles, LongConsumer eachCycle) {
        Port interrupt = sim.port(top.interrupt);
        control.write(ControlRegister.IER.offset(), 1L << ControlRegister.INTERRUPT_DONE_BIT);
        control.write(ControlRegister.GIE.offset(), 1);
        start(mode, tokens, startPosition, debugOffset, tapCapacity);
        long started = sim.cycle();
        while (!interrupt.isHigh()) {
            if (sim.cycle() - started > maxCycles) {
                throw new SimTimeoutException("the kernel raises ap_done after ap_start", maxCycles, sim.cycle());
            }
            eachCycle.accept(sim.cycle() - started);
            sim.step(1);
        }
        control.read(ControlRegister.CTRL.offset());
        control.write(ControlRegister.ISR.offset(), 1L << ControlRegister.INTERRUPT_DONE_BIT);
        control.write(ControlRegister.GIE.offset(), 0);
        control.write(ControlRegister.IER.offset(), 0);
        return status();
    }

    /** The status registers after a call (docs/device.md, the register map). */
    public CallStatus status() {
        return new CallStatus((int) read("status"), (int) read("error_code"), (int) read("error_detail"),
                (int) read("position"), (int) read("instructions"), (int) read("argmax"), read("cycles"),
                read("ddr_busy_cycles"), read("stall_cycles"));
    }

    /** The kernel's {@code s_axi_control} port, as the host drives it. */
    public Axi4LiteMaster control() {
        return control;
    }

    /** The kernel's top module (its ports, for a driver that watches them). */
    public TellmeKernel top() {
        return top;
    }

    private boolean hasWeights(int port) {
        return iface.registers().stream().anyMatch(r -> r.name().equals("weights" + port));
    }

    private void write(String register, long value) {
        var r = iface.register(register);
        if (r.width() == 64) {
            control.write64(r.offset(), value);
        } else {
            control.write(r.offset(), value & 0xFFFFFFFFL);
        }
    }

    private long read(String register) {
        var r = iface.register(register);
        return r.width() == 64 ? control.read64(r.offset()) : control.read(r.offset()) & 0xFFFFFFFFL;
    }

    private static long align(long address) {
        return (address + 4095) / 4096 * 4096;
    }
}
