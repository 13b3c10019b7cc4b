package dev.tellmej.device;

import dev.tellmej.accel.protocol.KvCacheLayout;
import dev.tellmej.image.MemoryImage;
import dev.tellmej.model.config.ModelConfig;
import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * Two devices in lock step ({@code tellme run --device A --check B}): every call goes to both, and the first
 * difference stops the run with a {@link DevicesDisagreeException} that names the step, the first differing logit
 * with both values, or, when the logits agree but the KV caches do not, the first differing K or V element by
 * layer, KV head, position and element. It is itself a {@link Device} (the first one's logits are returned), so
 * whatever drives a device drives a cross-check.
 *
 * <p>Both devices must run the same image; the KV caches are compared after every call when both expose theirs
 * (the reference and the OpenCL device do).
 */
public final class CrossCheck implements Device {
    private final Device first;
    private final Device second;
    private final KvCacheLayout layout;
    private int step;
    private long compared;

    /**
     * @param first  the device whose logits the run uses ({@code --device})
     * @param second the device checked against it ({@code --check})
     * @param image  the image both run, for the KV-cache layout
     */
    public CrossCheck(Device first, Device second, MemoryImage image) {
        if (first.context() != second.context()) {
            throw new IllegalArgumentException("the devices hold different contexts: " + first.context() + " and "
                    + second.context() + "; they must run the same image");
        }
        this.first = first;
        this.second = second;
        ModelConfig m = image.header().model();
        this.layout = new KvCacheLayout(m.layers(), m.kvHeads(), m.headDim(), image.header().context(), 2);
    }

    /** The first difference between the two devices. */
    public static final class DevicesDisagreeException extends RuntimeException {
        private final int step;
        private final int logit;

        DevicesDisagreeException(String message, int step, int logit) {
            super(message);
            this.step = step;
            this.logit = logit;
        }

        /** The call that differed: 0 is the first call after a reset (the prefill), k the k-th call after it. */
        public int step() {
            return step;
        }

        /** The first differing logit's index, or -1 when the logits agreed and the KV caches did not. */
        public int logit() {
            return logit;
        }
    }

    @Override
    public String describe() {
        return first.describe() + ", checked against " + second.describe();
    }

    @Override
    public float[] prefill(int[] tokens) {
        int at = first.position();
        float[] a = first.prefill(tokens);
        float[] b = second.prefill(tokens);
        String call = "step " + step + " (" + (tokens.length == 1 ? "a decode" : "a prefill of " + tokens.length
                + " tokens") + " at position " + at + ")";
        compareLogits(call, a, b);
        compareKvCaches(call);
        step++;
        compared++;
        return a;
    }

    private void compareLogits(String call, float[] a, float[] b) {
        if (a.length != b.length) {
            throw new DevicesDisagreeException("the devices disagree at " + call + ": " + a.length + " logits from "
                    + first.describe() + ", " + b.length + " from " + second.describe(), step, 0);
        }
        int firstDiff = -1;
        int count = 0;
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
                count++;
                if (firstDiff < 0) {
                    firstDiff = i;
                }
            }
        }
        if (firstDiff >= 0) {
            throw new DevicesDisagreeException(String.format(Locale.ROOT, "the devices disagree at %s: logit %d is %s"
                    + " (0x%08x) on %s and %s (0x%08x) on %s; %d of %d logits differ", call, firstDiff,
                    a[firstDiff], Float.floatToRawIntBits(a[firstDiff]), first.describe(), b[firstDiff],
                    Float.floatToRawIntBits(b[firstDiff]), second.describe(), count, a.length), step, firstDiff);
        }
    }

    private void compareKvCaches(String call) {
        ByteBuffer a = kvCache(first);
        ByteBuffer b = kvCache(second);
        if (a == null || b == null) {
            return;
        }
        long mismatch = a.mismatch(b);
        if (mismatch < 0) {
            return;
        }
        long element = mismatch / 2;
        long row = element / layout.headDim();
        int index = (int) (element % layout.headDim());
        int position = (int) (row % layout.positions());
        long head = row / layout.positions();
        int kind = (int) (head % 2);
        int kvHead = (int) (head / 2 % layout.kvHeads());
        int layer = (int) (head / 2 / layout.kvHeads());
        throw new DevicesDisagreeException(String.format(Locale.ROOT, "the devices' logits agree at %s, but their KV"
                + " caches differ first at layer %d, KV head %d, %s of position %d, element %d: 0x%04x on %s and"
                + " 0x%04x on %s", call, layer, kvHead, kind == KvCacheLayout.KEYS ? "the key" : "the value", position,
                index, a.getShort((int) element * 2) & 0xFFFF, first.describe(), b.getShort((int) element * 2) & 0xFFFF,
                second.describe()), step, -1);
    }

    private static ByteBuffer kvCache(Device d) {
        if (d instanceof ReferenceDevice r) {
            return r.kvCache();
        }
        if (d instanceof OpenClDevice o) {
            return o.kvCache();
        }
        if (d instanceof CrossCheck c) {
            return kvCache(c.first);
        }
        return null;
    }

    @Override
    public float[] decode(int token) {
        return prefill(new int[] {token});
    }

    /** Calls compared so far, every one equal. */
    public long callsCompared() {
        return compared;
    }

    @Override
    public int position() {
        return first.position();
    }

    @Override
    public int context() {
        return first.context();
    }

    @Override
    public void reset() {
        first.reset();
        second.reset();
        step = 0;
    }

    @Override
    public DeviceCounters counters() {
        return first.counters();
    }

    /** The device whose logits the run uses. */
    public Device first() {
        return first;
    }

    @Override
    public void close() {
        try {
            first.close();
        } finally {
            second.close();
        }
    }
}
