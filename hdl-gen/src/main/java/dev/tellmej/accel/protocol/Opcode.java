package dev.tellmej.accel.protocol;

import static dev.tellmej.accel.protocol.FieldKind.BUFFER;
import static dev.tellmej.accel.protocol.FieldKind.EPILOGUE;
import static dev.tellmej.accel.protocol.FieldKind.FLAG;
import static dev.tellmej.accel.protocol.FieldKind.FLOAT32;
import static dev.tellmej.accel.protocol.FieldKind.IMAGE_OFFSET;
import static dev.tellmej.accel.protocol.FieldKind.UNSIGNED;

import java.util.List;

/**
 * The accelerator's instruction set: what the on-chip sequencer executes, once per chunk of tokens of a call
 * (docs/device.md; the program a model compiles to: docs/image.md). Every instruction is one {@link Instruction#BITS}-bit word; bits 0..7 are the opcode, and
 * each opcode lays out its own fields above them. This enum is the single description the Java encoder, the
 * C header, the documentation table and the RTL decoder are made from.
 */
public enum Opcode {
    /** Ends the program: the call is done once every write has landed. */
    END(0, "end of the program"),
    /** Sets the model-wide registers the other instructions use. */
    SETUP(1, "model-wide registers",
            new Field("head_dim", 8, 16, UNSIGNED, "elements per head"),
            new Field("heads", 24, 8, UNSIGNED, "query heads"),
            new Field("kv_heads", 32, 8, UNSIGNED, "key/value heads (divides heads)"),
            new Field("rope_adjacent", 40, 1, FLAG, "1: RoPE pairs (2i, 2i+1); 0: (i, i + head_dim/2)"),
            new Field("context", 64, 32, UNSIGNED, "positions the KV cache holds (its position-major stride)"),
            new Field("rope_table", 96, 32, IMAGE_OFFSET, "cos/sin table: per position, head_dim/2 cos then"
                    + " head_dim/2 sin, binary32")),
    /** Copies each token's embedding row into a buffer (N17.1). */
    EMBED(2, "embedding rows of the chunk's tokens",
            new Field("dst", 8, 4, BUFFER, "destination buffer"),
            new Field("dim", 16, 16, UNSIGNED, "elements per row"),
            new Field("table", 32, 32, IMAGE_OFFSET, "vocab rows of dim stored values"),
            new Field("vocab", 64, 32, UNSIGNED, "rows of the table; a larger token id is an error")),
    /** Quantizes a buffer to int8 for the next linears (N6), after an RMSNorm (N13) when {@code norm} is set. */
    QUANTIZE(3, "optional RMSNorm (RMS-MAX), then int8 quantization",
            new Field("src", 8, 4, BUFFER, "source buffer"),
            new Field("norm", 12, 1, FLAG, "1: RMSNorm with gain and eps first"),
            new Field("length", 16, 16, UNSIGNED, "elements"),
            new Field("gain", 32, 32, IMAGE_OFFSET, "length stored values (read when norm is set)"),
            new Field("eps", 64, 32, FLOAT32, "RMSNorm epsilon")),
    /** A ternary linear of the quantized activations, and its epilogue. */
    LINEAR(4, "ternary linear (TLMM) with its epilogue",
            new Field("epilogue", 8, 4, EPILOGUE, "what the outputs become"),
            new Field("relu2", 12, 1, FLAG, "GATE_UP's activation: 1 ReLU^2, 0 SiLU"),
            new Field("src", 16, 4, BUFFER, "second operand (GATE_UP's gate)"),
            new Field("dst", 20, 4, BUFFER, "destination buffer"),
            new Field("layer", 24, 8, UNSIGNED, "layer of the KV-cache epilogues"),
            new Field("rows", 32, 16, UNSIGNED, "outputs"),
            new Field("cols", 48, 16, UNSIGNED, "inputs"),
            new Field("weights", 64, 32, IMAGE_OFFSET, "the matrix in the TLMM DDR packing"),
            new Field("scale", 96, 32, FLOAT32, "the matrix's weight scale")),
    /** Attention of every query head of a layer over the KV cache, positions 0 .. the token's own (N15). */
    ATTENTION(5, "attention of a layer over the KV cache",
            new Field("src", 8, 4, BUFFER, "queries"),
            new Field("dst", 12, 4, BUFFER, "output"),
            new Field("layer", 24, 8, UNSIGNED, "layer"),
            new Field("score_scale", 32, 32, FLOAT32, "1 / sqrt(head_dim), binary32")),
    /** The int8 LM head of the call's last token (N16): fp32 logits and their argmax to the I/O region. */
    LM_HEAD(6, "int8 LM head of the last token",
            new Field("cols", 16, 16, UNSIGNED, "inputs (hidden size)"),
            new Field("rows", 32, 32, UNSIGNED, "outputs (vocabulary)"),
            new Field("weights", 64, 32, IMAGE_OFFSET, "rows x cols int8, row-major"),
            new Field("row_scales", 96, 32, IMAGE_OFFSET, "rows binary32 scales")),
    /** Waits until every DDR write issued so far has landed (the KV cache before attention reads it). */
    BARRIER(7, "wait for outstanding DDR writes");

    /** Bits of the opcode field, at bit 0 of every instruction. */
    public static final int OPCODE_BITS = 8;

    private final int code;
    private final String meaning;
    private final List<Field> fields;

    Opcode(int code, String meaning, Field... fields) {
        this.code = code;
        this.meaning = meaning;
        this.fields = List.of(fields);
    }

    /** The value of bits 0..7. */
    public int code() {
        return code;
    }

    /** One line on what it does. */
    public String meaning() {
        return meaning;
    }

    /** Its fields, in bit order. */
    public List<Field> fields() {
        return fields;
    }

    /** The field called {@code name}. */
    public Field field(String name) {
        for (Field f : fields) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException(this + " has no field '" + name + "'; it has "
                + fields.stream().map(Field::name).toList());
    }

    /** The opcode with value {@code code}, or null when there is none. */
    public static Opcode ofCode(int code) {
        for (Opcode o : values()) {
            if (o.code == code) {
                return o;
            }
        }
        return null;
    }
}
