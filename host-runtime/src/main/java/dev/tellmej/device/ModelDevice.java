package dev.tellmej.device;

import dev.tellmej.accel.protocol.ErrorCode;
import dev.tellmej.model.inference.ExactModel;
import dev.tellmej.model.inference.LanguageModel;

/**
 * The software model (float or hardware-exact path) behind the {@link Device} interface, so that whatever drives
 * a device ({@code run}, {@code chat}, {@code serve}) runs a model file directly too, with no image. It has no
 * counters.
 */
public final class ModelDevice implements Device {
    private final LanguageModel model;
    private final String description;
    private int position;

    /**
     * @param model       the model, with its KV cache (its capacity is the context)
     * @param description what it runs ({@code model (exact path): stories260K-ternary-qat.gguf})
     */
    public ModelDevice(LanguageModel model, String description) {
        this.model = model;
        this.description = description;
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public float[] prefill(int[] tokens) {
        if (tokens.length == 0) {
            throw new CallRefusedException(ErrorCode.BAD_CALL, 0, "a call needs at least one token");
        }
        if ((long) position + tokens.length > model.capacity()) {
            throw new CallRefusedException(ErrorCode.CONTEXT_OVERFLOW, (long) position + tokens.length,
                    tokens.length + " token(s) at position " + position + " need " + (position + tokens.length)
                            + " positions, but the model's KV cache holds " + model.capacity());
        }
        int vocab = model.config().vocabSize();
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] >= vocab) {
                throw new CallRefusedException(ErrorCode.BAD_TOKEN, i, "token " + i + " of the call is " + tokens[i]
                        + ", outside the vocabulary of " + vocab);
            }
        }
        float[] logits = model.prefill(tokens, position);
        position += tokens.length;
        return logits;
    }

    @Override
    public float[] decode(int token) {
        return prefill(new int[] {token});
    }

    @Override
    public int position() {
        return position;
    }

    @Override
    public int context() {
        return model.capacity();
    }

    @Override
    public void reset() {
        model.reset();
        position = 0;
    }

    @Override
    public DeviceCounters counters() {
        return DeviceCounters.NONE;
    }

    @Override
    public void close() {
        if (model instanceof ExactModel e) {
            e.close();
        }
    }
}
