package dev.tellmej.hdl;

import dev.tellmej.hdl.check.ClockDomainCheck;
import dev.tellmej.hdl.check.CombinationalLoopCheck;
import dev.tellmej.hdl.check.DriverCheck;
import dev.tellmej.hdl.check.ElaborationException;
import dev.tellmej.hdl.check.HdlException;
import dev.tellmej.hdl.check.HdlUsageException;
import dev.tellmej.hdl.check.IrWalk;
import dev.tellmej.hdl.check.LatchCheck;
import dev.tellmej.hdl.check.MemoryRuleCheck;
import dev.tellmej.hdl.check.NameCheck;
import dev.tellmej.hdl.check.Pass;
import dev.tellmej.hdl.check.RegisterCheck;
import dev.tellmej.hdl.check.ScopeCheck;
import dev.tellmej.hdl.check.WidthCheck;
import dev.tellmej.hdl.emit.ConstantFolding;
import dev.tellmej.hdl.emit.DefinitionNaming;
import dev.tellmej.hdl.emit.WriteFirstLowering;
import dev.tellmej.hdl.ir.Instance;
import dev.tellmej.hdl.ir.ModuleNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Elaboration followed by an explicit, ordered list of passes. The standard list reads like the
 * language's rule book:
 * <ol>
 *   <li>{@link WidthCheck}: assignments match their targets' widths;
 *   <li>{@link NameCheck}: names are legal Verilog and no keyword;
 *   <li>{@link ScopeCheck}: modules touch only their own signals;
 *   <li>{@link DriverCheck}: everything is driven, nothing twice;
 *   <li>{@link LatchCheck}: combinational signals are assigned on every path;
 *   <li>{@link RegisterCheck}: every register is assigned;
 *   <li>{@link CombinationalLoopCheck}: no loop without a register, across the hierarchy;
 *   <li>{@link ClockDomainCheck}: no clock-domain crossing without a synchronizer;
 *   <li>{@link MemoryRuleCheck}: RAM styles' vendor rules;
 * </ol>
 * then, when no check failed, the transforms {@link WriteFirstLowering}, {@link ConstantFolding} and
 * {@link DefinitionNaming}.
 * All errors of the checks (and those found while building expressions) are reported together.
 */
public final class Compiler {
    private final List<Pass> checks;

    private Compiler(List<Pass> checks) {
        this.checks = List.copyOf(checks);
    }

    /** The standard checks, in order. */
    public static Compiler standard() {
        return new Compiler(List.of(new WidthCheck(), new NameCheck(), new ScopeCheck(), new DriverCheck(),
                new LatchCheck(), new RegisterCheck(), new CombinationalLoopCheck(), new ClockDomainCheck(),
                new MemoryRuleCheck()));
    }

    /** The checks this compiler runs, in order. */
    public List<Pass> checks() {
        return checks;
    }

    /** A compiler that also runs {@code check} after the standard ones. */
    public Compiler withCheck(Pass check) {
        List<Pass> extended = new ArrayList<>(checks);
        extended.add(check);
        return new Compiler(extended);
    }

    /**
     * Elaborates the design {@code top} builds, runs the checks and, when they pass, the transforms.
     *
     * @throws ElaborationException listing every design error
     */
    public <M extends Module> Design<M> elaborate(ElaborationOptions options, Supplier<M> top) {
        Elaboration elaboration = Elaboration.begin(options);
        M module;
        try {
            module = top.get();
            Elaboration.Frame frame = elaboration.frameOrNull();
            if (frame == null || frame.module != module) {
                throw new HdlUsageException(frame == null
                        ? "the supplier must construct the top module (Hdl.elaborate(() -> new Top()))"
                        : "module " + frame.node.baseName() + " (created at " + frame.node.location()
                                + ") was never placed: write instance(\"name\", new " + frame.node.baseName() + "(...))");
            }
            frame.checkAreasClosed();
            elaboration.pop();
        } finally {
            elaboration.end();
        }
        ModuleNode root = module.node();
        assignPaths(root, root.baseName());
        List<HdlException> errors = new ArrayList<>(elaboration.errors());
        for (Pass check : checks) {
            check.run(root, errors);
        }
        if (!errors.isEmpty()) {
            throw new ElaborationException(root.parameterizedName(), distinct(errors));
        }
        List<HdlException> none = new ArrayList<>();
        new WriteFirstLowering().run(root, none);
        new ConstantFolding().run(root, none);
        DefinitionNaming naming = new DefinitionNaming();
        naming.run(root, none);
        List<String> sources = new ArrayList<>();
        for (ModuleNode node : IrWalk.modules(root)) {
            for (String source : node.blackBoxSources()) {
                if (!sources.contains(source)) {
                    sources.add(source);
                }
            }
        }
        return new Design<>(module, naming.definitions(), sources);
    }

    /**
     * The errors with repeats removed: every instance of a module is elaborated and checked on its own, so a
     * mistake in a module placed 16 times would otherwise be reported 16 times.
     */
    private static List<HdlException> distinct(List<HdlException> errors) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        List<HdlException> out = new ArrayList<>();
        for (HdlException error : errors) {
            if (seen.add(error.getClass().getName() + "|" + error.getMessage())) {
                out.add(error);
            }
        }
        return out;
    }

    private static void assignPaths(ModuleNode node, String path) {
        node.setInstancePath(path);
        for (Instance instance : node.instances()) {
            assignPaths(instance.child(), path + "." + instance.name());
        }
    }
}
