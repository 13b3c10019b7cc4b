package dev.tellmej.image;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.protocol.Instruction;
import dev.tellmej.accel.tlmm.TlmmLayout;
import dev.tellmej.model.config.ModelConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where every section of a model's image goes, decided before a byte is written: the sizes follow from the
 * model's shape and the build, so the program (which holds the addresses) can be compiled first and the
 * tensors streamed after it. Sections are written in this order: program, RoPE table, embedding, LM head
 * weights and scales, output norm, each layer's tensors in {@link LayerTensor} order, and the tokenizer (for
 * the host) when there is one.
 *
 * @param config   the build
 * @param model    the model
 * @param context  KV-cache positions
 * @param sections planned sections (CRC 0), in file order
 */
public record ImagePlan(AcceleratorConfig config, ModelConfig model, int context, List<Section> sections) {
    public static final String PROGRAM = "program";
    public static final String ROPE = "rope";
    public static final String EMBEDDING = "token_embd";
    public static final String LM_HEAD_WEIGHTS = "lm_head.weights";
    public static final String LM_HEAD_SCALES = "lm_head.scales";
    public static final String OUTPUT_NORM = "output_norm";
    public static final String TOKENIZER = "tokenizer";

    public ImagePlan {
        sections = List.copyOf(sections);
    }

    /** Plans the image of {@code model} for {@code config} with a KV cache of {@code context} positions. */
    public static ImagePlan of(AcceleratorConfig config, ModelConfig model, int context) {
        return of(config, model, context, 0);
    }

    /** As {@link #of(AcceleratorConfig, ModelConfig, int)}, with a tokenizer section of that many bytes last (0: none). */
    public static ImagePlan of(AcceleratorConfig config, ModelConfig model, int context, long tokenizerBytes) {
        int storageBytes = 2;
        Map<String, SectionKind> kinds = new LinkedHashMap<>();
        List<long[]> sizes = new ArrayList<>();
        List<String> names = new ArrayList<>();
        add(names, kinds, sizes, PROGRAM, SectionKind.PROGRAM,
                (long) ProgramCompiler.instructionCount(model) * Instruction.BYTES);
        add(names, kinds, sizes, ROPE, SectionKind.ROPE_TABLE, (long) context * model.headDim() * 4);
        add(names, kinds, sizes, EMBEDDING, SectionKind.EMBEDDING, (long) model.vocabSize() * model.dim() * storageBytes);
        add(names, kinds, sizes, LM_HEAD_WEIGHTS, SectionKind.LM_HEAD_WEIGHTS, (long) model.vocabSize() * model.dim());
        add(names, kinds, sizes, LM_HEAD_SCALES, SectionKind.LM_HEAD_SCALES, 4L * model.vocabSize());
        add(names, kinds, sizes, OUTPUT_NORM, SectionKind.NORM_GAIN, (long) model.dim() * storageBytes);
        for (int l = 0; l < model.layers(); l++) {
            for (LayerTensor t : LayerTensor.values()) {
                if (!t.presentIn(model)) {
                    continue;
                }
                long size = t.kind() == SectionKind.NORM_GAIN ? (long) t.rows(model) * storageBytes
                        : new TlmmLayout(config.tlmmConfig(), t.rows(model), t.cols(model)).imageBytes();
                add(names, kinds, sizes, t.sectionName(l), t.kind(), size);
            }
        }
        if (tokenizerBytes > 0) {
            add(names, kinds, sizes, TOKENIZER, SectionKind.TOKENIZER, tokenizerBytes);
        }
        List<Section> sections = new ArrayList<>();
        long offset = ImageFormat.align(ImageFormat.headerBytes(names.size()));
        for (int i = 0; i < names.size(); i++) {
            long size = sizes.get(i)[0];
            sections.add(new Section(names.get(i), kinds.get(names.get(i)), offset, size, 0));
            offset = ImageFormat.align(offset + size);
        }
        return new ImagePlan(config, model, context, sections);
    }

    private static void add(List<String> names, Map<String, SectionKind> kinds, List<long[]> sizes, String name,
                            SectionKind kind, long size) {
        names.add(name);
        kinds.put(name, kind);
        sizes.add(new long[] {size});
    }

    /** The planned section called {@code name}. */
    public Section section(String name) {
        for (Section s : sections) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("the image of this model has no section '" + name + "'");
    }

    /** Bytes of every section's contents together (what a pack writes besides the header). */
    public long contentBytes() {
        return sections.stream().mapToLong(Section::size).sum();
    }

    /** Bytes of the whole image: the last section's end (its padding is not written). */
    public long imageBytes() {
        return sections.getLast().end();
    }
}
