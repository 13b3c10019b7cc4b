package dev.tellmej.accel.sim;

import dev.tellmej.accel.protocol.Instruction;
import dev.tellmej.accel.protocol.Opcode;
import java.util.ArrayList;
import java.util.List;

/**
 * A compiled model's program (docs/image.md, "The program a model compiles to": {@code SETUP}, {@code EMBED}, the
 * same block of instructions per layer, the final {@code QUANTIZE}, {@code LM_HEAD}, {@code END}) and the shorter
 * programs the benchmark runs instead: the first three layers with the model's prologue and tail
 * ({@link #measured}), and the first layer's {@code ATTENTION} alone ({@link #attentionOnly}). Each is written over
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

    /**
     * The layers the benchmark runs of a model that has them: the first, whose first {@code LINEAR} waits for its
     * weights after {@code EMBED}; a middle one, which begins with its first weights read ahead while the layer
     * before ends and ends reading the next layer's (docs/kernel.md, "Running ahead"), as every layer but the first
     * and the last does; and the last, which reads none ahead of the model's tail.
     */
    public static final int MEASURED_LAYERS = 3;

    /** Layers of the measured program: {@link #MEASURED_LAYERS}, or fewer in a model of fewer. */
    public int measuredLayers() {
        return Math.min(MEASURED_LAYERS, layers);
    }

    /**
     * The index among the measured layers of the one that stands for every layer not measured: the middle one of
     * three (or the last of fewer).
     */
    public int repeatedLayer() {
        int measured = measuredLayers();
        return measured == MEASURED_LAYERS ? 1 : measured - 1;
    }

    /** SETUP, EMBED, the first {@link #measuredLayers} layers, the final QUANTIZE, LM_HEAD, END. */
    public List<Instruction> measured() {
        List<Instruction> out = new ArrayList<>(program.subList(0, PROLOGUE + measuredLayers() * layerLength));
        out.addAll(program.subList(program.size() - TAIL, program.size()));
        return out;
    }

    /** SETUP, the first layer's ATTENTION, END: attention over the KV cache alone. */
    public List<Instruction> attentionOnly() {
        return List.of(program.getFirst(), program.get(PROLOGUE + attentionInLayer()), Instruction.of(Opcode.END));
    }

    /** True when instruction {@code pc} of the measured program is one of its layers' ATTENTION. */
    public boolean isAttention(int pc) {
        return inLayers(pc) && (pc - PROLOGUE) % layerLength == attentionInLayer();
    }

    /** The index of LM_HEAD in the measured program. */
    public int lmHeadPc() {
        return PROLOGUE + measuredLayers() * layerLength + 1;
    }

    /** The index of END in the measured program. */
    public int endPc() {
        return PROLOGUE + measuredLayers() * layerLength + 2;
    }

    /**
     * How often instruction {@code pc} of the measured program runs in a call of a model of {@code layers} layers:
     * the prologue's, the tail's and those of the measured layers once, but those of the {@link #repeatedLayer}
     * for it and every layer not measured.
     *
     * @throws IllegalArgumentException when {@code layers} is fewer than the measured program's
     */
    public int repeats(int pc, int layers) {
        int measured = measuredLayers();
        if (layers < measured) {
            throw new IllegalArgumentException("a model of " + layers + " layers cannot be priced from a measured"
                    + " program of " + measured);
        }
        if (pc < 0 || pc >= measuredLength()) {
            throw new IllegalArgumentException("no instruction " + pc + " in the measured program of "
                    + measuredLength());
        }
        return inLayers(pc) && (pc - PROLOGUE) / layerLength == repeatedLayer() ? layers - measured + 1 : 1;
    }

    /** Instructions of the measured program. */
    public int measuredLength() {
        return PROLOGUE + measuredLayers() * layerLength + TAIL;
    }

    private boolean inLayers(int pc) {
        return pc >= PROLOGUE && pc < PROLOGUE + measuredLayers() * layerLength;
    }

    private int attentionInLayer() {
        return opcodes(program.subList(PROLOGUE, PROLOGUE + layerLength)).indexOf(Opcode.ATTENTION);
    }

    private static List<Opcode> opcodes(List<Instruction> instructions) {
        return instructions.stream().map(Instruction::opcode).toList();
    }
}
