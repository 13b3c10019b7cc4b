package dev.tellmej.cli;

import dev.tellmej.host.SamplingParams;
import java.util.SplittableRandom;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The sampling options of {@code run}, {@code chat} and the server's defaults, with llama.cpp's names. */
final class SamplingOptions {
    @Range(min = 0, max = 100)
    @Option(names = {"--temp", "--temperature"}, paramLabel = "T", defaultValue = "0.8",
            description = "temperature: 0 = greedy, the most likely token (default: ${DEFAULT-VALUE})")
    float temperature;

    @Range(min = 0, max = 1 << 20)
    @Option(names = "--top-k", paramLabel = "K", defaultValue = "40",
            description = "sample from the K most likely tokens, 0 = all (default: ${DEFAULT-VALUE})")
    int topK;

    @Range(min = 0, max = 1, minExclusive = true)
    @Option(names = "--top-p", paramLabel = "P", defaultValue = "0.95",
            description = "nucleus: the smallest set reaching probability P, 1 = off (default: ${DEFAULT-VALUE})")
    float topP;

    @Range(min = 0, max = 0.999)
    @Option(names = "--min-p", paramLabel = "P", defaultValue = "0.05",
            description = "drop tokens less likely than P times the most likely, 0 = off (default: ${DEFAULT-VALUE})")
    float minP;

    @Range(min = 1, max = 100)
    @Option(names = "--repeat-penalty", paramLabel = "X", defaultValue = "1",
            description = "penalize recently seen tokens, 1 = off (default: ${DEFAULT-VALUE})")
    float repeatPenalty;

    @Range(min = 0, max = 1 << 20)
    @Option(names = "--repeat-last-n", paramLabel = "N", defaultValue = "64",
            description = "tokens the repeat penalty looks back over (default: ${DEFAULT-VALUE})")
    int repeatLastN;

    @Range(min = -1, max = Long.MAX_VALUE)
    @Option(names = {"-s", "--seed"}, paramLabel = "N", defaultValue = "-1",
            description = "random seed, -1 = a new one each run, printed (default: ${DEFAULT-VALUE})")
    long seed;

    /** The settings, with a fresh random seed when {@code -s} was -1. */
    SamplingParams params(CommandLine cl) {
        long s = seed >= 0 ? seed : new SplittableRandom().nextLong(Long.MAX_VALUE);
        try {
            return new SamplingParams(temperature, topK, topP, minP, repeatPenalty, repeatLastN, s);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
    }
}
