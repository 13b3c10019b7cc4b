package dev.tellmej.model.gguf;

/**
 * One tensor's entry in a GGUF file.
 *
 * @param name       tensor name, e.g. {@code blk.0.attn_q.weight}
 * @param dims       dimensions, innermost first (ggml's ne[]): for a matrix, {@code dims[0]} is the row length
 *                   (input features) and {@code dims[1]} the number of rows (output features)
 * @param type       encoding
 * @param fileOffset absolute byte offset of the data in the file
 * @param byteSize   bytes of data
 * @param infoOffset byte offset of this tensor's info record in the header, for error messages
 */
public record GgufTensorInfo(String name, long[] dims, GgmlType type, long fileOffset, long byteSize,
                             long infoOffset) {
    public GgufTensorInfo {
        dims = dims.clone();
    }

    @Override
    public long[] dims() {
        return dims.clone();
    }

    /** Number of elements. */
    public long elementCount() {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    /** Elements per row (the innermost dimension). */
    public long rowLength() {
        return dims[0];
    }

    /** Number of rows (the product of the outer dimensions; 1 for a vector). */
    public long rows() {
        return elementCount() / dims[0];
    }
}
