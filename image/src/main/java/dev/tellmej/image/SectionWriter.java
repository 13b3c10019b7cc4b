package dev.tellmej.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Writes planned sections into an image file at their planned offsets, each with its CRC-32C, checking that
 * every section gets exactly its planned size.
 */
final class SectionWriter {
    private final FileChannel channel;
    private final Path path;
    private final List<Section> written = new ArrayList<>();

    SectionWriter(FileChannel channel, Path path) {
        this.channel = channel;
        this.path = path;
    }

    /** Writes {@code contents} (position to limit) as section {@code planned}. */
    Section write(Section planned, ByteBuffer contents) {
        if (contents.remaining() != planned.size()) {
            throw new IllegalStateException("section " + planned.name() + " has " + contents.remaining()
                    + " bytes, planned " + planned.size());
        }
        CRC32C crc = new CRC32C();
        crc.update(contents.duplicate());
        try {
            long at = planned.offset();
            while (contents.hasRemaining()) {
                at += channel.write(contents, at);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path + ": " + e.getMessage(), e);
        }
        Section done = new Section(planned.name(), planned.kind(), planned.offset(), planned.size(),
                (int) crc.getValue());
        written.add(done);
        return done;
    }

    /** Writes {@code bytes} at offset 0 (the header). */
    void writeHeader(byte[] bytes) {
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            long at = 0;
            while (b.hasRemaining()) {
                at += channel.write(b, at);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path + ": " + e.getMessage(), e);
        }
    }

    /** The sections written so far. */
    List<Section> written() {
        return written;
    }
}
