package dev.tellmej.model.tensor;

import dev.tellmej.model.gguf.GgmlType;
import dev.tellmej.model.gguf.GgufFile;
import dev.tellmej.model.gguf.GgufTensorInfo;
import dev.tellmej.model.gguf.GgufValue;
import dev.tellmej.model.gguf.GgufWriter;
import java.util.Map;
import java.util.function.Function;

/**
 * Re-encodes the tensors of a GGUF file into other types, keeping the metadata: the project's counterpart of
 * llama.cpp's {@code llama-quantize}, for tests and benchmarks (a TQ2_0 model with a Q6_K embedding, or an F16
 * model for llama.cpp to quantize). Ternary targets need ternary sources (one scale per tensor); every other
 * target is reached through binary32.
 */
public final class Requantizer {
    private Requantizer() {}

    /** The type each tensor gets; returning the tensor's own type copies its bytes unchanged. */
    @FunctionalInterface
    public interface Policy extends Function<GgufTensorInfo, GgmlType> {}

    /**
     * llama-quantize's defaults for a ternary file type ({@code TQ1_0} or {@code TQ2_0}): the linears become
     * {@code ternary}, the output matrix (the token embedding when there is no {@code output.weight}) becomes
     * Q6_K, an untied token embedding Q4_K, and vectors stay as they are. A matrix whose rows are not a multiple
     * of 256 falls back as llama-quantize does: the ternary linears to Q4_0, Q6_K to Q8_0 (and Q4_K, whose
     * fallback Q5_0 the project does not read, to Q8_0 too).
     */
    public static Policy llamaQuantize(GgufFile file, GgmlType ternary) {
        if (!ternary.ternary() || ternary == GgmlType.I2_S) {
            throw new IllegalArgumentException("llama-quantize's ternary file types are TQ1_0 and TQ2_0, not " + ternary);
        }
        boolean tied = file.tensor("output.weight").isEmpty();
        return info -> {
            if (info.dims().length < 2) {
                return info.type();
            }
            boolean fits = info.rowLength() % 256 == 0;
            String name = info.name();
            if (name.equals("output.weight") || (tied && name.equals("token_embd.weight"))) {
                return fits ? GgmlType.Q6_K : GgmlType.Q8_0;
            }
            if (name.equals("token_embd.weight")) {
                return fits ? GgmlType.Q4_K : GgmlType.Q8_0;
            }
            return fits ? ternary : GgmlType.Q4_0;
        };
    }

    /** A writer holding {@code file}'s metadata and its tensors re-encoded as {@code policy} says. */
    public static GgufWriter requantize(GgufFile file, Policy policy) {
        GgufWriter w = new GgufWriter();
        for (Map.Entry<String, GgufValue> e : file.metadata().entrySet()) {
            w.put(e.getKey(), e.getValue());
        }
        for (GgufTensorInfo info : file.tensors().values()) {
            GgmlType target = policy.apply(info);
            w.addTensor(info.name(), info.dims(), target, encode(file, info, target));
        }
        return w;
    }

    private static byte[] encode(GgufFile file, GgufTensorInfo info, GgmlType target) {
        if (target == info.type()) {
            return file.data(info).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        }
        int n = Math.toIntExact(info.elementCount());
        if (target.ternary()) {
            TernaryTensor t = ternary(file, info, n);
            return switch (target) {
                case TQ1_0 -> TensorCodecs.encodeTq1(t.values(), t.scale());
                case TQ2_0 -> TensorCodecs.encodeTq2(t.values(), t.scale());
                default -> TensorCodecs.encodeI2s(t.values(), t.scale());
            };
        }
        float[] values = TensorCodecs.toFloats(info.type(), file.data(info), n);
        return switch (target) {
            case F32 -> TensorCodecs.encodeF32(values);
            case F16 -> TensorCodecs.encodeF16(values);
            case BF16 -> TensorCodecs.encodeBf16(values);
            default -> BlockQuants.quantize(target, values);
        };
    }

    private static TernaryTensor ternary(GgufFile file, GgufTensorInfo info, int n) {
        int cols = Math.toIntExact(info.rowLength());
        int rows = n / cols;
        if (info.type().ternary()) {
            TensorCodecs.Ternary t = TensorCodecs.ternary(info.type(), file.data(info), n);
            if (t.uniformScale()) {
                return new TernaryTensor(rows, cols, t.trits(), t.blockScales()[0]);
            }
        }
        TernaryTensor t = TernaryTensor.detect(TensorCodecs.toFloats(info.type(), file.data(info), n), rows, cols);
        if (t == null) {
            throw new IllegalArgumentException("tensor " + info.name() + " (" + info.type() + ") is not ternary with"
                    + " one scale, so it cannot become a ternary type");
        }
        return t;
    }
}
