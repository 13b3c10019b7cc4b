package dev.tellmej.device;

import dev.tellmej.accel.tlmm.TlmmLayout;
import dev.tellmej.accel.tlmm.WeightPacker;
import dev.tellmej.image.MemoryImage;
import dev.tellmej.model.numerics.StorageFormat;
import dev.tellmej.model.ternary.TernaryMatrix;
import dev.tellmej.model.ternary.TlmmKernel;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * The image's tensors as the reference device computes with them, read at the byte offsets the program's
 * address fields give (so a wrong address in the compiler shows as a wrong result, not a silently right one)
 * and decoded once.
 */
final class ImageTensors {
    private final MemoryImage image;
    private final StorageFormat storage;
    private final TlmmKernel kernel;
    private final Map<Long, float[]> stored = new HashMap<>();
    private final Map<Long, TlmmKernel.Prepared> linears = new HashMap<>();
    private final Map<Long, byte[]> int8 = new HashMap<>();
    private final Map<Long, float[]> binary32 = new HashMap<>();

    ImageTensors(MemoryImage image, StorageFormat storage, TlmmKernel kernel) {
        this.image = image;
        this.storage = storage;
        this.kernel = kernel;
    }

    /** {@code count} stored values (the build's storage format) at {@code offset}, as binary32. */
    float[] stored(long offset, int count) {
        return stored.computeIfAbsent(offset, o -> {
            ByteBuffer b = image.slice(o, 2L * count);
            float[] out = new float[count];
            for (int i = 0; i < count; i++) {
                out[i] = storage.decode(b.getShort(2 * i));
            }
            return out;
        });
    }

    /** One stored row of {@code dim} values (an embedding row), decoded into {@code out}. */
    void storedRow(long offset, int dim, float[] out) {
        ByteBuffer b = image.slice(offset, 2L * dim);
        for (int i = 0; i < dim; i++) {
            out[i] = storage.decode(b.getShort(2 * i));
        }
    }

    /** {@code count} binary32 values at {@code offset}. */
    float[] binary32(long offset, int count) {
        return binary32.computeIfAbsent(offset, o -> {
            float[] out = new float[count];
            image.slice(o, 4L * count).asFloatBuffer().get(out);
            return out;
        });
    }

    /** {@code count} int8 values at {@code offset}. */
    byte[] int8(long offset, long count) {
        return int8.computeIfAbsent(offset, o -> image.bytes().asSlice(o, count).toArray(ValueLayout.JAVA_BYTE));
    }

    /** The ternary matrix packed at {@code offset} for {@code layout}, unpacked and prepared for the kernel. */
    TlmmKernel.Prepared linear(long offset, TlmmLayout layout, float scale) {
        return linears.computeIfAbsent(offset, o -> {
            byte[] packed = image.bytes().asSlice(o, layout.imageBytes()).toArray(ValueLayout.JAVA_BYTE);
            TernaryMatrix m = WeightPacker.unpack(layout, packed, scale);
            return kernel.prepare(m);
        });
    }
}
