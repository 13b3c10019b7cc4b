package dev.tellmej.hdl.check;

import dev.tellmej.hdl.ir.Instance;
import dev.tellmej.hdl.ir.MemoryNode;
import dev.tellmej.hdl.ir.ModuleNode;
import dev.tellmej.hdl.ir.Signal;
import dev.tellmej.hdl.ir.SourceLocation;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Names pass into the Verilog unchanged, so each must be a legal Verilog identifier and no Verilog-2005 or
 * SystemVerilog-2017 keyword (a port named {@code end} or {@code logic} is an error, never silently renamed).
 * Names starting with {@code unused} are reserved for the emitter's lint sink.
 */
public final class NameCheck implements Pass {
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*");

    /** Verilog-2005 (IEEE 1364) and SystemVerilog-2017 (IEEE 1800) reserved words. */
    public static final Set<String> KEYWORDS = Set.of(
            "accept_on", "alias", "always", "always_comb", "always_ff", "always_latch", "and", "assert", "assign",
            "assume", "automatic", "before", "begin", "bind", "bins", "binsof", "bit", "break", "buf", "bufif0",
            "bufif1", "byte", "case", "casex", "casez", "cell", "chandle", "checker", "class", "clocking", "cmos",
            "config", "const", "constraint", "context", "continue", "cover", "covergroup", "coverpoint", "cross",
            "deassign", "default", "defparam", "design", "disable", "dist", "do", "edge", "else", "end", "endcase",
            "endchecker", "endclass", "endclocking", "endconfig", "endfunction", "endgenerate", "endgroup",
            "endinterface", "endmodule", "endpackage", "endprimitive", "endprogram", "endproperty", "endspecify",
            "endsequence", "endtable", "endtask", "enum", "event", "eventually", "expect", "export", "extends",
            "extern", "final", "first_match", "for", "force", "foreach", "forever", "fork", "forkjoin", "function",
            "generate", "genvar", "global", "highz0", "highz1", "if", "iff", "ifnone", "ignore_bins",
            "illegal_bins", "implements", "implies", "import", "incdir", "include", "initial", "inout", "input",
            "inside", "instance", "int", "integer", "interconnect", "interface", "intersect", "join", "join_any",
            "join_none", "large", "let", "liblist", "library", "local", "localparam", "logic", "longint",
            "macromodule", "matches", "medium", "modport", "module", "nand", "negedge", "nettype", "new", "nexttime",
            "nmos", "nor", "noshowcancelled", "not", "notif0", "notif1", "null", "or", "output", "package", "packed",
            "parameter", "pmos", "posedge", "primitive", "priority", "program", "property", "protected", "pull0",
            "pull1", "pulldown", "pullup", "pulsestyle_ondetect", "pulsestyle_onevent", "pure", "rand", "randc",
            "randcase", "randsequence", "rcmos", "real", "realtime", "ref", "reg", "reject_on", "release", "repeat",
            "restrict", "return", "rnmos", "rpmos", "rtran", "rtranif0", "rtranif1", "s_always", "s_eventually",
            "s_nexttime", "s_until", "s_until_with", "scalared", "sequence", "shortint", "shortreal",
            "showcancelled", "signed", "small", "soft", "solve", "specify", "specparam", "static", "string", "strong",
            "strong0", "strong1", "struct", "super", "supply0", "supply1", "sync_accept_on", "sync_reject_on",
            "table", "tagged", "task", "this", "throughout", "time", "timeprecision", "timeunit", "tran", "tranif0",
            "tranif1", "tri", "tri0", "tri1", "triand", "trior", "trireg", "type", "typedef", "union", "unique",
            "unique0", "unsigned", "until", "until_with", "untyped", "use", "uwire", "var", "vectored", "virtual",
            "void", "wait", "wait_order", "wand", "weak", "weak0", "weak1", "while", "wildcard", "wire", "with",
            "within", "wor", "xnor", "xor");

    @Override
    public String name() {
        return "name check";
    }

    @Override
    public void run(ModuleNode top, List<HdlException> errors) {
        for (ModuleNode module : IrWalk.modules(top)) {
            for (Signal port : module.ports()) {
                check(port.name(), "port", module, port.location(), errors);
            }
            if (module.isBlackBox()) {
                continue;
            }
            for (Signal signal : module.signals()) {
                check(signal.name(), signal.role().name().toLowerCase(java.util.Locale.ROOT), module, signal.location(), errors);
            }
            for (MemoryNode memory : module.memories()) {
                check(memory.name(), "memory", module, memory.location(), errors);
            }
            for (Instance instance : module.instances()) {
                check(instance.name(), "instance", module, instance.location(), errors);
            }
        }
    }

    private static void check(String name, String what, ModuleNode module, SourceLocation where, List<HdlException> errors) {
        if (KEYWORDS.contains(name)) {
            errors.add(new ReservedNameException(where, what + " '" + name + "' of " + module.baseName()
                    + " is a Verilog/SystemVerilog keyword; rename it (for example '" + name + "_i')"));
        } else if (!IDENTIFIER.matcher(name).matches()) {
            errors.add(new ReservedNameException(where, what + " '" + name + "' of " + module.baseName()
                    + " is not a Verilog identifier (letters, digits, _ and $, not starting with a digit or $)"));
        } else if (name.startsWith("unused")) {
            errors.add(new ReservedNameException(where, what + " '" + name + "' of " + module.baseName()
                    + " starts with 'unused', which the emitter reserves for its lint sink; rename it"));
        }
    }
}
