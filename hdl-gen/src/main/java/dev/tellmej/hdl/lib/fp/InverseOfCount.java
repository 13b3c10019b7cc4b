package dev.tellmej.hdl.lib.fp;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.HwEnum;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.Stream;

/**
 * 1/n of a count: for an unsigned 16-bit n, the binary32 bits of Java's {@code (float) (1.0 / n)}, the
 * {@code INV_N} of NUMERICS.md N13 for a length known only at run time.
 *
 * <p>The unit computes the correctly rounded binary32 of the exact quotient 1/n, which for every n from 1 to
 * 65,535 is what Java's double division followed by a rounding to float gives: the exact 1/n never lies
 * within the double's rounding error of a binary32 rounding boundary, so the two roundings never disagree
 * ({@code InverseOfCountTest} proves both for every n). For n = 0 it gives +infinity (0x7F800000), as Java
 * does.
 *
 * <p>Method: n is normalized to {@code d = n << z} in [2^15, 2^16) (z its leading zeros), then a restoring long
 * division of 2^39 by d, one quotient bit per cycle, gives the 25 bits of {@code q = floor(2^39 / d)} (in
 * (2^23, 2^24], 2^24 exactly when n is a power of two) and a guard bit; the remainder left is the sticky bit.
 * q is rounded to nearest, ties to even (a tie cannot occur, but the rounding is the general one), and packed
 * as {@code ((110 + z) << 23) + q}: the hidden bit of q carries into the exponent field, so a power of two
 * needs no special case. Every n gives a normal binary32 (1/n >= 2^-16).
 *
 * <p>One bit per cycle because the unit runs once per instruction, not per value: its {@value #LATENCY}
 * cycles hide behind the instruction's other work, and a radix-4 step would double the subtractors to save
 * 13 cycles nobody waits for. Steps: take n; count its leading zeros; shift; 26 division steps (25 quotient
 * bits and the guard); round and pack. Cost: one 17-bit subtractor, a 16-bit leading-zero count and shifter,
 * a 31-bit adder and 121 flip-flops (140 LUTs by Yosys), no DSP and no RAM.
 *
 * <p>Ports: {@code in} (a {@link Stream}: {@code in_valid}, {@code in_ready}, {@code in_payload}: n, 16 bits),
 * ready while the unit is idle; {@code out} (a {@link Flow}: {@code out_valid}, {@code out_payload}: the
 * binary32 bits), valid for one cycle {@value #LATENCY} cycles after n was taken. {@code out_payload} keeps the
 * result until the next one, so a user may read it at any later time.
 */
public final class InverseOfCount extends Module {
    /** Cycles from the cycle n is taken ({@code in_valid && in_ready}) to {@code out_valid}. */
    public static final int LATENCY = 30;
    /** Division steps: the 25 quotient bits of {@code floor(2^39 / d)} and the guard bit. */
    static final int STEPS = 26;

    /** n, an unsigned count ({@code in_valid}, {@code in_ready}, {@code in_payload}); taken while idle. */
    public final Stream<UInt> in = in("in", Stream.of(uint(16)));
    /** {@code (float) (1.0 / n)} as binary32 bits ({@code out_valid}, {@code out_payload}), held after. */
    public final Flow<Bits> out = out("out", Flow.of(bits(32)));

    /** What the unit does in a cycle. */
    enum Step { IDLE, COUNT, SHIFT, DIVIDE, ROUND }

    public InverseOfCount() {
        HwEnum<Step> step = reg("step", enumOf(Step.class), Step.IDLE);
        UInt count = reg("count", uint(16));
        UInt zeros = reg("zeros", uint(5));
        UInt divisor = reg("divisor", uint(16));
        UInt remainder = reg("remainder", uint(17));
        UInt quotient = reg("quotient", uint(STEPS));
        UInt stepsLeft = reg("steps_left", uint(bitsFor(STEPS - 1)));
        Bits result = reg("result", bits(32));
        Bool done = reg("done", bool(), 0);

        in.ready.set(step.is(Step.IDLE));
        done.set(false);
        // Each step: the quotient bit is whether the divisor fits the partial remainder; the next dividend bit
        // is 0 (the dividend is a power of two), so the remainder only doubles.
        Bool fits = remainder.ge(divisor).named("fits");
        UInt kept = mux(fits, remainder.sub(divisor), remainder);
        // The quotient without its guard bit, and the rounding: up when the guard is set and the rest is not
        // exactly zero or the quotient is odd.
        UInt significand = quotient.slice(STEPS - 1, 1);
        Bool guard = quotient.bit(0);
        Bool roundUp = guard.and(remainder.ne(0).or(significand.lsb())).named("round_up");
        UInt exponentField = U(110, 8).add(zeros.zext(8));
        UInt packed = cat(exponentField, B(0, 23)).asUInt().add(significand).add(roundUp.asUInt());
        switchOn(step)
                .is(Step.IDLE, () -> when(in.fire(), () -> {
                    count.set(in.payload);
                    step.set(Step.COUNT);
                }))
                .is(Step.COUNT, () -> {
                    zeros.set(FpCircuits.leadingZeros(count.asBits()));
                    step.set(Step.SHIFT);
                })
                .is(Step.SHIFT, () -> {
                    divisor.set(count.shlKeep(zeros));
                    remainder.set(1 << 15);   // 2^39 >> 24: no quotient bit above bit 24 is set
                    stepsLeft.set(STEPS - 1);
                    step.set(Step.DIVIDE);
                })
                .is(Step.DIVIDE, () -> {
                    remainder.set(kept.shl(1).trunc(17));
                    quotient.set(cat(quotient.slice(STEPS - 2, 0), fits).asUInt());
                    stepsLeft.set(stepsLeft.sub(1));
                    when(stepsLeft.eq(0), () -> step.set(Step.ROUND));
                })
                .is(Step.ROUND, () -> {
                    result.set(mux(count.eq(0), FpFormat.fp32(Float.POSITIVE_INFINITY), cat(FALSE, packed)));
                    done.set(true);
                    step.set(Step.IDLE);
                });
        out.valid.set(done);
        out.payload.set(result);
    }
}
