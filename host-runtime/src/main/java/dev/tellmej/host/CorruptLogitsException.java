package dev.tellmej.host;

/**
 * The device returned logits no sampler can use: NaN or infinite values, or every logit equal. That is
 * almost always a corrupt model or image (NaN or huge weights, gains or scales), so it is reported as such
 * instead of being printed as a run of the same token.
 */
public final class CorruptLogitsException extends RuntimeException {
    CorruptLogitsException(String message) {
        super(message);
    }

    /**
     * Checks the logits of the call that filled position {@code position}.
     *
     * @param device what produced them, for the message
     * @throws CorruptLogitsException naming what is wrong, how many logits and where
     */
    public static void check(float[] logits, int position, String device) {
        int nan = 0;
        int infinite = 0;
        int firstBad = -1;
        boolean allEqual = true;
        for (int i = 0; i < logits.length; i++) {
            float v = logits[i];
            if (Float.isNaN(v) || Float.isInfinite(v)) {
                if (Float.isNaN(v)) {
                    nan++;
                } else {
                    infinite++;
                }
                if (firstBad < 0) {
                    firstBad = i;
                }
            }
            if (Float.floatToRawIntBits(v) != Float.floatToRawIntBits(logits[0])) {
                allEqual = false;
            }
        }
        String where = " from " + device + " after position " + (position - 1) + ": probably a corrupt model or"
                + " image (NaN or out-of-range weights, norm gains or scales)";
        if (nan + infinite > 0) {
            throw new CorruptLogitsException(nan + " NaN and " + infinite + " infinite of " + logits.length
                    + " logits (the first is logit " + firstBad + ")" + where);
        }
        if (allEqual && logits.length > 1) {
            throw new CorruptLogitsException("all " + logits.length + " logits are equal (" + logits[0] + ")"
                    + where);
        }
    }
}
