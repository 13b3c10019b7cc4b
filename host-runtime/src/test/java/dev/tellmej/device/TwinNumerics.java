package dev.tellmej.device;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.model.config.Activation;
import dev.tellmej.model.config.ModelConfig;
import dev.tellmej.model.config.RopeStyle;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;

/**
 * The twin's exact functions one at a time on the OpenCL device (its {@code tellme_numerics} kernel), for the
 * conformance tests: the program is the twin's source for a small model, built with the given options.
 */
final class TwinNumerics implements AutoCloseable {
    /** The function numbers of {@code tellme_numerics}. */
    static final int EXP = 0, RECIPROCAL = 1, RSQRT = 2, SILU = 3, RELU2 = 4, STORE = 5, INVERSE = 6, INT8 = 7;

    private final cl_context context;
    private final cl_command_queue queue;
    private final cl_program program;
    private final cl_kernel kernel;
    final OpenClPlatforms.Choice choice;

    /** The twin of sim-small for a small model, with {@code replace} applied to the source and {@code options}. */
    TwinNumerics(String from, String to, String options) {
        choice = OpenClPlatforms.choose(null, null);
        cl_context_properties properties = new cl_context_properties();
        properties.addProperty(CL.CL_CONTEXT_PLATFORM, choice.platform());
        context = CL.clCreateContext(properties, 1, new cl_device_id[] {choice.device()}, null, null, null);
        queue = CL.clCreateCommandQueue(context, choice.device(), 0, null);
        ModelConfig model = new ModelConfig("llama", 64, 2, 8, 4, 8, 172, 512, 512, 10000f, 1e-5f, RopeStyle.ADJACENT,
                Activation.SILU, false, true);
        String source = OpenClTwinSource.forModel(AcceleratorConfig.simSmall(), model, 64).replace(from, to);
        program = OpenClDevice.build(context, choice, source, options);
        kernel = CL.clCreateKernel(program, OpenClTwinSource.NUMERICS_KERNEL, null);
    }

    TwinNumerics() {
        this("", "", OpenClTwinSource.BUILD_OPTIONS);
    }

    /** {@code f} of every input's bit pattern, as bit patterns. */
    int[] apply(int function, int[] in) {
        cl_mem input = CL.clCreateBuffer(context, CL.CL_MEM_READ_ONLY | CL.CL_MEM_COPY_HOST_PTR, 4L * in.length,
                Pointer.to(in), null);
        cl_mem output = CL.clCreateBuffer(context, CL.CL_MEM_WRITE_ONLY, 4L * in.length, null, null);
        try {
            CL.clSetKernelArg(kernel, 0, Sizeof.cl_uint, Pointer.to(new int[] {function}));
            CL.clSetKernelArg(kernel, 1, Sizeof.cl_mem, Pointer.to(input));
            CL.clSetKernelArg(kernel, 2, Sizeof.cl_mem, Pointer.to(output));
            CL.clSetKernelArg(kernel, 3, Sizeof.cl_uint, Pointer.to(new int[] {in.length}));
            CL.clEnqueueNDRangeKernel(queue, kernel, 1, null, new long[] {256}, new long[] {64}, 0, null, null);
            int[] out = new int[in.length];
            CL.clEnqueueReadBuffer(queue, output, CL.CL_TRUE, 0, 4L * in.length, Pointer.to(out), 0, null, null);
            return out;
        } finally {
            CL.clReleaseMemObject(input);
            CL.clReleaseMemObject(output);
        }
    }

    @Override
    public void close() {
        CL.clReleaseKernel(kernel);
        CL.clReleaseProgram(program);
        CL.clReleaseCommandQueue(queue);
        CL.clReleaseContext(context);
    }
}
