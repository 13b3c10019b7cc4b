package dev.tellmej.device;

import dev.tellmej.accel.protocol.DebugTaps;
import dev.tellmej.accel.protocol.Instruction;
import dev.tellmej.accel.protocol.Opcode;
import dev.tellmej.model.config.ModelConfig;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The debug area one call wrote ({@link DebugTaps}' layout: the area header, then the records), read back from a
 * device, or written by the reference device with {@link Writer}. Two devices' areas are equal byte for byte
 * when the devices agree at every instruction.
 */
public final class DebugArea {
    private final ByteBuffer bytes;
    private final List<Tap> taps;
    private final int dropped;

    /**
     * One record: instruction {@code instruction}'s output for the chunk starting at the call's token
     * {@code firstToken}.
     *
     * @param values {@code tokens x elements} binary32 values, token-major (little-endian, read-only)
     */
    public record Tap(int instruction, int firstToken, int tokens, int elements, ByteBuffer values) {
        /** The raw bits of value {@code element} of vector {@code token}. */
        public int bits(int token, int element) {
            return values.getInt(4 * (token * elements + element));
        }
    }

    private DebugArea(ByteBuffer bytes) {
        this.bytes = bytes.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer b = this.bytes;
        long used = Integer.toUnsignedLong(b.getInt(DebugTaps.USED));
        int records = b.getInt(DebugTaps.RECORDS);
        this.dropped = b.getInt(DebugTaps.DROPPED);
        if (DebugTaps.HEADER_BYTES + used > b.capacity()) {
            throw new IllegalArgumentException("a debug area that says it used " + used + " bytes of records, but"
                    + " holds " + (b.capacity() - DebugTaps.HEADER_BYTES));
        }
        List<Tap> list = new ArrayList<>(records);
        int at = DebugTaps.HEADER_BYTES;
        for (int r = 0; r < records; r++) {
            int tokens = b.getInt(at + DebugTaps.RECORD_TOKENS);
            int elements = b.getInt(at + DebugTaps.RECORD_ELEMENTS);
            long size = DebugTaps.recordBytes(tokens, elements);
            if (at + size > DebugTaps.HEADER_BYTES + used) {
                throw new IllegalArgumentException("debug record " + r + " at byte " + at + " (" + tokens + " x "
                        + elements + " values) runs past the " + used + " bytes the area says it used");
            }
            ByteBuffer values = b.slice(at + DebugTaps.RECORD_HEADER_BYTES, 4 * tokens * elements)
                    .order(ByteOrder.LITTLE_ENDIAN);
            list.add(new Tap(b.getInt(at + DebugTaps.RECORD_INSTRUCTION), b.getInt(at + DebugTaps.RECORD_FIRST_TOKEN),
                    tokens, elements, values));
            at += (int) size;
        }
        this.taps = List.copyOf(list);
    }

    /** Reads an area: its header, then the {@code used} bytes of records the header announces. */
    public static DebugArea of(ByteBuffer bytes) {
        return new DebugArea(bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN));
    }

    /** The records, in execution order. */
    public List<Tap> taps() {
        return taps;
    }

    /** Records the kernel could not fit (the rest of the call's). */
    public int dropped() {
        return dropped;
    }

    /** The area's bytes: its header and the records it used (not the unused tail). */
    public ByteBuffer bytes() {
        return bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Bytes of a debug area that holds every record of a call of {@code callTokens} tokens of {@code program} run
     * in chunks of {@code chunkTokens}, header included.
     */
    public static long bytesFor(List<Instruction> program, ModelConfig model, int chunkTokens, int callTokens) {
        long total = DebugTaps.HEADER_BYTES;
        for (int from = 0; from < callTokens; from += chunkTokens) {
            int tokens = Math.min(chunkTokens, callTokens - from);
            boolean last = from + tokens == callTokens;
            int heads = 0;
            int headDim = 0;
            for (Instruction in : program) {
                int elements = switch (in.opcode()) {
                    case SETUP -> {
                        heads = in.getInt("heads");
                        headDim = in.getInt("head_dim");
                        yield -1;
                    }
                    case EMBED -> in.getInt("dim");
                    case QUANTIZE -> in.getInt("length") + 1;
                    case LINEAR -> in.getInt("rows");
                    case ATTENTION -> heads * headDim;
                    case LM_HEAD -> last ? in.getInt("rows") : -1;
                    case END, BARRIER -> -1;
                };
                if (elements >= 0) {
                    total += DebugTaps.recordBytes(in.opcode() == Opcode.LM_HEAD ? 1 : tokens, elements);
                }
                if (in.opcode() == Opcode.END) {
                    break;
                }
            }
        }
        return total;
    }

    /** Writes an area as the kernel does: records while they fit, then counts the dropped ones. */
    static final class Writer {
        private final int capacity;
        private ByteBuffer out;
        private int records;
        private int used;
        private int dropped;

        /** An area of {@code capacity} bytes (header included; at least the header). */
        Writer(int capacity) {
            if (capacity < DebugTaps.HEADER_BYTES) {
                throw new IllegalArgumentException("a debug area needs at least its " + DebugTaps.HEADER_BYTES
                        + "-byte header, got " + capacity);
            }
            this.capacity = capacity;
            // Grown as records come: a cross-check gives each call room for a whole context's records.
            out = ByteBuffer.allocate(Math.min(capacity, 1 << 16)).order(ByteOrder.LITTLE_ENDIAN);
        }

        /** The values of one vector, element by element. */
        interface Values {
            float get(int token, int element);
        }

        /** Adds a record of {@code tokens x elements} values, or counts it dropped when it does not fit. */
        void add(int instruction, int firstToken, int tokens, int elements, Values values) {
            long size = DebugTaps.recordBytes(tokens, elements);
            if (dropped > 0 || DebugTaps.HEADER_BYTES + used + size > capacity) {
                dropped++;
                return;
            }
            int at = DebugTaps.HEADER_BYTES + used;
            if (at + size > out.capacity()) {
                int grown = (int) Math.min(capacity, Math.max(2L * out.capacity(), at + size));
                out = ByteBuffer.allocate(grown).order(ByteOrder.LITTLE_ENDIAN).put(out.clear()).clear();
            }
            out.putInt(at + DebugTaps.RECORD_INSTRUCTION, instruction);
            out.putInt(at + DebugTaps.RECORD_FIRST_TOKEN, firstToken);
            out.putInt(at + DebugTaps.RECORD_TOKENS, tokens);
            out.putInt(at + DebugTaps.RECORD_ELEMENTS, elements);
            int v = at + DebugTaps.RECORD_HEADER_BYTES;
            for (int j = 0; j < tokens; j++) {
                for (int e = 0; e < elements; e++) {
                    out.putInt(v, Float.floatToRawIntBits(values.get(j, e)));
                    v += 4;
                }
            }
            // The padding stays 0: the buffer was zero when allocated (or grown) and every byte is written once.
            used += (int) size;
            records++;
        }

        /** The area: header and records. */
        DebugArea finish() {
            out.putInt(DebugTaps.CAPACITY, capacity);
            out.putInt(DebugTaps.RECORDS, records);
            out.putInt(DebugTaps.USED, used);
            out.putInt(DebugTaps.DROPPED, dropped);
            return DebugArea.of(out.slice(0, DebugTaps.HEADER_BYTES + used));
        }
    }
}
