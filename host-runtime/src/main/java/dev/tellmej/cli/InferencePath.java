package dev.tellmej.cli;

import dev.tellmej.model.gguf.GgufFile;
import dev.tellmej.model.inference.ExactModel;
import dev.tellmej.model.inference.FloatModel;
import dev.tellmej.model.inference.LanguageModel;
import dev.tellmej.model.inference.WeightSource;
import dev.tellmej.model.numerics.ExactConfig;

/** The two software inference paths a user can pick with {@code --path}. */
enum InferencePath {
    /** fp32 reference with the W1.58 A8 recipe. */
    FLOAT,
    /** The hardware-exact path of docs/NUMERICS.md. */
    EXACT;

    /**
     * The model, built from {@code source} while its file is open: the exact path layer by layer (never the whole
     * weights as binary32), the float path layer by layer too, each ternary matrix packed once (its trits not kept).
     * With {@code gguf} (the model's GGUF file, open) the exact path maps that file once more, its header as already
     * parsed ({@link GgufFile#reopen}), and keeps it open ({@link ExactModel#open}), so its embedding is read in place
     * rather than copied, and its packed matrices and LM head come from the packed-weight cache when it holds them
     * ({@link ModelFiles#packedCache}).
     *
     * @param gguf the model's open GGUF file (the caller's: not closed here), or null (a safetensors model)
     * @throws IllegalArgumentException for the exact path when a linear is not ternary
     */
    LanguageModel create(WeightSource source, GgufFile gguf, ExactConfig exact, int capacity, int threads) {
        if (this == FLOAT) {
            return new FloatModel(source, capacity);
        }
        return gguf != null ? ExactModel.open(gguf.reopen(), exact, capacity, threads, ModelFiles.packedCache())
                : new ExactModel(source, exact, capacity, threads);
    }

    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
