package dev.tellmej.hdl.lib.fp;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.ElaborationHelper;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.check.HdlUsageException;
import dev.tellmej.hdl.lib.Pipeline;
import dev.tellmej.hdl.lib.Timed;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One {@link Fp32Mul} and one {@link Fp32Add} that serve every multiply and every add of a fixed schedule in a
 * {@link Pipeline}: each operation is issued at the cycle its later operand is valid, the operands are chosen by
 * the pipeline's valid of that cycle and go through a register ({@link #OPERAND_REGISTER}) into the unit, and the
 * result is the shared unit's output {@link Fp32Mul#LATENCY} or {@link Fp32Add#LATENCY} cycles after that: the
 * same bits a unit of its own would give (same operands, same order, same rounding), a cycle later. So a chain
 * such as N10's Newton step costs one multiplier and one adder instead of one per step, for units that take an
 * input rarely (once per vector or per head). (The register keeps the operand selects out of the units' first
 * stage: the selects and a first stage in one cycle were the longest paths of the units that share.)
 *
 * <p>The price is the initiation interval: two inputs of the pipeline collide when they would issue to one unit
 * in the same cycle, that is when they are d cycles apart and d is the difference of two issue cycles of that
 * unit. A simulation assertion per pair of operations stops such a simulation; a user keeps its inputs at least
 * the schedule's length apart. Cost: the two units, a 2:1 (or wider) multiplexer per operand bit for each
 * operation beyond a unit's first.
 *
 * <p>Elaboration helper: build one inside a module under construction, then call {@link #mul} and {@link #add}
 * in the order of the schedule. {@link FpReciprocal#build} and {@link FpRsqrt#build} take one, so a user can put
 * its own once-per-vector operations on the same two units.
 */
@ElaborationHelper
public final class Fp32SharedOps implements Fp32Ops {
    /** Cycles from an operation's issue to its operands at the shared unit: the register after the selects. */
    public static final int OPERAND_REGISTER = 1;

    private final Pipeline pipeline;
    private final String name;
    private final Shared multiplier;
    private final Shared adder;

    /**
     * @param pipeline the pipeline whose valids choose the operations
     * @param name     prefix of the two units' instance names ({@code name_mul}, {@code name_add}) and wires
     */
    public Fp32SharedOps(Pipeline pipeline, String name) {
        this(pipeline, name, true);
    }

    /**
     * One {@link Fp32Mul} alone ({@code name_mul}), for a schedule of multiplies only: {@link #add} is refused.
     */
    public static Fp32SharedOps multiplier(Pipeline pipeline, String name) {
        return new Fp32SharedOps(pipeline, name, false);
    }

    private Fp32SharedOps(Pipeline pipeline, String name, boolean withAdder) {
        this.pipeline = pipeline;
        this.name = name;
        Fp32Mul mul = Hdl.instance(name + "_mul", new Fp32Mul());
        multiplier = new Shared(name + "_mul", mul.in.valid, mul.in.payload, mul.out.payload, Fp32Mul.LATENCY);
        if (withAdder) {
            Fp32Add add = Hdl.instance(name + "_add", new Fp32Add());
            adder = new Shared(name + "_add", add.in.valid, add.in.payload, add.out.payload, Fp32Add.LATENCY);
        } else {
            adder = null;
        }
    }

    /**
     * {@code a * b} (RNE) on the shared multiplier, valid {@link #OPERAND_REGISTER} + {@link Fp32Mul#LATENCY}
     * cycles after the later operand.
     */
    @Override
    public Timed<Bits> mul(String resultName, Timed<Bits> a, Timed<Bits> b) {
        return multiplier.issue(resultName, a, b);
    }

    /**
     * Inputs of the pipeline at least this many cycles apart never collide on a unit: one
     * more than the widest gap between two issue cycles of one unit in the schedule so far (1 for a schedule
     * with one operation a unit). A user that cannot space its inputs by the schedule's length throttles them
     * by this.
     */
    public int safeInterval() {
        return 1 + Math.max(multiplier.span(), adder == null ? 0 : adder.span());
    }

    /**
     * {@code a + b} (RNE) on the shared adder, valid {@link #OPERAND_REGISTER} + {@link Fp32Add#LATENCY} cycles
     * after the later operand.
     */
    @Override
    public Timed<Bits> add(String resultName, Timed<Bits> a, Timed<Bits> b) {
        if (adder == null) {
            throw new HdlUsageException(name + ": built by Fp32SharedOps.multiplier, it has no adder for "
                    + resultName + "; build it with new Fp32SharedOps(pipeline, name)");
        }
        return adder.issue(resultName, a, b);
    }

    /** One shared unit: its input wires, their choices so far and the valids that choose them. */
    private final class Shared {
        private final String unit;
        private final Bool inValid;
        private final Operands in;
        private final Bits out;
        private final int latency;
        private final List<Integer> issueCycles = new ArrayList<>();
        private final List<Bool> issueValids = new ArrayList<>();
        /** Some operation issues this cycle: the OR of the valids so far. */
        private Bool anyIssue;

        Shared(String unit, Bool unitValid, Operands unitIn, Bits out, int latency) {
            this.unit = unit;
            // The selects drive these wires (nothing issued: no valid); the unit takes them a cycle later.
            this.inValid = wire(unit + "_issue", bool());
            this.in = new Operands(wire(unit + "_issue_a", bits(32)), wire(unit + "_issue_b", bits(32)));
            inValid.set(false);
            in.a().set(B(0, 32));
            in.b().set(B(0, 32));
            unitValid.set(regNext(unit + "_operands_valid", inValid, 0));
            unitIn.a().set(regNext(unit + "_operand_a", in.a()));
            unitIn.b().set(regNext(unit + "_operand_b", in.b()));
            this.out = out;
            this.latency = OPERAND_REGISTER + latency;
        }

        /** The widest gap between two of this unit's issue cycles (0 with one or none). */
        int span() {
            return issueCycles.isEmpty() ? 0 : Collections.max(issueCycles) - Collections.min(issueCycles);
        }

        Timed<Bits> issue(String resultName, Timed<Bits> a, Timed<Bits> b) {
            int cycle = Math.max(a.isSteady() ? 0 : a.cycle(), b.isSteady() ? 0 : b.cycle());
            if (issueCycles.contains(cycle)) {
                throw new HdlUsageException(name + ": two operations on " + unit + " issue at cycle " + cycle
                        + " of one input; they need units of their own");
            }
            Bool valid = pipeline.valid(cycle);
            Bits first = a.at(cycle);
            Bits second = b.at(cycle);
            anyIssue = anyIssue == null ? valid : anyIssue.or(valid);
            inValid.set(anyIssue);
            if (issueCycles.isEmpty()) {
                in.a().set(first);
                in.b().set(second);
            } else {
                when(valid, () -> {
                    in.a().set(first);
                    in.b().set(second);
                });
                for (int i = 0; i < issueCycles.size(); i++) {
                    int gap = Math.abs(cycle - issueCycles.get(i));
                    assertAlways(valid.and(issueValids.get(i)).not(), name + ": inputs " + gap + " cycles apart"
                            + " collide on " + unit + " (keep inputs at least the schedule's length apart)");
                }
            }
            issueCycles.add(cycle);
            issueValids.add(valid);
            return pipeline.at(cycle + latency, resultName, out);
        }
    }
}
