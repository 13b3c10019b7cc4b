package dev.tellmej.hdl.emit;

import dev.tellmej.hdl.ActiveLevel;
import dev.tellmej.hdl.RamStyle;
import dev.tellmej.hdl.ResetKind;
import dev.tellmej.hdl.check.HdlUsageException;
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
import java.util.HashMap;
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
 * cannot index, and sub-expressions used more than once, become temporaries ({@link TemporaryNames}).
 *
 * <p>Line width: no line is longer than {@value #WIDTH} columns. A statement that does not fit breaks at
 * its outermost operators first ({@link Doc}): the value of an assignment continues on the next lines,
 * indented, with an operator, {@code ?}/{@code :} or concatenation part starting each line, and a part
 * that still does not fit breaks the same way, aligned after its parenthesis or brace.
 */
public final class VerilogEmitter {
    private static final String INDENT = "  ";
    /** No emitted line is longer than this. */
    static final int WIDTH = 120;
    /** Extra indentation of an assignment's value when it continues on the next lines. */
    private static final int CONTINUATION = 4;
    /** Literals wider than this are written as concatenations of pieces of this width. */
    private static final int LONG_LITERAL_BITS = 128;
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
            out.append('\n').append(INDENT).append("// Temporaries: conditions named after what they test,")
                    .append(" other values after the signal they feed\n");
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
            List<String> parameters = new ArrayList<>();
            for (Map.Entry<String, Object> parameter : module.parameters().entrySet()) {
                // A parameter without a name (param("", "fp16")) is a tag: its value says what it is.
                parameters.add(parameter.getKey().isEmpty() ? String.valueOf(parameter.getValue())
                        : parameter.getKey() + " = " + parameter.getValue());
            }
            fill(out, "// Parameters: ", "//   ", parameters, ", ", "");
        }
        out.append("`timescale 1ns / 1ps\n`default_nettype none\n\n");
    }

    /**
     * Writes {@code first}, then the items separated by {@code separator}, as many to a line as fit in
     * {@value #WIDTH} columns, continuation lines starting with {@code next}; {@code last} ends the list.
     */
    private static void fill(StringBuilder out, String first, String next, List<String> items, String separator, String last) {
        StringBuilder line = new StringBuilder(first);
        boolean empty = true;
        for (int i = 0; i < items.size(); i++) {
            String item = items.get(i) + (i + 1 < items.size() ? separator.stripTrailing() : last);
            String gap = empty ? "" : " ".repeat(separator.length() - separator.stripTrailing().length());
            if (!empty && line.length() + gap.length() + item.length() > WIDTH) {
                out.append(line).append('\n');
                line.setLength(0);
                line.append(next);
                gap = "";
            }
            line.append(gap).append(item);
            empty = false;
        }
        out.append(line).append('\n');
    }

    /**
     * Port names that interfaces require but Verilator flags as C++ words (SYMRSVDWORD): a Vitis RTL kernel's
     * {@code interrupt}. The waiver covers that port's line only.
     */
    private static final Set<String> CPP_WORDS_PORTS_NEED = Set.of("interrupt");

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
            boolean cppWord = CPP_WORDS_PORTS_NEED.contains(row[2]);
            if (cppWord) {
                out.append(INDENT).append("// verilator lint_off SYMRSVDWORD\n");
            }
            out.append(INDENT).append(row[0]).append(' ').append(typeWidth == 0 ? "" : pad(row[1], typeWidth) + ' ')
                    .append(pad(name, nameWidth)).append(" // ").append(row[3]).append('\n');
            if (cppWord) {
                out.append(INDENT).append("// verilator lint_on SYMRSVDWORD\n");
            }
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
                    statement(out, INDENT + INDENT, assignment(memory.name() + "[" + address + "]", "=",
                            literal(memory.wordType(), word)), null);
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

    /** {@link #literal} as one piece of text (resets and case labels, which are never long). */
    private String literalText(HwType type, BigInteger bits) {
        return Doc.flat(literal(type, bits));
    }

    /**
     * One {@code localparam} per value of every enumerated type the module uses. Values its logic never names
     * are declared too, so the encoding reads complete, inside a lint waiver for unused parameters.
     */
    private void writeEnumerations(StringBuilder out) {
        Map<String, String> constants = new HashMap<>();
        for (EnumEncoding encoding : enumerations.keySet()) {
            for (int i = 0; i < encoding.values().size(); i++) {
                String owner = constants.putIfAbsent(encoding.constantName(i), encoding.javaType().getName());
                if (owner != null && !owner.equals(encoding.javaType().getName())) {
                    throw new HdlUsageException("module " + definitionName + " uses two enumerations whose Verilog"
                            + " constant " + encoding.constantName(i) + " collide (" + owner + " and "
                            + encoding.javaType().getName() + "): give one of the Java enums another simple name");
                }
            }
        }
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
        return temporary(expr, sink, null);
    }

    /** A temporary holding {@code expr}, all of whose bits the caller reads. */
    private String temporary(Expr expr, String sink, String preferredName) {
        String name = temporaryName(expr, sink, preferredName);
        temporaryUsed.get(name).set(0, expr.width());
        return name;
    }

    /**
     * A temporary holding {@code expr}, declared once; the caller records which bits it reads. It is named
     * {@code preferredName} when given, else after what it tests (a one-bit value) or after the signal it
     * feeds plus what it computes; its own operands' temporaries are named after the same signal.
     */
    private String temporaryName(Expr expr, String sink, String preferredName) {
        String existing = temporaries.get(expr);
        if (existing != null) {
            return existing;
        }
        String description = preferredName != null ? preferredName : TemporaryNames.describe(expr);
        String name = names.fresh(description != null ? description : sink + "_" + TemporaryNames.operation(expr));
        temporaries.put(expr, name);
        temporaryWidths.put(name, expr.width());
        temporaryUsed.put(name, new BitSet());
        Doc value = render(expr, sink);
        temporaryDeclarations.append(INDENT).append("wire ").append(range(expr.type()).isEmpty() ? "" : range(expr.type()) + " ")
                .append(name).append(";\n");
        statement(temporaryAssigns, INDENT, assignment("assign " + name, "=", value), null);
        return name;
    }

    // ------------------------------------------------------------------ expressions

    /** True when {@code expr} is written where it is used rather than through a temporary. */
    private boolean inline(Expr expr) {
        return trivial(expr) || (useCount.getOrDefault(expr, 0) <= 1 && !temporaries.containsKey(expr));
    }

    /** Verilog for {@code expr}, whose self-determined width is the IR width. */
    private Doc expr(Expr expr, String sink) {
        if (!trivial(expr) && useCount.getOrDefault(expr, 0) > 1) {
            return Doc.text(temporary(expr, sink, null));
        }
        return render(expr, sink);
    }

    /**
     * Verilog for a condition ({@code if}) or selector ({@code case}) of statements that assign
     * {@code target}. A shared one-bit condition becomes a temporary named after what it tests, or
     * {@code <target>_cond} when that would not read short; a shared selector one named after the target.
     */
    private Doc condition(Expr condition, String target) {
        if (!trivial(condition) && useCount.getOrDefault(condition, 0) > 1) {
            String description = TemporaryNames.describe(condition);
            String fallback = condition.width() == 1 ? target + "_cond" : null;
            return Doc.text(temporary(condition, target, description != null ? description : fallback));
        }
        return render(condition, target);
    }

    private Doc render(Expr expr, String sink) {
        return switch (expr) {
            case Expr.Literal literal -> literal(literal.type(), literal.value());
            case Expr.Ref(Signal signal) -> {
                markUsed(signal, 0, signal.width() - 1);
                yield Doc.text(signal.name());
            }
            case Expr.Unary unary -> switch (unary.op()) {
                case NOT -> Doc.cat(Doc.text("~"), expr(unary.operand(), sink));
                case NEG -> Doc.cat(Doc.text("-"), expr(unary.operand(), sink));
                case AND_REDUCE -> new Doc.Paren(Doc.cat(Doc.text("&"), expr(unary.operand(), sink)));
                case OR_REDUCE -> new Doc.Paren(Doc.cat(Doc.text("|"), expr(unary.operand(), sink)));
                case XOR_REDUCE -> new Doc.Paren(Doc.cat(Doc.text("^"), expr(unary.operand(), sink)));
            };
            case Expr.Binary binary -> binary(binary, sink);
            case Expr.ShiftConst shift -> shift.op() == Expr.ShiftOp.LEFT
                    ? Doc.list("{", List.of(expr(shift.operand(), sink), Doc.text(Literals.zero(shift.amount()))), ",", "}")
                    : Doc.text(slice(shift.operand(), shift.amount(), shift.operand().width() - 1, sink));
            case Expr.ShiftDynamic shift -> switch (shift.op()) {
                case LEFT -> operators(List.of(expr(shift.operand(), sink), expr(shift.amount(), sink)), "<<");
                case RIGHT_LOGICAL -> operators(List.of(expr(shift.operand(), sink), expr(shift.amount(), sink)), ">>");
                case RIGHT_ARITHMETIC ->
                        operators(List.of(signed(expr(shift.operand(), sink)), expr(shift.amount(), sink)), ">>>");
            };
            case Expr.Mux mux -> mux(mux, sink);
            case Expr.Slice slice -> Doc.text(slice(slice.operand(), slice.lo(), slice.hi(), sink));
            case Expr.BitSelect select -> {
                // Bit 0 of a shift: 0 for an index past the top (Verilog's x[i] would give x there), and no
                // need for an index of exactly log2(width) bits.
                int width = select.operand().width();
                if (width == 1) {
                    Doc test = Doc.cat(expr(select.index(), sink), Doc.text(" == " + Literals.zero(select.index().width())));
                    yield new Doc.Paren(Doc.cat(Doc.group(Doc.cat(test, new Doc.Nest(2, Doc.cat(Doc.SPACE, Doc.text("? "),
                            expr(select.operand(), sink))))), Doc.SPACE, Doc.text(": 1'b0")));
                }
                Doc shifted = operators(List.of(expr(select.operand(), sink), expr(select.index(), sink)), ">>");
                yield new Doc.Paren(Doc.cat(Doc.text("|"), operators(List.of(shifted, Doc.text(width + "'d1")), "&")));
            }
            case Expr.Concat concat -> {
                List<Doc> parts = new ArrayList<>();
                for (Expr part : concat.parts()) {
                    parts.add(expr(part, sink));
                }
                yield Doc.list("{", parts, ",", "}");
            }
            case Expr.Extend extend -> {
                int extra = extend.width() - extend.operand().width();
                if (!extend.signed()) {
                    yield Doc.list("{", List.of(Doc.text(Literals.zero(extra)), expr(extend.operand(), sink)), ",", "}");
                }
                yield signExtension(extend.operand(), extra, sink);
            }
            case Expr.Reinterpret reinterpret -> expr(reinterpret.operand(), sink);
            case Expr.MemRead read -> Doc.cat(Doc.text(read.memory().name() + "["), new Doc.Align(expr(read.address(), sink)),
                    Doc.text("]"));
        };
    }

    /**
     * A sized literal, or for an enumerated type the name of its value (noted for the localparams); one wider
     * than {@value #LONG_LITERAL_BITS} bits is written as a concatenation of hexadecimal pieces so that it can be
     * broken across lines.
     */
    private Doc literal(HwType type, BigInteger value) {
        EnumEncoding encoding = type.encoding();
        if (encoding != null && value.compareTo(BigInteger.valueOf(encoding.values().size())) < 0) {
            enumerations.computeIfAbsent(encoding, e -> new BitSet()).set(value.intValue());
            return Doc.text(encoding.constantName(value.intValue()));
        }
        if (type.width() <= LONG_LITERAL_BITS) {
            return Doc.text(Literals.of(type, value));
        }
        List<Doc> pieces = new ArrayList<>();
        for (int hi = type.width(); hi > 0; ) {
            int width = hi % LONG_LITERAL_BITS == 0 ? LONG_LITERAL_BITS : hi % LONG_LITERAL_BITS;
            BigInteger piece = value.shiftRight(hi - width).and(BigInteger.ONE.shiftLeft(width).subtract(BigInteger.ONE));
            pieces.add(Doc.text(Literals.of(HwType.bits(width), piece)));
            hi -= width;
        }
        return Doc.list("{", pieces, ",", "}");
    }

    /** {@code (a op b op c)}: broken before each operator, the operands aligned after the parenthesis. */
    private static Doc operators(List<Doc> operands, String symbol) {
        List<Doc> parts = new ArrayList<>(operands.size() * 3);
        for (int i = 0; i < operands.size(); i++) {
            if (i > 0) {
                parts.add(Doc.SPACE);
                parts.add(Doc.text(symbol + " "));
            }
            parts.add(operands.get(i));
        }
        return new Doc.Paren(Doc.cat(parts));
    }

    private static Doc signed(Doc operand) {
        return Doc.cat(Doc.text("$signed("), new Doc.Align(operand), Doc.text(")"));
    }

    /**
     * {@code (s1 ? a : (s2 ? b : c))}, a multiplexer whose false arms are multiplexers written as one chain:
     * broken, every arm starts a line ({@code s1 ? a}, {@code : s2 ? b}, {@code : c}), which is how
     * Verilog's right-associative {@code ?:} reads without the inner parentheses.
     */
    private Doc mux(Expr.Mux mux, String sink) {
        List<Doc> parts = new ArrayList<>();
        Expr.Mux arm = mux;
        int arms = 0;
        while (true) {
            if (arms > 0) {
                parts.add(new Doc.IfBroken(Doc.EMPTY, Doc.text("(")));
            }
            parts.add(Doc.group(Doc.cat(expr(arm.select(), sink),
                    new Doc.Nest(2, Doc.cat(Doc.SPACE, Doc.text("? "), expr(arm.whenTrue(), sink))))));
            parts.add(Doc.SPACE);
            parts.add(Doc.text(": "));
            arms++;
            if (arm.whenFalse() instanceof Expr.Mux next && inline(next)) {
                arm = next;
                continue;
            }
            parts.add(expr(arm.whenFalse(), sink));
            break;
        }
        if (arms > 1) {
            parts.add(new Doc.IfBroken(Doc.EMPTY, Doc.text(")".repeat(arms - 1))));
        }
        return new Doc.Paren(Doc.cat(parts));
    }

    private Doc binary(Expr.Binary binary, String sink) {
        Expr.BinaryOp op = binary.op();
        boolean signed = binary.left().type().kind() == Kind.SINT;
        if (op == Expr.BinaryOp.MUL) {
            int width = binary.width();
            return operators(List.of(widenForProduct(binary.left(), width, signed, sink),
                    widenForProduct(binary.right(), width, signed, sink)), "*");
        }
        List<Doc> operands = new ArrayList<>();
        if (chains(op)) {
            // a & b & c rather than ((a & b) & c): these operators are associative at equal widths.
            chain(binary, op, sink, operands);
        } else {
            operands.add(expr(binary.left(), sink));
            operands.add(expr(binary.right(), sink));
        }
        if (signed && (op == Expr.BinaryOp.LT || op == Expr.BinaryOp.LE || op == Expr.BinaryOp.GT || op == Expr.BinaryOp.GE)) {
            operands.replaceAll(VerilogEmitter::signed);
        }
        return operators(operands, op.symbol());
    }

    /** The operands of a chain of {@code op}, written inline, in order. */
    private void chain(Expr.Binary binary, Expr.BinaryOp op, String sink, List<Doc> operands) {
        for (Expr operand : List.of(binary.left(), binary.right())) {
            if (operand instanceof Expr.Binary inner && inner.op() == op && inline(inner)) {
                chain(inner, op, sink, operands);
            } else {
                operands.add(expr(operand, sink));
            }
        }
    }

    private static boolean chains(Expr.BinaryOp op) {
        return op == Expr.BinaryOp.AND || op == Expr.BinaryOp.OR || op == Expr.BinaryOp.XOR || op == Expr.BinaryOp.ADD;
    }

    /** An operand of a product, extended to the product's width so no bit of the result is lost. */
    private Doc widenForProduct(Expr operand, int width, boolean signed, String sink) {
        int extra = width - operand.width();
        if (!signed) {
            return Doc.list("{", List.of(Doc.text(Literals.zero(extra)), expr(operand, sink)), ",", "}");
        }
        return signed(signExtension(operand, extra, sink));
    }

    /** {@code {{extra{msb}}, operand}}. */
    private Doc signExtension(Expr operand, int extra, String sink) {
        String id = identifier(operand, sink);
        String msb = operand.width() == 1 ? id : id + "[" + (operand.width() - 1) + "]";
        return Doc.list("{", List.of(Doc.text(extra == 1 ? msb : "{" + extra + "{" + msb + "}}"), Doc.text(id)), ",", "}");
    }

    private String slice(Expr operand, int lo, int hi, String sink) {
        Expr base = operand instanceof Expr.Reinterpret r ? r.operand() : operand;
        String id;
        if (base instanceof Expr.Ref(Signal signal)) {
            markUsed(signal, lo, hi);
            id = signal.name();
        } else {
            id = temporaryName(base, sink, null);
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
        out.append(INDENT).append("// ").append("-".repeat(WIDTH - INDENT.length() - 3)).append('\n');
        String text = area.path() + " (" + area.location() + ")"
                + (area.description().isEmpty() ? "" : ": " + area.description());
        for (String line : Comments.wrap(text, WIDTH - INDENT.length() - 3)) {
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
                if (out.length() >= 4 && out.substring(out.length() - 4).equals("end\n")) {
                    out.append('\n');   // a blank line after an always block, as before one
                }
                for (Stmt statement : statements) {
                    Stmt.Assign assign = (Stmt.Assign) statement;
                    statement(out, INDENT, assignment("assign " + lvalue(assign), "=",
                            expr(assign.value(), assign.target().name())), assign.location());
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
                    .append(literalText(register.type(), register.resetValue())).append(";\n");
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
            case Stmt.Assign assign -> statement(out, indent, assignment(lvalue(assign), op,
                    expr(assign.value(), assign.target().name())), assign.location());
            case Stmt.When when -> {
                statement(out, indent, header("if (", condition(when.condition(), conditionTarget(when)), ") begin"),
                        when.location());
                writeBlock(when.whenTrue(), depth + 1, op, out);
                Block otherwise = when.whenFalse();
                while (otherwise.statements().size() == 1 && otherwise.statements().getFirst() instanceof Stmt.When chained) {
                    statement(out, indent, header("end else if (", condition(chained.condition(), conditionTarget(chained)),
                            ") begin"), chained.location());
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
                statement(out, indent, header("case (", condition(sw.selector(), conditionTarget(sw)), ")"), sw.location());
                for (Stmt.Case arm : sw.cases()) {
                    List<String> labels = new ArrayList<>();
                    for (BigInteger value : arm.values()) {
                        labels.add(literalText(sw.selector().type(), value));
                    }
                    writeArm(String.join(", ", labels), arm.body(), depth + 1, op, out);
                }
                writeArm("default", sw.otherwise(), depth + 1, op, out);
                out.append(indent).append("endcase\n");
            }
            case Stmt.MemWrite write -> writeMemoryWrite(write, indent, out);
        }
    }

    /**
     * One arm of a case: {@code label: x = v;} for a single assignment, {@code label: ;} for none, else a
     * {@code begin ... end} block.
     */
    private void writeArm(String label, Block body, int depth, String op, StringBuilder out) {
        String indent = INDENT.repeat(depth);
        if (body.isEmpty()) {
            out.append(indent).append(label).append(": ;\n");
            return;
        }
        if (body.statements().size() == 1 && body.statements().getFirst() instanceof Stmt.Assign assign) {
            statement(out, indent, Doc.cat(Doc.text(label + ": "), assignment(lvalue(assign), op,
                    expr(assign.value(), assign.target().name()))), assign.location());
            return;
        }
        out.append(indent).append(label).append(": begin\n");
        writeBlock(body, depth + 1, op, out);
        out.append(indent).append("end\n");
    }

    private void writeBlock(Block block, int depth, String op, StringBuilder out) {
        for (Stmt statement : block.statements()) {
            writeStatement(statement, depth, op, out);
        }
    }

    private void writeMemoryWrite(Stmt.MemWrite write, String indent, StringBuilder out) {
        String memory = write.memory().name();
        Doc address = expr(write.address(), memory + "_waddr");
        if (write.mask() == null) {
            Doc target = Doc.cat(Doc.text(memory + "["), new Doc.Align(address), Doc.text("]"));
            statement(out, indent, assignment(target, "<=", expr(write.data(), memory + "_wdata")), write.location());
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
            Doc target = Doc.cat(Doc.text("if (" + maskBit + ") " + memory + "["), new Doc.Align(address),
                    Doc.text("]" + part));
            statement(out, indent, assignment(target, "<=", Doc.text(data + part)), write.location());
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

    /**
     * The signal a condition's temporaries are named after when nothing shorter says what it tests: the first
     * one the branch assigns.
     */
    private static String conditionTarget(Stmt statement) {
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
        return first[0] == null ? "branch" : first[0];
    }

    // ------------------------------------------------------------------ line layout

    /** {@code target op value;} with the value on the following lines, indented, when it does not fit. */
    private static Doc assignment(String target, String op, Doc value) {
        return assignment(Doc.text(target), op, value);
    }

    private static Doc assignment(Doc target, String op, Doc value) {
        return Doc.cat(target, Doc.text(" " + op),
                Doc.group(new Doc.Nest(CONTINUATION, Doc.cat(Doc.SPACE, Doc.bare(value)))), Doc.text(";"));
    }

    /** {@code open condition close}, the condition's lines aligned after {@code open}. */
    private static Doc header(String open, Doc condition, String close) {
        return Doc.cat(Doc.text(open), new Doc.Align(Doc.bare(condition)), Doc.text(close));
    }

    /**
     * Writes one statement at {@code indent}, within {@value #WIDTH} columns where its break points allow,
     * followed by the source location comment: at the end of its last line, or on a line of its own just
     * above the statement when it does not fit there.
     */
    private static void statement(StringBuilder out, String indent, Doc doc, SourceLocation location) {
        String comment = location == null ? "" : comment(location);
        if (indent.length() + doc.width() + comment.length() <= WIDTH) {
            out.append(indent).append(Doc.flat(doc)).append(comment).append('\n');
            return;
        }
        String text = Doc.layout(doc, indent.length(), WIDTH);
        int lastLine = text.lastIndexOf('\n') + 1;
        int lastWidth = (lastLine == 0 ? indent.length() : 0) + text.length() - lastLine;
        if (lastWidth + comment.length() <= WIDTH) {
            out.append(indent).append(text).append(comment).append('\n');
        } else {
            out.append(indent).append(comment.strip()).append('\n').append(indent).append(text).append('\n');
        }
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
                // An arm left empty says nothing when the default assigns nothing either, so it is dropped: the
                // case lists only the values that do something here. (A case that lists every value of a state
                // register, most of them empty, is also one Yosys's proc_rom turns into a ROM read addressed by
                // the state, and a state register read as an address is one fsm_detect will not recode.)
                Block otherwise = filterBlock(sw.otherwise(), keep);
                List<Stmt.Case> cases = new ArrayList<>();
                for (Stmt.Case arm : sw.cases()) {
                    Block body = filterBlock(arm.body(), keep);
                    if (!body.isEmpty() || !otherwise.isEmpty()) {
                        cases.add(new Stmt.Case(arm.values(), body, arm.location()));
                    }
                }
                yield otherwise.isEmpty() && cases.isEmpty() ? null
                        : new Stmt.Switch(sw.selector(), cases, otherwise, sw.location());
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
                statement(out, indent, header("if (!(", expr(assertion.condition(), "assert"), ")) begin"),
                        assertion.location());
                String text = ASSERTION_PREFIX + " in %m: " + assertion.location() + ": "
                        + verilogString(assertion.message());
                List<Doc> pieces = new ArrayList<>();
                for (String piece : Comments.pieces(text, WIDTH - indent.length() - 2 * INDENT.length() - 12)) {
                    pieces.add(Doc.text("\"" + piece + "\""));
                }
                statement(out, indent + INDENT, Doc.cat(Doc.list("$display(", pieces, ",", ")"), Doc.text(";")), null);
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
        String head = instance.child().definitionName();
        String tail = " " + instance.name() + " (" + comment(instance.location());
        if (!instance.parameters().isEmpty()) {
            List<String> parameters = new ArrayList<>();
            for (Map.Entry<String, Object> parameter : instance.parameters().entrySet()) {
                parameters.add("." + parameter.getKey() + "(" + parameterValue(parameter.getValue()) + ")");
            }
            String inline = INDENT + head + " #(" + String.join(", ", parameters) + ")" + tail;
            if (inline.length() > WIDTH) {
                // One parameter per line, as the port connections below.
                out.append(INDENT).append(head).append(" #(\n");
                for (int i = 0; i < parameters.size(); i++) {
                    out.append(INDENT).append(INDENT).append(parameters.get(i)).append(i + 1 < parameters.size() ? "," : "")
                            .append('\n');
                }
                out.append(INDENT).append(')').append(tail).append('\n');
            } else {
                out.append(inline).append('\n');
            }
        } else {
            out.append(INDENT).append(head).append(tail).append('\n');
        }
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
        List<String> items = new ArrayList<>();
        items.add("1'b0");
        items.addAll(parts);
        fill(out, INDENT + "wire unused_bits = &{", INDENT + INDENT + INDENT, items, ", ", "};");
    }
}
