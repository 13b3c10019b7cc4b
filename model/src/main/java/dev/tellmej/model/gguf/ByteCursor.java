package dev.tellmej.model.gguf;

import dev.tellmej.model.MalformedModelException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Little-endian reads from a mapped file that check every access against the file's size first, so a
 * damaged header ends in a {@link MalformedModelException} naming the field and offset, never in an
 * index exception or a huge allocation.
 */
final class ByteCursor {
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Longest metadata string accepted (16 MiB; chat templates and names are far shorter). */
    static final long MAX_STRING = 1L << 24;

    private final Path file;
    private final MemorySegment data;
    private long position;

    ByteCursor(Path file, MemorySegment data) {
        this.file = file;
        this.data = data;
    }

    long position() {
        return position;
    }

    long remaining() {
        return data.byteSize() - position;
    }

    MalformedModelException malformed(String field, long offset, String problem) {
        return new MalformedModelException(file, field, offset, problem);
    }

    private void need(long bytes, String field) {
        if (bytes < 0 || bytes > remaining()) {
            throw malformed(field, position, "needs " + (bytes < 0 ? "an impossible number of" : bytes)
                    + " bytes but the file ends " + remaining() + " bytes later (truncated?)");
        }
    }

    byte u8raw(String field) {
        need(1, field);
        return data.get(ValueLayout.JAVA_BYTE, position++);
    }

    short i16(String field) {
        need(2, field);
        short v = data.get(I16, position);
        position += 2;
        return v;
    }

    int i32(String field) {
        need(4, field);
        int v = data.get(I32, position);
        position += 4;
        return v;
    }

    long i64(String field) {
        need(8, field);
        long v = data.get(I64, position);
        position += 8;
        return v;
    }

    /** A u64 that is a count or size: negative (above 2^63) is malformed. */
    long count(String field, long maxAllowed) {
        long at = position;
        long v = i64(field);
        if (v < 0 || v > maxAllowed) {
            throw malformed(field, at, "value " + Long.toUnsignedString(v) + " is out of range (at most "
                    + maxAllowed + " fits in the " + remaining() + " bytes left; truncated or corrupt?)");
        }
        return v;
    }

    /**
     * A GGUF string: u64 length then UTF-8 bytes. A vocabulary holds tens of thousands of them, read before the
     * first token, so the usual case costs no more than the bytes' copy and decoding: the field's name for an error
     * message is only put together when there is an error.
     */
    String string(String field) {
        long at = position;
        long length = remaining() >= 8 ? data.get(I64, position) : -1;
        if (length < 0 || length > remaining() - 8) {
            count(field + " length", remaining() - 8); // throws, naming the field
        }
        position += 8;
        if (length > MAX_STRING) {
            throw malformed(field, at, "string length " + length + " is absurd (at most " + MAX_STRING + " bytes)");
        }
        byte[] bytes = new byte[(int) length];
        MemorySegment.copy(data, ValueLayout.JAVA_BYTE, position, bytes, 0, bytes.length);
        position += length;
        // The lenient decoder replaces every malformed sequence with U+FFFD, so a result without one is the strict
        // decoding; only a string that holds U+FFFD is decoded again strictly, to tell a real one from an error.
        String lenient = new String(bytes, StandardCharsets.UTF_8);
        if (lenient.indexOf('\uFFFD') < 0) {
            return lenient;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw malformed(field, at, "string is not valid UTF-8");
        }
    }

    void seek(long newPosition, String field) {
        if (newPosition < 0 || newPosition > data.byteSize()) {
            throw malformed(field, position, "offset " + newPosition + " is outside the file (" + data.byteSize()
                    + " bytes)");
        }
        position = newPosition;
    }
}
