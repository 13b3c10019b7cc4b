package dev.tellmej.image;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.protocol.Instruction;
import dev.tellmej.accel.protocol.UnknownOpcodeException;
import dev.tellmej.model.MappedFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A memory image mapped read-only and verified: its header, every section's CRC-32C, the build it was packed
 * for, and its program (every instruction decodes and addresses the sections it should), and that its parts
 * agree: the section table and the program are the ones this tool makes of the header's model. The bytes are what a
 * device loads into DDR; {@link #bytes()} reads them at the offsets the program's address fields hold.
 */
public final class MemoryImage implements AutoCloseable {
    private final Path path;
    private final MemorySegment bytes;
    private final Arena arena;
    private final ImageHeader header;
    private final AcceleratorConfig config;
    private final List<Instruction> program;

    private MemoryImage(Path path, MemorySegment bytes, Arena arena) {
        this.path = path;
        this.bytes = bytes;
        this.arena = arena;
        long size = bytes.byteSize();
        ByteBuffer fixed = ByteBuffer.allocate(ImageFormat.FIXED_BYTES);
        MemorySegment.copy(bytes, 0, MemorySegment.ofBuffer(fixed), 0, Math.min(size, ImageFormat.FIXED_BYTES));
        this.header = ImageHeader.decode(path, size, fixed,
                (offset, out, outOffset, length) -> MemorySegment.copy(bytes, ValueLayout.JAVA_BYTE, offset, out,
                        outOffset, length));
        for (Section s : header.sections()) {
            int crc = crc(s);
            if (crc != s.crc32c()) {
                throw new MalformedImageException(path, "section " + s.name(), s.offset(), "its CRC-32C is "
                        + Integer.toHexString(crc) + ", not the " + Integer.toHexString(s.crc32c())
                        + " the table records: the section is corrupt; repack the model");
            }
        }
        this.config = resolveConfig();
        this.program = decodeProgram();
        new ProgramValidator(path, header, config).check(program);
    }

    /**
     * Maps and verifies the image at {@code path}.
     *
     * @throws MalformedImageException    when it is truncated, corrupt or out of range (naming the field)
     * @throws WrongConfigurationException when it was packed for a build this tool does not have
     */
    public static MemoryImage open(Path path) {
        return MappedFile.open(path, (p, mapping, arena) -> new MemoryImage(p, mapping, arena));
    }

    private int crc(Section s) {
        CRC32C crc = new CRC32C();
        long chunk = 1 << 20;
        for (long at = s.offset(); at < s.end(); at += chunk) {
            crc.update(bytes.asSlice(at, Math.min(chunk, s.end() - at)).asByteBuffer());
        }
        return (int) crc.getValue();
    }

    private AcceleratorConfig resolveConfig() {
        AcceleratorConfig named;
        try {
            named = AcceleratorConfig.named(header.configName());
        } catch (IllegalArgumentException e) {
            throw new WrongConfigurationException(path + " was packed for accelerator build '" + header.configName()
                    + "', which this tool does not have (" + e.getMessage() + ")");
        }
        if (!Arrays.equals(named.hash(), header.configHash())) {
            throw new WrongConfigurationException(path + " was packed for a build '" + header.configName()
                    + "' whose parameters differ from this tool's (configuration hash " + header.configHashHex()
                    + "); repack the model with 'tellme pack MODEL --config " + header.configName() + "'");
        }
        return named;
    }

    private List<Instruction> decodeProgram() {
        Section s = header.sections().stream().filter(x -> x.kind() == SectionKind.PROGRAM).findFirst()
                .orElseThrow(() -> new MalformedImageException(path, "program", ImageFormat.PROGRAM_OFFSET_AT,
                        "the image has no program section"));
        long words = (long) header.programInstructions() * Instruction.BYTES;
        if (s.offset() != header.programOffset() || s.size() != words) {
            throw new MalformedImageException(path, "program", ImageFormat.PROGRAM_OFFSET_AT, "the header places "
                    + header.programInstructions() + " instructions at byte " + header.programOffset()
                    + " but the program section is " + s.size() + " bytes at byte " + s.offset());
        }
        byte[] raw = bytes.asSlice(s.offset(), words).toArray(ValueLayout.JAVA_BYTE);
        List<Instruction> out = new ArrayList<>();
        for (int i = 0; i < header.programInstructions(); i++) {
            try {
                out.add(Instruction.decode(raw, i * Instruction.BYTES));
            } catch (UnknownOpcodeException e) {
                throw new MalformedImageException(path, "program instruction " + i,
                        s.offset() + (long) i * Instruction.BYTES, e.getMessage());
            }
        }
        return List.copyOf(out);
    }

    public Path path() {
        return path;
    }

    public ImageHeader header() {
        return header;
    }

    /** The build the image was packed for (it matches this tool's build of that name). */
    public AcceleratorConfig config() {
        return config;
    }

    /** The decoded program. */
    public List<Instruction> program() {
        return program;
    }

    /** The whole image, read-only. */
    public MemorySegment bytes() {
        return bytes;
    }

    /** {@code length} bytes at image offset {@code offset}, little-endian. */
    public ByteBuffer slice(long offset, long length) {
        return bytes.asSlice(offset, length).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Unmaps the file. */
    @Override
    public void close() {
        arena.close();
    }
}
