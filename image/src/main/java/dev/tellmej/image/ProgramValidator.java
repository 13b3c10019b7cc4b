package dev.tellmej.image;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.protocol.Field;
import dev.tellmej.accel.protocol.FieldKind;
import dev.tellmej.accel.protocol.Instruction;
import dev.tellmej.accel.protocol.Opcode;
import dev.tellmej.accel.tlmm.TlmmLayout;
import dev.tellmej.model.config.ModelConfig;
import java.nio.file.Path;
import java.util.List;

/**
 * Checks a program against its image before anything runs it: it starts with SETUP and ends with its only END,
 * every buffer and epilogue id exists, every size is within the build's maxima and the model's shape, and every
 * address field points at the start of a section of the right kind and size. A device can then execute it
 * without range checks of its own beyond the call's (token ids, context).
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
