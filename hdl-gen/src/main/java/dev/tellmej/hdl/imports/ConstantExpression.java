package dev.tellmej.hdl.imports;

import java.math.BigInteger;
import java.util.List;

/**
 * A constant expression as written in a Verilog header (a parameter's default, a bound of a packed range),
 * with its text and place; {@link ConstantEvaluator} computes its value.
 *
 * @param tree     the expression
 * @param text     its text as written, comments and line breaks folded to single spaces
 * @param location where it starts
 */
public record ConstantExpression(Node tree, String text, VerilogLocation location) {
    @Override
    public String toString() {
        return text;
    }

    /** A part of an expression; every part knows where it is written. */
    public sealed interface Node {
        VerilogLocation location();
    }

    /**
     * A number: {@code 8'hff}, {@code 12}, {@code 'd3}, {@code 4'sb1010}.
     *
     * @param value   its value (two's complement for a signed literal with its top bit set: negative)
     * @param width   its size in bits, or 0 when unsized
     * @param problem why it has no integer value (x or z digits, a real number), or null
     */
    public record Literal(BigInteger value, int width, String problem, String text, VerilogLocation location)
            implements Node {}

    /** A string literal, without its quotes and with escapes resolved. */
    public record StringLiteral(String value, VerilogLocation location) implements Node {}

    /** A parameter's name, optionally with a bit or part select ({@code P[3:0]}; msb and lsb null without). */
    public record Name(String name, Node msb, Node lsb, VerilogLocation location) implements Node {}

    /** A package-scoped name ({@code pkg::WIDTH}): the importer does not read packages. */
    public record ScopedName(String scope, String name, VerilogLocation location) implements Node {}

    /** A unary operator ({@code -}, {@code ~}, {@code !}, reductions). */
    public record Unary(String operator, Node operand, VerilogLocation location) implements Node {}

    /** A binary operator. */
    public record Binary(String operator, Node left, Node right, VerilogLocation location) implements Node {}

    /** {@code condition ? whenTrue : whenFalse}. */
    public record Conditional(Node condition, Node whenTrue, Node whenFalse, VerilogLocation location)
            implements Node {}

    /** A call: a system function ({@code $clog2}, name with the dollar) or a function of the file. */
    public record Call(String function, List<Node> arguments, VerilogLocation location) implements Node {}

    /** {@code {a, b}}: parts first-most-significant. */
    public record Concatenation(List<Node> parts, VerilogLocation location) implements Node {}

    /** {@code {n{a, b}}}. */
    public record Replication(Node count, List<Node> parts, VerilogLocation location) implements Node {}
}
