package dev.tellmej.device;

import dev.tellmej.accel.protocol.Epilogue;
import dev.tellmej.accel.protocol.Instruction;
import dev.tellmej.accel.protocol.Opcode;
import dev.tellmej.image.MemoryImage;
import dev.tellmej.image.Section;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names the instructions of an image's program as a person reads the model: {@code layer 3 LINEAR attn_q
 * (ROPE_QUERY)}, {@code layer 0 QUANTIZE attn_norm (RMSNorm of RESIDUAL)}, {@code LM_HEAD output}. The tensor
 * comes from the image's section at the instruction's weights, gain or table offset; the layer from that
 * section's name ({@code blk.3.attn_q}) or the instruction's {@code layer} field, and for a quantization without a
 * gain from the next instruction that has one.
 */
public final class ProgramLabels {
    private static final Pattern BLOCK = Pattern.compile("blk\\.(\\d+)\\.(.+)");

    private final List<String> labels;
    private final List<Integer> headDims;

    public ProgramLabels(MemoryImage image) {
        Map<Long, String> sections = new HashMap<>();
        for (Section s : image.header().sections()) {
            sections.put(s.offset(), s.name());
        }
        List<Instruction> program = image.program();
        int[] layers = new int[program.size()];
        String[] names = new String[program.size()];
        headDims = new ArrayList<>();
        int headDim = 0;
        for (int pc = 0; pc < program.size(); pc++) {
            Instruction in = program.get(pc);
            layers[pc] = -1;
            String offsetField = switch (in.opcode()) {
                case EMBED -> "table";
                case QUANTIZE -> in.getFlag("norm") ? "gain" : null;
                case LINEAR, LM_HEAD -> "weights";
                default -> null;
            };
            String tensor = offsetField != null ? sections.get(in.get(offsetField)) : null;
            if (tensor != null) {
                Matcher m = BLOCK.matcher(tensor);
                if (m.matches()) {
                    layers[pc] = Integer.parseInt(m.group(1));
                    tensor = m.group(2);
                }
            }
            if (in.opcode() == Opcode.LINEAR || in.opcode() == Opcode.ATTENTION) {
                layers[pc] = in.getInt("layer");
            }
            if (in.opcode() == Opcode.SETUP) {
                headDim = in.getInt("head_dim");
            }
            headDims.add(headDim);
            names[pc] = tensor;
        }
        for (int pc = program.size() - 2; pc >= 0; pc--) {
            Instruction in = program.get(pc);
            if (layers[pc] < 0 && in.opcode() == Opcode.QUANTIZE && !in.getFlag("norm")) {
                layers[pc] = layers[pc + 1];
            }
        }
        List<String> out = new ArrayList<>();
        for (int pc = 0; pc < program.size(); pc++) {
            Instruction in = program.get(pc);
            StringBuilder s = new StringBuilder();
            if (layers[pc] >= 0) {
                s.append("layer ").append(layers[pc]).append(' ');
            }
            s.append(in.opcode());
            if (names[pc] != null) {
                s.append(' ').append(names[pc]);
            }
            switch (in.opcode()) {
                case LINEAR -> s.append(" (").append(in.getEpilogue("epilogue")).append(')');
                case QUANTIZE -> s.append(in.getFlag("norm") ? " (RMSNorm of " : " (of ")
                        .append(in.getBuffer("src")).append(')');
                default -> { }
            }
            out.add(s.toString());
        }
        labels = List.copyOf(out);
    }

    /** The label of instruction {@code pc}. */
    public String label(int pc) {
        return pc >= 0 && pc < labels.size() ? labels.get(pc) : "instruction " + pc + " (outside the program)";
    }

    /**
     * Names element {@code element} of instruction {@code pc}'s tap vector: its head and the element within it
     * where the vector is heads after heads, m_c for a quantization's last value.
     */
    public String element(Instruction in, int pc, int element, int elements) {
        int headDim = pc >= 0 && pc < headDims.size() ? headDims.get(pc) : 0;
        boolean byHead = in.opcode() == Opcode.ATTENTION
                || in.opcode() == Opcode.LINEAR && isHeadMajor(in.getEpilogue("epilogue"));
        if (in.opcode() == Opcode.QUANTIZE && element == elements - 1) {
            return "m_c (value " + element + ", the clamped absmax)";
        }
        if (byHead && headDim > 0) {
            return "element " + element + " (head " + element / headDim + ", element " + element % headDim + ")";
        }
        return "element " + element;
    }

    /** True for the epilogues whose rows are heads after heads. */
    private static boolean isHeadMajor(Epilogue e) {
        return e == Epilogue.ROPE_QUERY || e == Epilogue.ROPE_KEY_CACHE || e == Epilogue.VALUE_CACHE;
    }
}
