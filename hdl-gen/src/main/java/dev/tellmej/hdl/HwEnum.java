package dev.tellmej.hdl;

import dev.tellmej.hdl.ir.EnumEncoding;
import dev.tellmej.hdl.ir.Expr;
import dev.tellmej.hdl.ir.HwType;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * A value of an enumerated type made from a Java enum: a state machine's state. It is binary encoded
 * (constant i is the number i, in {@code ceil(log2(n))} bits, at least 1), and the Verilog names every value:
 * each module that uses the type declares {@code localparam [1:0] SWEEP_STATE_IDLE = 2'd0;} and so on, and
 * comparisons, assignments, resets and case labels use those names, so the Verilog says {@code SWEEP}, not
 * {@code 2'd2}.
 *
 * <pre>{@code
 * enum State { IDLE, LOAD, RUN }
 * HwEnum<State> state = reg("state", enumOf(State.class), State.IDLE);
 * switchOn(state)
 *         .is(State.IDLE, () -> when(start, () -> state.set(State.LOAD)))
 *         .is(State.LOAD, () -> when(loaded, () -> state.set(State.RUN)))
 *         .is(State.RUN, () -> when(finished, () -> state.set(State.IDLE)));
 * Bool running = state.is(State.RUN);
 * }</pre>
 *
 * @param <E> the Java enum
 */
public final class HwEnum<E extends Enum<E>> extends Data {
    HwEnum(HwType type, Expr node) {
        super(type, node);
    }

    /** The IR type of {@code type}'s values. */
    static <E extends Enum<E>> HwType typeOf(Class<E> type) {
        List<String> names = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            names.add(constant.name());
        }
        return HwType.enumeration(new EnumEncoding(type.getSimpleName(), names, type));
    }

    static <E extends Enum<E>> HwEnum<E> template(Class<E> type) {
        return new HwEnum<>(typeOf(type), null);
    }

    /** The constant {@code value}, emitted under its name. */
    public static <E extends Enum<E>> HwEnum<E> constant(E value) {
        HwType type = typeOf(value.getDeclaringClass());
        return new HwEnum<>(type, new Expr.Literal(type, BigInteger.valueOf(value.ordinal())));
    }

    @Override
    public HwEnum<E> typeTemplate() {
        return new HwEnum<>(type(), null);
    }

    /** The encoding's bits. */
    @Override
    public Bits asBits() {
        return new Bits(HwType.bits(width()), Ops.reinterpret(node(), HwType.bits(width())));
    }

    /** The encoding as a number (the value's ordinal). */
    public UInt asUInt() {
        return new UInt(HwType.uint(width()), Ops.reinterpret(node(), HwType.uint(width())));
    }

    /** True while this value is {@code value}. */
    public Bool is(E value) {
        return new Bool(new Expr.Binary(Expr.BinaryOp.EQ, node(), constant(value).node(), HwType.BOOL));
    }

    /** True while this value is not {@code value}. */
    public Bool isNot(E value) {
        return new Bool(new Expr.Binary(Expr.BinaryOp.NE, node(), constant(value).node(), HwType.BOOL));
    }

    /** True while this value is any of {@code values}. */
    @SafeVarargs
    public final Bool isOneOf(E... values) {
        Bool any = null;
        for (E value : values) {
            any = any == null ? is(value) : any.or(is(value));
        }
        return any == null ? Hdl.FALSE : any;
    }

    /** True while both values are equal. */
    public Bool eq(HwEnum<E> other) {
        return new Bool(new Expr.Binary(Expr.BinaryOp.EQ, node(), other.node(), HwType.BOOL));
    }

    /** Assigns this signal the constant {@code value}. */
    public void set(E value) {
        assignFrom(constant(value));
    }

    /** Assigns this signal another value of the same type. */
    public void set(HwEnum<E> value) {
        assignFrom(value);
    }
}
