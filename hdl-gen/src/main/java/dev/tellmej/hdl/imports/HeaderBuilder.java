package dev.tellmej.hdl.imports;

import dev.tellmej.hdl.imports.VerilogHeaderParser.BinaryExpressionContext;
import dev.tellmej.hdl.imports.VerilogHeaderParser.ConstantExpressionContext;
import dev.tellmej.hdl.imports.VerilogHeaderParser.DeclaredPortContext;
import dev.tellmej.hdl.imports.VerilogHeaderParser.IdentifierContext;
import dev.tellmej.hdl.imports.VerilogHeaderParser.ModuleDeclarationContext;
import dev.tellmej.hdl.imports.VerilogHeaderParser.ModuleItemContext;
import dev.tellmej.hdl.imports.VerilogHeaderParser.PackedDimensionContext;
import dev.tellmej.hdl.imports.VerilogHeaderParser.ParameterAssignmentContext;
import dev.tellmej.hdl.imports.VerilogHeaderParser.ParameterPortDeclarationContext;
import dev.tellmej.hdl.imports.VerilogHeaderParser.PlainPortContext;
import dev.tellmej.hdl.imports.VerilogHeaderParser.PortContext;
import dev.tellmej.hdl.imports.VerilogHeaderParser.PortDeclarationContext;
import dev.tellmej.hdl.imports.VerilogHeaderParser.PortTypeContext;
import dev.tellmej.hdl.imports.VerilogHeaderParser.PrimaryContext;
import dev.tellmej.hdl.imports.VerilogHeaderParser.TypeParameterDeclarationContext;
import dev.tellmej.hdl.imports.VerilogHeaderParser.TypeParameterPortContext;
import dev.tellmej.hdl.imports.VerilogHeaderParser.UnpackedDimensionContext;
import dev.tellmej.hdl.imports.VerilogHeaderParser.ValueParameterDeclarationContext;
import dev.tellmej.hdl.imports.VerilogHeaderParser.ValueParameterPortContext;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.TokenStream;

/** Builds the import's model ({@link VerilogModule}) from the parse tree of one file. */
final class HeaderBuilder {
    private static final Pattern BASED = Pattern.compile("(?:([0-9][0-9_]*)\\s*)?'([sS]?)([bBoOdDhH])\\s*(.+)");

    private final Path file;
    private final TokenStream tokens;

    HeaderBuilder(Path file, TokenStream tokens) {
        this.file = file;
        this.tokens = tokens;
    }

    /** The port shape shared by ANSI ports that inherit it ({@code input [7:0] a, b}). */
    private record Shape(PortDirection direction, String dataType, boolean signed, List<PackedRange> packed) {}

    VerilogModule module(ModuleDeclarationContext declaration) {
        String name = identifier(declaration.name);
        List<VerilogParameter> parameters = new ArrayList<>();
        boolean headerParameters = declaration.parameterPortList() != null;
        if (headerParameters) {
            boolean local = false;
            String type = "";
            for (ParameterPortDeclarationContext port : declaration.parameterPortList().parameterPortDeclaration()) {
                switch (port) {
                    case TypeParameterPortContext t -> {
                        local = t.keyword != null ? t.keyword.getType() == VerilogHeaderParser.LOCALPARAM : local;
                        parameters.add(new VerilogParameter(identifier(t.identifier()), local, "type", null, true,
                                location(t.identifier().start)));
                    }
                    case ValueParameterPortContext v -> {
                        if (v.keyword != null) {
                            local = v.keyword.getType() == VerilogHeaderParser.LOCALPARAM;
                            type = "";
                        }
                        if (v.parameterType() != null) {
                            type = text(v.parameterType());
                        }
                        parameters.add(parameter(v.parameterAssignment(), local, type));
                    }
                    default -> throw new IllegalStateException("unknown parameter port " + port.getClass());
                }
            }
        }
        Map<String, PortDeclarationContext> bodyPorts = new LinkedHashMap<>();
        Map<String, DeclaredPortContext> bodyPortNames = new LinkedHashMap<>();
        for (ModuleItemContext item : declaration.moduleItem()) {
            if (item.parameterDeclaration() != null) {
                switch (item.parameterDeclaration()) {
                    case ValueParameterDeclarationContext v -> {
                        boolean local = v.keyword.getType() == VerilogHeaderParser.LOCALPARAM || headerParameters;
                        String type = v.parameterType() == null ? "" : text(v.parameterType());
                        for (ParameterAssignmentContext assignment : v.parameterAssignment()) {
                            parameters.add(parameter(assignment, local, type));
                        }
                    }
                    case TypeParameterDeclarationContext t -> {
                        boolean local = t.keyword.getType() == VerilogHeaderParser.LOCALPARAM || headerParameters;
                        for (IdentifierContext id : t.identifier()) {
                            parameters.add(new VerilogParameter(identifier(id), local, "type", null, true,
                                    location(id.start)));
                        }
                    }
                    default -> throw new IllegalStateException("unknown parameter declaration");
                }
            } else if (item.portDeclaration() != null) {
                for (DeclaredPortContext port : item.portDeclaration().declaredPort()) {
                    String portName = identifier(port.identifier());
                    if (bodyPorts.put(portName, item.portDeclaration()) != null) {
                        throw new VerilogSyntaxException(location(port.start), "port '" + portName
                                + "' is declared twice");
                    }
                    bodyPortNames.put(portName, port);
                }
            }
        }
        List<PortContext> listed = declaration.portList() == null ? List.of() : declaration.portList().port();
        boolean ansi = listed.isEmpty() || !isBareName(listed.getFirst());
        List<VerilogPort> ports = ansi ? ansiPorts(name, listed, bodyPortNames)
                : nonAnsiPorts(name, listed, bodyPorts, bodyPortNames);
        return new VerilogModule(name, location(declaration.start), ansi, parameters, ports);
    }

    private VerilogParameter parameter(ParameterAssignmentContext assignment, boolean local, String type) {
        String name = identifier(assignment.identifier());
        if (!assignment.unpackedDimension().isEmpty()) {
            throw new UnsupportedVerilogException(location(assignment.start), "parameter '" + name
                    + "' is an unpacked array, which the importer does not support");
        }
        ConstantExpression value = assignment.constantExpression() == null ? null
                : expression(assignment.constantExpression());
        return new VerilogParameter(name, local, type, value, false, location(assignment.identifier().start));
    }

    private static boolean isBareName(PortContext port) {
        return port instanceof PlainPortContext plain && plain.portDirection() == null && plain.portType() == null
                && plain.unpackedDimension().isEmpty() && plain.constantExpression() == null;
    }

    private List<VerilogPort> ansiPorts(String module, List<PortContext> listed,
                                        Map<String, DeclaredPortContext> bodyPorts) {
        if (!bodyPorts.isEmpty()) {
            DeclaredPortContext first = bodyPorts.values().iterator().next();
            throw new VerilogSyntaxException(location(first.start), "port '" + identifier(first.identifier())
                    + "' is declared in the body of module " + module + ", whose header already declares its ports"
                    + " (ANSI style)");
        }
        List<VerilogPort> ports = new ArrayList<>();
        Shape shape = null;
        for (PortContext port : listed) {
            switch (port) {
                case PlainPortContext plain -> {
                    String name = identifier(plain.portName);
                    unpacked(name, plain.unpackedDimension());
                    boolean inherits = plain.portDirection() == null && plain.portType() == null && shape != null;
                    if (!inherits) {
                        PortDirection direction = plain.portDirection() != null ? direction(plain.portDirection().start)
                                : shape != null ? shape.direction() : PortDirection.INOUT;
                        shape = shape(direction, plain.portType());
                    }
                    ports.add(port(name, shape, plain.portName.start));
                }
                case VerilogHeaderParser.NamedTypePortContext named -> {
                    String name = identifier(named.portName);
                    String type = identifier(named.typeName) + (named.modport == null ? "" : "." + identifier(named.modport));
                    if (named.portDirection() == null) {
                        throw new UnsupportedVerilogException(location(named.start), "port '" + name
                                + "' is an interface port (" + type + "), which the importer does not support;"
                                + " wrap the module in one with plain ports");
                    }
                    throw new UnsupportedVerilogException(location(named.start), "port '" + name + "' has type '"
                            + type + "' (a user-defined type), which the importer does not support; it reads the"
                            + " built-in types (wire, reg, logic, bit, integer, ...)");
                }
                case VerilogHeaderParser.InterfacePortContext generic -> throw new UnsupportedVerilogException(
                        location(generic.start), "port '" + identifier(generic.portName) + "' is an interface port,"
                        + " which the importer does not support; wrap the module in one with plain ports");
                default -> throw portExpression(port);
            }
        }
        return ports;
    }

    private List<VerilogPort> nonAnsiPorts(String module, List<PortContext> listed,
                                           Map<String, PortDeclarationContext> bodyPorts,
                                           Map<String, DeclaredPortContext> bodyPortNames) {
        List<VerilogPort> ports = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (PortContext port : listed) {
            if (!isBareName(port)) {
                if (port instanceof PlainPortContext || port instanceof VerilogHeaderParser.NamedTypePortContext
                        || port instanceof VerilogHeaderParser.InterfacePortContext) {
                    throw new VerilogSyntaxException(location(port.start), "module " + module + " mixes a non-ANSI"
                            + " port list (its first port is a bare name) with a port declared in the list");
                }
                throw portExpression(port);
            }
            PlainPortContext plain = (PlainPortContext) port;
            String name = identifier(plain.portName);
            PortDeclarationContext declaration = bodyPorts.get(name);
            if (declaration == null) {
                throw new VerilogSyntaxException(location(plain.start), "port '" + name + "' of module " + module
                        + " is listed in the header but never declared input, output or inout in the body");
            }
            DeclaredPortContext declared = bodyPortNames.get(name);
            unpacked(name, declared.unpackedDimension());
            Shape shape = shape(direction(declaration.portDirection().start), declaration.portType());
            ports.add(port(name, shape, declared.start));
            names.add(name);
        }
        for (Map.Entry<String, DeclaredPortContext> declared : bodyPortNames.entrySet()) {
            if (!names.contains(declared.getKey())) {
                throw new VerilogSyntaxException(location(declared.getValue().start), "port '" + declared.getKey()
                        + "' is declared in the body of module " + module + " but not in its port list");
            }
        }
        return ports;
    }

    private UnsupportedVerilogException portExpression(PortContext port) {
        return new UnsupportedVerilogException(location(port.start), "port expression '" + text(port)
                + "' (a port made of other names) is not supported by the importer");
    }

    private void unpacked(String name, List<UnpackedDimensionContext> dimensions) {
        if (!dimensions.isEmpty()) {
            throw new UnsupportedVerilogException(location(dimensions.getFirst().start), "port '" + name
                    + "' is an unpacked array (" + text(dimensions.getFirst()) + "), which the importer does not"
                    + " support; pack it ([N*W-1:0]) in a wrapper");
        }
    }

    private Shape shape(PortDirection direction, PortTypeContext type) {
        if (type == null) {
            return new Shape(direction, "", false, List.of());
        }
        StringBuilder dataType = new StringBuilder();
        if (type.netType() != null) {
            dataType.append(text(type.netType()));
        }
        if (type.VAR() != null) {
            dataType.append(dataType.isEmpty() ? "" : " ").append("var");
        }
        if (type.dataKeyword() != null) {
            if (type.dataKeyword().nonIntegerType() != null) {
                throw new UnsupportedVerilogException(location(type.start), "a port of type "
                        + text(type.dataKeyword()) + " has no bits; the importer reads integral ports only");
            }
            dataType.append(dataType.isEmpty() ? "" : " ").append(text(type.dataKeyword()));
        }
        String written = dataType.toString();
        boolean signed = type.signing() != null ? type.signing().SIGNED() != null : IntegerTypes.signedByDefault(written);
        List<PackedRange> packed = new ArrayList<>();
        for (PackedDimensionContext dimension : type.packedDimension()) {
            if (dimension.msb == null) {
                throw new UnsupportedVerilogException(location(dimension.start), "an unsized dimension [] has no"
                        + " width");
            }
            packed.add(new PackedRange(expression(dimension.msb), expression(dimension.lsb)));
        }
        if (!packed.isEmpty() && IntegerTypes.width(written) > 0) {
            throw new UnsupportedVerilogException(location(type.start), "an integer type with a packed range ("
                    + text(type) + ") is not Verilog");
        }
        return new Shape(direction, written, signed, packed);
    }

    private VerilogPort port(String name, Shape shape, Token at) {
        return new VerilogPort(name, shape.direction(), shape.dataType(), shape.signed(), shape.packed(), location(at));
    }

    private static PortDirection direction(Token token) {
        return PortDirection.valueOf(token.getText().toUpperCase(Locale.ROOT));
    }

    // ---------------------------------------------------------------------------------------- expressions

    ConstantExpression expression(ConstantExpressionContext context) {
        return new ConstantExpression(node(context), text(context), location(context.start));
    }

    private ConstantExpression.Node node(ConstantExpressionContext context) {
        VerilogLocation where = location(context.start);
        return switch (context) {
            case VerilogHeaderParser.PrimaryExpressionContext p -> node(p.primary());
            case VerilogHeaderParser.UnaryExpressionContext u -> new ConstantExpression.Unary(u.op.getText(),
                    node(u.primary()), where);
            case BinaryExpressionContext b -> new ConstantExpression.Binary(b.op.getText(),
                    node(b.constantExpression(0)), node(b.constantExpression(1)), location(b.op));
            case VerilogHeaderParser.ConditionalExpressionContext c -> new ConstantExpression.Conditional(
                    node(c.constantExpression(0)), node(c.constantExpression(1)), node(c.constantExpression(2)), where);
            default -> throw new IllegalStateException("unknown expression " + context.getClass());
        };
    }

    private ConstantExpression.Node node(PrimaryContext context) {
        VerilogLocation where = location(context.start);
        return switch (context) {
            case VerilogHeaderParser.NumberPrimaryContext n -> literal(n.getText(), n.number().start.getType(), where);
            case VerilogHeaderParser.StringPrimaryContext s -> new ConstantExpression.StringLiteral(
                    unquote(s.getText()), where);
            case VerilogHeaderParser.ScopedPrimaryContext s -> new ConstantExpression.ScopedName(
                    identifier(s.identifier(0)), identifier(s.identifier(1)), where);
            case VerilogHeaderParser.CallPrimaryContext c -> new ConstantExpression.Call(identifier(c.identifier()),
                    c.constantExpression().stream().map(this::node).toList(), where);
            case VerilogHeaderParser.SystemCallPrimaryContext c -> new ConstantExpression.Call(
                    c.SYSTEM_IDENTIFIER().getText(), c.constantExpression().stream().map(this::node).toList(), where);
            case VerilogHeaderParser.IdentifierPrimaryContext i -> {
                List<ConstantExpressionContext> select = i.constantExpression();
                yield new ConstantExpression.Name(identifier(i.identifier()),
                        select.isEmpty() ? null : node(select.get(0)), select.size() < 2 ? null : node(select.get(1)),
                        where);
            }
            case VerilogHeaderParser.ParenthesizedPrimaryContext p -> node(p.constantExpression());
            case VerilogHeaderParser.ReplicationPrimaryContext r -> new ConstantExpression.Replication(
                    node(r.constantExpression(0)), r.constantExpression().subList(1, r.constantExpression().size())
                    .stream().map(this::node).toList(), where);
            case VerilogHeaderParser.ConcatenationPrimaryContext c -> new ConstantExpression.Concatenation(
                    c.constantExpression().stream().map(this::node).toList(), where);
            default -> throw new IllegalStateException("unknown primary " + context.getClass());
        };
    }

    private static ConstantExpression.Literal literal(String text, int type, VerilogLocation where) {
        return switch (type) {
            case VerilogHeaderParser.DECIMAL_NUMBER -> new ConstantExpression.Literal(
                    new BigInteger(text.replace("_", "")), 0, null, text, where);
            case VerilogHeaderParser.REAL_NUMBER -> new ConstantExpression.Literal(BigInteger.ZERO, 0,
                    "is a real number, not an integer", text, where);
            case VerilogHeaderParser.UNBASED_UNSIZED -> text.equals("'0")
                    ? new ConstantExpression.Literal(BigInteger.ZERO, 0, null, text, where)
                    : new ConstantExpression.Literal(BigInteger.ZERO, 0, "takes the size of its context, which the"
                            + " importer does not know", text, where);
            default -> based(text, where);
        };
    }

    private static ConstantExpression.Literal based(String text, VerilogLocation where) {
        Matcher m = BASED.matcher(text);
        if (!m.matches()) {
            throw new VerilogSyntaxException(where, "malformed number '" + text + "'");
        }
        int width = m.group(1) == null ? 0 : Integer.parseInt(m.group(1).replace("_", ""));
        String digits = m.group(4).replace("_", "").replaceAll("\\s", "");
        if (digits.chars().anyMatch(c -> "xXzZ?".indexOf(c) >= 0)) {
            return new ConstantExpression.Literal(BigInteger.ZERO, width, "has x or z bits", text, where);
        }
        int radix = switch (Character.toLowerCase(m.group(3).charAt(0))) {
            case 'b' -> 2;
            case 'o' -> 8;
            case 'h' -> 16;
            default -> 10;
        };
        BigInteger value;
        try {
            value = new BigInteger(digits, radix);
        } catch (NumberFormatException e) {
            throw new VerilogSyntaxException(where, "malformed number '" + text + "'");
        }
        if (width > 0) {
            value = value.and(ConstantEvaluator.mask(width));
            if (!m.group(2).isEmpty() && value.testBit(width - 1)) {
                value = value.subtract(BigInteger.ONE.shiftLeft(width));
            }
        }
        return new ConstantExpression.Literal(value, width, null, text, where);
    }

    private static String unquote(String literal) {
        StringBuilder out = new StringBuilder();
        for (int i = 1; i < literal.length() - 1; i++) {
            char c = literal.charAt(i);
            if (c == '\\' && i + 1 < literal.length() - 1) {
                char next = literal.charAt(++i);
                out.append(switch (next) {
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    default -> next;
                });
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    // ---------------------------------------------------------------------------------------- helpers

    static String identifier(IdentifierContext context) {
        String text = context.getText();
        return text.startsWith("\\") ? text.substring(1) : text;
    }

    /** The text of a rule as written, with each run of white space and comments between tokens one space. */
    String text(ParserRuleContext context) {
        StringBuilder out = new StringBuilder();
        Token previous = null;
        for (int i = context.start.getTokenIndex(); i <= context.stop.getTokenIndex(); i++) {
            Token token = tokens.get(i);
            if (previous != null && token.getStartIndex() > previous.getStopIndex() + 1) {
                out.append(' ');
            }
            out.append(token.getText());
            previous = token;
        }
        return out.toString();
    }

    VerilogLocation location(Token token) {
        return new VerilogLocation(file, token.getLine(), token.getCharPositionInLine() + 1);
    }
}
