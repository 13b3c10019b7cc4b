package dev.tellmej.accel.sim;

import dev.tellmej.accel.protocol.Instruction;
import dev.tellmej.accel.protocol.Opcode;
import java.util.ArrayList;
import java.util.List;

/**
 * A compiled model's program (docs/image.md, "The program a model compiles to": {@code SETUP}, {@code EMBED}, the
 * same block of instructions per layer, the final {@code QUANTIZE}, {@code LM_HEAD}, {@code END}) and the shorter
 * programs the benchmark runs instead: the first layer alone with the model's prologue and tail
 * ({@link #oneLayer}), and the first layer's {@code ATTENTION} alone ({@link #attentionOnly}). Each is written over
 * the start of the program in the DDR model's copy of the image; the kernel stops at the {@code END}.
 *
 * @param program     the whole program
 * @param layers      the model's layers
 * @param layerLength instructions per layer
 */
public record ProgramCut(List<Instruction> program, int layers, int layerLength) {
    /** Instructions before the first layer: SETUP, EMBED. */
    public static final int PROLOGUE = 2;
    /** Instructions after the last layer: the final QUANTIZE, LM_HEAD, END. */
    public static final int TAIL = 3;

    public ProgramCut {
        program = List.copyOf(program);
        if (layers < 1 || (program.size() - PROLOGUE - TAIL) != layers * layerLength || layerLength < 1) {
            throw new IllegalArgumentException("a program of " + program.size() + " instructions is not "
                    + PROLOGUE + " + " + layers + " layers + " + TAIL);
        }
        List<Opcode> first = opcodes(program.subList(PROLOGUE, PROLOGUE + layerLength));
        for (int l = 1; l < layers; l++) {
            int from = PROLOGUE + l * layerLength;
            if (!opcodes(program.subList(from, from + layerLength)).equals(first)) {
                throw new IllegalArgumentException("layer " + l + "'s instructions differ from layer 0's: "
                        + opcodes(program.subList(from, from + layerLength)) + " against " + first);
            }
        }
        if (program.get(0).opcode() != Opcode.SETUP || program.get(1).opcode() != Opcode.EMBED
                || program.get(program.size() - 2).opcode() != Opcode.LM_HEAD
                || program.getLast().opcode() != Opcode.END || !first.contains(Opcode.ATTENTION)) {
            throw new IllegalArgumentException("not a compiled model's program: " + opcodes(program));
        }
    }

    /** The program of a model of {@code layers} layers, each of the same instructions. */
    public static ProgramCut of(List<Instruction> program, int layers) {
        return new ProgramCut(program, layers, (program.size() - PROLOGUE - TAIL) / layers);
    }

    /** SETUP, EMBED, the first layer, the final QUANTIZE, LM_HEAD, END. */
    public List<Instruction> oneLayer() {
        List<Instruction> out = new ArrayList<>(program.subList(0, PROLOGUE + layerLength));
        out.addAll(program.subList(program.size() - TAIL, program.size()));
        return out;
    }

    /** SETUP, the first layer's ATTENTION, END: attention over the KV cache alone. */
    public List<Instruction> attentionOnly() {
        return List.of(program.getFirst(), program.get(PROLOGUE + attentionInLayer()), Instruction.of(Opcode.END));
    }

    /** The index of ATTENTION in the one-layer program (and in the first layer of the whole one). */
    public int attentionPc() {
        return PROLOGUE + attentionInLayer();
    }

    /** The index of LM_HEAD in the one-layer program. */
    public int lmHeadPc() {
        return PROLOGUE + layerLength + 1;
    }

    /** The index of END in the one-layer program. */
    public int endPc() {
        return PROLOGUE + layerLength + 2;
    }

    /** True when instruction {@code pc} of the one-layer program belongs to the layer (it runs once per layer). */
    public boolean inLayer(int pc) {
        return pc >= PROLOGUE && pc < PROLOGUE + layerLength;
    }

    /** Instructions of the one-layer program. */
    public int oneLayerLength() {
        return PROLOGUE + layerLength + TAIL;
    }

    private int attentionInLayer() {
        return opcodes(program.subList(PROLOGUE, PROLOGUE + layerLength)).indexOf(Opcode.ATTENTION);
    }

    private static List<Opcode> opcodes(List<Instruction> instructions) {
        return instructions.stream().map(Instruction::opcode).toList();
    }
}
