package dev.tellmej.accel.sim;

import java.util.List;

/**
 * The analytic model of a kernel call, built from one DDR setting's measured instruction costs
 * ({@link ProgramProfiler}): a call costs its head (the header, the checks, the tokens), then per chunk of tokens
 * the sum of its instructions, each layer's instructions once per layer. The sequencer runs one instruction at a
 * time and every layer's instructions have the same shapes, so a model of any number of layers is priced from the
 * measured layers' costs: the first and the last layer's once, and the middle one's (which begins with its first
 * weights read ahead and ends reading the next layer's, as every layer between the first and the last does) for
 * every other layer ({@link ProgramCut#repeats}). The {@code ATTENTION} term depends on the
 * positions attended to: its measured cost at the measured positions, moved along a straight line fitted to runs of
 * {@code ATTENTION} alone ({@link Fit}). What it costs beyond those runs at the measured positions (the weights of
 * the next {@code LINEAR} read beside it, and the DDR bandwidth they take from it) is taken as the same at every
 * context.
 *
 * <p>What was measured (all on the measured program, {@link ProgramCut#measured}):
 *
 * @param cut            the program: which instructions are the layer's
 * @param chunkTokens    C, the build's tokens per chunk
 * @param decodeContext  the positions the measured decode call attends to
 * @param decode         per instruction of the measured program, a decode call's cost
 * @param chunk          per instruction, a chunk of C tokens that is not the call's last (the LM head only checks)
 * @param lastSingle     per instruction, a last chunk of one token (the LM head runs; END writes the call record)
 * @param decodeHead     a decode call's head
 * @param prefillHead    the head of a prefill of C + 1 tokens
 * @param decodeAttention the ATTENTION instruction of a decode call against the context (positions attended)
 * @param chunkAttention the ATTENTION instruction of a chunk of C tokens against the chunk's first position
 */
public record KernelCostModel(ProgramCut cut, int chunkTokens, int decodeContext, List<KernelCost> decode,
        List<KernelCost> chunk,
        List<KernelCost> lastSingle, KernelCost decodeHead, KernelCost prefillHead, Fit decodeAttention,
        Fit chunkAttention) {

    public KernelCostModel {
        decode = List.copyOf(decode);
        chunk = List.copyOf(chunk);
        lastSingle = List.copyOf(lastSingle);
        int n = cut.measuredLength();
        if (decode.size() != n || chunk.size() != n || lastSingle.size() != n || chunkTokens < 1
                || decodeContext < 1) {
            throw new IllegalArgumentException("one cost per instruction of the measured program (" + n + "), a"
                    + " positive chunk and a measured context are needed");
        }
    }

    /**
     * One execution of instruction {@code pc} of the measured program in a decode call attending to
     * {@code context} positions: as measured, {@code ATTENTION} moved along its fit from the measured context.
     */
    public KernelCost decodeStep(int pc, int context) {
        KernelCost measured = decode.get(pc);
        return cut.isAttention(pc)
                ? measured.plus(decodeAttention.at(context)).plus(decodeAttention.at(decodeContext).times(-1))
                : measured;
    }

    /**
     * A straight line {@code intercept + slope x x} fitted by least squares to measured costs (each component on
     * its own), with the points it was fitted to.
     *
     * @param intercept   the cost at x = 0
     * @param slope       the cost per unit of x
     * @param xs          the measured x
     * @param measured    the measured costs, in the order of {@code xs}
     * @param maxResidual the largest |fitted - measured| cycles over measured cycles of any point, a fraction
     */
    public record Fit(KernelCost intercept, KernelCost slope, List<Integer> xs, List<KernelCost> measured,
            double maxResidual) {
        public Fit {
            xs = List.copyOf(xs);
            measured = List.copyOf(measured);
        }

        /** The fitted cost at {@code x}. */
        public KernelCost at(double x) {
            return intercept.plus(slope.times(x));
        }

        /** Fits a line to {@code measured} at {@code xs}; one point gives a flat line, two or more a slope. */
        public static Fit of(List<Integer> xs, List<KernelCost> measured) {
            if (xs.isEmpty() || xs.size() != measured.size()) {
                throw new IllegalArgumentException("a fit needs as many costs as points, at least one");
            }
            int n = xs.size();
            double mx = xs.stream().mapToDouble(Integer::doubleValue).average().orElseThrow();
            KernelCost my = measured.stream().reduce(KernelCost.ZERO, KernelCost::plus).times(1.0 / n);
            double sxx = 0;
            KernelCost sxy = KernelCost.ZERO;
            for (int i = 0; i < n; i++) {
                double dx = xs.get(i) - mx;
                sxx += dx * dx;
                sxy = sxy.plus(measured.get(i).plus(my.times(-1)).times(dx));
            }
            KernelCost slope = sxx == 0 ? KernelCost.ZERO : sxy.times(1.0 / sxx);
            KernelCost intercept = my.plus(slope.times(-mx));
            double worst = 0;
            for (int i = 0; i < n; i++) {
                double fitted = intercept.cycles() + slope.cycles() * xs.get(i);
                worst = Math.max(worst, Math.abs(fitted - measured.get(i).cycles()) / measured.get(i).cycles());
            }
            return new Fit(intercept, slope, xs, measured, worst);
        }
    }

    /**
     * A decode call of one token at position {@code context - 1} (attending to {@code context} positions) on a
     * model of {@code layers} layers (at least the measured program's).
     */
    public KernelCost decodeCall(int context, int layers) {
        KernelCost total = decodeHead;
        for (int pc = 0; pc < cut.measuredLength(); pc++) {
            total = total.plus(decodeStep(pc, context).times(cut.repeats(pc, layers)));
        }
        return total;
    }

    /**
     * A prefill call of {@code tokens} tokens from position 0 on a model of {@code layers} layers (at least the
     * measured program's).
     */
    public KernelCost prefillCall(int tokens, int layers) {
        if (tokens < 1) {
            throw new IllegalArgumentException("a prefill needs tokens, got " + tokens);
        }
        KernelCost total = decodeHead.toward(prefillHead, (tokens - 1) / (double) chunkTokens);
        for (int start = 0; start < tokens; start += chunkTokens) {
            int m = Math.min(chunkTokens, tokens - start);
            total = total.plus(chunkCost(start, m, start + m == tokens, layers));
        }
        return total;
    }

    /** One chunk of {@code m} tokens from position {@code start}. */
    private KernelCost chunkCost(int start, int m, boolean last, int layers) {
        // Between a one-token chunk and a full one, costs are interpolated in the chunk's tokens.
        double t = chunkTokens == 1 ? 1 : (m - 1) / (double) (chunkTokens - 1);
        KernelCost total = KernelCost.ZERO;
        // ATTENTION as measured (one token at position C, a full chunk at 0), moved along the fits from there.
        KernelCost fitted = decodeAttention.at(start + 1).toward(chunkAttention.at(start), t);
        KernelCost fittedMeasured = decodeAttention.at(chunkTokens + 1).toward(chunkAttention.at(0), t);
        for (int pc = 0; pc < cut.measuredLength(); pc++) {
            if (pc == cut.lmHeadPc() || pc == cut.endPc()) {
                continue;
            }
            KernelCost step = lastSingle.get(pc).toward(chunk.get(pc), t);
            if (cut.isAttention(pc)) {
                step = step.plus(fitted).plus(fittedMeasured.times(-1));
            }
            total = total.plus(step.times(cut.repeats(pc, layers)));
        }
        List<KernelCost> tail = last ? lastSingle : chunk;
        return total.plus(tail.get(cut.lmHeadPc())).plus(tail.get(cut.endPc()));
    }
}
