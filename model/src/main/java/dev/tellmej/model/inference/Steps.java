package dev.tellmej.model.inference;

/** The input checks every {@link LanguageModel#forward} makes. */
final class Steps {
    private Steps() {}

    /** Positions come in order from 0 and fit the cache; tokens are in the vocabulary. */
    static void check(int token, int position, int next, int capacity, int vocabSize) {
        if (position >= capacity) {
            throw new ContextOverflowException(position, capacity);
        }
        if (position != next) {
            throw new IllegalArgumentException("position " + position + " fed out of order (expected " + next + ")");
        }
        if (token < 0 || token >= vocabSize) {
            throw new IllegalArgumentException("token " + token + " is outside the vocabulary of " + vocabSize);
        }
    }
}
