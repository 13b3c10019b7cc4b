package dev.tellmej.host.doctor;

import dev.tellmej.image.ImageFormat;
import dev.tellmej.image.MalformedImageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;

/**
 * What a memory image's header says it was packed for and what it needs, read from the header's fixed part alone
 * (docs/image.md, "Layout"), so that an image of a build this tool no longer has can still be named and matched
 * with an xclbin's manifest. (Opening it, {@code MemoryImage.open}, verifies everything else.)
 *
 * @param path         the file
 * @param configName   the build's name (offset 64)
 * @param configHash   the build's configuration hash, lowercase hex (offset 96)
 * @param modelName    the model it was packed from (offset 128)
 * @param context      KV-cache positions (offset 36)
 * @param imageBytes   the file's length as the header records it (offset 16)
 * @param kvCacheBytes the KV cache the host allocates (offset 40)
 * @param ioBytes      the I/O region the host allocates (offset 48)
 */
public record ImageIdentity(Path path, String configName, String configHash, String modelName, int context,
                            long imageBytes, long kvCacheBytes, long ioBytes) {
    /** Bytes of device memory a run allocates: the image, the KV cache and the I/O region. */
    public long deviceBytes() {
        return imageBytes + kvCacheBytes + ioBytes;
    }

    /**
     * Reads the header of the image at {@code path}.
     *
     * @throws MalformedImageException when the file is shorter than the header, or its magic or format version is
     *                                 not a memory image's
     */
    public static ImageIdentity read(Path path) {
        ByteBuffer fixed = ByteBuffer.allocate(ImageFormat.FIXED_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            while (fixed.hasRemaining() && channel.read(fixed) >= 0) {
                // read the whole fixed header, or up to the end of a short file
            }
        } catch (IOException e) {
            throw new MalformedImageException(path, "header", 0, "cannot be read (" + e.getMessage() + ")");
        }
        if (fixed.hasRemaining()) {
            throw new MalformedImageException(path, "header", fixed.position(), "the file is " + fixed.position()
                    + " bytes, shorter than an image's " + ImageFormat.FIXED_BYTES + "-byte header");
        }
        if (fixed.getInt(ImageFormat.MAGIC_AT) != ImageFormat.MAGIC) {
            throw new MalformedImageException(path, "magic", ImageFormat.MAGIC_AT, "not a memory image (no TLMI magic)");
        }
        if (fixed.getInt(ImageFormat.VERSION_AT) != ImageFormat.VERSION) {
            throw new MalformedImageException(path, "format version", ImageFormat.VERSION_AT, "version "
                    + fixed.getInt(ImageFormat.VERSION_AT) + ", this tool reads " + ImageFormat.VERSION);
        }
        byte[] hash = new byte[ImageFormat.CONFIG_HASH_BYTES];
        fixed.get(ImageFormat.CONFIG_HASH_AT, hash);
        return new ImageIdentity(path, string(fixed, ImageFormat.CONFIG_NAME_AT, ImageFormat.CONFIG_NAME_BYTES),
                HexFormat.of().formatHex(hash), string(fixed, ImageFormat.MODEL_NAME_AT, ImageFormat.MODEL_NAME_BYTES),
                fixed.getInt(ImageFormat.CONTEXT_AT), fixed.getLong(ImageFormat.IMAGE_BYTES_AT),
                fixed.getLong(ImageFormat.KV_CACHE_BYTES_AT), fixed.getLong(ImageFormat.IO_BYTES_AT));
    }

    private static String string(ByteBuffer buffer, int at, int length) {
        byte[] bytes = new byte[length];
        buffer.get(at, bytes);
        int n = 0;
        while (n < length && bytes[n] != 0) {
            n++;
        }
        return new String(bytes, 0, n, StandardCharsets.US_ASCII);
    }
}
