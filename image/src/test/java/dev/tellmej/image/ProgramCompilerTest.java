package dev.tellmej.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.protocol.Epilogue;
import dev.tellmej.accel.protocol.Field;
import dev.tellmej.accel.protocol.FieldKind;
import dev.tellmej.accel.protocol.Instruction;
import dev.tellmej.accel.protocol.OnChipBuffer;
import dev.tellmej.accel.protocol.Opcode;
import dev.tellmej.model.config.Activation;
import dev.tellmej.model.config.ModelConfig;
import dev.tellmej.model.config.RopeStyle;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProgramCompilerTest {
    private static final AcceleratorConfig SIM = AcceleratorConfig.simSmall();

    /** A distinct scale per linear, so that a scale given to the wrong instruction shows. */
    private static Map<String, Float> scales(ImagePlan plan) {
        Map<String, Float> scales = new HashMap<>();
        for (Section s : plan.sections()) {
            if (s.kind() == SectionKind.TERNARY_LINEAR) {
                scales.put(s.name(), 0.01f * (scales.size() + 1));
            }
        }
        return scales;
    }

    @Test
    void llamaProgram() {
        ModelConfig m = TestShapes.llama();
        ImagePlan plan = ImagePlan.of(SIM, m, 48);
        List<Instruction> p = ProgramCompiler.compile(plan, scales(plan));
        checkCommon(plan, p);
        Instruction setup = p.getFirst();
        assertFalse(setup.getFlag("rope_adjacent"), "LLaMA pairs (i, i + head_dim/2)");
        for (Instruction in : p) {
            if (in.opcode() == Opcode.LINEAR) {
                assertFalse(in.getFlag("relu2"), "SiLU: no instruction has the ReLU² flag: " + in);
            }
            if (in.opcode() == Opcode.QUANTIZE && in.getBuffer("src") != OnChipBuffer.RESIDUAL) {
                assertFalse(in.getFlag("norm"), "no sub-norm before o and down: " + in);
                assertEquals(0, in.get("gain"));
            }
        }
    }

    @Test
    void bitnetProgram() {
        ModelConfig m = TestShapes.bitnet();
        ImagePlan plan = ImagePlan.of(SIM, m, 48);
        List<Instruction> p = ProgramCompiler.compile(plan, scales(plan));
        checkCommon(plan, p);
        assertTrue(p.getFirst().getFlag("rope_adjacent"), "BitNet pairs (2i, 2i+1)");
        int subNorms = 0;
        int gateUps = 0;
        for (int i = 0; i < p.size(); i++) {
            Instruction in = p.get(i);
            if (in.opcode() == Opcode.LINEAR) {
                boolean gateUp = in.getEpilogue("epilogue") == Epilogue.GATE_UP;
                assertEquals(gateUp, in.getFlag("relu2"), "ReLU² on GATE_UP only: " + in);
                gateUps += gateUp ? 1 : 0;
            }
            if (in.opcode() == Opcode.QUANTIZE && in.getBuffer("src") != OnChipBuffer.RESIDUAL) {
                int layer = (i - 2) / 13;
                String gain = in.getBuffer("src") == OnChipBuffer.ATTENTION ? LayerTensor.ATTN_SUB_NORM.sectionName(layer)
                        : LayerTensor.FFN_SUB_NORM.sectionName(layer);
                assertTrue(in.getFlag("norm"), "the sub-norm is the norm flag of the quantize before o and down: " + in);
                assertEquals(plan.section(gain).offset(), in.get("gain"), "instruction " + i + " reads " + gain);
                assertEquals(m.rmsEps(), in.getFloat("eps"));
                subNorms++;
            }
        }
        assertEquals(2 * m.layers(), subNorms);
        assertEquals(m.layers(), gateUps);
    }

    /** Count, order, model registers, and every address at the start of a section of the kind it reads. */
    private static void checkCommon(ImagePlan plan, List<Instruction> p) {
        ModelConfig m = plan.model();
        assertEquals(5 + 13 * m.layers(), p.size());
        assertEquals(ProgramCompiler.instructionCount(m), p.size());
        Instruction setup = p.getFirst();
        assertEquals(Opcode.SETUP, setup.opcode());
        assertEquals(m.headDim(), setup.get("head_dim"));
        assertEquals(m.heads(), setup.get("heads"));
        assertEquals(m.kvHeads(), setup.get("kv_heads"));
        assertEquals(plan.context(), setup.get("context"));
        assertEquals(Opcode.EMBED, p.get(1).opcode());
        assertEquals(Opcode.LM_HEAD, p.get(p.size() - 2).opcode());
        assertEquals(Opcode.END, p.getLast().opcode());

        Map<Long, Section> byOffset = new HashMap<>();
        plan.sections().forEach(s -> byOffset.put(s.offset(), s));
        Map<String, Float> scales = scales(plan);
        int linears = 0;
        for (int i = 0; i < p.size(); i++) {
            Instruction in = p.get(i);
            for (Field f : in.opcode().fields()) {
                if (f.kind() != FieldKind.IMAGE_OFFSET || in.opcode() == Opcode.QUANTIZE && !in.getFlag("norm")) {
                    continue;
                }
                Section s = byOffset.get(in.get(f.name()));
                assertNotNull(s, "instruction " + i + " " + f.name() + " is the start of a section: " + in);
                SectionKind expected = switch (in.opcode()) {
                    case SETUP -> SectionKind.ROPE_TABLE;
                    case EMBED -> SectionKind.EMBEDDING;
                    case QUANTIZE -> SectionKind.NORM_GAIN;
                    case LINEAR -> SectionKind.TERNARY_LINEAR;
                    case LM_HEAD -> f.name().equals("weights") ? SectionKind.LM_HEAD_WEIGHTS : SectionKind.LM_HEAD_SCALES;
                    default -> throw new AssertionError(in.opcode() + " has no address");
                };
                assertEquals(expected, s.kind(), "instruction " + i + " " + f.name() + " points at " + s.name());
            }
            if (in.opcode() == Opcode.LINEAR) {
                String section = byOffset.get(in.get("weights")).name();
                assertEquals(scales.get(section), in.getFloat("scale"), "instruction " + i + " has its matrix's scale");
                assertEquals(Integer.parseInt(section.split("\\.")[1]), in.get("layer"));
                linears++;
            }
            if (in.opcode() == Opcode.ATTENTION) {
                assertEquals((float) (1 / Math.sqrt(m.headDim())), in.getFloat("score_scale"));
            }
        }
        assertEquals(7 * m.layers(), linears);
        assertEquals(scales.size(), linears, "every matrix is used once");
    }

    @Test
    void aMissingScaleOrASubNormOfTheWrongWidthIsRefused() {
        ImagePlan plan = ImagePlan.of(SIM, TestShapes.llama(), 8);
        Map<String, Float> scales = scales(plan);
        scales.remove("blk.1.ffn_up");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProgramCompiler.compile(plan, scales));
        assertTrue(e.getMessage().contains("blk.1.ffn_up"), e.getMessage());

        ModelConfig wide = new ModelConfig("bitnet", 64, 1, 8, 8, 16, 96, 300, 64, 10000f, 1e-5f, RopeStyle.ADJACENT,
                Activation.RELU2, true, true); // 8 x 16 = 128 != 64
        ImagePlan widePlan = ImagePlan.of(SIM, wide, 8);
        e = assertThrows(IllegalArgumentException.class, () -> ProgramCompiler.compile(widePlan, scales(widePlan)));
        assertTrue(e.getMessage().contains("sub-norms") && e.getMessage().contains("128"), e.getMessage());
    }
}
