package dev.tellmej.model.gguf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes GGUF v3 files: metadata in insertion order, then tensor infos, then the aligned data section.
 * Tensor bytes must already be in the tensor's encoding (see {@code dev.tellmej.model.tensor.TensorCodecs}
 * for encoders). The file is written to a temporary sibling and moved into place, so a reader never sees a
 * half-written file.
 */
public final class GgufWriter {
    private record Tensor(String name, long[] dims, GgmlType type, byte[] data) {}

    private final Map<String, GgufValue> metadata = new LinkedHashMap<>();
    private final List<Tensor> tensors = new ArrayList<>();
    private int alignment = GgufReader.DEFAULT_ALIGNMENT;

    /** Adds or replaces a metadata entry. {@code general.alignment} also sets the data alignment. */
    public GgufWriter put(String key, GgufValue value) {
        metadata.put(key, value);
        if (key.equals("general.alignment")) {
            alignment = (int) value.asLong();
        }
        return this;
    }

    public GgufWriter putString(String key, String value) {
        return put(key, new GgufValue.Str(value));
    }

    public GgufWriter putU32(String key, long value) {
        return put(key, new GgufValue.U32(value));
    }

    public GgufWriter putF32(String key, float value) {
        return put(key, new GgufValue.F32(value));
    }

    public GgufWriter putStrings(String key, List<String> values) {
        return put(key, new GgufValue.Arr(GgufValueType.STRING, values.stream().<GgufValue>map(GgufValue.Str::new).toList()));
    }

    public GgufWriter putFloats(String key, float[] values) {
        List<GgufValue> list = new ArrayList<>(values.length);
        for (float v : values) {
            list.add(new GgufValue.F32(v));
        }
        return put(key, new GgufValue.Arr(GgufValueType.FLOAT32, list));
    }

    public GgufWriter putInts(String key, int[] values) {
        List<GgufValue> list = new ArrayList<>(values.length);
        for (int v : values) {
            list.add(new GgufValue.I32(v));
        }
        return put(key, new GgufValue.Arr(GgufValueType.INT32, list));
    }

    /**
     * Adds a tensor. {@code dims} are innermost first (ggml order); {@code data} must be exactly
     * {@code type.byteSize(...)} bytes.
     */
    public GgufWriter addTensor(String name, long[] dims, GgmlType type, byte[] data) {
        long elements = 1;
        for (long d : dims) {
            elements *= d;
        }
        long expected = type.byteSize(elements, dims[0]);
        if (expected != data.length) {
            throw new IllegalArgumentException("tensor " + name + ": " + type + " with dims "
                    + java.util.Arrays.toString(dims) + " needs " + expected + " bytes, got " + data.length);
        }
        tensors.add(new Tensor(name, dims.clone(), type, data));
        return this;
    }

    /** Writes the file. */
    public void write(Path path) {
        try {
            Path dir = path.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path partial = Files.createTempFile(dir, path.getFileName().toString(), ".part");
            try (FileChannel out = FileChannel.open(partial, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                writeTo(out);
            }
            Files.move(partial, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path, e);
        }
    }

    /** The whole file as bytes (for tests and small models). */
    public byte[] toBytes() {
        ByteSink sink = new ByteSink();
        writeHeader(sink);
        for (Tensor t : tensors) {
            sink.pad(alignment);
            sink.bytes(t.data);
        }
        return sink.toArray();
    }

    private void writeTo(FileChannel out) throws IOException {
        ByteSink header = new ByteSink();
        writeHeader(header);
        long position = header.size();
        writeFully(out, ByteBuffer.wrap(header.toArray()));
        for (Tensor t : tensors) {
            long padded = (position + alignment - 1) / alignment * alignment;
            writeFully(out, ByteBuffer.allocate((int) (padded - position)));
            writeFully(out, ByteBuffer.wrap(t.data));
            position = padded + t.data.length;
        }
    }

    private static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }

    private void writeHeader(ByteSink out) {
        out.i32(GgufReader.MAGIC);
        out.i32(3);
        out.i64(tensors.size());
        out.i64(metadata.size());
        for (Map.Entry<String, GgufValue> e : metadata.entrySet()) {
            out.string(e.getKey());
            out.i32(e.getValue().type().code());
            writeValue(out, e.getValue());
        }
        long offset = 0;
        for (Tensor t : tensors) {
            out.string(t.name);
            out.i32(t.dims.length);
            for (long d : t.dims) {
                out.i64(d);
            }
            out.i32(t.type.code());
            offset = (offset + alignment - 1) / alignment * alignment;
            out.i64(offset);
            offset += t.data.length;
        }
        out.pad(alignment);
    }

    private static void writeValue(ByteSink out, GgufValue value) {
        switch (value) {
            case GgufValue.U8 v -> out.u8(v.value());
            case GgufValue.I8 v -> out.u8(v.value());
            case GgufValue.U16 v -> out.i16(v.value());
            case GgufValue.I16 v -> out.i16(v.value());
            case GgufValue.U32 v -> out.i32((int) v.value());
            case GgufValue.I32 v -> out.i32(v.value());
            case GgufValue.F32 v -> out.i32(Float.floatToRawIntBits(v.value()));
            case GgufValue.Bool v -> out.u8(v.value() ? 1 : 0);
            case GgufValue.Str v -> out.string(v.value());
            case GgufValue.U64 v -> out.i64(v.value());
            case GgufValue.I64 v -> out.i64(v.value());
            case GgufValue.F64 v -> out.i64(Double.doubleToRawLongBits(v.value()));
            case GgufValue.Arr v -> {
                out.i32(v.elementType().code());
                out.i64(v.values().size());
                for (GgufValue element : v.values()) {
                    if (element.type() != v.elementType()) {
                        throw new IllegalArgumentException("array of " + v.elementType() + " holds a " + element.type());
                    }
                    writeValue(out, element);
                }
            }
        }
    }

    /** A growable little-endian byte buffer. */
    private static final class ByteSink {
        private ByteBuffer buffer = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

        private void ensure(int more) {
            if (buffer.remaining() < more) {
                int capacity = Math.max(buffer.capacity() * 2, buffer.position() + more);
                ByteBuffer bigger = ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
                buffer.flip();
                bigger.put(buffer);
                buffer = bigger;
            }
        }

        void u8(int v) { ensure(1); buffer.put((byte) v); }
        void i16(int v) { ensure(2); buffer.putShort((short) v); }
        void i32(int v) { ensure(4); buffer.putInt(v); }
        void i64(long v) { ensure(8); buffer.putLong(v); }

        void bytes(byte[] b) {
            ensure(b.length);
            buffer.put(b);
        }

        void string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            i64(b.length);
            bytes(b);
        }

        void pad(int alignment) {
            while (buffer.position() % alignment != 0) {
                u8(0);
            }
        }

        long size() {
            return buffer.position();
        }

        byte[] toArray() {
            byte[] out = new byte[buffer.position()];
            buffer.get(0, out);
            return out;
        }
    }
}
