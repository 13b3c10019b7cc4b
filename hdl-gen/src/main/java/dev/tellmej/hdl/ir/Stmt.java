package dev.tellmej.hdl.ir;

import java.math.BigInteger;
import java.util.List;

/**
 * A statement of a module body. Statements form trees (a {@code When} holds blocks of statements);
 * within a block, later assignments to the same bits win, as in SpinalHDL and Chisel.
 */
public sealed interface Stmt {
    SourceLocation location();

    /**
     * Assign {@code value} to bits {@code lo .. lo + width - 1} of {@code target}. A whole-signal assignment
     * has {@code lo == 0} and the signal's width. The width check pass rejects a value of another width.
     */
    record Assign(Signal target, int lo, int width, Expr value, SourceLocation location) implements Stmt {
        public int hi() {
            return lo + width - 1;
        }

        public boolean wholeSignal() {
            return lo == 0 && width == target.width();
        }
    }

    /** {@code if (condition) whenTrue else whenFalse}; both blocks may be empty. */
    record When(Expr condition, Block whenTrue, Block whenFalse, SourceLocation location) implements Stmt {}

    /** One arm of a switch: the values that select it. */
    record Case(List<BigInteger> values, Block body, SourceLocation location) {}

    /** A multi-way branch on a selector; {@code otherwise} runs when no case matches. */
    record Switch(Expr selector, List<Case> cases, Block otherwise, SourceLocation location) implements Stmt {
        /** True when the cases cover every value of the selector, so {@code otherwise} is unreachable. */
        public boolean exhaustive() {
            int width = selector.width();
            if (width > 20) {
                return false;
            }
            java.util.Set<BigInteger> seen = new java.util.HashSet<>();
            for (Case c : cases) {
                seen.addAll(c.values());
            }
            return seen.size() == (1 << width);
        }
    }

    /**
     * Write {@code data} to {@code memory[address]} on the clock edge; only the bytes (or lanes) whose mask bit
     * is set when {@code mask} is not null. The enclosing conditions are the write enable.
     */
    record MemWrite(MemoryNode memory, Expr address, Expr data, Expr mask, SourceLocation location) implements Stmt {}
}
