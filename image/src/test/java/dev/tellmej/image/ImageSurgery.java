package dev.tellmej.image;

import static dev.tellmej.image.ImageFormat.ENTRY_BYTES;
import static dev.tellmej.image.ImageFormat.FIXED_BYTES;
import static dev.tellmej.image.ImageFormat.HEADER_CRC_AT;
import static dev.tellmej.image.ImageFormat.PROGRAM_OFFSET_AT;
import static dev.tellmej.image.ImageFormat.SECTION_COUNT_AT;

import dev.tellmej.accel.protocol.Field;
import dev.tellmej.accel.protocol.Instruction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Edits a memory image's bytes the way a buggy packer or a hand edit would, and re-seals the checksums, so that a
 * test reaches the check it means to (the version check, the program check) instead of the CRC in front of it.
 * Works on a copy; the table is read from the bytes on every call (an edit to it is seen at once).
 */
public final class ImageSurgery {
    /** Where a section's fields are inside its table entry. */
    public static final int ENTRY_KIND = 40;
    public static final int ENTRY_CRC = 44;
    public static final int ENTRY_OFFSET = 48;
    public static final int ENTRY_SIZE = 56;

    private final byte[] bytes;
    private final ByteBuffer b;

    public ImageSurgery(byte[] image) {
        this.bytes = image.clone();
        this.b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The image file's bytes, edited. */
    public static ImageSurgery of(Path image) {
        try {
            return new ImageSurgery(Files.readAllBytes(image));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The edited bytes (a copy). */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** Writes the edited bytes to {@code path}, which is returned. */
    public Path writeTo(Path path) {
        try {
            Files.write(path, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return path;
    }

    // ---- header fields (offsets from ImageFormat) ----

    public int headerInt(int at) {
        return b.getInt(at);
    }

    public long headerLong(int at) {
        return b.getLong(at);
    }

    public ImageSurgery putByte(long at, int value) {
        bytes[Math.toIntExact(at)] = (byte) value;
        return this;
    }

    public ImageSurgery putInt(long at, int value) {
        b.putInt(Math.toIntExact(at), value);
        return this;
    }

    public ImageSurgery putLong(long at, long value) {
        b.putLong(Math.toIntExact(at), value);
        return this;
    }

    /** Writes the low {@code width} bytes (1, 2, 4 or 8) of {@code value} at {@code at}, little-endian. */
    public ImageSurgery put(long at, int width, long value) {
        for (int i = 0; i < width; i++) {
            bytes[Math.toIntExact(at + i)] = (byte) (value >>> 8 * i);
        }
        return this;
    }

    /** Flips bit {@code bit} (0..7) of byte {@code at}. */
    public ImageSurgery flip(long at, int bit) {
        bytes[Math.toIntExact(at)] ^= (byte) (1 << bit);
        return this;
    }

    /**
     * Recomputes the header CRC over the header as it now is (over the table its section count gives; when that
     * count is out of range or the table does not fit the file, a reader refuses before the CRC, which is left).
     */
    public ImageSurgery sealHeader() {
        long count = Integer.toUnsignedLong(b.getInt(SECTION_COUNT_AT));
        if (count < 1 || count > ImageFormat.MAX_SECTIONS || ImageFormat.headerBytes(count) > bytes.length) {
            return this;
        }
        byte[] header = Arrays.copyOf(bytes, Math.toIntExact(ImageFormat.headerBytes(count)));
        b.putInt(HEADER_CRC_AT, ImageHeader.crc(header));
        return this;
    }

    // ---- the section table ----

    public int sectionCount() {
        return b.getInt(SECTION_COUNT_AT);
    }

    /** Byte offset of table entry {@code i}. */
    public static int entryAt(int i) {
        return FIXED_BYTES + ENTRY_BYTES * i;
    }

    /** Table entry {@code i} as the bytes hold it (the kind is null when its code names none). */
    public Section section(int i) {
        int at = entryAt(i);
        int end = at;
        while (end < at + ImageFormat.SECTION_NAME_BYTES && bytes[end] != 0) {
            end++;
        }
        return new Section(new String(bytes, at, end - at, StandardCharsets.US_ASCII),
                SectionKind.ofCode(Integer.toUnsignedLong(b.getInt(at + ENTRY_KIND))), b.getLong(at + ENTRY_OFFSET),
                b.getLong(at + ENTRY_SIZE), b.getInt(at + ENTRY_CRC));
    }

    /** Every table entry, in table order. */
    public List<Section> sections() {
        List<Section> out = new ArrayList<>();
        for (int i = 0; i < sectionCount(); i++) {
            out.add(section(i));
        }
        return out;
    }

    /** The table index of section {@code name}. */
    public int sectionIndex(String name) {
        for (int i = 0; i < sectionCount(); i++) {
            if (section(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no section " + name);
    }

    /** Section {@code name}. */
    public Section section(String name) {
        return section(sectionIndex(name));
    }

    /** Recomputes the CRC of table entry {@code i} over its contents, then the header's. */
    public ImageSurgery sealSection(int i) {
        Section s = section(i);
        CRC32C crc = new CRC32C();
        crc.update(bytes, Math.toIntExact(s.offset()), Math.toIntExact(s.size()));
        b.putInt(entryAt(i) + ENTRY_CRC, (int) crc.getValue());
        return sealHeader();
    }

    // ---- the program ----

    /** Byte offset of program word {@code i}. */
    public long programWordAt(int i) {
        return Integer.toUnsignedLong(b.getInt(PROGRAM_OFFSET_AT)) + (long) i * Instruction.BYTES;
    }

    public int programInstructions() {
        return b.getInt(ImageFormat.PROGRAM_INSTRUCTIONS_AT);
    }

    /** Program word {@code i}, decoded. */
    public Instruction instruction(int i) {
        return Instruction.decode(bytes, Math.toIntExact(programWordAt(i)));
    }

    /** Overwrites program word {@code i}. */
    public ImageSurgery setInstruction(int i, Instruction in) {
        in.encode(bytes, Math.toIntExact(programWordAt(i)));
        return this;
    }

    /** Sets the bits of {@code field} in program word {@code i} to the low bits of {@code value}. */
    public ImageSurgery setProgramField(int i, Field field, long value) {
        setProgramBits(i, field.lsb(), field.width(), value);
        return this;
    }

    /** Sets bits {@code lsb .. lsb + width - 1} of program word {@code i} to the low bits of {@code value}. */
    public ImageSurgery setProgramBits(int i, int lsb, int width, long value) {
        long word = programWordAt(i);
        for (int k = 0; k < width; k++) {
            int bit = lsb + k;
            int at = Math.toIntExact(word + bit / 8);
            if ((value >>> k & 1) != 0) {
                bytes[at] |= (byte) (1 << bit % 8);
            } else {
                bytes[at] &= (byte) ~(1 << bit % 8);
            }
        }
        return this;
    }

    /** Recomputes the program section's CRC and the header's. */
    public ImageSurgery sealProgram() {
        long offset = Integer.toUnsignedLong(b.getInt(PROGRAM_OFFSET_AT));
        for (int i = 0; i < sectionCount(); i++) {
            if (section(i).offset() == offset) {
                return sealSection(i);
            }
        }
        throw new IllegalStateException("no section at the program offset " + offset);
    }
}
