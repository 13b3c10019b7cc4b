package dev.tellmej.model.packed;

import dev.tellmej.model.gguf.GgufFile;
import dev.tellmej.model.ternary.TlmmKernel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/**
 * What a packed-weight cache file was made from, all of which must match before it is used: the model file (its
 * real path, size, modification time and file identity, and a fingerprint of its contents: a checksum of the
 * header and tensor table and one of blocks sampled across the tensor data, which catches a file rewritten in place
 * with the same size and time), the cache's layout version, and the kernel kind the matrices are laid out for.
 * The fingerprint is not a cryptographic hash: it guards against mistakes, not against an adversary who can write
 * the model file.
 *
 * @param path        the model file's real path
 * @param size        its size in bytes
 * @param modified    its modification time, nanoseconds since the epoch
 * @param identity    the file system's identity of the file (device and inode on Linux), or "" where there is none
 * @param headerCrc   CRC-32C of the bytes before the tensor data (metadata and tensor table)
 * @param sampleCrc   CRC-32C of {@link #SAMPLES} blocks of {@link #SAMPLE_BYTES} spread over the tensor data
 * @param layout      {@link PackedCacheFormat#VERSION} of the cache's layout
 * @param kind        the kernel kind
 */
public record PackedCacheKey(String path, long size, long modified, String identity, int headerCrc, int sampleCrc,
                             int layout, TlmmKernel.Kind kind) {
    /** Blocks of the tensor data read for the fingerprint. */
    static final int SAMPLES = 64;
    /** Bytes in each sampled block. */
    static final int SAMPLE_BYTES = 4096;

    /**
     * The key of an open GGUF file for a kernel kind.
     *
     * @throws UncheckedIOException when the file's attributes cannot be read
     */
    public static PackedCacheKey of(GgufFile file, TlmmKernel.Kind kind) {
        try {
            Path real = file.path().toRealPath();
            BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class);
            MemorySegment content = file.content();
            long dataOffset = Math.min(file.dataOffset(), content.byteSize());
            return new PackedCacheKey(real.toString(), a.size(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS),
                    a.fileKey() == null ? "" : a.fileKey().toString(), crc(content, 0, dataOffset),
                    samples(content, dataOffset), PackedCacheFormat.VERSION, kind);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the attributes of " + file.path() + ": " + e.getMessage(), e);
        }
    }

    /** The key as one line of text: what a cache file stores and is compared by. */
    public String text() {
        return "tellme-j packed v" + layout + " " + kind + " size=" + size + " mtime=" + modified + " id=" + identity
                + " header=" + Integer.toHexString(headerCrc) + " samples=" + Integer.toHexString(sampleCrc)
                + " path=" + path;
    }

    /** The key's text as stored in a cache file's header. */
    byte[] bytes() {
        return text().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The cache file's name: the model file's name, a checksum of its path (the files of one model file share this
     * prefix, so an outdated one can be found and replaced) and one of the whole key.
     */
    public String fileName() {
        return prefix() + hex(crc(text())) + PackedCacheFormat.EXTENSION;
    }

    /**
     * The part of {@link #fileName} shared by every key of the same model file: its name, reduced to characters safe
     * in a file name and a glob, and a checksum of its path. (Built by hand: {@code String.format} and regular
     * expressions would load and run cold classes on the start-up path.)
     */
    String prefix() {
        String name = Path.of(path).getFileName().toString();
        StringBuilder b = new StringBuilder(name.length() + 10);
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            boolean safe = ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '.'
                    || ch == '_' || ch == '-';
            b.append(safe ? ch : '_');
        }
        return b.append('-').append(hex(crc(path))).append('-').toString();
    }

    /** Eight lower-case hex digits. */
    private static String hex(int v) {
        String h = Integer.toHexString(v);
        return "0".repeat(8 - h.length()) + h;
    }

    private static int crc(String s) {
        CRC32C crc = new CRC32C();
        crc.update(s.getBytes(StandardCharsets.UTF_8));
        return (int) crc.getValue();
    }

    private static int crc(MemorySegment m, long from, long to) {
        CRC32C crc = new CRC32C();
        update(crc, m, from, to - from);
        return (int) crc.getValue();
    }

    /** The sampled blocks: evenly spaced, the first at the start of the data and the last at the end of the file. */
    private static int samples(MemorySegment m, long dataOffset) {
        long data = m.byteSize() - dataOffset;
        CRC32C crc = new CRC32C();
        if (data <= (long) SAMPLES * SAMPLE_BYTES) {
            update(crc, m, dataOffset, data);
        } else {
            long stride = (data - SAMPLE_BYTES) / (SAMPLES - 1);
            for (int i = 0; i < SAMPLES; i++) {
                long at = i == SAMPLES - 1 ? m.byteSize() - SAMPLE_BYTES : dataOffset + i * stride;
                update(crc, m, at, SAMPLE_BYTES);
            }
        }
        return (int) crc.getValue();
    }

    /** CRC-32C over a slice of a segment through a byte buffer view (the JDK checksums those without a copy). */
    static void update(CRC32C crc, MemorySegment m, long from, long length) {
        long chunk = 1 << 30;
        for (long at = from; at < from + length; at += chunk) {
            crc.update(m.asSlice(at, Math.min(chunk, from + length - at)).asByteBuffer());
        }
    }
}
