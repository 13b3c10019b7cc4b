package dev.tellmej.cli;

import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a command's result as JSON, so scripts need not parse the text. A record becomes an object of its
 * components in declaration order (the field names docs/cli.md lists); collections and arrays become arrays;
 * maps objects; enums their lower-case names; paths strings; durations seconds; NaN and infinities null.
 */
final class Json {
    private Json() {}

    /** {@code value} as indented JSON, ending with a newline. */
    static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(out, value, 0);
        return out.append('\n').toString();
    }

    private static void write(StringBuilder out, Object value, int depth) {
        switch (value) {
            case null -> out.append("null");
            case Boolean b -> out.append(b);
            case Double d -> number(out, d);
            case Float f -> number(out, f.doubleValue());
            case Number n -> out.append(n);
            case CharSequence s -> string(out, s.toString());
            case Character c -> string(out, c.toString());
            case Enum<?> e -> string(out, e.name().toLowerCase(Locale.ROOT));
            case Path p -> string(out, p.toString());
            case Duration d -> number(out, d.toNanos() / 1e9);
            case Record r -> {
                RecordComponent[] components = r.getClass().getRecordComponents();
                out.append('{');
                for (int i = 0; i < components.length; i++) {
                    member(out, depth + 1, i, components[i].getName(), component(r, components[i]));
                }
                close(out, depth, components.length, '}');
            }
            case Map<?, ?> map -> {
                out.append('{');
                int i = 0;
                for (Map.Entry<?, ?> entry : map.entrySet()) {
                    member(out, depth + 1, i++, String.valueOf(entry.getKey()), entry.getValue());
                }
                close(out, depth, map.size(), '}');
            }
            case Collection<?> list -> {
                out.append('[');
                int i = 0;
                for (Object element : list) {
                    element(out, depth + 1, i++, element);
                }
                close(out, depth, list.size(), ']');
            }
            default -> {
                if (!value.getClass().isArray()) {
                    throw new IllegalArgumentException("no JSON form for " + value.getClass().getName());
                }
                int n = Array.getLength(value);
                out.append('[');
                for (int i = 0; i < n; i++) {
                    element(out, depth + 1, i, Array.get(value, i));
                }
                close(out, depth, n, ']');
            }
        }
    }

    private static Object component(Record r, RecordComponent component) {
        try {
            return component.getAccessor().invoke(r);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + component + " of " + r.getClass().getName(), e);
        }
    }

    private static void member(StringBuilder out, int depth, int index, String name, Object value) {
        out.append(index == 0 ? "\n" : ",\n").append("  ".repeat(depth));
        string(out, name);
        out.append(": ");
        write(out, value, depth);
    }

    private static void element(StringBuilder out, int depth, int index, Object value) {
        out.append(index == 0 ? "\n" : ",\n").append("  ".repeat(depth));
        write(out, value, depth);
    }

    private static void close(StringBuilder out, int depth, int count, char bracket) {
        if (count > 0) {
            out.append('\n').append("  ".repeat(depth));
        }
        out.append(bracket);
    }

    private static void number(StringBuilder out, double d) {
        if (!Double.isFinite(d)) {
            out.append("null");
        } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            out.append((long) d);
        } else {
            out.append(d);
        }
    }

    private static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
