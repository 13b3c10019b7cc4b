package dev.tellmej.image;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.protocol.Instruction;
import dev.tellmej.accel.protocol.IoRegion;
import dev.tellmej.accel.protocol.KvCacheLayout;
import dev.tellmej.accel.tlmm.TlmmLayout;
import dev.tellmej.accel.tlmm.WeightPacker;
import dev.tellmej.model.config.ModelConfig;
import dev.tellmej.model.gguf.GgufFile;
import dev.tellmej.model.inference.LayerWeights;
import dev.tellmej.model.inference.LmHead;
import dev.tellmej.model.inference.Linear;
import dev.tellmej.model.inference.WeightSource;
import dev.tellmej.model.numerics.StorageFormat;
import dev.tellmej.model.ternary.TernaryMatrix;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the memory image of a model for a build (docs/image.md). It streams: one layer of the model is in
 * memory at a time (plus the embedding), and each section goes to the file as soon as it is made. The file
 * appears under its name only when complete (it is written beside it as {@code NAME.partial} and moved).
 */
public final class ImagePacker {
    /** Rows of the LM head quantized per step (bounds the memory of the int8 copy). */
    private static final int LM_HEAD_ROWS_PER_STEP = 1024;

    /** Told after every section. */
    @FunctionalInterface
    public interface Progress {
        /**
         * @param bytesDone  bytes of sections written so far
         * @param bytesTotal bytes of all sections (reached when the last one is written)
         * @param section    the section just written
         */
        void update(long bytesDone, long bytesTotal, String section);

        /** Says nothing. */
        Progress NONE = (done, total, section) -> {};
    }

    /** What a pack wrote. */
    public record Result(ImageHeader header, long linearWeights, long linearBytes) {
        /** DDR bytes per ternary weight of the linears (padding included). */
        public double linearBytesPerWeight() {
            return (double) linearBytes / linearWeights;
        }
    }

    private ImagePacker() {}

    /**
     * The KV-cache positions an image of {@code model} gets for {@code config} by default: the model's trained
     * context, capped at the build's maximum.
     */
    public static int defaultContext(AcceleratorConfig config, ModelConfig model) {
        return Math.min(model.contextLength(), config.limits().context());
    }

    /**
     * Packs {@code source} into {@code out}.
     *
     * @param modelName where the model came from (its file name; at most 64 ASCII characters are kept)
     * @param context   KV-cache positions, 1 .. the build's maximum context
     * @param replace   true to replace an existing {@code out}; false refuses to
     * @throws UnpackableModelException when a linear is not ternary, or its scale is not a positive normal number
     * @throws dev.tellmej.accel.config.ModelDoesNotFitException when the model exceeds the build's maxima
     */
    public static Result pack(WeightSource source, String modelName, AcceleratorConfig config, int context, Path out,
                              boolean replace, Progress progress) {
        return pack(source, null, modelName, config, context, out, replace, progress);
    }

    /**
     * As {@link #pack(WeightSource, String, AcceleratorConfig, int, Path, boolean, Progress)}, with the tokenizer
     * section made from {@code tokenizer} (a GGUF holding the model's {@code tokenizer.*} metadata; null: none).
     */
    public static Result pack(WeightSource source, GgufFile tokenizer, String modelName, AcceleratorConfig config,
                              int context, Path out, boolean replace, Progress progress) {
        ModelConfig model = source.config();
        config.checkFits(modelName, model);
        if (context < 1 || context > config.limits().context()) {
            throw new IllegalArgumentException("a context of " + context + " positions is outside 1.."
                    + config.limits().context() + ", the KV cache build " + config.name() + " addresses");
        }
        if (!replace && Files.exists(out)) {
            throw new UncheckedIOException(new IOException(out + " exists; choose another name or allow replacing it"));
        }
        byte[] tokenizerBytes = tokenizer == null ? null : TokenizerSection.encode(tokenizer);
        ImagePlan plan = ImagePlan.of(config, model, context, tokenizerBytes == null ? 0 : tokenizerBytes.length);
        Path partial = out.resolveSibling(out.getFileName() + ".partial");
        boolean done = false;
        try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
            Result result = new Packing(source, modelName, plan, new SectionWriter(channel, partial), progress)
                    .run(tokenizerBytes);
            channel.force(true);
            done = true;
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + partial + ": " + e.getMessage(), e);
        } finally {
            try {
                if (done) {
                    Files.move(partial, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } else {
                    Files.deleteIfExists(partial);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot move " + partial + " to " + out + ": " + e.getMessage(), e);
            }
        }
    }

    /** One pack in progress. */
    private static final class Packing {
        private final WeightSource source;
        private final String modelName;
        private final ImagePlan plan;
        private final SectionWriter writer;
        private final Progress progress;
        private final ModelConfig c;
        private final StorageFormat storage;
        private final Map<String, Float> scales = new HashMap<>();
        private long bytesDone;
        private long linearWeights;
        private long linearBytes;

        Packing(WeightSource source, String modelName, ImagePlan plan, SectionWriter writer, Progress progress) {
            this.source = source;
            this.modelName = modelName;
            this.plan = plan;
            this.writer = writer;
            this.progress = progress;
            this.c = plan.model();
            this.storage = plan.config().exact().storage();
        }

        Result run(byte[] tokenizer) {
            write(ImagePlan.ROPE, ropeTable());
            float[] embedding = source.embedding();
            write(ImagePlan.EMBEDDING, stored(embedding));
            float[] output = c.tiedEmbeddings() ? embedding : null;
            embedding = null; // the untied head is read next; let the embedding go first
            if (output == null) {
                output = source.output();
            }
            writeLmHead(output);
            output = null;
            write(ImagePlan.OUTPUT_NORM, stored(source.outputNorm()));
            for (int l = 0; l < c.layers(); l++) {
                LayerWeights w = source.layer(l);
                for (LayerTensor t : LayerTensor.values()) {
                    if (!t.presentIn(c)) {
                        continue;
                    }
                    if (t.kind() == SectionKind.NORM_GAIN) {
                        write(t.sectionName(l), stored(t.gain(w)));
                    } else {
                        writeLinear(t.sectionName(l), t.linear(w));
                    }
                }
            }
            if (tokenizer != null) {
                write(ImagePlan.TOKENIZER, ByteBuffer.wrap(tokenizer));
            }
            List<Instruction> program = ProgramCompiler.compile(plan, scales);
            ByteBuffer words = ByteBuffer.allocate(program.size() * Instruction.BYTES);
            for (int i = 0; i < program.size(); i++) {
                program.get(i).encode(words.array(), i * Instruction.BYTES);
            }
            write(ImagePlan.PROGRAM, words);
            List<Section> sections = new ArrayList<>(writer.written());
            sections.sort((a, b) -> Long.compare(a.offset(), b.offset()));
            Section programSection = plan.section(ImagePlan.PROGRAM);
            ImageHeader header = new ImageHeader(plan.config().name(), plan.config().hash(), ascii(modelName), c,
                    plan.context(), programSection.offset(), program.size(), plan.imageBytes(),
                    new KvCacheLayout(c.layers(), c.kvHeads(), c.headDim(), plan.context(), 2).totalBytes(),
                    new IoRegion(plan.context(), c.vocabSize()).totalBytes(), 0, sections);
            writer.writeHeader(header.encode());
            return new Result(header, linearWeights, linearBytes);
        }

        private void write(String name, ByteBuffer contents) {
            Section s = writer.write(plan.section(name), contents.rewind());
            bytesDone += s.size();
            progress.update(bytesDone, plan.contentBytes(), name);
        }

        private void writeLinear(String name, Linear linear) {
            if (!(linear instanceof Linear.Ternary ternary)) {
                throw new UnpackableModelException(name + " has full-precision weights (" + linear.rows() + " x "
                        + linear.cols() + "), but the accelerator computes ternary linears only: use a BitNet b1.58"
                        + " (ternary) model");
            }
            float scale = ternary.tensor().scale();
            if (!(scale >= Float.MIN_NORMAL && scale <= Float.MAX_VALUE)) {
                throw new UnpackableModelException(name + " has the weight scale " + scale + ", but a ternary linear"
                        + " needs a positive, finite, normal scale (the reader refuses any other as corrupt)");
            }
            TlmmLayout layout = new TlmmLayout(plan.config().tlmmConfig(), linear.rows(), linear.cols());
            byte[] packed = WeightPacker.pack(layout, TernaryMatrix.of(ternary.tensor()));
            scales.put(name, scale);
            linearWeights += (long) linear.rows() * linear.cols();
            linearBytes += packed.length;
            write(name, ByteBuffer.wrap(packed));
        }

        private void writeLmHead(float[] output) {
            int dim = c.dim();
            ByteBuffer weights = ByteBuffer.allocate(Math.multiplyExact(c.vocabSize(), dim));
            ByteBuffer rowScales = ByteBuffer.allocate(4 * c.vocabSize()).order(ByteOrder.LITTLE_ENDIAN);
            for (int r0 = 0; r0 < c.vocabSize(); r0 += LM_HEAD_ROWS_PER_STEP) {
                int r1 = Math.min(c.vocabSize(), r0 + LM_HEAD_ROWS_PER_STEP);
                LmHead rows = LmHead.quantize(Arrays.copyOfRange(output, r0 * dim, r1 * dim), r1 - r0, dim);
                weights.put(rows.weights());
                for (float s : rows.rowScales()) {
                    rowScales.putFloat(s);
                }
            }
            write(ImagePlan.LM_HEAD_WEIGHTS, weights);
            write(ImagePlan.LM_HEAD_SCALES, rowScales);
        }

        /** N14.1: angles in double with StrictMath, each entry rounded to binary32 once. */
        private ByteBuffer ropeTable() {
            int half = c.headDim() / 2;
            ByteBuffer b = ByteBuffer.allocate(plan.context() * half * 8).order(ByteOrder.LITTLE_ENDIAN);
            for (int p = 0; p < plan.context(); p++) {
                for (int i = 0; i < half; i++) {
                    b.putFloat((float) StrictMath.cos(p * freq(i)));
                }
                for (int i = 0; i < half; i++) {
                    b.putFloat((float) StrictMath.sin(p * freq(i)));
                }
            }
            return b;
        }

        private double freq(int i) {
            return StrictMath.pow(c.ropeTheta(), -2.0 * i / c.headDim());
        }

        private ByteBuffer stored(float[] values) {
            ByteBuffer b = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : values) {
                b.putShort(storage.encode(v));
            }
            return b;
        }

        private static String ascii(String name) {
            String clean = name.replaceAll("[^\\x20-\\x7E]", "?");
            return clean.length() <= ImageFormat.MODEL_NAME_BYTES ? clean
                    : clean.substring(clean.length() - ImageFormat.MODEL_NAME_BYTES);
        }
    }
}
