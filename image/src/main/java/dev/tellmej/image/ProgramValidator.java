package dev.tellmej.image;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.protocol.Epilogue;
import dev.tellmej.accel.protocol.Field;
import dev.tellmej.accel.protocol.FieldKind;
import dev.tellmej.accel.protocol.Instruction;
import dev.tellmej.accel.protocol.IoRegion;
import dev.tellmej.accel.protocol.KvCacheLayout;
import dev.tellmej.accel.protocol.OnChipBuffer;
import dev.tellmej.accel.protocol.Opcode;
import dev.tellmej.accel.tlmm.TlmmLayout;
import dev.tellmej.model.config.ModelConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a program against its image before anything runs it: it starts with SETUP and ends with its only END,
 * every buffer and epilogue id exists, every size is within the build's maxima and the model's shape, and every
 * address field points at the start of a section of the right kind and size. A device can then execute it
 * without range checks of its own beyond the call's (token ids, context).
 *
 * <p>Then it checks that the image is the one this tool makes of the header's model: the section table is the
 * {@link ImagePlan}'s, the KV-cache and I/O sizes are the model's, and the program is the {@link ProgramCompiler}'s
 * word for word. The checksums catch corruption; this catches an image whose parts disagree although each is
 * sealed (a packer bug, a hand edit), which would otherwise run and compute another model's logits, or index
 * past a buffer sized from the header. The one value with no second copy is a linear's weight scale: it must be
 * a positive normal binary32, as every BitNet scale is.
 */
final class ProgramValidator {
    private final Path path;
    private final ImageHeader header;
    private final AcceleratorConfig config;
    private final ModelConfig model;

    ProgramValidator(Path path, ImageHeader header, AcceleratorConfig config) {
        this.path = path;
        this.header = header;
        this.config = config;
        this.model = header.model();
    }

    void check(List<Instruction> program) {
        config.checkFits(header.modelName(), model);
        if (header.context() > config.limits().context()) {
            throw new MalformedImageException(path, "context", ImageFormat.CONTEXT_AT, header.context()
                    + " positions, more than build " + config.name() + " addresses (" + config.limits().context() + ")");
        }
        ImagePlan plan = plan();
        checkSections(plan);
        checkRegions();
        List<Instruction> expected = expectedProgram(plan); // as long as the program: the table is the plan
        for (int i = 0; i < program.size(); i++) {
            Instruction in = program.get(i);
            Site site = new Site(i, in);
            if (i == 0 && in.opcode() != Opcode.SETUP) {
                throw site.fail("opcode", "the program must start with SETUP, not " + in.opcode());
            }
            if ((in.opcode() == Opcode.END) != (i == program.size() - 1)) {
                throw site.fail("opcode", "END must be the program's last instruction, and only there");
            }
            for (Field f : in.opcode().fields()) {
                if (f.kind() == FieldKind.BUFFER && in.getBuffer(f.name()) == null
                        || f.kind() == FieldKind.EPILOGUE && in.getEpilogue(f.name()) == null) {
                    throw site.fail(f.name(), "id " + in.get(f.name()) + " names no " + f.kind().name().toLowerCase());
                }
                if (f.kind() == FieldKind.FLOAT32 && !Float.isFinite(in.getFloat(f.name()))) {
                    throw site.fail(f.name(), "is " + in.getFloat(f.name()) + ", not a finite number");
                }
            }
            switch (in.opcode()) {
                case SETUP -> {
                    site.equal("head_dim", model.headDim());
                    site.equal("heads", model.heads());
                    site.equal("kv_heads", model.kvHeads());
                    site.equal("context", header.context());
                    site.section("rope_table", SectionKind.ROPE_TABLE, (long) header.context() * model.headDim() * 4);
                }
                case EMBED -> {
                    site.equal("dim", model.dim());
                    site.equal("vocab", model.vocabSize());
                    site.section("table", SectionKind.EMBEDDING, (long) model.vocabSize() * model.dim() * 2);
                }
                case QUANTIZE -> {
                    long length = site.range("length", 1, config.limits().maxLinearInputs());
                    if (in.getFlag("norm")) {
                        site.section("gain", SectionKind.NORM_GAIN, length * 2);
                    }
                }
                case LINEAR -> {
                    site.range("layer", 0, model.layers() - 1);
                    long rows = site.range("rows", 1, Math.max(config.limits().ffn(), config.limits().maxLinearInputs()));
                    long cols = site.range("cols", 1, config.limits().maxLinearInputs());
                    site.section("weights", SectionKind.TERNARY_LINEAR,
                            new TlmmLayout(config.tlmmConfig(), (int) rows, (int) cols).imageBytes());
                }
                case ATTENTION -> site.range("layer", 0, model.layers() - 1);
                case LM_HEAD -> {
                    site.equal("cols", model.dim());
                    site.equal("rows", model.vocabSize());
                    site.section("weights", SectionKind.LM_HEAD_WEIGHTS, (long) model.vocabSize() * model.dim());
                    site.section("row_scales", SectionKind.LM_HEAD_SCALES, 4L * model.vocabSize());
                }
                case BARRIER, END -> { }
            }
            site.matches(expected.get(i), plan);
        }
    }

    /**
     * The image layout of the header's model (with a tokenizer section of the size the table's gives, if it has
     * one); a shape the compiler cannot lay out is a malformed header.
     */
    private ImagePlan plan() {
        long tokenizerBytes = header.sections().stream().filter(s -> s.kind() == SectionKind.TOKENIZER)
                .mapToLong(Section::size).findFirst().orElse(0);
        try {
            return ImagePlan.of(config, model, header.context(), tokenizerBytes);
        } catch (RuntimeException e) { // the TLMM layout's refusal of a matrix shape, whatever its type
            throw new MalformedImageException(path, "model dimensions", ImageFormat.DIMS_AT, "the header's model ("
                    + model + ") has no image layout for build " + config.name() + ": " + e.getMessage());
        }
    }

    /** The table must be the plan: the same sections, in the same places, of the same sizes. */
    private void checkSections(ImagePlan plan) {
        List<Section> table = header.sections();
        List<Section> planned = plan.sections();
        if (table.size() != planned.size()) {
            throw new MalformedImageException(path, "section count", ImageFormat.SECTION_COUNT_AT, "is "
                    + table.size() + ", but an image of the header's model for build " + config.name() + " has "
                    + planned.size() + " sections: the header's model and its sections disagree; repack the model");
        }
        for (int i = 0; i < table.size(); i++) {
            Section s = table.get(i);
            Section p = planned.get(i);
            if (!s.name().equals(p.name()) || s.kind() != p.kind() || s.offset() != p.offset()
                    || s.size() != p.size()) {
                throw new MalformedImageException(path, "section " + i + " (" + s.name() + ")",
                        ImageFormat.FIXED_BYTES + (long) ImageFormat.ENTRY_BYTES * i, "is " + describe(s)
                        + ", but an image of the header's model for build " + config.name() + " has " + describe(p)
                        + " there: the header's model and its sections disagree; repack the model");
            }
        }
    }

    private static String describe(Section s) {
        return s.name() + " (" + s.kind() + ", " + s.size() + " bytes at byte " + s.offset() + ")";
    }

    /** The regions the host allocates from the header must be the ones the program uses. */
    private void checkRegions() {
        long kv = new KvCacheLayout(model.layers(), model.kvHeads(), model.headDim(), header.context(), 2).totalBytes();
        if (header.kvCacheBytes() != kv) {
            throw new MalformedImageException(path, "KV-cache bytes", ImageFormat.KV_CACHE_BYTES_AT, "is "
                    + header.kvCacheBytes() + ", but the KV cache of this model with a context of " + header.context()
                    + " positions takes " + kv + " bytes");
        }
        long io = new IoRegion(header.context(), model.vocabSize()).totalBytes();
        if (header.ioBytes() != io) {
            throw new MalformedImageException(path, "I/O bytes", ImageFormat.IO_BYTES_AT, "is " + header.ioBytes()
                    + ", but the I/O region of this model with a context of " + header.context() + " positions takes "
                    + io + " bytes");
        }
    }

    /** The compiler's program for the plan; the weight scales are placeholders ({@link Site#matches} skips them). */
    private List<Instruction> expectedProgram(ImagePlan plan) {
        Map<String, Float> scales = new HashMap<>();
        for (Section s : plan.sections()) {
            if (s.kind() == SectionKind.TERNARY_LINEAR) {
                scales.put(s.name(), 1f);
            }
        }
        try {
            return ProgramCompiler.compile(plan, scales);
        } catch (IllegalArgumentException e) {
            throw new MalformedImageException(path, "model dimensions", ImageFormat.DIMS_AT, "the header's model ("
                    + model + ") has no program: " + e.getMessage());
        }
    }

    /** One instruction being checked; failures name it and its byte offset. */
    private final class Site {
        private final int index;
        private final Instruction in;

        Site(int index, Instruction in) {
            this.index = index;
            this.in = in;
        }

        MalformedImageException fail(String field, String problem) {
            return new MalformedImageException(path, "program instruction " + index + " (" + in.opcode() + " "
                    + field + ")", header.programOffset() + (long) index * Instruction.BYTES, problem);
        }

        /** Every field as the compiler writes it; a weight scale only has to be a positive normal number. */
        void matches(Instruction expected, ImagePlan plan) {
            if (in.opcode() != expected.opcode()) {
                throw fail("opcode", "is " + in.opcode() + ", but instruction " + index + " of this model's program is "
                        + expected.opcode() + ": the program does not match the header's model; repack the model");
            }
            for (Field f : in.opcode().fields()) {
                if (in.opcode() == Opcode.LINEAR && f.name().equals("scale")) {
                    float scale = in.getFloat("scale");
                    if (!(scale >= Float.MIN_NORMAL)) {
                        throw fail("scale", "is " + scale + ", but a weight scale is a positive normal number");
                    }
                } else if (in.get(f.name()) != expected.get(f.name())) {
                    throw fail(f.name(), "is " + show(f, in.get(f.name()), plan) + ", but this model's program has "
                            + show(f, expected.get(f.name()), plan) + ": the program does not match the header's"
                            + " model; repack the model");
                }
            }
        }

        private static String show(Field f, long value, ImagePlan plan) {
            return switch (f.kind()) {
                case FLOAT32 -> Float.toString(Float.intBitsToFloat((int) value));
                case IMAGE_OFFSET -> "0x" + Long.toHexString(value) + plan.sections().stream()
                        .filter(s -> s.offset() == value).map(s -> " (" + s.name() + ")").findFirst().orElse("");
                case BUFFER -> OnChipBuffer.ofId(value) == null ? Long.toString(value) : OnChipBuffer.ofId(value).name();
                case EPILOGUE -> Epilogue.ofId(value) == null ? Long.toString(value) : Epilogue.ofId(value).name();
                case UNSIGNED, FLAG -> Long.toString(value);
            };
        }

        void equal(String field, long expected) {
            if (in.get(field) != expected) {
                throw fail(field, "is " + in.get(field) + ", but the header says " + expected);
            }
        }

        long range(String field, long min, long max) {
            long v = in.get(field);
            if (v < min || v > max) {
                throw fail(field, "is " + v + ", outside " + min + ".." + max + " (the model and build " + config.name()
                        + ")");
            }
            return v;
        }

        void section(String field, SectionKind kind, long size) {
            long offset = in.get(field);
            for (Section s : header.sections()) {
                if (s.offset() == offset) {
                    if (s.kind() != kind || s.size() != size) {
                        throw fail(field, "points at section " + s.name() + " (" + s.kind() + ", " + s.size()
                                + " bytes), not at a " + kind + " of " + size + " bytes");
                    }
                    return;
                }
            }
            throw fail(field, "0x" + Long.toHexString(offset) + " is the start of no section");
        }
    }
}
