package dev.tellmej.device;

import dev.tellmej.accel.protocol.KvCacheLayout;
import dev.tellmej.image.MemoryImage;
import dev.tellmej.model.config.ModelConfig;
import dev.tellmej.accel.protocol.Instruction;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;

/**
 * Two devices in lock step ({@code tellme run --device A --check B}): every call goes to both, and the first
 * difference stops the run with a {@link DevicesDisagreeException}. With debug taps on (when both devices have
 * them) it compares the instructions' output vectors first, in execution order, and names the first instruction
 * that differs ({@code layer 3 LINEAR attn_q (ROPE_QUERY)}), the token and element, with both values; then the
 * logits (the first differing one, with both values); then the KV caches (the first differing K or V element by
 * layer, KV head, position and element). It is itself a {@link Device} (the first one's logits are returned), so
 * whatever drives a device drives a cross-check.
 *
 * <p>Both devices must run the same image; the KV caches are compared after every call when both expose theirs
 * (the reference, the OpenCL and the RTL device do).
 */
public final class CrossCheck implements Device {
    private final Device first;
    private final Device second;
    private final KvCacheLayout layout;
    private final List<Instruction> program;
    private final ProgramLabels labels;
    private final long tapBytes;
    private int step;
    private long compared;
    private long tapsCompared;

    /** The most a cross-check gives each device for its debug area by default: 64 MiB. */
    public static final long DEFAULT_TAP_LIMIT = 64L << 20;

    /**
     * @param first  the device whose logits the run uses ({@code --device})
     * @param second the device checked against it ({@code --check})
     * @param image  the image both run, for the KV-cache layout
     */
    public CrossCheck(Device first, Device second, MemoryImage image) {
        this(first, second, image, defaultTapBytes(first, second, image));
    }

    /**
     * @param tapBytes bytes of each device's debug area (header included), or 0 for no taps; a call whose records
     *                 do not all fit is compared on those that did (both devices drop the same)
     */
    public CrossCheck(Device first, Device second, MemoryImage image, long tapBytes) {
        if (first.context() != second.context()) {
            throw new IllegalArgumentException("the devices hold different contexts: " + first.context() + " and "
                    + second.context() + "; they must run the same image");
        }
        this.first = first;
        this.second = second;
        ModelConfig m = image.header().model();
        this.layout = new KvCacheLayout(m.layers(), m.kvHeads(), m.headDim(), image.header().context(), 2);
        this.program = image.program();
        this.labels = new ProgramLabels(image);
        this.tapBytes = tapBytes;
        if (tapBytes > 0) {
            first.setDebugTaps(tapBytes);
            second.setDebugTaps(tapBytes);
        }
    }

    /**
     * Taps when both devices have them: an area for every record of a call of the whole context, at most
     * {@link #DEFAULT_TAP_LIMIT}; 0 when either device has no taps.
     */
    public static long defaultTapBytes(Device first, Device second, MemoryImage image) {
        if (!first.hasDebugTaps() || !second.hasDebugTaps()) {
            return 0;
        }
        long all = DebugArea.bytesFor(image.program(), image.header().model(),
                image.config().tlmmConfig().maxTokens(), image.header().context());
        return Math.min(all, DEFAULT_TAP_LIMIT);
    }

    /** The first difference between the two devices. */
    public static final class DevicesDisagreeException extends RuntimeException {
        private final int step;
        private final int logit;
        private final int instruction;
        private final int token;
        private final int element;

        DevicesDisagreeException(String message, int step, int logit) {
            this(message, step, logit, -1, -1, -1);
        }

        DevicesDisagreeException(String message, int step, int logit, int instruction, int token, int element) {
            super(message);
            this.step = step;
            this.logit = logit;
            this.instruction = instruction;
            this.token = token;
            this.element = element;
        }

        /** The first instruction whose debug tap differed, or -1 when the taps agreed (or were off). */
        public int instruction() {
            return instruction;
        }

        /** The call's token whose vector differed first in that instruction's tap, or -1. */
        public int token() {
            return token;
        }

        /** The first differing element of that vector, or -1. */
        public int element() {
            return element;
        }

        /** The call that differed: 0 is the first call after a reset (the prefill), k the k-th call after it. */
        public int step() {
            return step;
        }

        /** The first differing logit's index, or -1 when the taps differed first, or the KV caches. */
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
        if (tapBytes > 0) {
            compareTaps(call, at);
        }
        compareLogits(call, a, b);
        compareKvCaches(call);
        step++;
        compared++;
        return a;
    }

    private void compareTaps(String call, int at) {
        DebugArea da = first.debugArea();
        DebugArea db = second.debugArea();
        if (da == null || db == null) {
            throw new IllegalStateException("debug taps are on, but " + (da == null ? first : second).describe()
                    + " wrote no debug area at " + call);
        }
        List<DebugArea.Tap> ta = da.taps();
        List<DebugArea.Tap> tb = db.taps();
        for (int r = 0; r < Math.min(ta.size(), tb.size()); r++) {
            DebugArea.Tap x = ta.get(r);
            DebugArea.Tap y = tb.get(r);
            if (x.instruction() != y.instruction() || x.firstToken() != y.firstToken() || x.tokens() != y.tokens()
                    || x.elements() != y.elements()) {
                throw new DevicesDisagreeException(String.format(Locale.ROOT, "the devices disagree at %s: debug"
                        + " record %d is instruction %d (%s) for tokens %d.. (%d x %d values) on %s, but instruction %d"
                        + " (%s) for tokens %d.. (%d x %d values) on %s", call, r, x.instruction(),
                        labels.label(x.instruction()), x.firstToken(), x.tokens(), x.elements(), first.describe(),
                        y.instruction(), labels.label(y.instruction()), y.firstToken(), y.tokens(), y.elements(),
                        second.describe()), step, -1, x.instruction(), -1, -1);
            }
            long mismatch = x.values().mismatch(y.values());
            if (mismatch < 0) {
                continue;
            }
            int index = (int) (mismatch / 4);
            int differing = 0;
            for (int k = index; k < x.tokens() * x.elements(); k++) {
                if (x.values().getInt(4 * k) != y.values().getInt(4 * k)) {
                    differing++;
                }
            }
            int token = x.firstToken() + index / x.elements();
            int element = index % x.elements();
            Instruction in = program.get(x.instruction());
            int va = x.values().getInt(4 * index);
            int vb = y.values().getInt(4 * index);
            throw new DevicesDisagreeException(String.format(Locale.ROOT, "the devices disagree at %s, instruction %d:"
                    + " %s, token %d (position %d), %s: %s (0x%08x) on %s and %s (0x%08x) on %s; %d of the"
                    + " instruction's %d values differ", call, x.instruction(), labels.label(x.instruction()), token,
                    at + token, labels.element(in, x.instruction(), element, x.elements()), Float.intBitsToFloat(va),
                    va, first.describe(), Float.intBitsToFloat(vb), vb, second.describe(), differing,
                    x.tokens() * x.elements()), step, -1, x.instruction(), token, element);
        }
        if (ta.size() != tb.size() || da.dropped() != db.dropped()) {
            throw new DevicesDisagreeException(String.format(Locale.ROOT, "the devices disagree at %s: %s wrote %d"
                    + " debug records (%d dropped), %s %d (%d dropped)", call, first.describe(), ta.size(),
                    da.dropped(), second.describe(), tb.size(), db.dropped()), step, -1);
        }
        tapsCompared += ta.size();
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
        // Only the positions the calls filled: a reset leaves older rows behind, which no call reads.
        int filled = first.position();
        long mismatch = -1;
        for (int run = 0; run < layout.layers() * layout.kvHeads() * 2 && mismatch < 0; run++) {
            int from = (int) layout.rowOffset(run / 2 / layout.kvHeads(), run / 2 % layout.kvHeads(), run % 2, 0);
            int bytes = filled * layout.headDim() * 2;
            long at = a.slice(from, bytes).mismatch(b.slice(from, bytes));
            if (at >= 0) {
                mismatch = from + at;
            }
        }
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
        if (d instanceof RtlDevice r) {
            return r.kvCache();
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

    /** Debug records compared so far, every one equal (0 with the taps off). */
    public long tapsCompared() {
        return tapsCompared;
    }

    /** Bytes of each device's debug area, or 0 when the taps are off. */
    public long tapBytes() {
        return tapBytes;
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

    /** The device checked against the first. */
    public Device second() {
        return second;
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
