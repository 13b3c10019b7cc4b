package dev.tellmej.device;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.config.ModelDoesNotFitException;
import dev.tellmej.accel.protocol.Field;
import dev.tellmej.accel.protocol.FieldKind;
import dev.tellmej.accel.protocol.Instruction;
import dev.tellmej.accel.protocol.Opcode;
import dev.tellmej.image.ImageFormat;
import dev.tellmej.image.ImagePacker;
import dev.tellmej.image.ImageSurgery;
import dev.tellmej.image.MalformedImageException;
import dev.tellmej.image.MemoryImage;
import dev.tellmej.image.Section;
import dev.tellmej.image.TokenizerSection;
import dev.tellmej.image.WrongConfigurationException;
import dev.tellmej.model.EmbeddedModel;
import dev.tellmej.model.gguf.GgufFile;
import dev.tellmej.model.inference.WeightLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutations of a real memory image (the embedded student packed for sim-small): bit flips anywhere,
 * truncation, insertion and deletion of bytes, and edits that re-seal the checksums so that they reach the checks
 * behind them (header fields and bytes, section-table entries, program fields and words). Every mutated image is
 * refused with a {@link MalformedImageException}, {@link WrongConfigurationException} or
 * {@link ModelDoesNotFitException} that says what is wrong, or it opens and the reference device computes logits
 * bit-identical to the unmutated image's. Any other throwable, a hang or other logits fails, naming the mutation
 * and its seed (mutation {@code i} uses seed {@code SEED + i} alone, so it replays by itself).
 *
 * <p>A LINEAR's weight scale lives only in its program word: a re-sealed change to another plausible scale is
 * another model, not a corrupt image, and no reader can tell. So the fuzzer sets a scale only to values no weight
 * scale has (zero, subnormal, negative, infinite, NaN), which the reader must refuse.
 */
class ImageFuzzTest {
    private static final long SEED = 0x1_3A6E_F022L;
    private static final int MUTATIONS = 5000;
    private static final int CONTEXT = 32;
    private static final int[] PROMPT = {1, 400, 7, 88};
    private static final long TIMEOUT_SECONDS = 10;
    private static final long[] EXTREMES = {0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, Long.MAX_VALUE,
        Long.MIN_VALUE, 0xFFFFFFFFL, 1L << 32};

    /** Fixed header fields the fuzzer overwrites: name, offset, bytes. */
    private record HeaderField(String name, int at, int width) {}

    private static final List<HeaderField> HEADER_FIELDS = List.of(
            new HeaderField("magic", ImageFormat.MAGIC_AT, 4),
            new HeaderField("version", ImageFormat.VERSION_AT, 4),
            new HeaderField("header bytes", ImageFormat.HEADER_BYTES_AT, 4),
            new HeaderField("image bytes", ImageFormat.IMAGE_BYTES_AT, 8),
            new HeaderField("section count", ImageFormat.SECTION_COUNT_AT, 4),
            new HeaderField("program offset", ImageFormat.PROGRAM_OFFSET_AT, 4),
            new HeaderField("program instructions", ImageFormat.PROGRAM_INSTRUCTIONS_AT, 4),
            new HeaderField("context", ImageFormat.CONTEXT_AT, 4),
            new HeaderField("KV-cache bytes", ImageFormat.KV_CACHE_BYTES_AT, 8),
            new HeaderField("I/O bytes", ImageFormat.IO_BYTES_AT, 8),
            new HeaderField("debug bytes", ImageFormat.DEBUG_BYTES_AT, 8),
            new HeaderField("dim", ImageFormat.DIMS_AT, 4),
            new HeaderField("layers", ImageFormat.DIMS_AT + 4, 4),
            new HeaderField("heads", ImageFormat.DIMS_AT + 8, 4),
            new HeaderField("kv_heads", ImageFormat.DIMS_AT + 12, 4),
            new HeaderField("head_dim", ImageFormat.DIMS_AT + 16, 4),
            new HeaderField("ffn", ImageFormat.DIMS_AT + 20, 4),
            new HeaderField("vocab", ImageFormat.DIMS_AT + 24, 4),
            new HeaderField("trained context", ImageFormat.DIMS_AT + 28, 4),
            new HeaderField("rope theta", ImageFormat.ROPE_THETA_AT, 4),
            new HeaderField("rms eps", ImageFormat.RMS_EPS_AT, 4),
            new HeaderField("rope adjacent", ImageFormat.ROPE_ADJACENT_AT, 1),
            new HeaderField("relu2", ImageFormat.RELU2_AT, 1),
            new HeaderField("sub norms", ImageFormat.SUB_NORMS_AT, 1),
            new HeaderField("tied", ImageFormat.TIED_AT, 1));

    /** Section-table entry fields: name, offset in the entry, bytes. */
    private static final List<HeaderField> ENTRY_FIELDS = List.of(
            new HeaderField("name", 0, 1),
            new HeaderField("kind", ImageSurgery.ENTRY_KIND, 4),
            new HeaderField("crc", ImageSurgery.ENTRY_CRC, 4),
            new HeaderField("offset", ImageSurgery.ENTRY_OFFSET, 8),
            new HeaderField("size", ImageSurgery.ENTRY_SIZE, 8));

    @TempDir
    Path dir;

    private enum Outcome { REFUSED_MALFORMED, REFUSED_CONFIGURATION, REFUSED_DOES_NOT_FIT, RAN_IDENTICALLY }

    /** A mutated image and what was done to it. */
    private record Mutation(String kind, String what, byte[] bytes) {}

    @Test
    void mutatedImagesAreRefusedOrRunToTheSameLogits() throws IOException, InterruptedException {
        Path original = dir.resolve("student.tlmi");
        try (GgufFile gguf = GgufFile.open(EmbeddedModel.STORIES_260K_TERNARY.extractTo(dir))) {
            ImagePacker.pack(WeightLoader.gguf(gguf), gguf, "student", AcceleratorConfig.simSmall(), CONTEXT,
                    original, false, ImagePacker.Progress.NONE); // with its tokenizer, as 'tellme pack' writes it
        }
        byte[] image = Files.readAllBytes(original);
        float[] reference = logits(original);
        ImageSurgery pristine = new ImageSurgery(image);

        Map<String, int[]> tally = new TreeMap<>(); // kind -> count per Outcome
        List<String> failures = new ArrayList<>();
        int unchanged = 0;
        ExecutorService runner = runner();
        long start = System.nanoTime();
        try {
            for (int i = 0; i < MUTATIONS; i++) {
                long seed = SEED + i;
                Mutation m = mutate(pristine, new SplittableRandom(seed));
                if (Arrays.equals(m.bytes, image)) {
                    unchanged++; // an edit that wrote the value already there tests nothing
                    continue;
                }
                String label = "mutation " + i + " (seed " + seed + ", " + m.kind + ": " + m.what + ")";
                Path file = dir.resolve("fuzz-" + i + ".tlmi");
                Files.write(file, m.bytes);
                Future<Outcome> result = runner.submit(() -> outcome(file, reference, label));
                try {
                    Outcome o = result.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    tally.computeIfAbsent(m.kind, k -> new int[Outcome.values().length])[o.ordinal()]++;
                    Files.delete(file);
                } catch (TimeoutException e) {
                    failures.add(label + " did not finish in " + TIMEOUT_SECONDS + " s");
                    runner.shutdownNow(); // its thread may never return; the next mutation gets a new one
                    runner = runner();
                } catch (ExecutionException e) {
                    failures.add(e.getCause() instanceof AssertionError a ? a.getMessage()
                            : label + " threw " + stackTop(e.getCause()));
                }
            }
        } finally {
            runner.shutdownNow();
        }
        if (!failures.isEmpty()) {
            throw new AssertionError(failures.size() + " of " + MUTATIONS + " mutated images were neither refused"
                    + " clearly nor run to the same logits:\n  " + String.join("\n  ",
                    failures.subList(0, Math.min(failures.size(), 40))));
        }
        int[] total = new int[Outcome.values().length];
        StringBuilder kinds = new StringBuilder();
        tally.forEach((kind, counts) -> {
            for (int k = 0; k < counts.length; k++) {
                total[k] += counts[k];
            }
            kinds.append(String.format("%n  %-16s %5d refused, %5d ran identically", kind,
                    counts[0] + counts[1] + counts[2], counts[3]));
        });
        System.out.printf("image fuzz: %d mutations in %.1f s: %d refused as malformed, %d for another build,"
                        + " %d as too large for it, %d ran to identical logits, %d left the image as it was"
                        + " (seed %d)%s%n", MUTATIONS, (System.nanoTime() - start) / 1e9, total[0], total[1],
                total[2], total[3], unchanged, SEED, kinds);
        assertTrue(total[0] > MUTATIONS / 2, "most mutations should be refused");
        assertTrue(total[3] > 0, "some mutations (padding, metadata) should run identically");
    }

    private static ExecutorService runner() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "image-fuzz");
            t.setDaemon(true); // a hung mutation must not keep the JVM alive
            return t;
        });
    }

    /** The throwable and where it was thrown. */
    private static String stackTop(Throwable e) {
        StackTraceElement[] trace = e.getStackTrace();
        return e + (trace.length == 0 ? "" : " at " + trace[0]);
    }

    /** Opens and runs the mutated image; a refusal must say what is wrong, a run must match bit for bit. */
    private static Outcome outcome(Path file, float[] reference, String label) {
        float[] logits;
        try {
            logits = logits(file);
        } catch (MalformedImageException e) {
            assertTrue(e.getMessage().startsWith(file.toString()) && !e.field().isBlank(),
                    label + ": the refusal does not name the file and the field: " + e.getMessage());
            return Outcome.REFUSED_MALFORMED;
        } catch (WrongConfigurationException e) {
            assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains("build"),
                    label + ": the refusal does not name the file and the build: " + e.getMessage());
            return Outcome.REFUSED_CONFIGURATION;
        } catch (ModelDoesNotFitException e) {
            assertTrue(!e.exceeded().isEmpty() && e.getMessage().contains(e.configuration()),
                    label + ": the refusal does not name the exceeded maximum: " + e.getMessage());
            return Outcome.REFUSED_DOES_NOT_FIT;
        }
        for (int v = 0; v < reference.length; v++) {
            if (Float.floatToRawIntBits(logits[v]) != Float.floatToRawIntBits(reference[v])) {
                throw new AssertionError(label + " opened, but logit " + v + " is " + logits[v] + ", not "
                        + reference[v]);
            }
        }
        return Outcome.RAN_IDENTICALLY;
    }

    private static float[] logits(Path file) {
        try (MemoryImage image = MemoryImage.open(file); ReferenceDevice device = ReferenceDevice.on(image, 1)) {
            TokenizerSection.read(image);
            return device.prefill(PROMPT);
        }
    }

    private static Mutation mutate(ImageSurgery pristine, SplittableRandom r) {
        byte[] bytes = pristine.bytes();
        ImageSurgery s = new ImageSurgery(bytes);
        long headerBytes = ImageFormat.headerBytes(s.sectionCount());
        return switch (r.nextInt(10)) {
            case 0, 1 -> {
                // Flips anywhere, one time in two inside the header or the program, where they matter most.
                int flips = 1 + r.nextInt(3);
                StringBuilder what = new StringBuilder();
                long programEnd = s.programWordAt(s.programInstructions());
                for (int f = 0; f < flips; f++) {
                    long at = r.nextBoolean() ? r.nextLong(bytes.length)
                            : r.nextBoolean() ? r.nextLong(headerBytes) : r.nextLong(s.programWordAt(0), programEnd);
                    int bit = r.nextInt(8);
                    s.flip(at, bit);
                    what.append(f == 0 ? "" : ", ").append("byte ").append(at).append(" bit ").append(bit);
                }
                yield new Mutation("bit flips", what.toString(), s.bytes());
            }
            case 2 -> {
                int length = r.nextInt(bytes.length);
                yield new Mutation("truncation", "to " + length + " bytes", Arrays.copyOf(bytes, length));
            }
            case 3 -> {
                int at = r.nextInt(bytes.length + 1);
                byte[] inserted = new byte[1 + r.nextInt(64)];
                if (r.nextBoolean()) {
                    r.nextBytes(inserted);
                }
                byte[] out = new byte[bytes.length + inserted.length];
                System.arraycopy(bytes, 0, out, 0, at);
                System.arraycopy(inserted, 0, out, at, inserted.length);
                System.arraycopy(bytes, at, out, at + inserted.length, bytes.length - at);
                yield new Mutation("insertion", inserted.length + " bytes at " + at, out);
            }
            case 4 -> {
                int length = 1 + r.nextInt(64);
                int at = r.nextInt(bytes.length - length + 1);
                byte[] out = new byte[bytes.length - length];
                System.arraycopy(bytes, 0, out, 0, at);
                System.arraycopy(bytes, at + length, out, at, bytes.length - at - length);
                yield new Mutation("deletion", length + " bytes at " + at, out);
            }
            case 5 -> {
                HeaderField f = HEADER_FIELDS.get(r.nextInt(HEADER_FIELDS.size()));
                long current = f.width == 8 ? s.headerLong(f.at) : s.headerInt(f.at);
                long value = masked(extreme(r, current), f.width);
                s.put(f.at, f.width, value).sealHeader();
                yield new Mutation("header field", f.name + " = " + value, s.bytes());
            }
            case 6 -> {
                // Any byte of the header (names, hash, reserved bytes, the table), re-sealed.
                long at = r.nextLong(headerBytes);
                int value = r.nextInt(256);
                s.putByte(at, value).sealHeader();
                yield new Mutation("header byte", "byte " + at + " = " + value, s.bytes());
            }
            case 7 -> {
                int entry = r.nextInt(s.sectionCount());
                Section section = s.section(entry);
                HeaderField f = ENTRY_FIELDS.get(r.nextInt(ENTRY_FIELDS.size()));
                if (f.name.equals("name")) {
                    // One character of the name: another letter, a zero (a shorter name) or a byte outside ASCII.
                    int at = ImageSurgery.entryAt(entry) + r.nextInt(ImageFormat.SECTION_NAME_BYTES);
                    int value = switch (r.nextInt(3)) {
                        case 0 -> 'a' + r.nextInt(26);
                        case 1 -> 0;
                        default -> r.nextInt(256);
                    };
                    s.putByte(at, value).sealHeader();
                    yield new Mutation("section entry", section.name() + ".name byte " + at + " = " + value,
                            s.bytes());
                }
                int at = ImageSurgery.entryAt(entry) + f.at;
                long current = switch (f.name) {
                    case "offset" -> section.offset();
                    case "size" -> section.size();
                    case "crc" -> section.crc32c();
                    default -> s.headerInt(at);
                };
                long value = masked(r.nextInt(4) == 0 ? current + (r.nextBoolean() ? 1 : -1) * ImageFormat.ALIGNMENT
                        : extreme(r, current), f.width);
                s.put(at, f.width, value).sealHeader();
                yield new Mutation("section entry", section.name() + "." + f.name + " = " + value, s.bytes());
            }
            default -> {
                int index = r.nextInt(s.programInstructions());
                Instruction in = s.instruction(index);
                if (r.nextInt(5) == 0) {
                    // A whole word replaced by another one of the program (a misplaced or repeated instruction).
                    int from = r.nextInt(s.programInstructions());
                    s.setInstruction(index, s.instruction(from)).sealProgram();
                    yield new Mutation("program word", "word " + index + " = word " + from, s.bytes());
                }
                List<Field> fields = in.opcode().fields();
                int pick = r.nextInt(fields.size() + 1);
                if (pick == fields.size()) {
                    long value = extreme(r, in.opcode().code()) & 0xFF;
                    s.setProgramBits(index, 0, Opcode.OPCODE_BITS, value).sealProgram();
                    yield new Mutation("program field", "word " + index + " " + in.opcode() + ".opcode = " + value,
                            s.bytes());
                }
                Field f = fields.get(pick);
                boolean weightScale = in.opcode() == Opcode.LINEAR && f.name().equals("scale");
                long value = (weightScale ? EXTREMES[r.nextInt(EXTREMES.length)] : extreme(r, in.get(f.name())))
                        & f.maxValue();
                if (weightScale && r.nextBoolean()) {
                    long[] unlike = {Float.floatToRawIntBits(Float.POSITIVE_INFINITY),
                        Float.floatToRawIntBits(-in.getFloat("scale")), Float.floatToRawIntBits(Float.MIN_NORMAL / 2)};
                    value = unlike[r.nextInt(unlike.length)] & f.maxValue();
                }
                s.setProgramField(index, f, value).sealProgram();
                String shown = f.kind() == FieldKind.FLOAT32 ? value + " (" + Float.intBitsToFloat((int) value) + ")"
                        : Long.toString(value);
                yield new Mutation("program field", "word " + index + " " + in.opcode() + "." + f.name() + " = "
                        + shown, s.bytes());
            }
        };
    }

    /** The value the low {@code width} bytes of {@code value} hold, as the reader sees them. */
    private static long masked(long value, int width) {
        return switch (width) {
            case 1 -> value & 0xFF;
            case 4 -> (int) value;
            default -> value;
        };
    }

    /** An extreme value, or one next to {@code current} (an off-by-one). */
    private static long extreme(SplittableRandom r, long current) {
        return switch (r.nextInt(4)) {
            case 0 -> current + 1;
            case 1 -> current - 1;
            default -> EXTREMES[r.nextInt(EXTREMES.length)];
        };
    }
}
