package dev.tellmej.host;

import java.util.Locale;

/**
 * Where a generation's time went, as llama.cpp splits it: the prompt (one prefill call) and the generated
 * tokens (one decode call each), plus the device's own counters summed over the calls.
 *
 * @param promptTokens     tokens the prefill ran (only the new ones when the KV cache held the rest)
 * @param promptMillis     wall time of the prefill call
 * @param generatedTokens  tokens generated (the stop token and tokens past a stop string not included)
 * @param generationMillis wall time from the end of the prefill to the last token: the decode calls and the
 *                         sampling (the first token comes from the prefill's logits)
 * @param decodeCalls      decode calls made (the last token is sampled but not run)
 * @param instructions     instructions the device executed, over every call
 * @param ddrBytes         bytes the device read from and wrote to DDR (0 when it does not count them)
 * @param cycles           kernel clock cycles (0 on a device without a clock)
 * @param ddrBusyCycles    of those, cycles in which some DDR port moved data (0 where the device does not count them)
 * @param stallCycles      of those, cycles in which compute waited for data (0 where the device does not count them)
 */
public record Timings(int promptTokens, double promptMillis, int generatedTokens, double generationMillis,
                      int decodeCalls, long instructions, long ddrBytes, long cycles, long ddrBusyCycles,
                      long stallCycles) {
    /** Prompt tokens per second. */
    public double promptTokensPerSecond() {
        return promptMillis > 0 ? promptTokens * 1000.0 / promptMillis : 0;
    }

    /** Milliseconds per generated token: per decode call, each of which makes the next token. */
    public double millisPerToken() {
        return decodeCalls > 0 ? generationMillis / decodeCalls : 0;
    }

    /** Generated tokens per second, at the decode calls' rate. */
    public double generationTokensPerSecond() {
        return generationMillis > 0 ? decodeCalls * 1000.0 / generationMillis : 0;
    }

    /**
     * The fraction of the cycles the DDR ports could have moved bytes in that they did.
     *
     * @param ddrBytesPerCycle the build's peak: ports times port width
     * @return the fraction, or NaN without cycles or byte counts
     */
    public double ddrBusy(int ddrBytesPerCycle) {
        return cycles > 0 && ddrBytes > 0 ? (double) ddrBytes / ((double) cycles * ddrBytesPerCycle) : Double.NaN;
    }

    /** The timing lines {@code tellme run} prints after the text. */
    public String describe(double loadMillis, int ddrBytesPerCycle) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "load:       %10.2f ms%n", loadMillis));
        s.append(String.format(Locale.ROOT, "prompt:     %10.2f ms / %5d tokens (%8.2f ms per token, %8.2f tokens/s)%n",
                promptMillis, promptTokens, promptTokens > 0 ? promptMillis / promptTokens : 0,
                promptTokensPerSecond()));
        s.append(String.format(Locale.ROOT, "generation: %10.2f ms / %5d tokens (%8.2f ms per token, %8.2f tokens/s;"
                + " %d decode calls)%n", generationMillis, generatedTokens, millisPerToken(),
                generationTokensPerSecond(), decodeCalls));
        s.append(String.format(Locale.ROOT, "device:     %d calls, %,d instructions", 1 + decodeCalls, instructions));
        if (ddrBytes > 0) {
            s.append(String.format(Locale.ROOT, ", %.1f MB DDR traffic", ddrBytes / 1e6));
        }
        if (cycles > 0) {
            s.append(String.format(Locale.ROOT, ", %,d cycles", cycles));
            double busy = ddrBusy(ddrBytesPerCycle);
            if (!Double.isNaN(busy)) {
                s.append(String.format(Locale.ROOT, ", DDR busy %.1f %%", 100 * busy));
            }
            if (ddrBusyCycles > 0 || stallCycles > 0) {
                s.append(String.format(Locale.ROOT, " (data moving in %.1f %% of the cycles, compute waiting in"
                        + " %.1f %%)", 100.0 * ddrBusyCycles / cycles, 100.0 * stallCycles / cycles));
            }
        } else {
            s.append(" (no cycle counter on this device)");
        }
        return s.append(System.lineSeparator()).toString();
    }
}
