package dev.tellmej.hdl.lib;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.ElaborationHelper;
import dev.tellmej.hdl.HwInterface;
import java.util.List;
import java.util.function.Function;

/**
 * A valid/payload flow without backpressure: the consumer must take every word. Operators as for
 * {@link Stream}: {@link #map} (latency 0) and {@link #stage} (latency 1, one register plus the payload).
 *
 * @param <T> the payload's shape
 */
@ElaborationHelper
public final class Flow<T> implements HwInterface {
    public final Bool valid;
    public final T payload;

    public Flow(Bool valid, T payload) {
        this.valid = valid;
        this.payload = payload;
    }

    /** A template: declare it with {@code in(...)}, {@code out(...)} or {@code wire(...)}. */
    public static <T> Flow<T> of(T payloadTemplate) {
        return new Flow<>(bool(), payloadTemplate);
    }

    @Override
    public List<Member> members() {
        return List.of(new Member("valid", valid, false), new Member("payload", payload, false));
    }

    @Override
    @SuppressWarnings("unchecked")
    public HwInterface withMembers(List<Object> values) {
        return new Flow<>((Bool) values.get(0), (T) values.get(1));
    }

    /** A word arrives this cycle. */
    public Bool fire() {
        return valid;
    }

    /** Transforms the payload combinationally; latency 0. */
    public <R> Flow<R> map(Function<T, R> f) {
        return new Flow<>(valid, f.apply(payload));
    }

    /** Registers valid (reset 0) and payload (loaded only with valid): latency 1. */
    public Flow<T> stage(String name) {
        Bool validReg = regNext(uniqueName(name + "_valid"), valid, 0);
        T payloadReg = regNextWhen(uniqueName(name + "_payload"), payload, valid);
        return new Flow<>(validReg, payloadReg);
    }

    /** Drives {@code sink} from this flow. */
    public void connectTo(Flow<T> sink) {
        sink.valid.set(valid);
        assign(sink.payload, payload);
    }
}
