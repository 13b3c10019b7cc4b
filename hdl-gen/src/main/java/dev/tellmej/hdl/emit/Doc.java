package dev.tellmej.hdl.emit;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;

/**
 * A piece of Verilog text with the places it may break, laid out by {@link #layout} within a line width.
 *
 * <p>A {@link Group} is printed on one line when it fits (up to the next break point after it), otherwise
 * every {@link Line} directly inside it becomes a newline; groups are decided outermost first, so a long
 * expression breaks at its outermost operators and its parts stay on one line wherever they fit. After a
 * newline the text continues at the current indentation: {@link Nest} adds to it, {@link Align} sets it to
 * the column where the aligned text starts (so the operands of a parenthesized expression line up after
 * its parenthesis).
 */
sealed interface Doc {
    /** The width of the text on one line. */
    int width();

    /** Text without newlines. */
    record Text(String text) implements Doc {
        @Override
        public int width() {
            return text.length();
        }
    }

    /** A break point: {@code flat} when its group fits on the line, else a newline and the indentation. */
    record Line(String flat) implements Doc {
        @Override
        public int width() {
            return flat.length();
        }
    }

    /** The parts one after the other. */
    record Cat(List<Doc> parts, int width) implements Doc {
        Cat(List<Doc> parts) {
            this(parts, widthOf(parts));
        }

        private static int widthOf(List<Doc> parts) {
            int width = 0;
            for (Doc part : parts) {
                width += part.width();
            }
            return width;
        }
    }

    /** {@code body} with the indentation increased by {@code indent} columns. */
    record Nest(int indent, Doc body) implements Doc {
        @Override
        public int width() {
            return body.width();
        }
    }

    /** {@code body} with the indentation set to the column where it starts. */
    record Align(Doc body) implements Doc {
        @Override
        public int width() {
            return body.width();
        }
    }

    /** Breaks at its own lines only when it does not fit on one line. */
    record Group(Doc body) implements Doc {
        @Override
        public int width() {
            return body.width();
        }
    }

    /** {@code broken} inside a broken group, {@code flat} inside a flat one. */
    record IfBroken(Doc broken, Doc flat) implements Doc {
        @Override
        public int width() {
            return flat.width();
        }
    }

    /**
     * A parenthesized expression: {@code (body)} as a group, its lines aligned after the parenthesis. A
     * statement that holds it whole drops the parentheses ({@link #bare}).
     */
    record Paren(Doc body) implements Doc {
        @Override
        public int width() {
            return body.width() + 2;
        }
    }

    Doc SPACE = new Line(" ");
    Doc EMPTY = new Text("");

    static Doc text(String text) {
        return new Text(text);
    }

    static Doc cat(Doc... parts) {
        return new Cat(List.of(parts));
    }

    static Doc cat(List<Doc> parts) {
        return new Cat(List.copyOf(parts));
    }

    static Doc group(Doc body) {
        return body instanceof Group || body instanceof Text ? body : new Group(body);
    }

    /** {@code doc} as a group, without the parentheses of a {@link Paren}. */
    static Doc bare(Doc doc) {
        return doc instanceof Paren paren ? group(paren.body()) : group(doc);
    }

    /** {@code open}, the items separated by {@code separator} and a break point, {@code close}, aligned after {@code open}. */
    static Doc list(String open, List<Doc> items, String separator, String close) {
        List<Doc> parts = new ArrayList<>(items.size() * 3);
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                parts.add(new Text(separator));
                parts.add(SPACE);
            }
            parts.add(items.get(i));
        }
        return new Group(cat(new Text(open), new Align(cat(parts)), new Text(close)));
    }

    /** The text on one line. */
    static String flat(Doc doc) {
        StringBuilder out = new StringBuilder();
        Deque<Doc> stack = new ArrayDeque<>();
        stack.push(doc);
        while (!stack.isEmpty()) {
            switch (stack.pop()) {
                case Text t -> out.append(t.text());
                case Line l -> out.append(l.flat());
                case Cat c -> {
                    for (int i = c.parts().size() - 1; i >= 0; i--) {
                        stack.push(c.parts().get(i));
                    }
                }
                case Nest n -> stack.push(n.body());
                case Align a -> stack.push(a.body());
                case Group g -> stack.push(g.body());
                case IfBroken b -> stack.push(b.flat());
                case Paren p -> {
                    out.append('(');
                    stack.push(CLOSE);
                    stack.push(p.body());
                }
            }
        }
        return out.toString();
    }

    /** The closing parenthesis of a {@link Paren}. */
    Doc CLOSE = new Text(")");

    /** One command of the layout: a document, the indentation its newlines take, and whether it is flat. */
    record Command(int indent, boolean flat, Doc doc) {}

    /**
     * Lays {@code doc} out starting at {@code column} (the caller has already written that many columns of
     * the line) with lines of at most {@code width} columns where the break points allow. Lines after the
     * first carry their indentation; the first does not.
     */
    static String layout(Doc doc, int column, int width) {
        StringBuilder out = new StringBuilder();
        Deque<Command> stack = new ArrayDeque<>();
        stack.push(new Command(column, false, doc));
        int col = column;
        while (!stack.isEmpty()) {
            Command command = stack.pop();
            switch (command.doc()) {
                case Text t -> {
                    out.append(t.text());
                    col += t.text().length();
                }
                case Line l -> {
                    if (command.flat()) {
                        out.append(l.flat());
                        col += l.flat().length();
                    } else {
                        out.append('\n').append(" ".repeat(command.indent()));
                        col = command.indent();
                    }
                }
                case Cat c -> {
                    for (int i = c.parts().size() - 1; i >= 0; i--) {
                        stack.push(new Command(command.indent(), command.flat(), c.parts().get(i)));
                    }
                }
                case Nest n -> stack.push(new Command(command.indent() + n.indent(), command.flat(), n.body()));
                case Align a -> stack.push(new Command(col, command.flat(), a.body()));
                case Group g -> {
                    boolean flat = command.flat() || fits(width - col, g.body(), stack);
                    stack.push(new Command(command.indent(), flat, g.body()));
                }
                case IfBroken b ->
                        stack.push(new Command(command.indent(), command.flat(), command.flat() ? b.flat() : b.broken()));
                case Paren p -> {
                    // A group: "(" then the body aligned after it, then ")".
                    boolean flat = command.flat() || fits(width - col, p, stack);
                    out.append('(');
                    col++;
                    stack.push(new Command(command.indent(), flat, CLOSE));
                    stack.push(new Command(col, flat, p.body()));
                }
            }
        }
        return out.toString();
    }

    /**
     * True when {@code first} printed flat, followed by the pending commands up to their first break point,
     * fits in {@code remaining} columns.
     */
    private static boolean fits(int remaining, Doc first, Deque<Command> rest) {
        Deque<Doc> local = new ArrayDeque<>();
        local.push(first);
        boolean flat = true;
        Iterator<Command> pending = rest.iterator();
        while (remaining >= 0) {
            if (local.isEmpty()) {
                if (!pending.hasNext()) {
                    return true;
                }
                Command next = pending.next();
                flat = next.flat();
                local.push(next.doc());
            }
            Doc doc = local.pop();
            if (flat) {
                remaining -= doc.width();
                continue;
            }
            switch (doc) {
                case Text t -> remaining -= t.text().length();
                case Line l -> {
                    if (!flat) {
                        return true;
                    }
                    remaining -= l.flat().length();
                }
                case Cat c -> {
                    for (int i = c.parts().size() - 1; i >= 0; i--) {
                        local.push(c.parts().get(i));
                    }
                }
                case Nest n -> local.push(n.body());
                case Align a -> local.push(a.body());
                case Group g -> local.push(g.body());
                case IfBroken b -> local.push(flat ? b.flat() : b.broken());
                case Paren p -> {
                    remaining--;
                    local.push(CLOSE);
                    local.push(p.body());
                }
            }
        }
        return false;
    }
}
