package dev.tellmej.hdl.imports;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;

/**
 * The modules of one Verilog or SystemVerilog file, read by the project's own grammar
 * ({@code src/main/antlr4/.../VerilogHeader.g4}): headers and port and parameter declarations only; module
 * bodies are skipped unparsed.
 *
 * <pre>{@code
 * VerilogModule fifo = VerilogSource.read(Path.of("fifo.v")).module("fifo");
 * ResolvedModule wide = fifo.resolve(Map.of("WIDTH", ConstantValue.of(64)));
 * }</pre>
 */
public final class VerilogSource {
    private final Path file;
    private final Map<String, VerilogModule> modules;
    private final Map<String, UnsupportedVerilogException> unsupported;

    private VerilogSource(Path file, Map<String, VerilogModule> modules,
                          Map<String, UnsupportedVerilogException> unsupported) {
        this.file = file;
        this.modules = modules;
        this.unsupported = unsupported;
    }

    /** Reads {@code file} without predefined macros. */
    public static VerilogSource read(Path file) {
        return read(file, Map.of());
    }

    /**
     * Reads {@code file}.
     *
     * @param defines macros defined before the file is read (name -> text, as {@code +define+NAME=TEXT})
     * @throws VerilogSyntaxException on a syntax or preprocessor error (file, line, column, what was expected)
     */
    public static VerilogSource read(Path file, Map<String, String> defines) {
        String text = new VerilogPreprocessor(defines).process(file);
        return parse(file, text);
    }

    /** Reads Verilog text as if it were the contents of {@code file} (tests and tools holding text). */
    public static VerilogSource parse(Path file, String preprocessedText) {
        VerilogHeaderParser parser = parser(file, preprocessedText);
        HeaderBuilder builder = new HeaderBuilder(file, parser.getTokenStream());
        Map<String, VerilogModule> modules = new LinkedHashMap<>();
        Map<String, UnsupportedVerilogException> unsupported = new LinkedHashMap<>();
        for (VerilogHeaderParser.DescriptionContext description : parser.sourceText().description()) {
            if (description.moduleDeclaration() == null) {
                continue;
            }
            VerilogHeaderParser.ModuleDeclarationContext declaration = description.moduleDeclaration();
            String name = HeaderBuilder.identifier(declaration.name);
            if (modules.containsKey(name) || unsupported.containsKey(name)) {
                throw new VerilogSyntaxException(builder.location(declaration.name.start), "module " + name
                        + " is declared twice in the file");
            }
            try {
                modules.put(name, builder.module(declaration));
            } catch (UnsupportedVerilogException e) {
                unsupported.put(name, e);
            }
        }
        return new VerilogSource(file, modules, unsupported);
    }

    /**
     * Parses one constant expression, such as the value of a {@code --param NAME=VALUE} option.
     *
     * @param origin what to call the text in an error message
     */
    public static ConstantExpression parseExpression(String text, String origin) {
        Path where = Path.of(origin);
        VerilogHeaderParser parser = parser(where, text);
        VerilogHeaderParser.ConstantExpressionContext expression = parser.constantExpression();
        if (parser.getTokenStream().LA(1) != Token.EOF) {
            Token extra = parser.getTokenStream().LT(1);
            throw new VerilogSyntaxException(new VerilogLocation(where, extra.getLine(),
                    extra.getCharPositionInLine() + 1), "unexpected '" + extra.getText() + "' after the expression");
        }
        return new HeaderBuilder(where, parser.getTokenStream()).expression(expression);
    }

    /** Evaluates an expression that names no parameter (an override's value). */
    public static ConstantValue evaluate(ConstantExpression expression) {
        return new ConstantEvaluator((name, where) -> {
            throw new VerilogEvaluationException(where, "'" + name + "' is a name; give a value");
        }).evaluate(expression);
    }

    private static VerilogHeaderParser parser(Path file, String text) {
        VerilogHeaderLexer lexer = new VerilogHeaderLexer(CharStreams.fromString(text, file.toString()));
        lexer.removeErrorListeners();
        VerilogHeaderParser parser = new VerilogHeaderParser(new CommonTokenStream(lexer));
        parser.removeErrorListeners();
        parser.addErrorListener(new BaseErrorListener() {
            @Override
            public void syntaxError(Recognizer<?, ?> recognizer, Object offendingSymbol, int line, int column,
                                    String message, RecognitionException e) {
                throw new VerilogSyntaxException(new VerilogLocation(file, line, column + 1), "syntax error: "
                        + SyntaxMessages.describe(recognizer, offendingSymbol, message, e));
            }
        });
        return parser;
    }

    /** The file as it was given. */
    public Path file() {
        return file;
    }

    /** The names of the modules declared in the file, in file order (also those with unsupported ports). */
    public List<String> moduleNames() {
        List<String> names = new ArrayList<>(modules.keySet());
        names.addAll(unsupported.keySet());
        return names;
    }

    /**
     * The module called {@code name}.
     *
     * @throws UnknownVerilogNameException when the file declares no such module (the message lists those it does)
     * @throws UnsupportedVerilogException when its ports use a construct the importer does not support
     */
    public VerilogModule module(String name) {
        if (unsupported.containsKey(name)) {
            throw unsupported.get(name);
        }
        VerilogModule module = modules.get(name);
        if (module == null) {
            throw new UnknownVerilogNameException(new VerilogLocation(file, 1, 0), "no module '" + name
                    + "' in the file" + (moduleNames().isEmpty() ? "; it declares none"
                    : "; it declares " + String.join(", ", moduleNames())));
        }
        return module;
    }

    /** The file's only module; an {@link UnknownVerilogNameException} when it declares none or several. */
    public VerilogModule onlyModule() {
        List<String> names = moduleNames();
        if (names.size() != 1) {
            throw new UnknownVerilogNameException(new VerilogLocation(file, 1, 0), names.isEmpty()
                    ? "the file declares no module" : "the file declares " + names.size() + " modules ("
                    + String.join(", ", names) + "); name one");
        }
        return module(names.getFirst());
    }
}
