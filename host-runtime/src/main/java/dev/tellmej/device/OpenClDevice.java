package dev.tellmej.device;

import dev.tellmej.accel.protocol.CallMode;
import dev.tellmej.accel.protocol.DebugTaps;
import dev.tellmej.accel.protocol.ErrorCode;
import dev.tellmej.accel.protocol.IoRegion;
import dev.tellmej.accel.protocol.KernelInterface;
import dev.tellmej.accel.protocol.KernelRegister;
import dev.tellmej.image.ImageHeader;
import dev.tellmej.image.MemoryImage;
import dev.tellmej.model.config.ModelConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;

/**
 * The accelerator through OpenCL (JOCL): the host path of the board, run here on any OpenCL platform. It
 * allocates the image, the KV cache and the I/O region as buffers of the sizes the image's header gives, writes
 * the image once, and for every call writes the tokens, sets the kernel's arguments in {@code kernel.xml}'s order
 * ({@link KernelInterface#arguments()}), enqueues the kernel, waits for it with a timeout and reads back the call
 * record and the logits.
 *
 * <p>Only where the program comes from differs per platform: a binary ({@link Options#binary()}: on XRT the xclbin
 * built from the RTL kernel, elsewhere a binary the platform made of the twin, {@link #programBinary()}) through
 * {@code clCreateProgramWithBinary}, or the OpenCL C twin of the kernel ({@link OpenClTwinSource}), which executes
 * the image's program with NUMERICS' arithmetic in one work-group, compiled from source. Everything else is one
 * path, the one XRT needs: {@code CL_MEM_ALLOC_HOST_PTR} buffers, and every argument set before the first enqueue
 * (so that XRT can choose each buffer's memory bank from the kernel's port).
 */
public final class OpenClDevice implements Device {
    /** Work-items of the one work-group when the options leave it to the device: enough for the natural splits. */
    public static final int DEFAULT_WORK_GROUP = 64;

    private final MemoryImage image;
    private final boolean ownsImage;
    private final ModelConfig model;
    private final OpenClPlatforms.Choice choice;
    private final Options options;
    private final int workGroup;
    private final int programLength;
    private final IoRegion io;
    private cl_context context;
    private cl_command_queue queue;
    private cl_program program;
    private cl_kernel kernel;
    private cl_mem imageBuffer;
    private cl_mem kvBuffer;
    private cl_mem ioBuffer;
    private boolean singleWorkItem;
    private long tapCapacity;
    private long tapRoom;
    private DebugArea debugArea;
    private int position;
    private DeviceCounters counters = DeviceCounters.NONE;
    private boolean closed;

    /**
     * How to open the device.
     *
     * @param platform  a platform's name (a part of it) or index, or null for the only one
     * @param device    a device's name (a part of it) or index within the platform, or null for the only one
     * @param workGroup work-items of the work-group (0: {@link #DEFAULT_WORK_GROUP}, or fewer if the device allows
     *                  fewer); results never depend on it
     * @param timeout   how long a call may run before the host gives up, releases the buffers and closes the device
     * @param binary    the program as a binary for the device (an xclbin on XRT), or null for the twin's source
     */
    public record Options(String platform, String device, int workGroup, Duration timeout, Path binary) {
        /** The only platform and device, the default work-group, ten minutes per call, the twin from source. */
        public static final Options DEFAULT = new Options(null, null, 0, Duration.ofMinutes(10), null);

        /** The twin from source. */
        public Options(String platform, String device, int workGroup, Duration timeout) {
            this(platform, device, workGroup, timeout, null);
        }

        public Options {
            if (workGroup < 0) {
                throw new IllegalArgumentException("the work-group size must be positive (or 0 for the default), got "
                        + workGroup);
            }
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("the timeout must be positive, got " + timeout);
            }
        }

        public Options withWorkGroup(int size) {
            return new Options(platform, device, size, timeout, binary);
        }

        public Options withTimeout(Duration t) {
            return new Options(platform, device, workGroup, t, binary);
        }

        /** The program from {@code file}, a binary for the device, instead of the twin's source. */
        public Options withBinary(Path file) {
            return new Options(platform, device, workGroup, timeout, file);
        }
    }

    private OpenClDevice(MemoryImage image, boolean ownsImage, Options options) {
        this.image = image;
        this.ownsImage = ownsImage;
        this.options = options;
        ImageHeader header = image.header();
        this.model = header.model();
        this.programLength = header.programInstructions();
        this.io = new IoRegion(header.context(), model.vocabSize());
        this.choice = OpenClPlatforms.choose(options.platform(), options.device());
        try {
            checkDevice(header);
            createContext();
            buildProgram();
            this.workGroup = workGroupSize();
            imageBuffer = buffer("the image", CL.CL_MEM_READ_ONLY, header.imageBytes());
            kvBuffer = buffer("the KV cache", CL.CL_MEM_READ_WRITE, header.kvCacheBytes());
            ioBuffer = buffer("the I/O region", CL.CL_MEM_READ_WRITE, header.ioBytes());
            // Before the first enqueue: XRT places each buffer in the bank of the port its argument is bound to.
            setArguments(CallMode.DECODE, 1);
            writeImage();
            CL.clEnqueueFillBuffer(queue, kvBuffer, Pointer.to(new byte[] {0}), 1, 0, header.kvCacheBytes(), 0, null,
                    null);
            CL.clEnqueueFillBuffer(queue, ioBuffer, Pointer.to(new byte[] {0}), 1, 0, header.ioBytes(), 0, null, null);
            CL.clFinish(queue);
        } catch (RuntimeException e) {
            release();
            throw translate(e, "opening the device");
        }
    }

    /** Opens the image at {@code path} on the OpenCL device the options choose. */
    public static OpenClDevice open(Path path, Options options) {
        MemoryImage image = MemoryImage.open(path);
        try {
            return new OpenClDevice(image, true, options);
        } catch (RuntimeException e) {
            image.close();
            throw e;
        }
    }

    /** A device on an image the caller keeps open (and closes after the device). */
    public static OpenClDevice on(MemoryImage image, Options options) {
        return new OpenClDevice(image, false, options);
    }

    private void checkDevice(ImageHeader header) {
        long fp = OpenClPlatforms.deviceLong(choice.device(), CL.CL_DEVICE_SINGLE_FP_CONFIG);
        if ((fp & CL.CL_FP_DENORM) == 0 || (fp & CL.CL_FP_ROUND_TO_NEAREST) == 0) {
            throw new OpenClException.Failed(name() + " does not keep binary32 subnormals or round to nearest even"
                    + " (CL_DEVICE_SINGLE_FP_CONFIG 0x" + Long.toHexString(fp) + "); NUMERICS N2 needs both", null);
        }
        long local = OpenClPlatforms.deviceLong(choice.device(), CL.CL_DEVICE_LOCAL_MEM_SIZE);
        long needed = OpenClTwinSource.localBytes(image.config(), model);
        if (needed > local) {
            throw new OpenClException.OutOfMemory("the kernel's on-chip buffers for " + header.modelName() + " need "
                    + needed + " bytes of local memory, but " + name() + " has " + local, null);
        }
        checkBufferSizes(header, OpenClPlatforms.deviceLong(choice.device(), CL.CL_DEVICE_MAX_MEM_ALLOC_SIZE), name());
    }

    /**
     * Refuses an image whose image, KV-cache or I/O buffer exceeds {@code cap}, the device's largest buffer.
     *
     * @throws OpenClException.OutOfMemory naming the buffer, both sizes and what to do
     */
    static void checkBufferSizes(ImageHeader header, long cap, String device) {
        String[] names = {"the image", "the KV cache", "the I/O region"};
        long[] sizes = {header.imageBytes(), header.kvCacheBytes(), header.ioBytes()};
        for (int i = 0; i < sizes.length; i++) {
            if (sizes[i] > cap) {
                throw new OpenClException.OutOfMemory(names[i] + " of " + header.modelName() + " needs one buffer of "
                        + sizes[i] + " bytes, but " + device + " allocates at most " + cap + " bytes per buffer"
                        + " (CL_DEVICE_MAX_MEM_ALLOC_SIZE; " + POCL_CAP + "): pack the image with a shorter"
                        + " --context, or use a device with more memory", null);
            }
        }
    }

    private String name() {
        return "OpenCL device '" + choice.deviceName() + "' of platform '" + choice.platformName() + "'";
    }

    private void createContext() {
        cl_context_properties properties = new cl_context_properties();
        properties.addProperty(CL.CL_CONTEXT_PLATFORM, choice.platform());
        context = CL.clCreateContext(properties, 1, new cl_device_id[] {choice.device()}, null, null, null);
        queue = CL.clCreateCommandQueue(context, choice.device(), 0, null);
    }

    private void buildProgram() {
        KernelInterface kernelInterface = KernelInterface.of(image.config());
        if (options.binary() != null) {
            program = fromBinary(options.binary());
            singleWorkItem = !checkTwinIdentity();
            kernel = kernelOfBinary(kernelInterface);
        } else {
            program = build(context, choice, OpenClTwinSource.forModel(image.config(), model,
                    image.header().context()), OpenClTwinSource.BUILD_OPTIONS);
            kernel = CL.clCreateKernel(program, kernelInterface.kernelName(), null);
        }
    }

    /** {@code clCreateProgramWithBinary} from {@code file}, then {@code clBuildProgram} (a no-op on XRT). */
    private cl_program fromBinary(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new OpenClException.BadBinary("cannot read the program binary " + file + ": " + e.getMessage(), e);
        }
        if (bytes.length == 0) {
            throw new OpenClException.BadBinary("the program binary " + file + " is empty", null);
        }
        String expected = BinaryMagic.expectedBy(choice.platformName());
        if (expected != null && !BinaryMagic.startsWith(bytes, expected)) {
            // PoCL 3.1 reads past the end of a buffer that is not one of its binaries and may crash the JVM
            // (SIGSEGV in clCreateProgramWithBinary), so a file without the platform's magic never reaches it.
            throw new OpenClException.BadBinary(file + " is not a program binary for " + name() + " (it does not"
                    + " start with '" + expected + "'): on XRT give the xclbin built for this board's platform;"
                    + " elsewhere a binary saved from this device (--save-binary), or leave --binary out to build the"
                    + " kernel's OpenCL C twin from source", null);
        }
        int[] status = new int[1];
        cl_program p;
        try {
            p = CL.clCreateProgramWithBinary(context, 1, new cl_device_id[] {choice.device()},
                    new long[] {bytes.length}, new byte[][] {bytes}, status, null);
        } catch (CLException e) {
            throw new OpenClException.BadBinary(file + " is not a program binary for " + name() + " ("
                    + CL.stringFor_errorCode(status[0] != 0 ? status[0] : e.getStatus()) + "): on XRT give the xclbin"
                    + " built for this board's platform; elsewhere a binary saved from this device (--save-binary),"
                    + " or leave --binary out to build the kernel's OpenCL C twin from source", e);
        }
        try {
            CL.clBuildProgram(p, 1, new cl_device_id[] {choice.device()}, OpenClTwinSource.BUILD_OPTIONS, null, null);
        } catch (CLException e) {
            String log = buildLog(p, choice.device());
            CL.clReleaseProgram(p);
            throw new OpenClException.BadBinary("the program binary " + file + " does not build for " + name() + " ("
                    + CL.stringFor_errorCode(e.getStatus()) + "); the build log:\n" + log, e);
        }
        return p;
    }

    /**
     * A binary of the OpenCL C twin holds an identity kernel naming the model and build it was compiled for; one
     * of another is refused (its sizes are compiled in). An xclbin has none: the RTL kernel reads them from the
     * image.
     *
     * @return true for this image's twin, false for a program without an identity kernel (an RTL kernel)
     */
    private boolean checkTwinIdentity() {
        long[] size = new long[1];
        CL.clGetProgramInfo(program, CL.CL_PROGRAM_KERNEL_NAMES, 0, null, size);
        byte[] names = new byte[(int) size[0]];
        CL.clGetProgramInfo(program, CL.CL_PROGRAM_KERNEL_NAMES, names.length, Pointer.to(names), null);
        String expected = OpenClTwinSource.identityFor(image.config(), model, image.header().context());
        for (String name : new String(names, java.nio.charset.StandardCharsets.US_ASCII).trim().replace("\0", "")
                .split(";")) {
            if (name.startsWith(OpenClTwinSource.IDENTITY_PREFIX) && !name.equals(expected)) {
                throw new OpenClException.BadBinary("the program binary " + options.binary() + " is the OpenCL C twin"
                        + " compiled for another model, context or build (" + name + "; " + image.header().modelName()
                        + " for " + image.config().name() + " with " + image.header().context() + " positions needs "
                        + expected + "): save one from this image with --save-binary", null);
            }
            if (name.equals(expected)) {
                return true;
            }
        }
        return false;
    }

    /** The binary's kernel {@code tellme}, with as many arguments as the register map has. */
    private cl_kernel kernelOfBinary(KernelInterface kernelInterface) {
        cl_kernel k;
        try {
            k = CL.clCreateKernel(program, kernelInterface.kernelName(), null);
        } catch (CLException e) {
            throw new OpenClException.BadBinary("the program binary " + options.binary() + " has no kernel '"
                    + kernelInterface.kernelName() + "' (" + CL.stringFor_errorCode(e.getStatus()) + ")", e);
        }
        int[] args = new int[1];
        CL.clGetKernelInfo(k, CL.CL_KERNEL_NUM_ARGS, Sizeof.cl_uint, Pointer.to(args), null);
        int expected = kernelInterface.arguments().size();
        if (args[0] != expected) {
            CL.clReleaseKernel(k);
            throw new OpenClException.BadBinary("kernel '" + kernelInterface.kernelName() + "' of " + options.binary()
                    + " takes " + args[0] + " arguments, but the " + image.config().name() + " build's register map"
                    + " has " + expected + " (kernel.xml): the binary was built for another build", null);
        }
        return k;
    }

    /**
     * The program as the device holds it ({@code CL_PROGRAM_BINARIES}): what {@link Options#binary()} loads
     * again. For the twin, it is compiled for this image's model and build.
     */
    public byte[] programBinary() {
        checkOpen();
        long[] size = new long[1];
        CL.clGetProgramInfo(program, CL.CL_PROGRAM_BINARY_SIZES, Sizeof.size_t, Pointer.to(size), null);
        if (size[0] == 0) {
            throw new OpenClException.Failed(name() + " gives no binary of its program (CL_PROGRAM_BINARY_SIZES 0)",
                    null);
        }
        byte[] bytes = new byte[Math.toIntExact(size[0])];
        CL.clGetProgramInfo(program, CL.CL_PROGRAM_BINARIES, Sizeof.POINTER, Pointer.to(Pointer.to(bytes)), null);
        return bytes;
    }

    /**
     * Compiles {@code source} for the chosen device.
     *
     * @throws OpenClException.BuildFailed with the build log when it does not compile (the program is released)
     */
    static cl_program build(cl_context context, OpenClPlatforms.Choice choice, String source, String options) {
        cl_program program = CL.clCreateProgramWithSource(context, 1, new String[] {source}, null, null);
        try {
            CL.clBuildProgram(program, 1, new cl_device_id[] {choice.device()}, options, null, null);
            return program;
        } catch (CLException e) {
            String log = buildLog(program, choice.device());
            CL.clReleaseProgram(program);
            throw new OpenClException.BuildFailed("the OpenCL C twin of the kernel did not compile on OpenCL device '"
                    + choice.deviceName() + "' (" + CL.stringFor_errorCode(e.getStatus()) + "); the build log:", log);
        }
    }

    static String buildLog(cl_program program, cl_device_id device) {
        long[] size = new long[1];
        CL.clGetProgramBuildInfo(program, device, CL.CL_PROGRAM_BUILD_LOG, 0, null, size);
        byte[] log = new byte[(int) size[0]];
        CL.clGetProgramBuildInfo(program, device, CL.CL_PROGRAM_BUILD_LOG, log.length, Pointer.to(log), null);
        return new String(log, java.nio.charset.StandardCharsets.UTF_8).trim();
    }

    private int workGroupSize() {
        if (singleWorkItem) {
            return 1; // an RTL kernel: one work-item per call, what clEnqueueTask enqueues
        }
        long[] max = new long[1];
        CL.clGetKernelWorkGroupInfo(kernel, choice.device(), CL.CL_KERNEL_WORK_GROUP_SIZE, Sizeof.size_t,
                Pointer.to(max), null);
        if (options.workGroup() == 0) {
            return (int) Math.min(DEFAULT_WORK_GROUP, max[0]);
        }
        if (options.workGroup() > max[0]) {
            throw new OpenClException.Failed("a work-group of " + options.workGroup() + " work-items is more than the"
                    + " kernel allows on " + name() + " (" + max[0] + ")", null);
        }
        return options.workGroup();
    }

    private cl_mem buffer(String what, long flags, long bytes) {
        try {
            // Host-accessible device memory, as XRT wants; on other platforms it changes nothing but placement.
            return CL.clCreateBuffer(context, flags | CL.CL_MEM_ALLOC_HOST_PTR, bytes, null, null);
        } catch (CLException e) {
            throw new OpenClException.OutOfMemory("cannot allocate " + what + " (" + bytes + " bytes) on " + name()
                    + " (" + CL.stringFor_errorCode(e.getStatus()) + "; " + POCL_CAP + "): pack the image with a"
                    + " shorter --context, or use a device with more memory", e);
        }
    }

    /** Copies the mapped image into its buffer in pieces (a ByteBuffer holds at most 2 GB). */
    private void writeImage() {
        long total = image.header().imageBytes();
        long piece = 1L << 28;
        for (long at = 0; at < total; at += piece) {
            long n = Math.min(piece, total - at);
            ByteBuffer bytes = image.bytes().asSlice(at, n).asByteBuffer();
            CL.clEnqueueWriteBuffer(queue, imageBuffer, CL.CL_TRUE, at, n, Pointer.to(bytes), 0, null, null);
        }
    }

    @Override
    public String describe() {
        return "opencl (" + choice.platformName() + ", " + choice.deviceName() + "): " + image.header().modelName()
                + " for " + image.config().name();
    }

    @Override
    public float[] prefill(int[] tokens) {
        checkOpen();
        check(tokens);
        CallMode mode = tokens.length == 1 ? CallMode.DECODE : CallMode.PREFILL;
        ByteBuffer record;
        float[] logits = new float[model.vocabSize()];
        try {
            ByteBuffer in = ByteBuffer.allocateDirect(4 * tokens.length).order(ByteOrder.LITTLE_ENDIAN);
            in.asIntBuffer().put(tokens);
            CL.clEnqueueWriteBuffer(queue, ioBuffer, CL.CL_TRUE, io.tokensOffset(), 4L * tokens.length, Pointer.to(in),
                    0, null, null);
            if (tapCapacity > 0) {
                ByteBuffer area = ByteBuffer.allocateDirect(DebugTaps.HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
                area.putInt(DebugTaps.CAPACITY, (int) tapCapacity);
                CL.clEnqueueWriteBuffer(queue, ioBuffer, CL.CL_TRUE, io.debugOffset(), DebugTaps.HEADER_BYTES,
                        Pointer.to(area), 0, null, null);
            }
            debugArea = null;
            setArguments(mode, tokens.length);
            cl_event done = new cl_event();
            CL.clEnqueueNDRangeKernel(queue, kernel, 1, null, new long[] {workGroup}, new long[] {workGroup}, 0, null,
                    done);
            CL.clFlush(queue);
            await(done, tokens.length);
            record = ByteBuffer.allocateDirect(IoRegion.RECORD_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            CL.clEnqueueReadBuffer(queue, ioBuffer, CL.CL_TRUE, 0, IoRegion.RECORD_BYTES, Pointer.to(record), 0, null,
                    null);
            ByteBuffer out = ByteBuffer.allocateDirect(4 * logits.length).order(ByteOrder.LITTLE_ENDIAN);
            CL.clEnqueueReadBuffer(queue, ioBuffer, CL.CL_TRUE, io.logitsOffset(), 4L * logits.length, Pointer.to(out),
                    0, null, null);
            out.asFloatBuffer().get(logits);
            if (tapCapacity > 0) {
                debugArea = readDebugArea();
            }
        } catch (CLException e) {
            throw translate(e, "a call of " + tokens.length + " token(s) at position " + position);
        }
        int status = record.getInt(IoRegion.RECORD_STATUS);
        if (status != KernelInterface.STATUS_SUCCEEDED) {
            int code = record.getInt(IoRegion.RECORD_ERROR_CODE);
            ErrorCode error = ErrorCode.ofCode(code);
            throw new OpenClException.Failed("the kernel failed a call the host had checked: status " + status
                    + ", error " + (error != null ? error : code) + ", detail "
                    + Integer.toUnsignedString(record.getInt(IoRegion.RECORD_ERROR_DETAIL)) + " (" + describe() + ")",
                    null);
        }
        long instructions = Integer.toUnsignedLong(record.getInt(IoRegion.RECORD_INSTRUCTIONS));
        position = record.getInt(IoRegion.RECORD_POSITION);
        counters = new DeviceCounters(instructions, instructions / programLength, 0, 0,
                record.getLong(IoRegion.RECORD_CYCLES));
        return logits;
    }

    private void setArguments(CallMode mode, int tokens) {
        List<KernelRegister> arguments = KernelInterface.of(image.config()).arguments();
        for (int i = 0; i < arguments.size(); i++) {
            KernelRegister r = arguments.get(i);
            if (r.role() == KernelRegister.Role.POINTER) {
                cl_mem mem = switch (r.name()) {
                    case "kv_cache", KernelInterface.KV_CACHE_VALUES -> kvBuffer;
                    case "io" -> ioBuffer;
                    default -> imageBuffer; // image, and every weights<i>: the image's address again
                };
                CL.clSetKernelArg(kernel, i, Sizeof.cl_mem, Pointer.to(mem));
            } else {
                int value = switch (r.name()) {
                    case "mode" -> mode.code();
                    case "token_count" -> tokens;
                    case "start_position" -> position;
                    case "debug" -> DebugTaps.register(tapCapacity > 0);
                    default -> throw new IllegalStateException("kernel argument " + r.name() + " has no value");
                };
                CL.clSetKernelArg(kernel, i, Sizeof.cl_uint, Pointer.to(new int[] {value}));
            }
        }
    }

    private DebugArea readDebugArea() {
        ByteBuffer header = ByteBuffer.allocateDirect(DebugTaps.HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        CL.clEnqueueReadBuffer(queue, ioBuffer, CL.CL_TRUE, io.debugOffset(), DebugTaps.HEADER_BYTES,
                Pointer.to(header), 0, null, null);
        long used = Integer.toUnsignedLong(header.getInt(DebugTaps.USED));
        if (DebugTaps.HEADER_BYTES + used > tapCapacity) {
            throw new OpenClException.Failed("the kernel says it wrote " + used + " bytes of debug records into a"
                    + " debug area of " + tapCapacity + " (" + describe() + ")", null);
        }
        ByteBuffer area = ByteBuffer.allocateDirect(Math.toIntExact(DebugTaps.HEADER_BYTES + used))
                .order(ByteOrder.LITTLE_ENDIAN);
        CL.clEnqueueReadBuffer(queue, ioBuffer, CL.CL_TRUE, io.debugOffset(), area.capacity(), Pointer.to(area), 0,
                null, null);
        return DebugArea.of(area);
    }

    @Override
    public boolean hasDebugTaps() {
        return true;
    }

    /**
     * Turns the taps on: the I/O buffer grows by {@code capacityBytes} the first time a larger area is asked for
     * (it holds nothing that outlives a call, so it is allocated again and its argument set again).
     */
    @Override
    public void setDebugTaps(long capacityBytes) {
        checkOpen();
        if (capacityBytes != 0 && (capacityBytes < DebugTaps.HEADER_BYTES || capacityBytes > Integer.MAX_VALUE - 8)) {
            throw new IllegalArgumentException("a debug area of " + capacityBytes + " bytes: it needs at least its "
                    + DebugTaps.HEADER_BYTES + "-byte header and at most 2 GB");
        }
        if (capacityBytes > tapRoom) {
            long bytes = io.debugOffset() + capacityBytes;
            checkDebugArea(io, capacityBytes, OpenClPlatforms.deviceLong(choice.device(),
                    CL.CL_DEVICE_MAX_MEM_ALLOC_SIZE), name());
            try {
                cl_mem larger = buffer("the I/O region with its debug area", CL.CL_MEM_READ_WRITE, bytes);
                CL.clReleaseMemObject(ioBuffer);
                ioBuffer = larger;
                CL.clEnqueueFillBuffer(queue, ioBuffer, Pointer.to(new byte[] {0}), 1, 0, bytes, 0, null, null);
                CL.clFinish(queue);
            } catch (CLException e) {
                throw translate(e, "growing the I/O region for the debug taps");
            }
            tapRoom = capacityBytes;
        }
        tapCapacity = capacityBytes;
        debugArea = null;
        setArguments(CallMode.DECODE, 1);
    }

    @Override
    public DebugArea debugArea() {
        return debugArea;
    }

    /**
     * Refuses a debug area that would make the I/O region's buffer larger than {@code cap}, the device's largest.
     *
     * @throws OpenClException.OutOfMemory naming both sizes and PoCL's cap
     */
    static void checkDebugArea(IoRegion io, long capacityBytes, long cap, String device) {
        long bytes = io.debugOffset() + capacityBytes;
        if (bytes > cap) {
            throw new OpenClException.OutOfMemory("the I/O region with a debug area of " + capacityBytes
                    + " bytes needs one buffer of " + bytes + " bytes, but " + device + " allocates at most " + cap
                    + " bytes per buffer (CL_DEVICE_MAX_MEM_ALLOC_SIZE; " + POCL_CAP + "): give a smaller debug area",
                    null);
        }
    }

    /** What the messages say about PoCL's per-buffer cap. */
    static final String POCL_CAP = "PoCL caps one buffer at a share of the RAM, 1 GiB on smaller machines";

    /** Polls the call's event until it completes or the timeout passes (then releases everything). */
    private void await(cl_event done, int tokens) {
        long deadline = System.nanoTime() + options.timeout().toNanos();
        int[] status = new int[1];
        String late = null;
        try {
            long sleep = 50_000;
            while (true) {
                CL.clGetEventInfo(done, CL.CL_EVENT_COMMAND_EXECUTION_STATUS, Sizeof.cl_int, Pointer.to(status), null);
                if (status[0] == CL.CL_COMPLETE) {
                    return;
                }
                if (status[0] < 0) {
                    throw new OpenClException.Failed("the kernel ended with OpenCL error "
                            + CL.stringFor_errorCode(status[0]) + " (" + describe() + ")", null);
                }
                if (System.nanoTime() > deadline) {
                    late = CL.stringFor_command_execution_status(status[0]);
                    break;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(sleep);
                sleep = Math.min(sleep * 2, 20_000_000);
            }
        } finally {
            CL.clReleaseEvent(done);
        }
        close();
        String call = tokens == 1 ? "a decode" : "a prefill of " + tokens + " tokens";
        throw new OpenClException.Timeout(call + " at position " + position + " (debug taps "
                + (tapCapacity > 0 ? "on" : "off") + ") did not finish within " + options.timeout().toMillis()
                + " ms on " + name() + ": the kernel was " + late + " (" + executionState(late) + "); the device"
                + " released its image, KV-cache and I/O buffers and is closed, so the KV cache is lost. Open it"
                + " again; for a long prefill or a large model give a longer timeout");
    }

    /** What an OpenCL command execution status means for a call that did not finish. */
    private static String executionState(String status) {
        return switch (status) {
            case "CL_QUEUED" -> "still queued: the device never started it";
            case "CL_SUBMITTED" -> "submitted to the device but not started";
            case "CL_RUNNING" -> "running: started and not done";
            default -> "neither done nor failed";
        };
    }

    private void check(int[] tokens) {
        CallRefusedException.check(tokens, position, context(), model.vocabSize());
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the OpenCL device is closed (" + describe() + ")");
        }
    }

    @Override
    public float[] decode(int token) {
        return prefill(new int[] {token});
    }

    @Override
    public int position() {
        return position;
    }

    @Override
    public int context() {
        return image.header().context();
    }

    @Override
    public void reset() {
        position = 0;
        counters = DeviceCounters.NONE;
    }

    @Override
    public DeviceCounters counters() {
        return counters;
    }

    /** The KV cache's bytes as the kernel left them (read back now), to compare with another device's. */
    public ByteBuffer kvCache() {
        checkOpen();
        long bytes = image.header().kvCacheBytes();
        ByteBuffer out = ByteBuffer.allocateDirect(Math.toIntExact(bytes)).order(ByteOrder.LITTLE_ENDIAN);
        CL.clEnqueueReadBuffer(queue, kvBuffer, CL.CL_TRUE, 0, bytes, Pointer.to(out), 0, null, null);
        return out.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Work-items of the work-group each call runs. */
    public int workGroup() {
        return workGroup;
    }

    /** The image it runs. */
    public MemoryImage image() {
        return image;
    }

    private RuntimeException translate(RuntimeException e, String during) {
        if (e instanceof CLException cl) {
            int s = cl.getStatus();
            if (s == CL.CL_MEM_OBJECT_ALLOCATION_FAILURE || s == CL.CL_OUT_OF_RESOURCES
                    || s == CL.CL_OUT_OF_HOST_MEMORY) {
                return new OpenClException.OutOfMemory(during + " ran out of memory on " + name() + " ("
                        + CL.stringFor_errorCode(s) + "; the image, KV cache and I/O buffers take "
                        + (image.header().imageBytes() + image.header().kvCacheBytes() + image.header().ioBytes())
                        + " bytes; " + POCL_CAP + "): pack the image with a shorter --context, or use a device with"
                        + " more memory", cl);
            }
            return new OpenClException.Failed(during + " failed on " + name() + ": " + cl.getMessage(), cl);
        }
        return e;
    }

    private void release() {
        // Every object once, in reverse order of creation; a failure to release one does not keep the others.
        for (Runnable r : new Runnable[] {
                () -> { if (ioBuffer != null) CL.clReleaseMemObject(ioBuffer); },
                () -> { if (kvBuffer != null) CL.clReleaseMemObject(kvBuffer); },
                () -> { if (imageBuffer != null) CL.clReleaseMemObject(imageBuffer); },
                () -> { if (kernel != null) CL.clReleaseKernel(kernel); },
                () -> { if (program != null) CL.clReleaseProgram(program); },
                () -> { if (queue != null) CL.clReleaseCommandQueue(queue); },
                () -> { if (context != null) CL.clReleaseContext(context); }}) {
            try {
                r.run();
            } catch (CLException ignored) {
                // Already gone with its context: nothing more to free.
            }
        }
        ioBuffer = kvBuffer = imageBuffer = null;
        kernel = null;
        program = null;
        queue = null;
        context = null;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            release();
            if (ownsImage) {
                image.close();
            }
        }
    }
}
