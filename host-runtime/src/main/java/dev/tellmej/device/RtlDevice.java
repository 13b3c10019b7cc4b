package dev.tellmej.device;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.kernel.TellmeKernel;
import dev.tellmej.accel.protocol.CallMode;
import dev.tellmej.accel.protocol.DebugTaps;
import dev.tellmej.accel.protocol.ErrorCode;
import dev.tellmej.accel.protocol.Instruction;
import dev.tellmej.accel.protocol.IoRegion;
import dev.tellmej.accel.protocol.KernelInterface;
import dev.tellmej.accel.protocol.Opcode;
import dev.tellmej.accel.sim.KernelRunner;
import dev.tellmej.hdl.Design;
import dev.tellmej.image.ImageHeader;
import dev.tellmej.image.MemoryImage;
import dev.tellmej.image.WrongConfigurationException;
import dev.tellmej.model.config.ModelConfig;
import dev.tellmej.sim.AxiMemory;
import dev.tellmej.sim.AxiMemoryConfig;
import dev.tellmej.sim.SimFailureException;
import dev.tellmej.sim.SimModel;
import dev.tellmej.sim.SimTimeoutException;
import dev.tellmej.sim.VerilatorBuild;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * The RTL virtual board: the kernel {@code tellme} of the image's build ({@link KernelRunner#design}) in
 * Verilator, driven exactly as a host drives the board (docs/device.md, "A call"): the image, the KV cache and the
 * I/O region in one simulated DDR that every master port reaches, the arguments written through
 * {@code s_axi_control}, {@code ap_start}, {@code ctrl} polled until {@code ap_done}, then the status registers and
 * the I/O region read back. Nothing is checked or computed on the host: the kernel checks every call, and what it
 * reports is what the device reports.
 *
 * <p>It simulates the {@code sim-small} build only ({@link #BUILD}), the build made for simulation; an image packed
 * for another is refused when opened (docs/host.md, "The rtl device", says why).
 *
 * <p>Errors: a call the kernel refuses ({@code BAD_CALL}, {@code CONTEXT_OVERFLOW}, {@code BAD_TOKEN}) is a
 * {@link CallRefusedException} with the kernel's code and detail and leaves the position where it was; any other
 * error the kernel reports ({@code BAD_IMAGE}, {@code UNKNOWN_OPCODE} of a word that is no instruction,
 * {@code BAD_FIELD}, {@code DDR_ERROR}) is a
 * {@link DeviceFaultException} naming the code, the detail and the instruction. After all of these the KV cache
 * below the position is intact and the device takes the next call. A kernel that does not raise {@code ap_done}
 * within the call's cycle budget ({@link #cycleBudget}), or a simulation that stops (a failed assertion), is a
 * {@link DeviceFaultException} without a code, after which the device must be {@link #reset()} (a new simulation,
 * from position 0) before it takes another call.
 */
public final class RtlDevice implements Device {
    /** The only build whose kernel this device simulates: the build made for simulation. */
    public static final String BUILD = AcceleratorConfig.simSmall().name();
    /** DDR read latency of the default DDR model, in kernel cycles: the accelerator benches' default. */
    public static final int DDR_READ_LATENCY = 100;
    /** DDR write-response latency of the default DDR model, in kernel cycles: the accelerator benches' default. */
    public static final int DDR_WRITE_LATENCY = 4;

    private final MemoryImage image;
    private final boolean ownsImage;
    private final ModelConfig model;
    private final Options options;
    private final AxiMemoryConfig ddr;
    private final Design<TellmeKernel> design;
    private final VerilatorBuild.Result built;
    private final IoRegion io;
    private final ProgramLabels labels;
    private final int chunkTokens;
    private SimModel sim;
    private KernelRunner runner;
    /** Bytes of debug area the simulated I/O region has room for. */
    private long tapRoom;
    private long tapCapacity;
    private DebugArea debugArea;
    private int position;
    private DeviceCounters counters = DeviceCounters.NONE;
    private KernelRunner.CallStatus lastCall;
    /** Why the simulation cannot take another call before a reset, or null. */
    private String broken;
    private boolean closed;

    /**
     * How to run the simulation.
     *
     * @param ddr       the DDR model's timing, or null for the build's ({@link #ddrOf}); every port shares it
     * @param maxCycles the most kernel cycles one call may take before it counts as hung, or 0 for
     *                  {@link #cycleBudget}, derived from each call
     */
    public record Options(AxiMemoryConfig ddr, long maxCycles) {
        /** The build's DDR, and a cycle budget derived from each call. */
        public static final Options DEFAULT = new Options(null, 0);

        public Options {
            if (maxCycles < 0) {
                throw new IllegalArgumentException("the cycle budget must be positive, or 0 for one derived from the"
                        + " call; got " + maxCycles);
            }
        }

        /** These options with the DDR model {@code config}. */
        public Options withDdr(AxiMemoryConfig config) {
            return new Options(config, maxCycles);
        }

        /** These options with at most {@code cycles} kernel cycles per call (0: derived from the call). */
        public Options withMaxCycles(long cycles) {
            return new Options(ddr, cycles);
        }
    }

    private RtlDevice(MemoryImage image, boolean ownsImage, Options options) {
        checkBuild(image);
        this.image = image;
        this.ownsImage = ownsImage;
        this.options = options;
        ImageHeader header = image.header();
        this.model = header.model();
        this.io = new IoRegion(header.context(), model.vocabSize());
        this.labels = new ProgramLabels(image);
        this.chunkTokens = image.config().tlmmConfig().maxTokens();
        this.ddr = options.ddr() != null ? options.ddr() : ddrOf(image.config());
        this.design = KernelRunner.design(image.config());
        // Built once (or found in the cache by its content hash; a build reports to the ModelBuildListener bound on
        // this thread, which draws the command line's progress bar); every simulation after is a load of it.
        this.built = VerilatorBuild.of(design).build();
        start(image.bytes(), null, 0);
    }

    /**
     * Opens the image at {@code path} (mapped and verified; closed with the device) on a simulation of its build's
     * kernel.
     *
     * @throws WrongConfigurationException when the image was packed for another build than {@link #BUILD}
     */
    public static RtlDevice open(Path path, Options options) {
        MemoryImage image = MemoryImage.open(path);
        try {
            return new RtlDevice(image, true, options);
        } catch (RuntimeException e) {
            image.close();
            throw e;
        }
    }

    /** A device on an image the caller keeps open (and closes after the device). */
    public static RtlDevice on(MemoryImage image, Options options) {
        return new RtlDevice(image, false, options);
    }

    /**
     * Refuses an image of a build this device does not simulate.
     *
     * @throws WrongConfigurationException naming the image's build, the one simulated and what to do
     */
    static void checkBuild(MemoryImage image) {
        if (!image.config().name().equals(BUILD)) {
            throw new WrongConfigurationException(image.path() + " is packed for the " + image.config().name()
                    + " build, but the rtl device simulates the " + BUILD + " kernel only: a larger build's kernel"
                    + " and the models it is sized for take far too long to verilate and simulate (docs/host.md,"
                    + " \"The rtl device\"). Pack the model for " + BUILD + " (--config " + BUILD + "), or run this"
                    + " image on the reference or opencl device");
        }
    }

    /**
     * The default DDR model of {@code config}: read latency {@value #DDR_READ_LATENCY} cycles, write responses after
     * {@value #DDR_WRITE_LATENCY}, at most the DDR's peak bandwidth at the build's target clock, shared by every port.
     */
    public static AxiMemoryConfig ddrOf(AcceleratorConfig config) {
        return AxiMemoryConfig.DEFAULT.withLatency(DDR_READ_LATENCY, DDR_WRITE_LATENCY)
                .withBandwidth(config.memory().ddrPeakGBps() * 1000.0 / config.clock().targetMhz());
    }

    /**
     * Starts a simulation: the kernel out of reset, {@code imageBytes} in its DDR, a KV cache of the image's size
     * (with the bytes of {@code kvCache} when not null) and an I/O region with room for a debug area of
     * {@code taps} bytes. The previous simulation, if any, is closed after its contents were copied.
     */
    private void start(MemorySegment imageBytes, MemorySegment kvCache, long taps) {
        SimModel next = SimModel.load(design, built, null);
        try {
            ImageHeader header = image.header();
            KernelRunner nextRunner = new KernelRunner(next, design.top(), imageBytes, header.kvCacheBytes(),
                    io.debugOffset() + taps, ddr);
            if (kvCache != null) {
                MemorySegment.copy(kvCache, 0, nextRunner.kvCache(), 0, header.kvCacheBytes());
            }
            if (sim != null) {
                sim.close();
            }
            sim = next;
            runner = nextRunner;
            tapRoom = taps;
        } catch (RuntimeException e) {
            next.close();
            throw e;
        }
    }

    @Override
    public String describe() {
        return "rtl (kernel tellme in Verilator): " + image.header().modelName() + " for " + image.config().name();
    }

    @Override
    public float[] prefill(int[] tokens) {
        return call(CallMode.PREFILL, tokens);
    }

    @Override
    public float[] decode(int token) {
        return call(CallMode.DECODE, new int[] {token});
    }

    private float[] call(CallMode mode, int[] tokens) {
        checkUsable();
        int start = position;
        if (tokens.length > io.maxTokens()) {
            // More tokens than the I/O region's token page holds cannot even be written; the kernel would refuse
            // the call with exactly this code and detail, the context being the page's size.
            throw CallRefusedException.contextOverflow(start, tokens.length, context());
        }
        MemorySegment region = runner.io();
        if (tapCapacity > 0) {
            // A call that fails before the kernel writes the area header must not show the previous call's records.
            region.asSlice(io.debugOffset(), DebugTaps.HEADER_BYTES).fill((byte) 0);
        }
        debugArea = null;
        long budget = options.maxCycles() > 0 ? options.maxCycles() : cycleBudget(start, tokens.length);
        AxiMemory.AxiCounters before = runner.memory().counters();
        KernelRunner.CallStatus status;
        try {
            status = runner.call(mode, tokens, start, io.debugOffset(), tapCapacity, budget);
        } catch (SimTimeoutException e) {
            broken = "the kernel did not finish the last call";
            throw new DeviceFaultException(null, 0, callName(mode, tokens.length, start) + " did not finish within "
                    + String.format("%,d", budget) + " kernel cycles (" + describe() + "): the kernel never raised"
                    + " ap_done, so it is hung (a call that needs longer needs a larger RtlDevice.Options.maxCycles)."
                    + " The device must be reset before the next call: reset() starts a new"
                    + " simulation of the kernel at position 0 (the KV cache is lost)", e);
        } catch (SimFailureException e) {
            broken = "the simulation stopped in the last call";
            throw new DeviceFaultException(null, 0, callName(mode, tokens.length, start) + " stopped the simulation ("
                    + describe() + "): " + e.getMessage() + ". The device must be reset before the next call: reset()"
                    + " starts a new simulation of the kernel at position 0 (the KV cache is lost)", e);
        }
        lastCall = status;
        ErrorCode error = ErrorCode.ofCode(Integer.toUnsignedLong(status.errorCode()));
        if (error == ErrorCode.BAD_CALL || error == ErrorCode.CONTEXT_OVERFLOW || error == ErrorCode.BAD_TOKEN) {
            checkPositionUnchanged(status, start, error);
            throw refusal(error, Integer.toUnsignedLong(status.errorDetail()), tokens, start);
        }
        AxiMemory.AxiCounters after = runner.memory().counters();
        int chunks = (tokens.length + chunkTokens - 1) / chunkTokens;
        counters = new DeviceCounters(Integer.toUnsignedLong(status.instructions()), chunks,
                after.bytesRead() - before.bytesRead(), after.bytesWritten() - before.bytesWritten(), status.cycles(),
                status.ddrBusyCycles(), status.stallCycles());
        if (tapCapacity > 0) {
            debugArea = readDebugArea();
        }
        if (status.status() != KernelInterface.STATUS_SUCCEEDED || error != ErrorCode.NONE) {
            checkPositionUnchanged(status, start, error);
            throw fault(status, error, mode, tokens.length, start);
        }
        if (Integer.toUnsignedLong(status.position()) != (long) start + tokens.length) {
            throw new DeviceFaultException(ErrorCode.NONE, 0, "the kernel reported position " + status.position()
                    + " after " + callName(mode, tokens.length, start) + ", not " + (start + tokens.length) + " ("
                    + describe() + "); the position stays at " + start);
        }
        position = status.position();
        float[] logits = new float[model.vocabSize()];
        MemorySegment.copy(region, ValueLayout.JAVA_FLOAT_UNALIGNED, io.logitsOffset(), logits, 0, logits.length);
        return logits;
    }

    /**
     * The most kernel cycles a call of {@code tokens} tokens at {@code start} may take before it counts as hung:
     * {@value #BASE_CYCLES} for the call's checks and records, then per chunk {@value #ROUND_TRIPS} DDR round trips
     * (the read latency with its jitter, plus a burst) for every program instruction, and
     * {@value #CYCLES_PER_BYTE} cycles for every byte of the image and of the KV cache's rows up to the call's last
     * position, as if each chunk read all of them. The slowest work per byte today is attention, about one cycle per
     * byte of keys and values; docs/host.md ("The rtl device") compares the budget with measured calls.
     */
    public long cycleBudget(int start, int tokens) {
        long chunks = Math.max(1, ((long) tokens + chunkTokens - 1) / chunkTokens);
        ImageHeader header = image.header();
        long roundTrip = ddr.readLatency() + ddr.latencyJitter() + 16;
        long kvRows = (long) model.layers() * model.kvHeads() * 2 * ((long) start + tokens) * model.headDim() * 2;
        long perChunk = header.programInstructions() * ROUND_TRIPS * roundTrip
                + CYCLES_PER_BYTE * (header.imageBytes() + kvRows);
        return BASE_CYCLES + chunks * perChunk;
    }

    static final long BASE_CYCLES = 100_000;
    static final long ROUND_TRIPS = 64;
    static final long CYCLES_PER_BYTE = 4;

    private static String callName(CallMode mode, int tokens, int start) {
        return (mode == CallMode.DECODE ? "a decode" : "a prefill of " + tokens + " token(s)") + " at position "
                + start;
    }

    private void checkPositionUnchanged(KernelRunner.CallStatus status, int start, ErrorCode error) {
        if (status.position() != start) {
            throw new DeviceFaultException(error, Integer.toUnsignedLong(status.errorDetail()), "the kernel failed a"
                    + " call at position " + start + " with " + error + " but reported position " + status.position()
                    + ": a failed call must leave it (" + describe() + "); the position stays at " + start);
        }
    }

    /** The kernel's refusal as the reference device words it. */
    private CallRefusedException refusal(ErrorCode error, long detail, int[] tokens, int start) {
        return switch (error) {
            case BAD_CALL -> tokens.length == 0 ? CallRefusedException.noTokens()
                    : new CallRefusedException(error, detail, "the kernel refused a call of " + tokens.length
                            + " token(s): BAD_CALL (" + error.meaning() + ")");
            case CONTEXT_OVERFLOW -> CallRefusedException.contextOverflow(start, tokens.length, context());
            case BAD_TOKEN -> detail < tokens.length ? CallRefusedException.badToken((int) detail,
                    tokens[(int) detail], model.vocabSize())
                    : new CallRefusedException(error, detail, "the kernel refused token " + detail + " of a call of "
                            + tokens.length + " token(s)");
            default -> throw new IllegalArgumentException(error + " is not a refusal");
        };
    }

    /** A failure the kernel reported after it started the call: the instruction's, the image's or the DDR's. */
    private RuntimeException fault(KernelRunner.CallStatus status, ErrorCode error, CallMode mode, int tokens,
                                   int start) {
        long detail = Integer.toUnsignedLong(status.errorDetail());
        String call = callName(mode, tokens, start);
        String after = ". The position stays at " + start + " and the KV cache below it is intact: the device takes"
                + " the next call";
        if (error == null) {
            return new DeviceFaultException(null, detail, "the kernel failed " + call + " with status "
                    + status.status() + " and error code " + Integer.toUnsignedString(status.errorCode())
                    + ", which is no ErrorCode (detail " + detail + "; " + describe() + ")" + after);
        }
        return switch (error) {
            case UNKNOWN_OPCODE -> {
                int index = (int) detail;
                Opcode opcode = opcodeInDdr(index);
                yield new DeviceFaultException(error, detail, "the kernel failed " + call + " with UNKNOWN_OPCODE at "
                        + (opcode == null ? instructionWord(index) + ", whose opcode is in no table: the program in"
                                + " DDR is corrupt"
                                : "instruction " + index + " (" + label(index, opcode) + "), whose opcode the"
                                + " kernel executes: this is a kernel bug, please report it")
                        + " (" + describe() + ")" + after);
            }
            case BAD_FIELD -> new DeviceFaultException(error, detail, "the kernel failed " + call + " with BAD_FIELD"
                    + " at instruction " + detail + " (" + label((int) detail, opcodeInDdr((int) detail)) + "): "
                    + error.meaning() + " for the " + image.config().name() + " kernel (" + describe() + ")" + after);
            case BAD_IMAGE -> new DeviceFaultException(error, detail, "the kernel failed " + call + " with BAD_IMAGE"
                    + " at header word " + detail + headerWord(detail) + ": " + error.meaning() + " (" + describe()
                    + "). Every call will fail the same: open the device again on a good image");
            case DDR_ERROR -> new DeviceFaultException(error, detail, "the kernel failed " + call + " with DDR_ERROR"
                    + " on port " + portName(detail) + ": an AXI read or write answered SLVERR or DECERR ("
                    + describe() + ")" + after);
            default -> new DeviceFaultException(error, detail, "the kernel failed " + call + " with " + error
                    + " (detail " + detail + ", " + error.detail() + "; " + describe() + ")" + after);
        };
    }

    /** The opcode of instruction {@code index} as the DDR holds it, or null when it is in no table or outside. */
    private Opcode opcodeInDdr(int index) {
        long at = image.header().programOffset() + (long) Instruction.BYTES * index;
        if (index < 0 || index >= image.header().programInstructions()) {
            return null;
        }
        return Opcode.ofCode(Byte.toUnsignedInt(runner.image().get(ValueLayout.JAVA_BYTE, at)));
    }

    /** The instruction's label from the image's program, when the DDR still holds that instruction there. */
    private String label(int index, Opcode inDdr) {
        if (index >= 0 && index < image.program().size() && image.program().get(index).opcode() == inDdr) {
            return labels.label(index);
        }
        return "instruction " + index + (inDdr != null ? ", " + inDdr : "");
    }

    private String instructionWord(int index) {
        if (index < 0 || index >= image.header().programInstructions()) {
            return "instruction " + index + ", outside the program of " + image.header().programInstructions();
        }
        long at = image.header().programOffset() + (long) Instruction.BYTES * index;
        return "instruction " + index + " (opcode byte " + Byte.toUnsignedInt(runner.image().get(ValueLayout.JAVA_BYTE,
                at)) + ")";
    }

    private static String headerWord(long word) {
        return word == 0 ? " (the magic)" : word == 1 ? " (the format version)" : "";
    }

    private String portName(long index) {
        var ports = KernelInterface.of(image.config()).ports();
        return index < ports.size() ? ports.get((int) index).name() + " (index " + index + ")" : index + " (no such port)";
    }

    private DebugArea readDebugArea() {
        MemorySegment area = runner.io().asSlice(io.debugOffset(), tapCapacity);
        long used = Integer.toUnsignedLong(area.get(ValueLayout.JAVA_INT_UNALIGNED, DebugTaps.USED));
        if (DebugTaps.HEADER_BYTES + used > tapCapacity) {
            throw new DeviceFaultException(ErrorCode.NONE, 0, "the kernel says it wrote " + used + " bytes of debug"
                    + " records into a debug area of " + tapCapacity + " (" + describe() + ")");
        }
        // A copy: the next call overwrites the area.
        ByteBuffer copy = ByteBuffer.allocate((int) (DebugTaps.HEADER_BYTES + used)).order(ByteOrder.LITTLE_ENDIAN);
        MemorySegment.copy(area, 0, MemorySegment.ofBuffer(copy), 0, copy.capacity());
        return DebugArea.of(copy);
    }

    private void checkUsable() {
        if (closed) {
            throw new IllegalStateException("the rtl device is closed (" + describe() + ")");
        }
        if (broken != null) {
            throw new IllegalStateException(broken + " (" + describe() + "): reset() the device before the next call");
        }
    }

    @Override
    public int position() {
        return position;
    }

    @Override
    public int context() {
        return image.header().context();
    }

    /**
     * Starts again at position 0. After a hung call or a stopped simulation it starts a new simulation of the kernel
     * (the library from the cache) with the image as its DDR held it; otherwise the simulation goes on.
     */
    @Override
    public void reset() {
        if (closed) {
            throw new IllegalStateException("the rtl device is closed (" + describe() + ")");
        }
        if (broken != null) {
            start(runner.image(), null, tapRoom);
            broken = null;
        }
        position = 0;
        counters = DeviceCounters.NONE;
        debugArea = null;
        lastCall = null;
    }

    @Override
    public DeviceCounters counters() {
        return counters;
    }

    /**
     * The status registers after the last call the kernel ran (a refused call included), or null before the first
     * call and after a reset.
     */
    public KernelRunner.CallStatus lastCall() {
        return lastCall;
    }

    @Override
    public boolean hasDebugTaps() {
        return true;
    }

    /**
     * Turns the taps on or off. A larger area than the simulated I/O region has room for starts a new simulation
     * whose DDR holds the longer region, with the image and the KV cache copied over (the kernel is idle between
     * calls, so nothing is lost).
     */
    @Override
    public void setDebugTaps(long capacityBytes) {
        checkUsable();
        if (capacityBytes != 0 && (capacityBytes < DebugTaps.HEADER_BYTES || capacityBytes > Integer.MAX_VALUE - 8)) {
            throw new IllegalArgumentException("a debug area of " + capacityBytes + " bytes: it needs at least its "
                    + DebugTaps.HEADER_BYTES + "-byte header and at most 2 GB");
        }
        if (capacityBytes > tapRoom) {
            start(runner.image(), runner.kvCache(), capacityBytes);
        }
        tapCapacity = capacityBytes;
        debugArea = null;
    }

    @Override
    public DebugArea debugArea() {
        return debugArea;
    }

    /** The KV cache's bytes as the kernel left them (a copy), to compare with another device's. */
    public ByteBuffer kvCache() {
        checkUsable();
        long bytes = image.header().kvCacheBytes();
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(bytes)).order(ByteOrder.LITTLE_ENDIAN);
        MemorySegment.copy(runner.kvCache(), 0, MemorySegment.ofBuffer(out), 0, bytes);
        return out.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The Verilator model: where it is, whether opening this device compiled it, and how long that took. */
    public VerilatorBuild.Result modelBuild() {
        return built;
    }

    /** The image it runs. */
    public MemoryImage image() {
        return image;
    }

    /**
     * Test support: writes {@code in} over instruction {@code index} of the program in the DDR model's copy of the
     * image (the image file is untouched), so that a test can end the program early, for example with an
     * {@code END} after the instructions the kernel executes. The patch stays until {@link #restoreImage()}.
     */
    void patchProgram(int index, Instruction in) {
        checkUsable();
        if (index < 0 || index >= image.header().programInstructions()) {
            throw new IllegalArgumentException("instruction " + index + " is outside the program of "
                    + image.header().programInstructions());
        }
        MemorySegment.copy(MemorySegment.ofArray(in.encode()), 0, runner.image(),
                image.header().programOffset() + (long) Instruction.BYTES * index, Instruction.BYTES);
    }

    /**
     * Test support: the DDR model's copy of the image, writable (a write changes what the kernel reads, not the
     * file), until {@link #restoreImage()}.
     */
    MemorySegment ddrImage() {
        checkUsable();
        return runner.image();
    }

    /** Test support: the DDR model, for injecting AXI error responses ({@link AxiMemory#injectError}). */
    AxiMemory ddr() {
        checkUsable();
        return runner.memory();
    }

    /** Test support: copies the image into the DDR model again, undoing {@link #patchProgram}. */
    void restoreImage() {
        checkUsable();
        MemorySegment.copy(image.bytes(), 0, runner.image(), 0, image.bytes().byteSize());
    }

    /** Ends the simulation (and unmaps the image when the device opened it); a second close does nothing. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (sim != null) {
            sim.close();
        }
        if (ownsImage) {
            image.close();
        }
    }
}
