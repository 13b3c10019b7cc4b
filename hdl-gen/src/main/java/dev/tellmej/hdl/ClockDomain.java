package dev.tellmej.hdl;

import dev.tellmej.hdl.ir.ClockDomainNode;
import dev.tellmej.hdl.ir.Expr;

/**
 * A clock domain of the current module: registers and memories made inside
 * {@link Hdl#withClockDomain(ClockDomain, Runnable)} use its clock and reset. Signals of one domain may
 * reach registers of another only through a synchronizer ({@link dev.tellmej.hdl.lib.Synchronizer}); the
 * clock-domain check rejects any other path.
 */
public final class ClockDomain {
    private final ClockDomainNode node;

    ClockDomain(ClockDomainNode node) {
        this.node = node;
    }

    public ClockDomainNode node() {
        return node;
    }

    /** The clock input. */
    public Bool clock() {
        return new Bool(new Expr.Ref(node.clock()));
    }

    /** The reset input, or null when the domain has none. */
    public Bool reset() {
        return node.reset() == null ? null : new Bool(new Expr.Ref(node.reset()));
    }

    /** True while reset is asserted, whatever its active level (null when the domain has no reset). */
    public Bool resetActive() {
        Bool reset = reset();
        if (reset == null) {
            return null;
        }
        return node.level() == ActiveLevel.HIGH ? reset : reset.not();
    }

    @Override
    public String toString() {
        return "ClockDomain(" + node.name() + ")";
    }
}
