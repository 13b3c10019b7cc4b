package dev.tellmej.cli;

import dev.tellmej.model.inference.ExactModel;
import dev.tellmej.model.inference.FloatModel;
import dev.tellmej.model.inference.LanguageModel;
import dev.tellmej.model.inference.ModelWeights;
import dev.tellmej.model.numerics.ExactConfig;

/** The two software inference paths a user can pick with {@code --path}. */
enum InferencePath {
    /** fp32 reference with the W1.58 A8 recipe. */
    FLOAT,
    /** The hardware-exact path of docs/NUMERICS.md. */
    EXACT;

    LanguageModel create(ModelWeights weights, ExactConfig exact, int capacity, int threads) {
        return this == FLOAT ? new FloatModel(weights, capacity) : new ExactModel(weights, exact, capacity, threads);
    }

    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
