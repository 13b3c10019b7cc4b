package dev.tellmej.model.safetensors;

/**
 * One tensor of a safetensors file.
 *
 * @param name       tensor name
 * @param dtype      element type
 * @param shape      dimensions, outermost first (C order)
 * @param fileOffset absolute byte offset of the data
 * @param byteSize   bytes of data
 */
public record SafetensorsTensor(String name, SafetensorsDtype dtype, long[] shape, long fileOffset, long byteSize) {
    public SafetensorsTensor {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of elements. */
    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }
}
