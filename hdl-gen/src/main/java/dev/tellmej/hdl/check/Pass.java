package dev.tellmej.hdl.check;

import dev.tellmej.hdl.ir.ModuleNode;
import java.util.List;

/**
 * One step of the compiler: a check that reports design errors, or a transform that rewrites the IR.
 * The compiler runs its passes in order over the elaborated hierarchy (see
 * {@link dev.tellmej.hdl.Compiler#standard()}); users may insert their own.
 */
public interface Pass {
    /** A short name for logs ({@code "latch check"}). */
    String name();

    /**
     * Runs over the hierarchy rooted at {@code top}, adding every error found to {@code errors}.
     * Checks must not throw design errors; they report them all.
     */
    void run(ModuleNode top, List<HdlException> errors);
}
