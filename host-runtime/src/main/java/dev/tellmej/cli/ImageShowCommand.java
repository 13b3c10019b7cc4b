package dev.tellmej.cli;

import dev.tellmej.accel.protocol.Instruction;
import dev.tellmej.image.ImageFormat;
import dev.tellmej.image.ImageHeader;
import dev.tellmej.image.MalformedImageException;
import dev.tellmej.image.MemoryImage;
import dev.tellmej.image.Section;
import dev.tellmej.image.WrongConfigurationException;
import dev.tellmej.model.config.ModelConfig;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tellme image show FILE}: the header and the sections of a memory image, verified. */
@Command(name = "show", description = "Verify a memory image and print its header and sections (and with"
        + " --program its program).")
final class ImageShowCommand implements Callable<Integer>, PrintsJson {
    /**
     * What {@code --json} prints.
     *
     * @param file          the image
     * @param formatVersion its format version
     * @param config        the build it was packed for
     * @param configHash    that build's hash (hex)
     * @param model         where the model came from
     * @param architecture  the model's architecture
     * @param dim           hidden size
     * @param layers        decoder blocks
     * @param heads         query heads
     * @param kvHeads       key/value heads
     * @param headDim       elements per head
     * @param ffn           FFN size
     * @param vocab         vocabulary size
     * @param context       KV-cache positions
     * @param imageBytes    bytes of the file
     * @param kvCacheBytes  bytes of the KV cache the host allocates
     * @param ioBytes       bytes of the I/O region the host allocates
     * @param programOffset byte offset of the program
     * @param instructions  instruction words of the program
     * @param sections      the section table
     * @param program       the program as text, one instruction a line (with --program; else empty)
     */
    record Description(String file, int formatVersion, String config, String configHash, String model,
                       String architecture, int dim, int layers, int heads, int kvHeads, int headDim, int ffn,
                       int vocab, int context, long imageBytes, long kvCacheBytes, long ioBytes, long programOffset,
                       int instructions, List<SectionRow> sections, List<String> program) {}

    /**
     * One section.
     *
     * @param name   its name
     * @param kind   what it holds
     * @param offset byte offset
     * @param size   bytes
     * @param crc32c its CRC-32C (hex)
     */
    record SectionRow(String name, String kind, long offset, long size, String crc32c) {}

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    JsonOption json;

    @Parameters(index = "0", paramLabel = "FILE", description = "the memory image (.tlmi)")
    Path file;

    @Option(names = "--program", description = "also list the program, one instruction a line")
    boolean listProgram;

    @Override
    public List<Class<? extends Record>> jsonRecords() {
        return List.of(Description.class, SectionRow.class);
    }

    @Override
    public Integer call() {
        if (!Files.isRegularFile(file)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "image file not found: " + file);
        }
        Description d;
        try (MemoryImage image = MemoryImage.open(file)) {
            d = describe(image);
        } catch (MalformedImageException | WrongConfigurationException e) {
            throw new CommandFailedException(e.getMessage(), "Repack the model: tellme pack MODEL --config NAME -o FILE");
        } catch (UncheckedIOException e) {
            throw new CommandFailedException(e.getMessage(), "Check the file's path and permissions.");
        }
        if (json.enabled()) {
            json.print(d);
            return 0;
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "%s: TeLLMe-J memory image, format %d, %,d bytes, verified%n", d.file(),
                d.formatVersion(), d.imageBytes());
        out.printf(Locale.ROOT, "  build     %s (hash %s...)%n", d.config(), d.configHash().substring(0, 16));
        out.printf(Locale.ROOT, "  model     %s: %s, dim %d, %d layers, %d heads / %d KV heads of %d, FFN %d,"
                + " vocabulary %d%n", d.model(), d.architecture(), d.dim(), d.layers(), d.heads(), d.kvHeads(),
                d.headDim(), d.ffn(), d.vocab());
        out.printf(Locale.ROOT, "  context   %,d positions: KV cache %,d bytes, I/O region %,d bytes%n", d.context(),
                d.kvCacheBytes(), d.ioBytes());
        out.printf(Locale.ROOT, "  program   %d instructions at 0x%x%n", d.instructions(), d.programOffset());
        out.println();
        int nameWidth = d.sections().stream().mapToInt(s -> s.name().length()).max().orElse(4);
        out.printf(Locale.ROOT, "  %-" + nameWidth + "s  %-15s  %12s  %13s  %s%n", "section", "kind", "offset", "bytes",
                "crc32c");
        for (SectionRow s : d.sections()) {
            out.printf(Locale.ROOT, "  %-" + nameWidth + "s  %-15s  %12s  %,13d  %s%n", s.name(), s.kind(),
                    "0x" + Long.toHexString(s.offset()), s.size(), s.crc32c());
        }
        if (listProgram) {
            out.println();
            for (int i = 0; i < d.program().size(); i++) {
                out.printf(Locale.ROOT, "  %4d  %s%n", i, d.program().get(i));
            }
        }
        out.flush();
        return 0;
    }

    private Description describe(MemoryImage image) {
        ImageHeader h = image.header();
        ModelConfig m = h.model();
        List<SectionRow> rows = h.sections().stream().map(ImageShowCommand::row).toList();
        List<String> program = listProgram ? image.program().stream().map(Instruction::toString).toList() : List.of();
        return new Description(file.toString(), ImageFormat.VERSION, h.configName(), h.configHashHex(), h.modelName(),
                m.architecture(), m.dim(), m.layers(), m.heads(), m.kvHeads(), m.headDim(), m.ffnDim(), m.vocabSize(),
                h.context(), h.imageBytes(), h.kvCacheBytes(), h.ioBytes(), h.programOffset(), h.programInstructions(),
                rows, program);
    }

    private static SectionRow row(Section s) {
        return new SectionRow(s.name(), s.kind().name().toLowerCase(Locale.ROOT), s.offset(), s.size(),
                String.format(Locale.ROOT, "%08x", s.crc32c()));
    }
}
