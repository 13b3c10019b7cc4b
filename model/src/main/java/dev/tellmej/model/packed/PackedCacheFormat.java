package dev.tellmej.model.packed;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The layout of a packed-weight cache file, little-endian throughout:
 *
 * <pre>
 *   0  magic "TLMJPACK"          8  layout version (u32)     12  header length H (u32, a multiple of 64)
 *  16  entries E (u32)          20  key length K (u32)       24  file length (u64)
 *  32  the key's text (K bytes of UTF-8), then E entries of 32 bytes from 32 + K rounded up to 8:
 *        type (u32)  rows (u32)  cols (u32)  scale (binary32 bits)  offset (u64)  CRC-32C of the data (u32)
 *        reserved (u32, 0)
 *  H-4 CRC-32C of bytes [0, H-4)
 *  H   the arrays, each at its entry's offset (a multiple of 64), in the order of the entries
 * </pre>
 *
 * An entry's byte length follows from its type and shape (and the kernel kind named in the key), so a file whose
 * header checks out cannot make the reader read past its end. Bump {@link #VERSION} whenever this layout, a kernel's
 * tile layout or the LM head's quantization changes: old files are then rewritten, never misread.
 */
final class PackedCacheFormat {
    /** The first bytes of every file this tool writes into the cache (and the mark of the files it may replace). */
    static final byte[] MAGIC = "TLMJPACK".getBytes(StandardCharsets.US_ASCII);
    /** The layout version this build reads and writes. */
    static final int VERSION = 1;
    /** The extension of the cache files. */
    static final String EXTENSION = ".tlpk";
    /** Alignment of the header's end and of every array. */
    static final int ALIGN = 64;
    /** Bytes before the key's text. */
    static final int FIXED = 32;
    /** Bytes of an entry. */
    static final int ENTRY = 32;

    /** A matrix's 16-bit tiles or codes (the Vector API kernels). */
    static final int TILES = 1;
    /** A matrix's byte indices (the scalar kernel). */
    static final int INDICES = 2;
    /** The int8 LM head, rows x cols bytes. */
    static final int HEAD = 3;
    /** The LM head's row scales, rows binary32 values. */
    static final int HEAD_SCALES = 4;

    private PackedCacheFormat() {}

    /**
     * One array of the file.
     *
     * @param type   {@link #TILES}, {@link #INDICES}, {@link #HEAD} or {@link #HEAD_SCALES}
     * @param rows   the matrix's rows (the head's vocabulary)
     * @param cols   the matrix's columns (1 for the head's scales)
     * @param scale  the matrix's weight scale (0 for the head)
     * @param offset where its bytes start in the file
     * @param length its bytes
     * @param crc    CRC-32C of its bytes
     */
    record Entry(int type, int rows, int cols, float scale, long offset, long length, int crc) {}

    /** The header's length for a key of {@code keyBytes} and {@code entries} entries. */
    static int headerLength(int keyBytes, int entries) {
        long end = entriesOffset(keyBytes) + (long) entries * ENTRY + Integer.BYTES;
        return Math.toIntExact(align(end));
    }

    /** Where the entries start. */
    static int entriesOffset(int keyBytes) {
        return Math.toIntExact((FIXED + (long) keyBytes + 7) / 8 * 8);
    }

    /** {@code n} rounded up to {@link #ALIGN}. */
    static long align(long n) {
        return (n + ALIGN - 1) / ALIGN * ALIGN;
    }

    /**
     * True when {@code file} begins with {@link #MAGIC}: a file this tool wrote, which it may replace or delete (no
     * other file ever is).
     */
    static boolean isOurs(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(MAGIC.length), MAGIC);
        } catch (IOException e) {
            return false;
        }
    }
}
