package dev.tellmej.hdl.lib;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.HwInterface;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.Vec;
import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.hdl.ir.Locations;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A valid/ready stream carrying a payload of shape {@code T} (a Data, record, Vec or interface).
 *
 * <p>Handshake rules, which every operator here keeps and the simulator's protocol checker enforces:
 * a transfer happens in a cycle where {@code valid && ready} ({@link #fire()}); once {@code valid} is
 * raised it stays up, with the payload unchanged, until the transfer; {@code valid} never depends
 * combinationally on {@code ready} (so {@code ready} may depend on {@code valid}).
 *
 * <p>Operators build logic in the module under construction and return a new stream whose internals are
 * named after the source stream ({@code in.stage()} makes {@code in_stage_valid}, ...). Their cost:
 * <table>
 *   <caption>Stream operators</caption>
 *   <tr><th>operator</th><th>latency (cycles)</th><th>registers</th><th>combinational path kept</th></tr>
 *   <tr><td>{@link #map}</td><td>0</td><td>0</td><td>all</td></tr>
 *   <tr><td>{@link #throwWhen}, {@link #haltWhen}</td><td>0</td><td>0</td><td>all</td></tr>
 *   <tr><td>{@link #stage}</td><td>1</td><td>1 + payload</td><td>ready (backward)</td></tr>
 *   <tr><td>{@link #s2mPipe}</td><td>0</td><td>1 + payload</td><td>valid, payload (forward)</td></tr>
 *   <tr><td>{@link #fullPipe}</td><td>1</td><td>2 + 2 x payload</td><td>none</td></tr>
 *   <tr><td>{@link #queue}</td><td>1 (distributed RAM)</td><td>pointers; RAM of depth x payload</td><td>none</td></tr>
 *   <tr><td>{@link #fork}</td><td>0</td><td>1 per output</td><td>all</td></tr>
 *   <tr><td>{@link #join}</td><td>0</td><td>0</td><td>all</td></tr>
 *   <tr><td>{@link #roundRobin}</td><td>0</td><td>2n + 1 (one-hot last and held grants, a flag)</td><td>all</td></tr>
 * </table>
 *
 * @param <T> the payload's shape
 */
public final class Stream<T> implements HwInterface {
    /** The producer has a payload. */
    public final Bool valid;
    /** The consumer takes it in this cycle if valid. */
    public final Bool ready;
    /** The data. */
    public final T payload;

    /** A stream made of the given signals. */
    public Stream(Bool valid, Bool ready, T payload) {
        this.valid = valid;
        this.ready = ready;
        this.payload = payload;
    }

    /** A template: declare it with {@code in(...)}, {@code out(...)} or {@code wire(...)}. */
    public static <T> Stream<T> of(T payloadTemplate) {
        return new Stream<>(bool(), bool(), payloadTemplate);
    }

    @Override
    public List<Member> members() {
        return List.of(new Member("valid", valid, false), new Member("ready", ready, true),
                new Member("payload", payload, false));
    }

    @Override
    @SuppressWarnings("unchecked")
    public HwInterface withMembers(List<Object> values) {
        return new Stream<>((Bool) values.get(0), (Bool) values.get(1), (T) values.get(2));
    }

    /** A transfer happens this cycle. */
    public Bool fire() {
        return valid.and(ready);
    }

    /** The producer waits: valid but not ready. */
    public Bool isStall() {
        return valid.and(ready.not());
    }

    /** The base name internals are derived from: the valid signal's name without {@code _valid}. */
    String baseName() {
        var signal = valid.signal();
        if (signal == null) {
            return "stream";
        }
        String name = signal.name();
        return name.endsWith("_valid") ? name.substring(0, name.length() - "_valid".length()) : name;
    }

    /** A new stream of wires shaped like this one, named {@code name} (valid, ready and payload). */
    private Stream<T> wireLike(String name) {
        return wire(uniqueName(name), Stream.of(templateOf(payload)));
    }

    /** Drives {@code sink} from this stream: its valid and payload from here, this ready from it. */
    public void connectTo(Stream<T> sink) {
        sink.valid.set(valid);
        assign(sink.payload, payload);
        ready.set(sink.ready);
    }

    /**
     * Transforms the payload combinationally. The result shares this stream's valid and ready.
     * Latency 0, no registers.
     */
    public <R> Stream<R> map(Function<T, R> f) {
        return new Stream<>(valid, ready, f.apply(payload));
    }

    /** Drops transfers while {@code condition} holds (they are consumed, not passed on). Latency 0. */
    public Stream<T> throwWhen(Bool condition) {
        String name = uniqueName(baseName() + "_thrown_ready");
        Bool downstreamReady = wire(name, bool());
        ready.set(downstreamReady.or(condition));
        return new Stream<>(valid.and(condition.not()), downstreamReady, payload);
    }

    /** Holds transfers while {@code condition} holds (nothing passes, nothing is consumed). Latency 0. */
    public Stream<T> haltWhen(Bool condition) {
        String name = uniqueName(baseName() + "_halted_ready");
        Bool downstreamReady = wire(name, bool());
        ready.set(downstreamReady.and(condition.not()));
        return new Stream<>(valid.and(condition.not()), downstreamReady, payload);
    }

    /** {@link #stage(String)} named after this stream. */
    public Stream<T> stage() {
        return stage(baseName() + "_stage");
    }

    /**
     * Registers valid and payload (SpinalHDL's m2sPipe): latency 1, full throughput; ready stays a
     * combinational path from the consumer. Registers {@code name_valid} (reset 0) and {@code name_payload}.
     */
    public Stream<T> stage(String name) {
        Bool validReg = reg(uniqueName(name + "_valid"), bool(), 0);
        T payloadReg = reg(uniqueName(name + "_payload"), templateOf(payload));
        Bool downstreamReady = wire(uniqueName(name + "_ready"), bool());
        Bool accept = validReg.not().or(downstreamReady);
        ready.set(accept);
        when(accept, () -> {
            validReg.set(valid);
            assign(payloadReg, payload);
        });
        return new Stream<>(validReg, downstreamReady, payloadReg);
    }

    /** {@link #s2mPipe(String)} named after this stream. */
    public Stream<T> s2mPipe() {
        return s2mPipe(baseName() + "_s2m");
    }

    /**
     * Registers ready (a skid buffer): latency 0, full throughput; valid and payload stay combinational
     * paths, through one multiplexer. Registers {@code name_buffered} (reset 0) and {@code name_buffer}.
     */
    public Stream<T> s2mPipe(String name) {
        Bool buffered = reg(uniqueName(name + "_buffered"), bool(), 0);
        T buffer = reg(uniqueName(name + "_buffer"), templateOf(payload));
        Bool downstreamReady = wire(uniqueName(name + "_ready"), bool());
        ready.set(buffered.not());
        when(buffered.not(), () -> assign(buffer, payload));
        when(downstreamReady, () -> buffered.set(false))
                .elseWhen(valid, () -> buffered.set(true));
        Bool outValid = valid.or(buffered);
        T outPayload = mux(buffered, buffer, payload);
        return new Stream<>(outValid, downstreamReady, outPayload);
    }

    /** Both directions registered: {@code stage(name).s2mPipe(name + "_s2m")}. Latency 1, full throughput. */
    public Stream<T> fullPipe(String name) {
        return stage(name).s2mPipe(name + "_s2m");
    }

    /** {@link #fullPipe(String)} named after this stream. */
    public Stream<T> fullPipe() {
        return fullPipe(baseName() + "_pipe");
    }

    /**
     * A FIFO of {@code depth} words (a {@link SyncFifo} instance named {@code name}) in distributed RAM.
     * Latency 1 (a word pushed in cycle t can pop in t + 1); full throughput.
     */
    public Stream<T> queue(String name, int depth) {
        return queue(name, depth, dev.tellmej.hdl.RamStyle.DISTRIBUTED).stream();
    }

    /** A FIFO with a chosen RAM style, also giving its occupancy. */
    public Queued<T> queue(String name, int depth, dev.tellmej.hdl.RamStyle style) {
        return through(instance(name, new SyncFifo(widthOf(payload), depth, style)));
    }

    /**
     * A FIFO of {@code depth} LUT-RAM words and a head register ({@link SyncFifo#withHeadRegister}, an instance
     * named {@code name}): the output's valid and word come from flip-flops, for a consumer whose decisions
     * follow them at once. Latency 1; full throughput; holds {@code depth} + 1 words.
     */
    public Queued<T> headQueue(String name, int depth) {
        return through(instance(name, SyncFifo.withHeadRegister(widthOf(payload), depth)));
    }

    /** This stream into {@code fifo} and out of it again, as this stream's type. */
    private Queued<T> through(SyncFifo fifo) {
        fifo.push.valid.set(valid);
        fifo.push.payload.set(asBits(payload));
        ready.set(fifo.push.ready);
        T popped = fromBits(templateOf(payload), fifo.pop.payload);
        return new Queued<>(new Stream<>(fifo.pop.valid, fifo.pop.ready, popped), fifo.occupancy);
    }

    /** A queued stream and the FIFO's occupancy (words held, 0..depth; 0..depth + 1 with a head register). */
    public record Queued<T>(Stream<T> stream, UInt occupancy) {}

    /**
     * Copies every transfer to {@code outputs} streams, which may accept in different cycles; the input
     * transfers once all have. Registers {@code name_served_i} remember who already took the word.
     */
    public List<Stream<T>> fork(String name, int outputs) {
        if (outputs < 1) {
            throw new InvalidParameterException(Locations.capture(), "fork needs at least one output, got " + outputs);
        }
        List<Stream<T>> out = new ArrayList<>();
        List<Bool> served = new ArrayList<>();
        Bool allDone = TRUE;
        for (int i = 0; i < outputs; i++) {
            Bool done = reg(uniqueName(name + "_served_" + i), bool(), 0);
            Bool outReady = wire(uniqueName(name + "_" + i + "_ready"), bool());
            served.add(done);
            out.add(new Stream<>(valid.and(done.not()), outReady, payload));
            allDone = allDone.and(outReady.or(done));
        }
        Bool inputFire = valid.and(allDone);
        ready.set(allDone);
        for (int i = 0; i < outputs; i++) {
            Bool done = served.get(i);
            Bool taken = out.get(i).fire();
            when(inputFire, () -> done.set(false)).elseWhen(taken, () -> done.set(true));
        }
        return out;
    }

    /** The payloads of two joined streams. */
    public record Joined<A, B>(A first, B second) {}

    /** Transfers when both inputs are valid, pairing their payloads. Latency 0. */
    public static <A, B> Stream<Joined<A, B>> join(String name, Stream<A> a, Stream<B> b) {
        Bool outReady = wire(uniqueName(name + "_ready"), bool());
        Bool bothValid = a.valid.and(b.valid);
        Bool fire = bothValid.and(outReady);
        a.ready.set(fire);
        b.ready.set(fire);
        return new Stream<>(bothValid, outReady, new Joined<>(a.payload, b.payload));
    }

    /**
     * A fair arbiter: each cycle grants the first valid input after the last one granted, and holds the
     * grant while the output stalls, so the payload never changes under a waiting consumer. An input that keeps
     * its valid high is granted within {@code n - 1} grants to the others.
     *
     * <p>The grant is one-hot and selects the payload by AND-OR (about two LUT6 per payload bit for up to six
     * inputs, where a binary-indexed multiplexer tree maps to four); two inputs by a multiplexer on the grant's
     * second bit (the payload is then input 0's while nothing is granted, not zero). Registers {@code name_last}
     * (the last grant, one-hot), {@code name_locked} and {@code name_held} (the grant held while stalled,
     * one-hot); wires {@code name_grant}, {@code name_valid} and {@code name_payload} (the granted input's payload
     * as bits).
     */
    public static <T> Stream<T> roundRobin(String name, List<Stream<T>> inputs) {
        int n = inputs.size();
        if (n < 1) {
            throw new InvalidParameterException(Locations.capture(), "roundRobin needs at least one input");
        }
        if (n == 1) {
            return inputs.getFirst();
        }
        Bits last = reg(uniqueName(name + "_last"), bits(n), 1L << (n - 1));   // so input 0 goes first
        Bool locked = reg(uniqueName(name + "_locked"), bool(), 0);
        Bits held = reg(uniqueName(name + "_held"), bits(n), 0);
        Bool[] valids = new Bool[n];
        for (int i = 0; i < n; i++) {
            valids[n - 1 - i] = inputs.get(i).valid;   // cat is most significant first: bit i is input i
        }
        Bits requests = cat(valids).named(uniqueName(name + "_requests"));
        // The lowest request above the last grant, or, when there is none, the lowest request.
        Bits above = cat(last, B(0, 1)).asUInt().sub(1).asBits().lsbs(n).not();
        Bits later = requests.and(above).named(uniqueName(name + "_later"));
        Bits choice = mux(later.orR(), lowestSetBit(later), lowestSetBit(requests));
        Bits grant = mux(locked, held, choice).named(uniqueName(name + "_grant"));
        Bool outValid = grant.and(requests).orR().named(uniqueName(name + "_valid"));
        Bits selected = null;
        if (n == 2) {
            // Two inputs: one select bit. Yosys's ABC folds a two-input AND-OR's grant logic into every payload
            // bit (four LUTs a bit where this takes two); while the output is not valid the payload is input 0's.
            selected = mux(grant.bit(1), asBits(inputs.get(1).payload), asBits(inputs.get(0).payload));
        } else {
            for (int i = 0; i < n; i++) {
                Bits word = asBits(inputs.get(i).payload);
                Bits masked = mux(grant.bit(i), word, B(0, word.width()));
                selected = selected == null ? masked : selected.or(masked);
            }
        }
        T outPayload = fromBits(templateOf(inputs.getFirst().payload), selected.named(uniqueName(name + "_payload")));
        Bool outReady = wire(uniqueName(name + "_ready"), bool());
        for (int i = 0; i < n; i++) {
            inputs.get(i).ready.set(outReady.and(grant.bit(i)));
        }
        Bool fire = outValid.and(outReady);
        when(fire, () -> {
            last.set(grant);
            locked.set(false);
        }).elseWhen(outValid, () -> {
            locked.set(true);
            held.set(grant);
        });
        return new Stream<>(outValid, outReady, outPayload);
    }

    /**
     * The lowest set bit of {@code x} alone (zero when none is): bit i is x[i] with no lower bit set. As a prefix OR,
     * not {@code x & -x}, whose carry chain lay on the paths from the requests to the grant.
     */
    private static Bits lowestSetBit(Bits x) {
        int n = x.width();
        Bool[] bits = new Bool[n];
        Bool below = FALSE;
        for (int i = 0; i < n; i++) {
            bits[n - 1 - i] = x.bit(i).and(below.not());   // cat is most significant first
            below = below.or(x.bit(i));
        }
        return cat(bits);
    }

    /** The payload as bits (first declared leaf least significant). */
    public Bits payloadBits() {
        return asBits(payload);
    }
}
