package dev.tellmej.hdl.lib;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.RamStyle;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.check.HdlUsageException;
import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.hdl.ir.Locations;

/**
 * Backpressure for a fixed-latency pipeline that never stalls: a FIFO at the pipeline's output and a credit
 * counter in front of it. A word may enter the pipeline only while a credit is left ({@link #available()});
 * entering takes one ({@link #issue}); the consumer popping a word from the FIFO gives it back. Every word in
 * flight therefore has a FIFO slot waiting, so the pipeline's registers need no enable and the consumer may stall
 * at will.
 *
 * <p>With {@code depth >= latency + 2} (a credit comes back {@code latency + 2} cycles after it was taken: the
 * pipeline, the FIFO's write, the pop) the pipeline runs at one word per cycle while the consumer keeps up.
 * Cost: a {@link SyncFifo} of {@code depth} payload words in LUT RAM (or block RAM), a counter of
 * {@code log2(depth + 1)} bits and its non-zero flag. Use: {@code new CreditBuffer<>("out", template, depth)}, then
 * {@code issue(fire)} once, then {@code connect(results)} once, in the module (and the
 * {@link dev.tellmej.hdl.Area}) under construction.
 * Simulation-only assertions check the invariants: a word enters only with a credit, the credits never exceed
 * the depth, and a result never finds the FIFO full.
 *
 * @param <T> the payload's shape
 */
public final class CreditBuffer<T> {
    private final String name;
    private final T template;
    private final int depth;
    private final RamStyle style;
    private final boolean headRegister;
    private final UInt credits;
    private final Bool hasCredit;
    private Bool issued;
    private boolean connected;

    /** A buffer of {@code depth} words shaped like {@code payloadTemplate}, named {@code name}, in LUT RAM. */
    public CreditBuffer(String name, T payloadTemplate, int depth) {
        this(name, payloadTemplate, depth, RamStyle.DISTRIBUTED);
    }

    /**
     * A buffer of {@code depth} words whose FIFO is in {@code style} RAM: DISTRIBUTED (LUT RAM) or BLOCK (for deep
     * buffers; its FIFO's pop takes a cycle longer, so a credit comes back a cycle later).
     */
    public CreditBuffer(String name, T payloadTemplate, int depth, RamStyle style) {
        this(name, payloadTemplate, depth, style, false);
    }

    /**
     * A buffer of {@code depth} words whose FIFO is in LUT RAM with a head register
     * ({@link SyncFifo#withHeadRegister}): the output's valid and word come from flip-flops, for a consumer whose
     * next step follows them at once. The same credits and latency as {@link #CreditBuffer(String, Object, int)};
     * the FIFO holds a word more than the credits ever let in.
     */
    public static <T> CreditBuffer<T> withHeadRegister(String name, T payloadTemplate, int depth) {
        return new CreditBuffer<>(name, payloadTemplate, depth, RamStyle.DISTRIBUTED, true);
    }

    private CreditBuffer(String name, T payloadTemplate, int depth, RamStyle style, boolean headRegister) {
        this.headRegister = headRegister;
        if (style != RamStyle.DISTRIBUTED && style != RamStyle.BLOCK) {
            throw new InvalidParameterException(Locations.capture(), "a credit buffer's FIFO is in DISTRIBUTED or"
                    + " BLOCK RAM, got " + style);
        }
        this.style = style;
        if (depth < 2) {
            throw new InvalidParameterException(Locations.capture(), "a credit buffer needs depth >= 2, got " + depth);
        }
        this.name = name;
        this.template = payloadTemplate;
        this.depth = depth;
        this.credits = reg(uniqueName(name + "_credits"), uint(bitsFor(depth)), depth);
        this.hasCredit = reg(uniqueName(name + "_has_credit"), bool(), 1);
    }

    /** The depth that keeps a pipeline of {@code latency} cycles at full throughput. */
    public static int depthFor(int latency) {
        return latency + 2;
    }

    /**
     * True while a word may enter the pipeline this cycle. A flip-flop of its own, set as the credits change (for
     * timing: a producer's decision to issue reads no compare of the count).
     */
    public Bool available() {
        return hasCredit;
    }

    /** True while every credit is back: nothing is in the pipeline or the FIFO. Registered. */
    public Bool drained() {
        return credits.eq(depth);
    }

    /** Declares the pipeline's entry: {@code fire} takes a credit (it must only be true while {@link #available()}). */
    public void issue(Bool fire) {
        if (issued != null) {
            throw new HdlUsageException("CreditBuffer " + name + ": issue(...) was already called");
        }
        issued = fire;
    }

    /** Queues the pipeline's results and returns the stream the consumer reads; call after {@link #issue}. */
    public Stream<T> connect(Flow<T> results) {
        if (issued == null || connected) {
            throw new HdlUsageException("CreditBuffer " + name + ": call issue(...) once, then connect(...) once");
        }
        connected = true;
        SyncFifo fifo = instance(uniqueName(name + "_fifo"), headRegister
                ? SyncFifo.withHeadRegister(widthOf(template), depth)
                : new SyncFifo(widthOf(template), depth, style));
        fifo.push.valid.set(results.valid);
        fifo.push.payload.set(asBits(results.payload));
        Bool popped = fifo.pop.fire();
        Bool taken = issued;
        when(taken.and(popped.not()), () -> {
            credits.set(credits.sub(1));
            hasCredit.set(credits.ne(1));
        }).elseWhen(popped.and(taken.not()), () -> {
            credits.set(credits.add(1));
            hasCredit.set(true);
        });
        assertAlways(hasCredit.eq(credits.ne(0)), "CreditBuffer " + name + ": the credit flag follows the credits");
        Bool outReady = wire(uniqueName(name + "_ready"), bool());
        fifo.pop.ready.set(outReady);
        assertAlways(taken.not().or(credits.ne(0)), "CreditBuffer " + name + ": a word entered the pipeline"
                + " without a credit");
        if (depth < (1 << credits.width()) - 1) {   // otherwise the counter cannot exceed it at all
            assertAlways(credits.le(depth), "CreditBuffer " + name + ": the credits never exceed the depth " + depth);
        }
        assertAlways(results.valid.not().or(fifo.push.ready), "CreditBuffer " + name + ": a result arrived while the"
                + " FIFO was full (the pipeline's latency is longer than the credits cover)");
        return new Stream<>(fifo.pop.valid, outReady, fromBits(templateOf(template), fifo.pop.payload));
    }
}
