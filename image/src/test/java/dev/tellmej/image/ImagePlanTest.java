package dev.tellmej.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.protocol.Instruction;
import dev.tellmej.accel.tlmm.TlmmLayout;
import dev.tellmej.model.config.ModelConfig;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ImagePlanTest {
    private static final AcceleratorConfig SIM = AcceleratorConfig.simSmall();

    @Test
    void sectionsAreAlignedInOrderAndDoNotOverlap() {
        for (ModelConfig model : List.of(TestShapes.llama(), TestShapes.bitnet())) {
            ImagePlan plan = ImagePlan.of(SIM, model, 64);
            List<Section> sections = plan.sections();
            long firstFree = ImageFormat.headerBytes(sections.size());
            Set<String> names = new HashSet<>();
            for (Section s : sections) {
                assertEquals(0, s.offset() % ImageFormat.ALIGNMENT, s.name() + " is 4 KB aligned");
                assertTrue(s.offset() >= firstFree, s.name() + " starts after the header and the previous section");
                assertTrue(s.size() > 0, s.name() + " is not empty");
                assertTrue(names.add(s.name()), s.name() + " appears once");
                firstFree = s.end();
            }
            assertEquals(sections.getLast().end(), plan.imageBytes(), "the image ends with its last section");
            assertEquals(ImageFormat.align(ImageFormat.headerBytes(sections.size())), sections.getFirst().offset(),
                    "the first section follows the header directly");
        }
    }

    @Test
    void sizesFollowTheShape() {
        ModelConfig m = TestShapes.llama();
        ImagePlan plan = ImagePlan.of(SIM, m, 40);
        assertEquals(SectionKind.PROGRAM, plan.sections().getFirst().kind(), "the program comes first");
        assertEquals((long) ProgramCompiler.instructionCount(m) * Instruction.BYTES, plan.section("program").size());
        assertEquals(40L * m.headDim() * 4, plan.section("rope").size(), "cos and sin, binary32, per position");
        assertEquals((long) m.vocabSize() * m.dim() * 2, plan.section("token_embd").size(), "fp16 rows");
        assertEquals((long) m.vocabSize() * m.dim(), plan.section("lm_head.weights").size(), "int8 rows");
        assertEquals(4L * m.vocabSize(), plan.section("lm_head.scales").size());
        assertEquals(2L * m.dim(), plan.section("output_norm").size());
        assertEquals(2L * m.dim(), plan.section("blk.1.ffn_norm").size(), "the FFN norm's gain has the hidden size");
        assertEquals(new TlmmLayout(SIM.tlmmConfig(), m.ffnDim(), m.dim()).imageBytes(),
                plan.section("blk.1.ffn_gate").size());
        assertEquals(new TlmmLayout(SIM.tlmmConfig(), m.dim(), m.ffnDim()).imageBytes(),
                plan.section("blk.1.ffn_down").size());
        assertEquals(new TlmmLayout(SIM.tlmmConfig(), m.kvDim(), m.dim()).imageBytes(),
                plan.section("blk.0.attn_k").size());
        // 6 outside the layers, 9 per LLaMA layer (no sub-norms).
        assertEquals(6 + 9 * m.layers(), plan.sections().size());
        assertThrows(IllegalArgumentException.class, () -> plan.section("blk.0.attn_sub_norm"));
    }

    @Test
    void bitnetHasItsSubNormsAndTheLayersComeInTensorOrder() {
        ModelConfig m = TestShapes.bitnet();
        ImagePlan plan = ImagePlan.of(SIM, m, 16);
        assertEquals(6 + 11 * m.layers(), plan.sections().size());
        assertEquals(2L * m.dim(), plan.section("blk.2.attn_sub_norm").size());
        assertEquals(2L * m.ffnDim(), plan.section("blk.2.ffn_sub_norm").size());
        List<String> names = plan.sections().stream().map(Section::name).toList();
        assertEquals(List.of("program", "rope", "token_embd", "lm_head.weights", "lm_head.scales", "output_norm",
                "blk.0.attn_norm", "blk.0.attn_q", "blk.0.attn_k", "blk.0.attn_v", "blk.0.attn_sub_norm",
                "blk.0.attn_output", "blk.0.ffn_norm", "blk.0.ffn_gate", "blk.0.ffn_up", "blk.0.ffn_sub_norm",
                "blk.0.ffn_down"), names.subList(0, 17));
        assertFalse(names.contains("output"), "a tied model still gets its own int8 LM head section");
    }

    @Test
    void theContextOnlyChangesTheRopeTable() {
        ModelConfig m = TestShapes.bitnet();
        ImagePlan small = ImagePlan.of(SIM, m, 8);
        ImagePlan large = ImagePlan.of(SIM, m, 512);
        for (int i = 0; i < small.sections().size(); i++) {
            Section a = small.sections().get(i);
            Section b = large.sections().get(i);
            assertEquals(a.name(), b.name());
            if (!a.name().equals("rope")) {
                assertEquals(a.size(), b.size(), a.name());
            }
        }
        assertEquals(512L * m.headDim() * 4, large.section("rope").size());
    }
}
