package dev.tellmej.host;

import java.util.List;
import java.util.Locale;

/**
 * How a conversation becomes a prompt. A GGUF's {@code tokenizer.chat_template} is a Jinja program; tellme does
 * not run Jinja, it recognizes the common template families by their markers (as llama.cpp does for its
 * built-in formats) and writes them itself. A model without a template, or with one tellme does not know,
 * gets {@link #SIMPLE}, a plain transcript a base model continues naturally.
 *
 * <p>Every template is written as pieces that concatenate ({@link #message}, {@link #assistantStart},
 * {@link #assistantEnd}), so a chat session can append the next turn's tokens to its KV cache instead of
 * rendering the conversation again. BOS is not part of the text: the caller puts the BOS token first.
 */
public enum ChatTemplate {
    /** {@code User: ...} / {@code Assistant: ...} lines, for base models. */
    SIMPLE,
    /** {@code <|im_start|>role ... <|im_end|>} (Qwen, many fine-tunes). */
    CHATML,
    /** {@code <|start_header_id|>role<|end_header_id|> ... <|eot_id|>} (Llama 3). */
    LLAMA3,
    /** {@code [INST] ... [/INST]} (Llama 2, Mistral). */
    LLAMA2,
    /** {@code <start_of_turn>role ... <end_of_turn>} (Gemma). */
    GEMMA,
    /** {@code <|user|> ... <|end|>} (Phi-3, Zephyr-like). */
    PHI3;

    /** The family of a GGUF's Jinja chat template, or {@link #SIMPLE} for none or an unknown one. */
    public static ChatTemplate detect(String jinja) {
        if (jinja == null || jinja.isBlank()) {
            return SIMPLE;
        }
        if (jinja.contains("<|im_start|>")) {
            return CHATML;
        }
        if (jinja.contains("<|start_header_id|>")) {
            return LLAMA3;
        }
        if (jinja.contains("<start_of_turn>")) {
            return GEMMA;
        }
        if (jinja.contains("<|user|>") && jinja.contains("<|end|>")) {
            return PHI3;
        }
        if (jinja.contains("[INST]")) {
            return LLAMA2;
        }
        return SIMPLE;
    }

    /** The text of a whole message (an earlier assistant answer too). */
    public String message(ChatMessage m) {
        if (m.role().equals("assistant")) {
            return assistantStart() + (this == SIMPLE ? " " : "") + m.content() + assistantEnd();
        }
        return switch (this) {
            case SIMPLE -> m.role().equals("system") ? m.content() + "\n\n" : "User: " + m.content() + "\n";
            case CHATML -> "<|im_start|>" + m.role() + "\n" + m.content() + "<|im_end|>\n";
            case LLAMA3 -> "<|start_header_id|>" + m.role() + "<|end_header_id|>\n\n" + m.content() + "<|eot_id|>";
            case LLAMA2 -> m.role().equals("system") ? "[INST] <<SYS>>\n" + m.content() + "\n<</SYS>>\n\n[/INST]"
                    : "[INST] " + m.content() + " [/INST]";
            case GEMMA -> "<start_of_turn>user\n" + m.content() + "<end_of_turn>\n";
            case PHI3 -> "<|" + m.role() + "|>\n" + m.content() + "<|end|>\n";
        };
    }

    /** What opens the assistant's answer (the prompt ends with it). */
    public String assistantStart() {
        return switch (this) {
            case SIMPLE -> "Assistant:";
            case CHATML -> "<|im_start|>assistant\n";
            case LLAMA3 -> "<|start_header_id|>assistant<|end_header_id|>\n\n";
            case LLAMA2 -> "";
            case GEMMA -> "<start_of_turn>model\n";
            case PHI3 -> "<|assistant|>\n";
        };
    }

    /** What closes the assistant's answer, after its text (the end-of-turn token where the model has one). */
    public String assistantEnd() {
        return switch (this) {
            case SIMPLE -> "\n";
            case CHATML -> "<|im_end|>\n";
            case LLAMA3 -> "<|eot_id|>";
            case LLAMA2 -> "</s>";
            case GEMMA -> "<end_of_turn>\n";
            case PHI3 -> "<|end|>\n";
        };
    }

    /** The conversation as one prompt, ending with {@link #assistantStart()}. */
    public String render(List<ChatMessage> messages) {
        StringBuilder s = new StringBuilder();
        for (ChatMessage m : messages) {
            s.append(message(m));
        }
        return s.append(assistantStart()).toString();
    }

    /**
     * Text that ends an answer besides the end-of-text token: the template's end-of-turn marker (in case the
     * model spells it out rather than emitting its token), and for a base model the next {@code User:} line.
     */
    public List<String> stops() {
        return switch (this) {
            case SIMPLE -> List.of("\nUser:");
            case CHATML -> List.of("<|im_end|>");
            case LLAMA3 -> List.of("<|eot_id|>");
            case LLAMA2 -> List.of("[INST]");
            case GEMMA -> List.of("<end_of_turn>");
            case PHI3 -> List.of("<|end|>");
        };
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
