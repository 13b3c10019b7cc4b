package dev.tellmej.hdl.imports;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The part of the Verilog preprocessor an import needs: {@code `define} (with arguments), {@code `undef},
 * {@code `ifdef}/{@code `ifndef}/{@code `elsif}/{@code `else}/{@code `endif}, macro uses, and
 * {@code `include} (the included file is preprocessed for its macros; its text is not inserted, since
 * module headers are not written in include files). Other directives ({@code `timescale},
 * {@code `default_nettype}, ...) are dropped with the rest of their line. The output keeps every line break
 * of the input, so lines and columns of the output are those of the file; a macro's expansion stays on the
 * line of its use.
 */
final class VerilogPreprocessor {
    private static final Set<String> DROPPED_DIRECTIVES = Set.of("timescale", "default_nettype", "resetall",
            "celldefine", "endcelldefine", "unconnected_drive", "nounconnected_drive", "pragma", "line",
            "begin_keywords", "end_keywords", "default_decay_time", "default_trireg_strength", "delay_mode_distributed",
            "delay_mode_path", "delay_mode_unit", "delay_mode_zero", "protect", "endprotect", "undefineall");
    private static final int MAX_EXPANSION_DEPTH = 64;

    private record Macro(List<String> parameters, String body) {}

    /** One level of {@code `ifdef}: whether its enclosing text is active, whether a branch was taken. */
    private record Condition(boolean outerActive, boolean taken, boolean active, VerilogLocation where) {}

    private final Map<String, Macro> macros = new LinkedHashMap<>();
    private final Set<Path> including = new java.util.HashSet<>();

    VerilogPreprocessor(Map<String, String> defines) {
        defines.forEach((name, value) -> macros.put(name, new Macro(null, value == null ? "" : value)));
    }

    /** The text of {@code file} with every directive and inactive region blanked and every macro expanded. */
    String process(Path file) {
        return process(file, read(file, null));
    }

    String process(Path file, String text) {
        if (!including.add(file.toAbsolutePath().normalize())) {
            throw new VerilogSyntaxException(new VerilogLocation(file, 1, 0), "the file includes itself");
        }
        try {
            return new Pass(file, text).run();
        } finally {
            including.remove(file.toAbsolutePath().normalize());
        }
    }

    private static String read(Path file, VerilogLocation includedFrom) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            if (includedFrom != null) {
                throw new VerilogSyntaxException(includedFrom, "cannot read included file " + file + ": " + e);
            }
            throw new UncheckedIOException("cannot read Verilog file " + file, e);
        }
    }

    /** One scan of one file's text. */
    private final class Pass {
        private final Path file;
        private final String text;
        private final StringBuilder out = new StringBuilder();
        private final Deque<Condition> conditions = new ArrayDeque<>();
        private int pos;
        private int line = 1;
        private int lineStart;

        Pass(Path file, String text) {
            this.file = file;
            this.text = text;
        }

        String run() {
            while (pos < text.length()) {
                char c = text.charAt(pos);
                if (c == '\n') {
                    newline();
                    out.append('\n');
                    pos++;
                } else if (!active()) {
                    if (c == '`') {
                        directive();
                    } else if (c == '/' && peek(1) == '*') {
                        copyBlockComment(false);
                    } else if (c == '/' && peek(1) == '/') {
                        skipToLineEnd();
                    } else {
                        pos++;
                    }
                } else if (c == '/' && peek(1) == '/') {
                    int end = lineEnd(pos);
                    out.append(text, pos, end);
                    pos = end;
                } else if (c == '/' && peek(1) == '*') {
                    copyBlockComment(true);
                } else if (c == '"') {
                    copyString();
                } else if (c == '`') {
                    directive();
                } else {
                    out.append(c);
                    pos++;
                }
            }
            if (!conditions.isEmpty()) {
                throw new VerilogSyntaxException(conditions.peek().where(), "`ifdef or `ifndef without `endif");
            }
            return out.toString();
        }

        private boolean active() {
            return conditions.isEmpty() || conditions.peek().active();
        }

        private void directive() {
            VerilogLocation where = here();
            int start = pos;
            pos++;
            String name = identifier();
            if (name.isEmpty()) {
                throw new VerilogSyntaxException(where, "expected a directive or macro name after '`'");
            }
            switch (name) {
                case "ifdef", "ifndef" -> {
                    String macro = argumentName(where, name);
                    boolean defined = macros.containsKey(macro);
                    boolean outer = active();
                    boolean holds = name.equals("ifdef") == defined;
                    conditions.push(new Condition(outer, holds, outer && holds, where));
                    blank(start);
                }
                case "elsif" -> {
                    Condition c = current(where, name);
                    String macro = argumentName(where, name);
                    boolean holds = !c.taken() && macros.containsKey(macro);
                    conditions.pop();
                    conditions.push(new Condition(c.outerActive(), c.taken() || holds, c.outerActive() && holds, where));
                    blank(start);
                }
                case "else" -> {
                    Condition c = current(where, name);
                    conditions.pop();
                    conditions.push(new Condition(c.outerActive(), true, c.outerActive() && !c.taken(), where));
                    blank(start);
                }
                case "endif" -> {
                    current(where, name);
                    conditions.pop();
                    blank(start);
                }
                default -> {
                    if (!active()) {
                        return;
                    }
                    switch (name) {
                        case "define" -> define(where);
                        case "undef" -> {
                            macros.remove(argumentName(where, name));
                            blank(start);
                        }
                        case "include" -> include(where);
                        default -> {
                            if (DROPPED_DIRECTIVES.contains(name)) {
                                skipToLineEnd();
                            } else {
                                expand(name, where);
                            }
                        }
                    }
                }
            }
        }

        private Condition current(VerilogLocation where, String directive) {
            if (conditions.isEmpty()) {
                throw new VerilogSyntaxException(where, "`" + directive + " without `ifdef or `ifndef");
            }
            return conditions.peek();
        }

        private String argumentName(VerilogLocation where, String directive) {
            skipBlanks();
            String name = identifier();
            if (name.isEmpty()) {
                throw new VerilogSyntaxException(where, "expected a macro name after `" + directive);
            }
            return name;
        }

        private void define(VerilogLocation where) {
            String name = argumentName(where, "define");
            List<String> parameters = null;
            if (peek(0) == '(') {
                parameters = new ArrayList<>();
                pos++;
                while (true) {
                    skipBlanks();
                    String parameter = identifier();
                    skipBlanks();
                    if (peek(0) == '=') {   // a default value: kept out of the parameter's name
                        while (pos < text.length() && peek(0) != ',' && peek(0) != ')') {
                            pos++;
                        }
                    }
                    if (!parameter.isEmpty()) {
                        parameters.add(parameter);
                    }
                    if (peek(0) == ',') {
                        pos++;
                    } else if (peek(0) == ')') {
                        pos++;
                        break;
                    } else {
                        throw new VerilogSyntaxException(here(), "expected ',' or ')' in the parameters of macro "
                                + name);
                    }
                }
            }
            StringBuilder body = new StringBuilder();
            while (pos < text.length() && text.charAt(pos) != '\n') {
                char c = text.charAt(pos);
                if (c == '\\' && lineEnd(pos) == pos + 1 + (peek(1) == '\r' ? 1 : 0)) {
                    pos = lineEnd(pos);
                    body.append(' ');
                    out.append('\n');      // the continued line stays a line of the output
                    pos++;
                    newline();
                } else if (c == '/' && peek(1) == '/') {
                    skipToLineEnd();
                } else if (c == '/' && peek(1) == '*') {
                    int end = text.indexOf("*/", pos + 2);
                    pos = end < 0 ? text.length() : end + 2;
                    body.append(' ');
                } else {
                    body.append(c);
                    pos++;
                }
            }
            macros.put(name, new Macro(parameters, body.toString().strip()));
        }

        private void include(VerilogLocation where) {
            skipBlanks();
            char open = peek(0);
            char close = open == '"' ? '"' : open == '<' ? '>' : 0;
            if (close == 0) {
                throw new VerilogSyntaxException(where, "expected \"file\" after `include");
            }
            int end = text.indexOf(close, pos + 1);
            if (end < 0 || end > lineEnd(pos)) {
                throw new VerilogSyntaxException(where, "unterminated file name after `include");
            }
            String name = text.substring(pos + 1, end);
            pos = end + 1;
            Path dir = file.toAbsolutePath().getParent();
            Path included = dir == null ? Path.of(name) : dir.resolve(name);
            if (!Files.isRegularFile(included)) {
                throw new VerilogSyntaxException(where, "included file " + name + " not found next to " + file);
            }
            process(included, read(included, where));
        }

        private void expand(String name, VerilogLocation where) {
            out.append(' ').append(expansion(name, where, 0)).append(' ');
        }

        /** The text a use of macro {@code name} stands for (its arguments, if any, read from the input). */
        private String expansion(String name, VerilogLocation where, int depth) {
            Macro macro = macros.get(name);
            if (macro == null) {
                throw new VerilogSyntaxException(where, "macro `" + name + " is not defined (define it in the file,"
                        + " or give it to the importer: --define " + name + "=VALUE)");
            }
            if (depth > MAX_EXPANSION_DEPTH) {
                throw new VerilogSyntaxException(where, "macro `" + name + " expands without end");
            }
            String body = macro.body();
            if (macro.parameters() != null) {
                skipBlanks();
                if (peek(0) != '(') {
                    throw new VerilogSyntaxException(where, "macro `" + name + " takes arguments: `" + name + "(...)");
                }
                List<String> arguments = arguments(where, name);
                if (arguments.size() != macro.parameters().size()) {
                    throw new VerilogSyntaxException(where, "macro `" + name + " takes " + macro.parameters().size()
                            + " argument(s), got " + arguments.size());
                }
                body = substitute(body, macro.parameters(), arguments);
            }
            return expandUses(body, where, depth + 1);
        }

        /** Expands the macro uses inside a macro's body (object-like uses only; arguments need the input). */
        private String expandUses(String body, VerilogLocation where, int depth) {
            StringBuilder result = new StringBuilder();
            int i = 0;
            while (i < body.length()) {
                char c = body.charAt(i);
                if (c == '`' && i + 1 < body.length() && body.charAt(i + 1) == '`') {
                    i += 2;                    // `` joins tokens
                } else if (c == '`' && i + 1 < body.length() && Character.isJavaIdentifierStart(body.charAt(i + 1))) {
                    int end = i + 1;
                    while (end < body.length() && Character.isJavaIdentifierPart(body.charAt(end))) {
                        end++;
                    }
                    String inner = body.substring(i + 1, end);
                    Macro macro = macros.get(inner);
                    if (macro == null || macro.parameters() != null) {
                        throw new VerilogSyntaxException(where, "macro `" + inner + " (used inside another macro) is"
                                + (macro == null ? " not defined" : " one with arguments, which the importer expands"
                                + " only where the file uses it"));
                    }
                    if (depth > MAX_EXPANSION_DEPTH) {
                        throw new VerilogSyntaxException(where, "macro `" + inner + " expands without end");
                    }
                    result.append(expandUses(macro.body(), where, depth + 1));
                    i = end;
                } else {
                    result.append(c);
                    i++;
                }
            }
            return result.toString();
        }

        private List<String> arguments(VerilogLocation where, String name) {
            List<String> arguments = new ArrayList<>();
            int depth = 0;
            pos++;   // '('
            StringBuilder current = new StringBuilder();
            while (true) {
                if (pos >= text.length()) {
                    throw new VerilogSyntaxException(where, "unterminated arguments of macro `" + name);
                }
                char c = text.charAt(pos);
                if (c == '\n') {
                    newline();
                    out.append('\n');
                    current.append(' ');
                } else if ((c == ',' || c == ')') && depth == 0) {
                    arguments.add(current.toString().strip());
                    current.setLength(0);
                    if (c == ')') {
                        pos++;
                        return arguments;
                    }
                } else {
                    if (c == '(' || c == '[' || c == '{') {
                        depth++;
                    } else if (c == ')' || c == ']' || c == '}') {
                        depth--;
                    }
                    current.append(c);
                }
                pos++;
            }
        }

        private static String substitute(String body, List<String> parameters, List<String> arguments) {
            StringBuilder result = new StringBuilder();
            int i = 0;
            while (i < body.length()) {
                char c = body.charAt(i);
                if (Character.isJavaIdentifierStart(c) && (i == 0 || body.charAt(i - 1) != '`')) {
                    int end = i;
                    while (end < body.length() && Character.isJavaIdentifierPart(body.charAt(end))) {
                        end++;
                    }
                    String word = body.substring(i, end);
                    int index = parameters.indexOf(word);
                    result.append(index >= 0 ? arguments.get(index) : word);
                    i = end;
                } else {
                    result.append(c);
                    i++;
                }
            }
            return result.toString();
        }

        private void copyBlockComment(boolean copy) {
            int end = text.indexOf("*/", pos + 2);
            int stop = end < 0 ? text.length() : end + 2;
            for (int i = pos; i < stop; i++) {
                char c = text.charAt(i);
                if (c == '\n') {
                    out.append('\n');
                    line++;
                    lineStart = i + 1;
                } else if (copy) {
                    out.append(c);
                }
            }
            pos = stop;
        }

        private void copyString() {
            int i = pos + 1;
            while (i < text.length() && text.charAt(i) != '"' && text.charAt(i) != '\n') {
                i += text.charAt(i) == '\\' ? 2 : 1;
            }
            int stop = Math.min(text.length(), i < text.length() && text.charAt(i) == '"' ? i + 1 : i);
            out.append(text, pos, stop);
            pos = stop;
        }

        /** Replaces the directive just read (from {@code start}) by spaces, so later columns stay. */
        private void blank(int start) {
            if (active()) {
                out.append(" ".repeat(pos - start));
            }
        }

        private void skipToLineEnd() {
            pos = lineEnd(pos);
        }

        private int lineEnd(int from) {
            int end = text.indexOf('\n', from);
            end = end < 0 ? text.length() : end;
            return end > from && text.charAt(end - 1) == '\r' ? end - 1 : end;
        }

        private void skipBlanks() {
            while (pos < text.length() && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t')) {
                pos++;
            }
        }

        private String identifier() {
            int start = pos;
            while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_'
                    || text.charAt(pos) == '$')) {
                pos++;
            }
            return text.substring(start, pos);
        }

        private char peek(int ahead) {
            return pos + ahead < text.length() ? text.charAt(pos + ahead) : 0;
        }

        private void newline() {
            line++;
            lineStart = pos + 1;
        }

        private VerilogLocation here() {
            return new VerilogLocation(file, line, pos - lineStart + 1);
        }
    }
}
