package dev.tellmej.accel.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tellmej.accel.protocol.Instruction;
import dev.tellmej.accel.protocol.Opcode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The analytic model's arithmetic on hand-made costs, and the program cuts it is measured on. */
class KernelCostModelTest {
    /** SETUP, EMBED, {@code layers} x (QUANTIZE, LINEAR, ATTENTION), QUANTIZE, LM_HEAD, END. */
    private static List<Instruction> program(int layers) {
        List<Instruction> p = new ArrayList<>(List.of(Instruction.of(Opcode.SETUP), Instruction.of(Opcode.EMBED)));
        for (int l = 0; l < layers; l++) {
            p.add(Instruction.of(Opcode.QUANTIZE).with("length", 64L + l));
            p.add(Instruction.of(Opcode.LINEAR).with("rows", 64L).with("cols", 64L));
            p.add(Instruction.of(Opcode.ATTENTION).with("layer", (long) l));
        }
        p.addAll(List.of(Instruction.of(Opcode.QUANTIZE), Instruction.of(Opcode.LM_HEAD), Instruction.of(Opcode.END)));
        return p;
    }

    private static KernelCost cycles(double c) {
        return new KernelCost(c, 2 * c, c / 2);
    }

    @Test
    void aCutKeepsThePrologueTheFirstThreeLayersAndTheTail() {
        ProgramCut cut = ProgramCut.of(program(5), 5);
        assertEquals(3, cut.layerLength());
        assertEquals(3, cut.measuredLayers());
        assertEquals(1, cut.repeatedLayer());
        List<Opcode> measured = cut.measured().stream().map(Instruction::opcode).toList();
        assertEquals(List.of(Opcode.SETUP, Opcode.EMBED, Opcode.QUANTIZE, Opcode.LINEAR, Opcode.ATTENTION,
                Opcode.QUANTIZE, Opcode.LINEAR, Opcode.ATTENTION, Opcode.QUANTIZE, Opcode.LINEAR, Opcode.ATTENTION,
                Opcode.QUANTIZE, Opcode.LM_HEAD, Opcode.END), measured);
        assertEquals(14, cut.measuredLength());
        assertEquals(64L, cut.measured().get(2).get("length"), "the first layer's own instructions");
        assertEquals(65L, cut.measured().get(5).get("length"), "then the second's");
        assertEquals(List.of(4, 7, 10), IntStream.range(0, 14).filter(cut::isAttention).boxed().toList());
        assertEquals(12, cut.lmHeadPc());
        assertEquals(13, cut.endPc());
        // In 24 layers the prologue, the first and the last layer and the tail run once, the middle layer's
        // instructions 22 times.
        assertEquals(List.of(1, 1, 1, 1, 1, 22, 22, 22, 1, 1, 1, 1, 1, 1),
                IntStream.range(0, 14).mapToObj(pc -> cut.repeats(pc, 24)).toList());
        assertThrows(IllegalArgumentException.class, () -> cut.repeats(3, 2), "fewer layers than measured");
        assertThrows(IllegalArgumentException.class, () -> cut.repeats(14, 24), "no such instruction");
        assertEquals(List.of(Opcode.SETUP, Opcode.ATTENTION, Opcode.END),
                cut.attentionOnly().stream().map(Instruction::opcode).toList());
        assertEquals(0L, cut.attentionOnly().get(1).get("layer"));
        assertThrows(IllegalArgumentException.class, () -> ProgramCut.of(program(4), 3), "not 3 layers");
        List<Instruction> odd = new ArrayList<>(program(2));
        odd.set(5, Instruction.of(Opcode.BARRIER));
        assertThrows(IllegalArgumentException.class, () -> ProgramCut.of(odd, 2), "layers that differ");
    }

    @Test
    void aModelOfFewerLayersIsMeasuredWholeAndItsLastLayerRepeated() {
        ProgramCut one = ProgramCut.of(program(1), 1);
        assertEquals(1, one.measuredLayers());
        assertEquals(program(1), one.measured());
        assertEquals(List.of(1, 1, 5, 5, 5, 1, 1, 1),
                IntStream.range(0, 8).mapToObj(pc -> one.repeats(pc, 5)).toList());
        ProgramCut two = ProgramCut.of(program(2), 2);
        assertEquals(2, two.measuredLayers());
        assertEquals(1, two.repeatedLayer());
        assertEquals(List.of(1, 1, 1, 1, 1, 4, 4, 4, 1, 1, 1),
                IntStream.range(0, 11).mapToObj(pc -> two.repeats(pc, 5)).toList());
    }

    @Test
    void aFitRecoversALineAndReportsItsResidual() {
        KernelCostModel.Fit line = KernelCostModel.Fit.of(List.of(128, 1024, 2048),
                List.of(cycles(1000 + 3 * 128), cycles(1000 + 3 * 1024), cycles(1000 + 3 * 2048)));
        assertEquals(1000, line.intercept().cycles(), 1e-6);
        assertEquals(3, line.slope().cycles(), 1e-9);
        assertEquals(6, line.slope().bytes(), 1e-9);
        assertEquals(0, line.maxResidual(), 1e-12);
        assertEquals(1000 + 3 * 4096, line.at(4096).cycles(), 1e-6);
        KernelCostModel.Fit bent = KernelCostModel.Fit.of(List.of(0, 1, 2), List.of(cycles(100), cycles(110),
                cycles(100)));
        assertEquals(0, bent.slope().cycles(), 1e-12);
        assertEquals((110 - 310 / 3.0) / 110, bent.maxResidual(), 1e-12);
        assertEquals(500, KernelCostModel.Fit.of(List.of(7), List.of(cycles(500))).at(99).cycles(), 0,
                "one point: flat");
    }

    /**
     * Costs per instruction of the measured program, SETUP .. END: 1, 2, the first layer's 10, 100, (attention),
     * the middle one's 11, 90, (attention), the last one's 12, 95, (attention), then 3, 1000, 5.
     */
    private static KernelCostModel model() {
        ProgramCut cut = ProgramCut.of(program(3), 3);
        // ATTENTION as measured in place: 5 cycles over its decode fit at the measured context 50 (120), 3 over the
        // chunk fit at position 0 (80) and 6 over the decode fit at the one-token chunk's 5 positions (30).
        List<KernelCost> decode = List.of(cycles(1), cycles(2), cycles(10), cycles(100), cycles(125), cycles(11),
                cycles(90), cycles(125), cycles(12), cycles(95), cycles(125), cycles(3), cycles(1000), cycles(5));
        List<KernelCost> chunk = List.of(cycles(1), cycles(4), cycles(40), cycles(400), cycles(83), cycles(44),
                cycles(360), cycles(83), cycles(48), cycles(380), cycles(83), cycles(12), cycles(7), cycles(6));
        List<KernelCost> last = List.of(cycles(1), cycles(2), cycles(10), cycles(100), cycles(36), cycles(11),
                cycles(90), cycles(36), cycles(12), cycles(95), cycles(36), cycles(3), cycles(1000), cycles(50));
        KernelCostModel.Fit decodeAttention = KernelCostModel.Fit.of(List.of(0, 100), List.of(cycles(20),
                cycles(220)));
        KernelCostModel.Fit chunkAttention = KernelCostModel.Fit.of(List.of(0, 100), List.of(cycles(80),
                cycles(880)));
        return new KernelCostModel(cut, 4, 50, decode, chunk, last, cycles(30), cycles(60), decodeAttention,
                chunkAttention);
    }

    @Test
    void attentionIsAsMeasuredMovedAlongItsFit() {
        KernelCostModel m = model();
        assertEquals(125, m.decodeStep(4, 50).cycles(), 1e-9, "at the measured context");
        assertEquals(125 + 2 * 78, m.decodeStep(7, 128).cycles(), 1e-9, "78 positions more");
        assertEquals(100, m.decodeStep(3, 128).cycles(), 1e-9, "other instructions as measured");
    }

    @Test
    void aDecodeIsTheHeadThePrologueEveryLayerAndTheTail() {
        KernelCostModel m = model();
        // head 30; SETUP 1 + EMBED 2; the first layer 10 + 100, 22 middle ones of 11 + 90, the last 12 + 95;
        // 24 x attention (its fit 20 + 2 x 128, and the 5 it took beyond its fit where measured); QUANTIZE 3,
        // LM_HEAD 1000, END 5.
        double expected = 30 + 1 + 2 + (10 + 100) + 22 * (11 + 90) + (12 + 95) + 24 * (20 + 2 * 128 + 5) + 3 + 1000
                + 5;
        assertEquals(expected, m.decodeCall(128, 24).cycles(), 1e-6);
        assertEquals(2 * expected, m.decodeCall(128, 24).bytes(), 1e-6);
        assertEquals(expected / 2, m.decodeCall(128, 24).busyCycles(), 1e-6);
    }

    @Test
    void aPrefillRunsItsChunksAndTheLmHeadOnlyInTheLast() {
        KernelCostModel m = model();
        // 8 tokens: two full chunks at positions 0 and 4; head from 30 (1 token) to 60 (5 tokens): 30 + 30 x 7/4.
        double head = 30 + 30 * 7 / 4.0;
        double body = 1 + 4 + (40 + 400) + (44 + 360) + (48 + 380) + 12;
        double first = body + 3 * (80 + 3) + 7 + 6;                 // the LM head checks, END goes on
        double second = body + 3 * (80 + 8 * 4 + 3) + 1000 + 50;  // the LM head runs, END writes the record
        assertEquals(head + first + second, m.prefillCall(8, 3).cycles(), 1e-6);
        // A last chunk of one token costs the one-token chunk's instructions and decode attention at its position.
        double one = 1 + 2 + (10 + 100) + (11 + 90) + (12 + 95) + 3 + 3 * (20 + 2 * 5 + 6) + 1000 + 50;
        assertEquals(30 + 30 + first + one, m.prefillCall(5, 3).cycles(), 1e-6);
    }
}
