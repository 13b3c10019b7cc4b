package dev.tellmej.hdl.emit;

import dev.tellmej.hdl.ActiveLevel;
import dev.tellmej.hdl.RamStyle;
import dev.tellmej.hdl.ResetKind;
import dev.tellmej.hdl.check.IrWalk;
import dev.tellmej.hdl.ir.AreaNode;
import dev.tellmej.hdl.ir.Assertion;
import dev.tellmej.hdl.ir.Block;
import dev.tellmej.hdl.ir.ClockDomainNode;
import dev.tellmej.hdl.ir.EnumEncoding;
import dev.tellmej.hdl.ir.Expr;
import dev.tellmej.hdl.ir.HwType;
import dev.tellmej.hdl.ir.Instance;
import dev.tellmej.hdl.ir.Kind;
import dev.tellmej.hdl.ir.MemoryNode;
import dev.tellmej.hdl.ir.ModuleNode;
import dev.tellmej.hdl.ir.Signal;
import dev.tellmej.hdl.ir.SignalRole;
import dev.tellmej.hdl.ir.SourceLocation;
import dev.tellmej.hdl.ir.Stmt;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Writes one module as Verilog-2005 that Verilator, Yosys, Icarus and Vivado accept and that
 * {@code verilator --lint-only -Wall} passes without warnings.
 *
 * <p>Layout: a header comment, {@code `default_nettype none}, the port list, declarations (each with a
 * {@code // File.java:line} comment), temporaries, logic ({@code assign} for plain continuous
 * assignments, {@code always @(*)} for conditional ones, one {@code always @(posedge clk)} per group of
 * registers), child instances, and a sink that reads bits the design never uses so lint reports only
 * real mistakes.
 *
 * <p>Width discipline: every emitted expression's self-determined Verilog width equals its IR width.
 * Width-changing operations are spelled out (concatenations for extension, explicit zero padding for
 * products), all nets are declared unsigned, and signed behaviour is requested per operator with
 * {@code $signed} (comparisons, arithmetic right shifts, signed products). Sub-expressions that Verilog
 * cannot index, and sub-expressions used more than once, become temporaries named after the signal they
 * feed.
 */
public final class VerilogEmitter {
    private static final String INDENT = "  ";
    /** Width of a process banner's rule line, indentation included. */
    private static final int BANNER_WIDTH = 120;
    /** How a failed assertion's line starts (the simulator bridge looks for it). */
    public static final String ASSERTION_PREFIX = "ASSERTION FAILED";

    private final ModuleNode module;
    private final String definitionName;
    private final Names names = new Names();
    private final Map<Expr, Integer> useCount = new IdentityHashMap<>();
    private final Map<Expr, String> temporaries = new IdentityHashMap<>();
    private final StringBuilder temporaryDeclarations = new StringBuilder();
    private final StringBuilder temporaryAssigns = new StringBuilder();
    private final Set<Signal> procedural = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Map<Signal, BitSet> used = new IdentityHashMap<>();
    /** Temporaries in creation order: name -> width, and the bits read so far. */
    private final Map<String, Integer> temporaryWidths = new LinkedHashMap<>();
    private final Map<String, BitSet> temporaryUsed = new LinkedHashMap<>();
    /** Enumerated types the module uses, with the values its logic names. */
    private final Map<EnumEncoding, BitSet> enumerations = new LinkedHashMap<>();

    private VerilogEmitter(ModuleNode module, String definitionName) {
        this.module = module;
        this.definitionName = definitionName;
    }

    /**
     * The Verilog text of {@code module} under the name {@code definitionName}. Children are referred to
     * by their {@link ModuleNode#definitionName()}, which must be set.
     */
    public static String emit(ModuleNode module, String definitionName) {
        if (module.isBlackBox()) {
            throw new IllegalArgumentException(module.blackBoxDefinition() + " is a black box; nothing is emitted for it");
        }
        return new VerilogEmitter(module, definitionName).write();
    }

    // ------------------------------------------------------------------ structure

    private String write() {
        for (Signal port : module.ports()) {
            names.reserve(port.name());
        }
        for (Signal signal : module.signals()) {
            names.reserve(signal.name());
        }
        for (MemoryNode memory : module.memories()) {
            names.reserve(memory.name());
        }
        for (Instance instance : module.instances()) {
            names.reserve(instance.name());
        }
        names.reserve("unused_bits");
        for (Signal signal : module.ports()) {
            noteEnumeration(signal.type());
        }
        for (Signal signal : module.signals()) {
            noteEnumeration(signal.type());
        }
        for (EnumEncoding encoding : enumerations.keySet()) {
            for (int i = 0; i < encoding.values().size(); i++) {
                names.reserve(encoding.constantName(i));
            }
        }
        countUses();

        StringBuilder logic = new StringBuilder();
        List<Stmt> roots = module.body().statements();
        writeSection(roots, null, logic);
        for (AreaNode area : module.areas()) {
            StringBuilder section = new StringBuilder();
            writeSection(roots, area, section);
            if (!section.isEmpty()) {
                separate(logic);
                writeBanner(area, logic);
                logic.append(section);
            }
        }
        writeAssertions(logic);
        StringBuilder instances = new StringBuilder();
        for (Instance instance : module.instances()) {
            writeInstance(instance, instances);
        }
        markExternalUses();

        StringBuilder out = new StringBuilder();
        writeHeader(out);
        writePorts(out);
        writeEnumerations(out);
        writeDeclarations(out);
        if (!temporaryDeclarations.isEmpty()) {
            out.append('\n').append(INDENT).append("// Temporaries, named after the signal they feed\n");
            out.append(temporaryDeclarations);
            out.append(temporaryAssigns);
        }
        if (!logic.isEmpty()) {
            out.append('\n').append(logic);
        }
        if (!instances.isEmpty()) {
            out.append('\n').append(instances);
        }
        writeUnusedSink(out);
        out.append("endmodule\n\n`default_nettype wire\n");
        return out.toString();
    }

    private void writeHeader(StringBuilder out) {
        out.append("// Generated by TeLLMe-J hdl-gen from ").append(module.sourceClass().getName()).append(". Do not edit.\n");
        if (!module.parameters().isEmpty()) {
            out.append("// Parameters:");
            String separator = " ";
            for (Map.Entry<String, Object> parameter : module.parameters().entrySet()) {
                out.append(separator).append(parameter.getKey()).append(" = ").append(parameter.getValue());
                separator = ", ";
            }
            out.append('\n');
        }
        out.append("`timescale 1ns / 1ps\n`default_nettype none\n\n");
    }

    private void writePorts(StringBuilder out) {
        out.append("module ").append(definitionName);
        List<Signal> ports = module.ports();
        if (ports.isEmpty()) {
            out.append(";\n");
            return;
        }
        out.append(" (\n");
        List<String[]> rows = new ArrayList<>();
        for (Signal port : ports) {
            String direction = port.role() == SignalRole.INPUT ? "input " : "output";
            String net = port.role() == SignalRole.OUTPUT && procedural.contains(port) ? "reg " : "wire";
            rows.add(new String[] {direction + " " + net, range(port.type()), port.name(), port.location().toString()});
        }
        int typeWidth = rows.stream().mapToInt(r -> r[1].length()).max().orElse(0);
        int nameWidth = rows.stream().mapToInt(r -> r[2].length()).max().orElse(0) + 1;
        for (int i = 0; i < rows.size(); i++) {
            String[] row = rows.get(i);
            String name = row[2] + (i + 1 < rows.size() ? "," : "");
            out.append(INDENT).append(row[0]).append(' ').append(typeWidth == 0 ? "" : pad(row[1], typeWidth) + ' ')
                    .append(pad(name, nameWidth)).append(" // ").append(row[3]).append('\n');
        }
        out.append(");\n");
    }

    private void writeDeclarations(StringBuilder out) {
        List<String[]> rows = new ArrayList<>();
        AreaNode previousArea = null;
        for (Signal signal : module.signals()) {
            if (signal.area() != previousArea && signal.area() != null) {
                rows.add(new String[] {null, signal.area().path()});   // a heading: the process's name
            }
            previousArea = signal.area();
            String net = signal.role() == SignalRole.REG || procedural.contains(signal) ? "reg " : "wire";
            rows.add(new String[] {attributes(signal.attributes()), net, range(signal.type()), signal.name() + ";",
                    signal.location().toString()});
        }
        for (MemoryNode memory : module.memories()) {
            Map<String, String> attributes = new LinkedHashMap<>();
            if (memory.writePorts().isEmpty()) {
                // A ROM. Read asynchronously it is plain LUT logic for both Vivado and Yosys (Yosys finds no
                // mapping for a distributed ROM attribute); a block ROM takes Vivado's rom_style.
                if (memory.style() == RamStyle.BLOCK) {
                    attributes.put("rom_style", "block");
                }
            } else if (memory.style().attributeValue() != null) {
                attributes.put("ram_style", memory.style().attributeValue());
            }
            rows.add(new String[] {attributes(attributes), "reg ", range(memory.wordType()),
                    memory.name() + " [0:" + (memory.depth() - 1) + "];", memory.location().toString()});
        }
        if (rows.isEmpty()) {
            return;
        }
        out.append('\n');
        int typeWidth = rows.stream().filter(r -> r[0] != null).mapToInt(r -> r[2].length()).max().orElse(0);
        int nameWidth = rows.stream().filter(r -> r[0] != null).mapToInt(r -> r[3].length()).max().orElse(0);
        for (int i = 0; i < rows.size(); i++) {
            String[] row = rows.get(i);
            if (row[0] == null) {
                out.append(i == 0 ? "" : "\n").append(INDENT).append("// ").append(row[1]).append('\n');
                continue;
            }
            if (!row[0].isEmpty()) {
                out.append(INDENT).append(row[0]).append('\n');
            }
            out.append(INDENT).append(row[1]).append(' ').append(typeWidth == 0 ? "" : pad(row[2], typeWidth) + ' ')
                    .append(pad(row[3], nameWidth)).append(" // ").append(row[4]).append('\n');
        }
        for (MemoryNode memory : module.memories()) {
            if (memory.initialContents() != null) {
                out.append(INDENT).append("initial begin // ").append(memory.location()).append('\n');
                for (int address = 0; address < memory.depth(); address++) {
                    BigInteger word = address < memory.initialContents().size()
                            ? memory.initialContents().get(address) : BigInteger.ZERO;
                    out.append(INDENT).append(INDENT).append(memory.name()).append('[').append(address).append("] = ")
                            .append(Literals.of(memory.wordType(), word)).append(";\n");
                }
                out.append(INDENT).append("end\n");
            }
        }
    }

    private void noteEnumeration(HwType type) {
        if (type.encoding() != null) {
            enumerations.computeIfAbsent(type.encoding(), e -> new BitSet());
        }
    }

    /** A sized literal, or for an enumerated type the name of its value (noted for the localparams). */
    private String literal(HwType type, BigInteger bits) {
        EnumEncoding encoding = type.encoding();
        if (encoding != null && bits.compareTo(BigInteger.valueOf(encoding.values().size())) < 0) {
            enumerations.computeIfAbsent(encoding, e -> new BitSet()).set(bits.intValue());
            return encoding.constantName(bits.intValue());
        }
        return Literals.of(type, bits);
    }

    /**
     * One {@code localparam} per value of every enumerated type the module uses. Values its logic never names
     * are declared too, so the encoding reads complete, inside a lint waiver for unused parameters.
     */
    private void writeEnumerations(StringBuilder out) {
        for (Map.Entry<EnumEncoding, BitSet> entry : enumerations.entrySet()) {
            EnumEncoding encoding = entry.getKey();
            BitSet named = entry.getValue();
            HwType bits = HwType.uint(encoding.width());
            int nameWidth = 0;
            for (int i = 0; i < encoding.values().size(); i++) {
                nameWidth = Math.max(nameWidth, encoding.constantName(i).length());
            }
            out.append('\n').append(INDENT).append("// ").append(encoding.typeName()).append(": ")
                    .append(encoding.javaType().getName().replace('$', '.')).append('\n');
            for (int i = 0; i < encoding.values().size(); i++) {
                boolean unnamed = !named.get(i);
                if (unnamed) {
                    out.append(INDENT).append("// verilator lint_off UNUSEDPARAM\n");
                }
                out.append(INDENT).append("localparam ").append(encoding.width() == 1 ? "" : range(bits) + " ")
                        .append(pad(encoding.constantName(i), nameWidth)).append(" = ")
                        .append(Literals.of(bits, BigInteger.valueOf(i))).append(";\n");
                if (unnamed) {
                    out.append(INDENT).append("// verilator lint_on UNUSEDPARAM\n");
                }
            }
        }
    }

    private static String attributes(Map<String, String> attributes) {
        if (attributes.isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder("(* ");
        String separator = "";
        for (Map.Entry<String, String> attribute : attributes.entrySet()) {
            out.append(separator).append(attribute.getKey()).append(" = \"").append(attribute.getValue()).append('"');
            separator = ", ";
        }
        return out.append(" *)").toString();
    }

    private static String range(HwType type) {
        return type.kind() == Kind.BOOL ? "" : "[" + (type.width() - 1) + ":0]";
    }

    private static String pad(String text, int width) {
        return text.length() >= width ? text : text + " ".repeat(width - text.length());
    }

    // ------------------------------------------------------------------ uses and temporaries

    /** Counts, per expression node, how many places use it, to find shared sub-expressions. */
    private void countUses() {
        Set<Expr> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Expr> roots = new ArrayList<>();
        IrWalk.statements(module.body(), (statement, guards) -> roots.addAll(IrWalk.readsOf(statement)));
        for (Assertion assertion : module.assertions()) {
            roots.add(assertion.condition());
        }
        for (Expr root : roots) {
            useCount.merge(root, 1, Integer::sum);
            IrWalk.nodes(root, seen, node -> {
                for (Expr operand : IrWalk.operands(node)) {
                    useCount.merge(operand, 1, Integer::sum);
                }
            });
        }
    }

    private static boolean trivial(Expr expr) {
        return switch (expr) {
            case Expr.Ref r -> true;
            case Expr.Literal l -> true;
            case Expr.Reinterpret r -> trivial(r.operand());
            case Expr.Slice s -> s.operand() instanceof Expr.Ref;
            default -> false;
        };
    }

    /** A name for {@code expr}: the signal it is, or a temporary holding it. */
    private String identifier(Expr expr, String sink) {
        if (expr instanceof Expr.Ref(Signal signal)) {
            markUsed(signal, 0, signal.width() - 1);
            return signal.name();
        }
        if (expr instanceof Expr.Reinterpret r) {
            return identifier(r.operand(), sink);
        }
        return temporary(expr, sink);
    }

    /** A temporary holding {@code expr}, all of whose bits the caller reads. */
    private String temporary(Expr expr, String sink) {
        String name = temporaryName(expr, sink);
        temporaryUsed.get(name).set(0, expr.width());
        return name;
    }

    /** A temporary holding {@code expr}, declared once; the caller records which bits it reads. */
    private String temporaryName(Expr expr, String sink) {
        String existing = temporaries.get(expr);
        if (existing != null) {
            return existing;
        }
        String name = names.fresh(sink + "_" + operation(expr));
        temporaries.put(expr, name);
        temporaryWidths.put(name, expr.width());
        temporaryUsed.put(name, new BitSet());
        String value = render(expr, name);
        temporaryDeclarations.append(INDENT).append("wire ").append(range(expr.type()).isEmpty() ? "" : range(expr.type()) + " ")
                .append(name).append(";\n");
        temporaryAssigns.append(INDENT).append("assign ").append(name).append(" = ").append(bare(value)).append(";\n");
        return name;
    }

    private static String operation(Expr expr) {
        return switch (expr) {
            case Expr.Binary b -> switch (b.op()) {
                case ADD -> "sum";
                case SUB -> "diff";
                case MUL -> "prod";
                case AND -> "and";
                case OR -> "or";
                case XOR -> "xor";
                default -> "cmp";
            };
            case Expr.Unary u -> switch (u.op()) {
                case NOT -> "not";
                case NEG -> "neg";
                default -> "reduce";
            };
            case Expr.ShiftConst s -> s.op() == Expr.ShiftOp.LEFT ? "shl" : "shr";
            case Expr.ShiftDynamic s -> s.op() == Expr.ShiftOp.LEFT ? "shl" : "shr";
            case Expr.Mux m -> "mux";
            case Expr.Slice s -> "part";
            case Expr.BitSelect b -> "bit";
            case Expr.Concat c -> "cat";
            case Expr.Extend e -> "ext";
            case Expr.Reinterpret r -> operation(r.operand());
            case Expr.MemRead m -> "rd";
            case Expr.Literal l -> "const";
            case Expr.Ref r -> "ref";
        };
    }

    // ------------------------------------------------------------------ expressions

    /** Verilog for {@code expr}, whose self-determined width is the IR width. */
    private String expr(Expr expr, String sink) {
        if (!trivial(expr) && useCount.getOrDefault(expr, 0) > 1) {
            return temporary(expr, sink);
        }
        return render(expr, sink);
    }

    private String render(Expr expr, String sink) {
        return switch (expr) {
            case Expr.Literal literal -> literal(literal.type(), literal.value());
            case Expr.Ref(Signal signal) -> {
                markUsed(signal, 0, signal.width() - 1);
                yield signal.name();
            }
            case Expr.Unary unary -> switch (unary.op()) {
                case NOT -> "~" + expr(unary.operand(), sink);
                case NEG -> "-" + expr(unary.operand(), sink);
                case AND_REDUCE -> "(&" + expr(unary.operand(), sink) + ")";
                case OR_REDUCE -> "(|" + expr(unary.operand(), sink) + ")";
                case XOR_REDUCE -> "(^" + expr(unary.operand(), sink) + ")";
            };
            case Expr.Binary binary -> binary(binary, sink);
            case Expr.ShiftConst shift -> shift.op() == Expr.ShiftOp.LEFT
                    ? "{" + expr(shift.operand(), sink) + ", " + Literals.zero(shift.amount()) + "}"
                    : slice(shift.operand(), shift.amount(), shift.operand().width() - 1, sink);
            case Expr.ShiftDynamic shift -> switch (shift.op()) {
                case LEFT -> "(" + expr(shift.operand(), sink) + " << " + expr(shift.amount(), sink) + ")";
                case RIGHT_LOGICAL -> "(" + expr(shift.operand(), sink) + " >> " + expr(shift.amount(), sink) + ")";
                case RIGHT_ARITHMETIC -> "($signed(" + expr(shift.operand(), sink) + ") >>> " + expr(shift.amount(), sink) + ")";
            };
            case Expr.Mux mux -> "(" + expr(mux.select(), sink) + " ? " + expr(mux.whenTrue(), sink) + " : "
                    + expr(mux.whenFalse(), sink) + ")";
            case Expr.Slice slice -> slice(slice.operand(), slice.lo(), slice.hi(), sink);
            case Expr.BitSelect select -> {
                // Bit 0 of a shift: 0 for an index past the top (Verilog's x[i] would give x there), and no
                // need for an index of exactly log2(width) bits.
                int width = select.operand().width();
                if (width == 1) {
                    yield "(" + expr(select.index(), sink) + " == " + Literals.zero(select.index().width()) + " ? "
                            + expr(select.operand(), sink) + " : 1'b0)";
                }
                yield "(|((" + expr(select.operand(), sink) + " >> " + expr(select.index(), sink) + ") & "
                        + width + "'d1))";
            }
            case Expr.Concat concat -> {
                List<String> parts = new ArrayList<>();
                for (Expr part : concat.parts()) {
                    parts.add(expr(part, sink));
                }
                yield "{" + String.join(", ", parts) + "}";
            }
            case Expr.Extend extend -> {
                int extra = extend.width() - extend.operand().width();
                if (!extend.signed()) {
                    yield "{" + Literals.zero(extra) + ", " + expr(extend.operand(), sink) + "}";
                }
                String id = identifier(extend.operand(), sink);
                String msb = extend.operand().width() == 1 ? id : id + "[" + (extend.operand().width() - 1) + "]";
                yield extra == 1 ? "{" + msb + ", " + id + "}" : "{{" + extra + "{" + msb + "}}, " + id + "}";
            }
            case Expr.Reinterpret reinterpret -> expr(reinterpret.operand(), sink);
            case Expr.MemRead read -> read.memory().name() + "[" + expr(read.address(), sink) + "]";
        };
    }

    private String binary(Expr.Binary binary, String sink) {
        Expr.BinaryOp op = binary.op();
        boolean signed = binary.left().type().kind() == Kind.SINT;
        if (op == Expr.BinaryOp.MUL) {
            int width = binary.width();
            return "(" + widenForProduct(binary.left(), width, signed, sink) + " * "
                    + widenForProduct(binary.right(), width, signed, sink) + ")";
        }
        String left = expr(binary.left(), sink);
        String right = expr(binary.right(), sink);
        // a & b & c rather than ((a & b) & c): these operators associate to the left at equal precedence.
        if (binary.left() instanceof Expr.Binary inner && inner.op() == op && chains(op)) {
            left = bare(left);
        }
        if (signed && (op == Expr.BinaryOp.LT || op == Expr.BinaryOp.LE || op == Expr.BinaryOp.GT || op == Expr.BinaryOp.GE)) {
            return "($signed(" + left + ") " + op.symbol() + " $signed(" + right + "))";
        }
        return "(" + left + " " + op.symbol() + " " + right + ")";
    }

    private static boolean chains(Expr.BinaryOp op) {
        return op == Expr.BinaryOp.AND || op == Expr.BinaryOp.OR || op == Expr.BinaryOp.XOR || op == Expr.BinaryOp.ADD;
    }

    /** An operand of a product, extended to the product's width so no bit of the result is lost. */
    private String widenForProduct(Expr operand, int width, boolean signed, String sink) {
        int extra = width - operand.width();
        if (!signed) {
            return "{" + Literals.zero(extra) + ", " + expr(operand, sink) + "}";
        }
        String id = identifier(operand, sink);
        String msb = operand.width() == 1 ? id : id + "[" + (operand.width() - 1) + "]";
        return extra == 1 ? "$signed({" + msb + ", " + id + "})" : "$signed({{" + extra + "{" + msb + "}}, " + id + "})";
    }

    private String slice(Expr operand, int lo, int hi, String sink) {
        Expr base = operand instanceof Expr.Reinterpret r ? r.operand() : operand;
        String id;
        if (base instanceof Expr.Ref(Signal signal)) {
            markUsed(signal, lo, hi);
            id = signal.name();
        } else {
            id = temporaryName(base, sink);
            temporaryUsed.get(id).set(lo, hi + 1);
        }
        return hi == lo ? id + "[" + lo + "]" : id + "[" + hi + ":" + lo + "]";
    }

    private void markUsed(Signal signal, int lo, int hi) {
        if (signal.owner() == module) {
            used.computeIfAbsent(signal, s -> new BitSet()).set(lo, hi + 1);
        }
    }

    // ------------------------------------------------------------------ combinational logic

    private static boolean combinational(Signal signal) {
        return signal.role() == SignalRole.WIRE || signal.role() == SignalRole.OUTPUT;
    }

    /**
     * The logic of one process ({@code area}, or the module's own logic when null): its combinational
     * assignments, then one clocked block per clock domain.
     */
    private void writeSection(List<Stmt> roots, AreaNode area, StringBuilder out) {
        writeCombinational(roots, target -> areaOf(target) == area, out);
        writeSequential(roots, target -> areaOf(target) == area, out);
    }

    private static AreaNode areaOf(Object target) {
        return target instanceof Signal signal ? signal.area() : ((MemoryNode) target).area();
    }

    /** A rule, the process's path and source line, and its description, wrapped to the line limit. */
    private static void writeBanner(AreaNode area, StringBuilder out) {
        out.append(INDENT).append("// ").append("-".repeat(BANNER_WIDTH - INDENT.length() - 3)).append('\n');
        String text = area.path() + " (" + area.location() + ")"
                + (area.description().isEmpty() ? "" : ": " + area.description());
        for (String line : Comments.wrap(text, BANNER_WIDTH - INDENT.length() - 3)) {
            out.append(INDENT).append("// ").append(line).append('\n');
        }
    }

    private void writeCombinational(List<Stmt> roots, Predicate<Object> inSection, StringBuilder out) {
        List<Set<Object>> targetsOf = new ArrayList<>();
        for (Stmt root : roots) {
            Set<Object> targets = new LinkedHashSet<>();
            IrWalk.statements(single(root), (statement, guards) -> {
                if (statement instanceof Stmt.Assign assign && combinational(assign.target())
                        && inSection.test(assign.target())) {
                    targets.add(assign.target());
                }
            });
            targetsOf.add(targets);
        }
        for (List<Integer> group : groups(targetsOf)) {
            Set<Object> targets = new LinkedHashSet<>();
            for (int index : group) {
                targets.addAll(targetsOf.get(index));
            }
            List<Stmt> statements = new ArrayList<>();
            for (int index : group) {
                statements.add(roots.get(index));
            }
            if (continuous(statements)) {
                for (Stmt statement : statements) {
                    Stmt.Assign assign = (Stmt.Assign) statement;
                    out.append(INDENT).append("assign ").append(lvalue(assign)).append(" = ")
                            .append(bare(expr(assign.value(), assign.target().name()))).append(";")
                            .append(comment(assign.location())).append('\n');
                }
                continue;
            }
            for (Object target : targets) {
                procedural.add((Signal) target);
            }
            separate(out);
            out.append(INDENT).append("always @(*) begin\n");
            for (Stmt statement : statements) {
                Stmt filtered = filter(statement, targets::contains);
                if (filtered != null) {
                    writeStatement(filtered, 2, "=", out);
                }
            }
            out.append(INDENT).append("end\n");
        }
    }

    /** True when the statements are unconditional assignments to disjoint bits, so {@code assign} fits. */
    private static boolean continuous(List<Stmt> statements) {
        Map<Signal, BitSet> bits = new IdentityHashMap<>();
        for (Stmt statement : statements) {
            if (!(statement instanceof Stmt.Assign assign)) {
                return false;
            }
            BitSet taken = bits.computeIfAbsent(assign.target(), s -> new BitSet());
            BitSet mine = new BitSet();
            mine.set(assign.lo(), assign.hi() + 1);
            if (taken.intersects(mine)) {
                return false;
            }
            taken.or(mine);
        }
        return true;
    }

    // ------------------------------------------------------------------ sequential logic

    private void writeSequential(List<Stmt> roots, Predicate<Object> inSection, StringBuilder out) {
        List<Map<ClockDomainNode, Set<Object>>> targetsByRoot = new ArrayList<>();
        Set<ClockDomainNode> domains = new LinkedHashSet<>(module.domains());
        for (Stmt root : roots) {
            Map<ClockDomainNode, Set<Object>> byDomain = new LinkedHashMap<>();
            IrWalk.statements(single(root), (statement, guards) -> {
                if (statement instanceof Stmt.Assign assign && assign.target().role() == SignalRole.REG
                        && inSection.test(assign.target())) {
                    byDomain.computeIfAbsent(assign.target().domain(), d -> new LinkedHashSet<>()).add(assign.target());
                } else if (statement instanceof Stmt.MemWrite write && inSection.test(write.memory())) {
                    byDomain.computeIfAbsent(write.memory().domain(), d -> new LinkedHashSet<>()).add(write.memory());
                }
            });
            domains.addAll(byDomain.keySet());
            targetsByRoot.add(byDomain);
        }
        // One clocked block per domain, statements in description order (later assignments win), so the
        // Verilog reads in the order the Java was written.
        for (ClockDomainNode domain : domains) {
            Set<Object> targets = new LinkedHashSet<>();
            List<Stmt> statements = new ArrayList<>();
            for (int i = 0; i < roots.size(); i++) {
                Set<Object> mine = targetsByRoot.get(i).getOrDefault(domain, Set.of());
                if (!mine.isEmpty()) {
                    targets.addAll(mine);
                    statements.add(roots.get(i));
                }
            }
            if (!statements.isEmpty()) {
                writeClockedGroup(domain, statements, targets, out);
            }
        }
    }

    private void writeClockedGroup(ClockDomainNode domain, List<Stmt> statements, Set<Object> targets, StringBuilder out) {
        List<Signal> withReset = new ArrayList<>();
        for (Object target : targets) {
            if (target instanceof Signal signal && signal.resetValue() != null && domain.reset() != null) {
                withReset.add(signal);
            }
        }
        markUsed(domain.clock(), 0, 0);
        String clockEdge = "posedge " + domain.clock().name();
        separate(out);
        if (domain.kind() == ResetKind.SYNC || withReset.isEmpty()) {
            out.append(INDENT).append("always @(").append(clockEdge).append(") begin\n");
            writeFiltered(statements, targets::contains, 2, out);
            if (!withReset.isEmpty()) {
                out.append(INDENT).append(INDENT).append("if (").append(resetCondition(domain)).append(") begin\n");
                writeResets(withReset, 3, out);
                out.append(INDENT).append(INDENT).append("end\n");
            }
            out.append(INDENT).append("end\n");
            return;
        }
        // Asynchronous reset: registers with a reset value get their own block with the reset in the
        // sensitivity list; the others stay in a plain clocked block.
        Set<Object> resetTargets = Collections.newSetFromMap(new IdentityHashMap<>());
        resetTargets.addAll(withReset);
        String resetEdge = (domain.level() == ActiveLevel.HIGH ? "posedge " : "negedge ") + domain.reset().name();
        out.append(INDENT).append("always @(").append(clockEdge).append(" or ").append(resetEdge).append(") begin\n");
        out.append(INDENT).append(INDENT).append("if (").append(resetCondition(domain)).append(") begin\n");
        writeResets(withReset, 3, out);
        out.append(INDENT).append(INDENT).append("end else begin\n");
        writeFiltered(statements, resetTargets::contains, 3, out);
        out.append(INDENT).append(INDENT).append("end\n");
        out.append(INDENT).append("end\n");
        Predicate<Object> others = target -> targets.contains(target) && !resetTargets.contains(target);
        if (targets.stream().anyMatch(others)) {
            separate(out);
            out.append(INDENT).append("always @(").append(clockEdge).append(") begin\n");
            writeFiltered(statements, others, 2, out);
            out.append(INDENT).append("end\n");
        }
    }

    /** A blank line before a block, unless the section starts here. */
    private static void separate(StringBuilder out) {
        if (!out.isEmpty()) {
            out.append('\n');
        }
    }

    private String resetCondition(ClockDomainNode domain) {
        markUsed(domain.reset(), 0, 0);
        return domain.level() == ActiveLevel.HIGH ? domain.reset().name() : "!" + domain.reset().name();
    }

    private void writeResets(List<Signal> registers, int depth, StringBuilder out) {
        for (Signal register : registers) {
            out.append(INDENT.repeat(depth)).append(register.name()).append(" <= ")
                    .append(literal(register.type(), register.resetValue())).append(";\n");
        }
    }

    private void writeFiltered(List<Stmt> statements, Predicate<Object> keep, int depth, StringBuilder out) {
        for (Stmt statement : statements) {
            Stmt filtered = filter(statement, keep);
            if (filtered != null) {
                writeStatement(filtered, depth, "<=", out);
            }
        }
    }

    // ------------------------------------------------------------------ statements

    private void writeStatement(Stmt statement, int depth, String op, StringBuilder out) {
        String indent = INDENT.repeat(depth);
        switch (statement) {
            case Stmt.Assign assign -> out.append(indent).append(lvalue(assign)).append(' ').append(op).append(' ')
                    .append(bare(expr(assign.value(), assign.target().name()))).append(';')
                    .append(comment(assign.location())).append('\n');
            case Stmt.When when -> {
                out.append(indent).append("if (").append(bare(expr(when.condition(), conditionSink(when)))).append(") begin")
                        .append(comment(when.location())).append('\n');
                writeBlock(when.whenTrue(), depth + 1, op, out);
                Block otherwise = when.whenFalse();
                while (otherwise.statements().size() == 1 && otherwise.statements().getFirst() instanceof Stmt.When chained) {
                    out.append(indent).append("end else if (").append(bare(expr(chained.condition(), conditionSink(chained))))
                            .append(") begin").append(comment(chained.location())).append('\n');
                    writeBlock(chained.whenTrue(), depth + 1, op, out);
                    otherwise = chained.whenFalse();
                }
                if (!otherwise.isEmpty()) {
                    out.append(indent).append("end else begin\n");
                    writeBlock(otherwise, depth + 1, op, out);
                }
                out.append(indent).append("end\n");
            }
            case Stmt.Switch sw -> {
                out.append(indent).append("case (").append(bare(expr(sw.selector(), conditionSink(sw)))).append(')')
                        .append(comment(sw.location())).append('\n');
                for (Stmt.Case arm : sw.cases()) {
                    List<String> labels = new ArrayList<>();
                    for (BigInteger value : arm.values()) {
                        labels.add(literal(sw.selector().type(), value));
                    }
                    out.append(indent).append(INDENT).append(String.join(", ", labels)).append(": begin\n");
                    writeBlock(arm.body(), depth + 2, op, out);
                    out.append(indent).append(INDENT).append("end\n");
                }
                out.append(indent).append(INDENT).append("default: begin\n");
                writeBlock(sw.otherwise(), depth + 2, op, out);
                out.append(indent).append(INDENT).append("end\n");
                out.append(indent).append("endcase\n");
            }
            case Stmt.MemWrite write -> writeMemoryWrite(write, indent, out);
        }
    }

    private void writeBlock(Block block, int depth, String op, StringBuilder out) {
        for (Stmt statement : block.statements()) {
            writeStatement(statement, depth, op, out);
        }
    }

    private void writeMemoryWrite(Stmt.MemWrite write, String indent, StringBuilder out) {
        String memory = write.memory().name();
        String address = expr(write.address(), memory + "_waddr");
        if (write.mask() == null) {
            out.append(indent).append(memory).append('[').append(address).append("] <= ")
                    .append(expr(write.data(), memory + "_wdata")).append(';').append(comment(write.location())).append('\n');
            return;
        }
        String data = identifier(write.data(), memory + "_wdata");
        String mask = identifier(write.mask(), memory + "_wmask");
        int lanes = write.mask().width();
        int laneWidth = write.data().width() / lanes;
        for (int lane = 0; lane < lanes; lane++) {
            int lo = lane * laneWidth;
            int hi = lo + laneWidth - 1;
            String part = hi == lo ? "[" + lo + "]" : "[" + hi + ":" + lo + "]";
            String maskBit = lanes == 1 ? mask : mask + "[" + lane + "]";
            out.append(indent).append("if (").append(maskBit).append(") ").append(memory).append('[').append(address)
                    .append(']').append(part).append(" <= ").append(data).append(part).append(';')
                    .append(comment(write.location())).append('\n');
        }
    }

    private String lvalue(Stmt.Assign assign) {
        Signal target = assign.target();
        if (assign.wholeSignal()) {
            return target.name();
        }
        return assign.hi() == assign.lo() ? target.name() + "[" + assign.lo() + "]"
                : target.name() + "[" + assign.hi() + ":" + assign.lo() + "]";
    }

    /** The sink a condition's temporaries are named after: the first signal the branch assigns. */
    private static String conditionSink(Stmt statement) {
        String[] first = {null};
        IrWalk.statements(single(statement), (inner, guards) -> {
            if (first[0] == null) {
                if (inner instanceof Stmt.Assign assign) {
                    first[0] = assign.target().name();
                } else if (inner instanceof Stmt.MemWrite write) {
                    first[0] = write.memory().name();
                }
            }
        });
        return (first[0] == null ? "cond" : first[0]) + "_cond";
    }

    /** {@code text} without one pair of parentheses around the whole of it, where that is all it has. */
    private static String bare(String text) {
        if (text.length() < 2 || text.charAt(0) != '(' || text.charAt(text.length() - 1) != ')') {
            return text;
        }
        int depth = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
                if (depth == 0 && i < text.length() - 1) {
                    return text;
                }
            }
        }
        return text.substring(1, text.length() - 1);
    }

    private static String comment(SourceLocation location) {
        return " // " + location;
    }

    private static Block single(Stmt statement) {
        Block block = new Block();
        block.add(statement);
        return block;
    }

    /** A copy of {@code statement} with only the assignments and writes whose target {@code keep} accepts. */
    private static Stmt filter(Stmt statement, Predicate<Object> keep) {
        return switch (statement) {
            case Stmt.Assign assign -> keep.test(assign.target()) ? assign : null;
            case Stmt.MemWrite write -> keep.test(write.memory()) ? write : null;
            case Stmt.When when -> {
                Block whenTrue = filterBlock(when.whenTrue(), keep);
                Block whenFalse = filterBlock(when.whenFalse(), keep);
                yield whenTrue.isEmpty() && whenFalse.isEmpty() ? null
                        : new Stmt.When(when.condition(), whenTrue, whenFalse, when.location());
            }
            case Stmt.Switch sw -> {
                List<Stmt.Case> cases = new ArrayList<>();
                boolean any = false;
                for (Stmt.Case arm : sw.cases()) {
                    Block body = filterBlock(arm.body(), keep);
                    any |= !body.isEmpty();
                    cases.add(new Stmt.Case(arm.values(), body, arm.location()));
                }
                Block otherwise = filterBlock(sw.otherwise(), keep);
                any |= !otherwise.isEmpty();
                yield any ? new Stmt.Switch(sw.selector(), cases, otherwise, sw.location()) : null;
            }
        };
    }

    private static Block filterBlock(Block block, Predicate<Object> keep) {
        Block out = new Block();
        for (Stmt statement : block.statements()) {
            Stmt filtered = filter(statement, keep);
            if (filtered != null) {
                out.add(filtered);
            }
        }
        return out;
    }

    /**
     * Groups root statements that share a target (union-find), in order of each group's first statement.
     * Roots without targets belong to no group.
     */
    private static List<List<Integer>> groups(List<Set<Object>> targetsOf) {
        int n = targetsOf.size();
        int[] parent = new int[n];
        for (int i = 0; i < n; i++) {
            parent[i] = i;
        }
        Map<Object, Integer> owner = new IdentityHashMap<>();
        for (int i = 0; i < n; i++) {
            for (Object target : targetsOf.get(i)) {
                Integer previous = owner.putIfAbsent(target, i);
                if (previous != null) {
                    int a = find(parent, previous);
                    int b = find(parent, i);
                    if (a != b) {
                        parent[Math.max(a, b)] = Math.min(a, b);
                    }
                }
            }
        }
        Map<Integer, List<Integer>> byRoot = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            if (!targetsOf.get(i).isEmpty()) {
                byRoot.computeIfAbsent(find(parent, i), r -> new ArrayList<>()).add(i);
            }
        }
        return new ArrayList<>(byRoot.values());
    }

    private static int find(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    // ------------------------------------------------------------------ simulation-only checks

    /**
     * The module's assertions, one clocked block per clock domain, under {@code `ifndef SYNTHESIS}. A failed
     * check prints a line starting with {@value #ASSERTION_PREFIX} (the Verilator bridge turns it into an
     * exception carrying that line) and stops the simulation.
     */
    private void writeAssertions(StringBuilder out) {
        if (module.assertions().isEmpty()) {
            return;
        }
        Map<ClockDomainNode, List<Assertion>> byDomain = new LinkedHashMap<>();
        for (Assertion assertion : module.assertions()) {
            byDomain.computeIfAbsent(assertion.domain(), d -> new ArrayList<>()).add(assertion);
        }
        separate(out);
        out.append("`ifndef SYNTHESIS\n");
        out.append(INDENT).append("// Simulation-only checks (Hdl.assertAlways): a false condition stops the simulation.\n");
        for (Map.Entry<ClockDomainNode, List<Assertion>> entry : byDomain.entrySet()) {
            ClockDomainNode domain = entry.getKey();
            markUsed(domain.clock(), 0, 0);
            out.append(INDENT).append("always @(posedge ").append(domain.clock().name()).append(") begin\n");
            int depth = 2;
            if (domain.reset() != null) {
                markUsed(domain.reset(), 0, 0);
                String idle = domain.level() == ActiveLevel.HIGH ? "!" + domain.reset().name() : domain.reset().name();
                out.append(INDENT.repeat(depth)).append("if (").append(idle).append(") begin\n");
                depth++;
            }
            for (Assertion assertion : entry.getValue()) {
                String indent = INDENT.repeat(depth);
                String condition = expr(assertion.condition(), "assert");
                out.append(indent).append("if (!").append(condition.startsWith("(") ? condition : "(" + condition + ")")
                        .append(") begin").append(comment(assertion.location())).append('\n');
                out.append(indent).append(INDENT).append("$display(\"").append(ASSERTION_PREFIX).append(" in %m: ")
                        .append(assertion.location()).append(": ").append(verilogString(assertion.message()))
                        .append("\");\n");
                out.append(indent).append(INDENT).append("$stop;\n");
                out.append(indent).append("end\n");
            }
            if (domain.reset() != null) {
                out.append(INDENT.repeat(2)).append("end\n");
            }
            out.append(INDENT).append("end\n");
        }
        out.append("`endif\n");
    }

    /** Text safe inside a Verilog string literal (quotes and backslashes escaped, % doubled). */
    private static String verilogString(String text) {
        return text.replace("\\", "\\\\").replace("\"", "\\\"").replace("%", "%%");
    }

    // ------------------------------------------------------------------ instances

    private void writeInstance(Instance instance, StringBuilder out) {
        separate(out);
        out.append(INDENT).append(instance.child().definitionName());
        if (!instance.parameters().isEmpty()) {
            List<String> parameters = new ArrayList<>();
            for (Map.Entry<String, Object> parameter : instance.parameters().entrySet()) {
                parameters.add("." + parameter.getKey() + "(" + parameterValue(parameter.getValue()) + ")");
            }
            out.append(" #(").append(String.join(", ", parameters)).append(')');
        }
        out.append(' ').append(instance.name()).append(" (").append(comment(instance.location())).append('\n');
        List<Instance.Connection> connections = instance.connections();
        int width = connections.stream().mapToInt(c -> c.childPort().name().length()).max().orElse(0);
        for (int i = 0; i < connections.size(); i++) {
            Instance.Connection connection = connections.get(i);
            if (connection.childPort().role() == SignalRole.INPUT) {
                markUsed(connection.parentSignal(), 0, connection.parentSignal().width() - 1);
            }
            out.append(INDENT).append(INDENT).append('.').append(pad(connection.childPort().name(), width))
                    .append(" (").append(connection.parentSignal().name()).append(')')
                    .append(i + 1 < connections.size() ? "," : "").append('\n');
        }
        out.append(INDENT).append(");\n");
    }

    private static String parameterValue(Object value) {
        return switch (value) {
            case String s -> "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
            case Boolean b -> b ? "1" : "0";
            default -> String.valueOf(value);
        };
    }

    // ------------------------------------------------------------------ lint sink

    private static void addUnused(String name, int width, BitSet bits, List<String> parts) {
        if (bits.cardinality() == width) {
            return;
        }
        if (bits.isEmpty()) {
            parts.add(name);
            return;
        }
        for (int hi = width - 1; hi >= 0; ) {
            if (bits.get(hi)) {
                hi--;
                continue;
            }
            int lo = bits.previousSetBit(hi) + 1;
            parts.add(hi == lo ? name + "[" + hi + "]" : name + "[" + hi + ":" + lo + "]");
            hi = lo - 1;
        }
    }

    private void markExternalUses() {
        for (Signal port : module.ports()) {
            if (port.role() == SignalRole.OUTPUT) {
                markUsed(port, 0, port.width() - 1);
            }
        }
    }

    /**
     * Gathers every bit nothing reads (unused inputs, unread register bits, child outputs left open) into
     * one wire named {@code unused_bits}, which Verilator's default {@code --unused-regexp} ignores. The
     * synthesis tool removes it.
     */
    private void writeUnusedSink(StringBuilder out) {
        List<String> parts = new ArrayList<>();
        List<Signal> candidates = new ArrayList<>(module.ports());
        candidates.addAll(module.signals());
        for (Signal signal : candidates) {
            addUnused(signal.name(), signal.width(), used.getOrDefault(signal, new BitSet()), parts);
        }
        temporaryWidths.forEach((name, width) -> addUnused(name, width, temporaryUsed.get(name), parts));
        if (parts.isEmpty()) {
            return;
        }
        out.append('\n').append(INDENT).append("// Bits nothing reads, gathered so that lint reports only real mistakes.\n");
        out.append(INDENT).append("wire unused_bits = &{1'b0");
        for (String part : parts) {
            out.append(", ").append(part);
        }
        out.append("};\n");
    }
}
