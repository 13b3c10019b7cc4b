package dev.tellmej.cli;

import dev.tellmej.hdl.imports.ConstantValue;
import dev.tellmej.hdl.imports.ResolvedModule;
import dev.tellmej.hdl.imports.VerilogImportException;
import dev.tellmej.hdl.imports.VerilogModule;
import dev.tellmej.hdl.imports.VerilogSource;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tellme rtl import FILE.v}: a Verilog module's parameters and ports, as the HDL would import them. */
@Command(name = "import", description = {"Print a Verilog module's parameters and ports (as BlackBox.importVerilog"
        + " reads them).", "  tellme rtl import FILE.v [--module NAME] [--param NAME=VALUE ...] [--define NAME[=TEXT]]"
        + " [--json]"})
final class RtlImportCommand implements Callable<Integer>, PrintsJson {
    /**
     * What {@code --json} prints.
     *
     * @param file       the Verilog file
     * @param module     the module's name
     * @param ansi       true for an ANSI header, false for a non-ANSI one
     * @param parameters its parameters and localparams, in declaration order
     * @param ports      its ports, in port-list order
     */
    record Imported(String file, String module, boolean ansi, List<ParameterRow> parameters, List<PortRow> ports) {}

    /**
     * One parameter.
     *
     * @param name         its name
     * @param local        true for a localparam (cannot be overridden)
     * @param value        its value (a number or a string), or null when it does not evaluate
     * @param defaultValue its default expression as written, or null
     * @param overridden   true when --param gave the value
     */
    record ParameterRow(String name, boolean local, Object value, String defaultValue, boolean overridden) {}

    /**
     * One port.
     *
     * @param name            its name
     * @param direction       input, output, inout or ref
     * @param width           bits, evaluated
     * @param signed          declared signed
     * @param widthExpression its packed range(s) or integer type as written; empty for a scalar
     */
    record PortRow(String name, String direction, int width, boolean signed, String widthExpression) {}

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    JsonOption json;

    @Parameters(index = "0", paramLabel = "FILE", description = "the Verilog or SystemVerilog file")
    Path file;

    @Option(names = "--module", paramLabel = "NAME", description = "the module (needed when the file has several)")
    String module;

    @Option(names = "--param", paramLabel = "NAME=VALUE", description = "override a parameter; VALUE is a Verilog"
            + " constant (16, 8'hff, \"fast\")")
    Map<String, String> parameters = new LinkedHashMap<>();

    @Option(names = "--define", paramLabel = "NAME[=TEXT]", description = "define a macro before reading the file")
    List<String> defines = List.of();

    @Override
    public List<Class<? extends Record>> jsonRecords() {
        return List.of(Imported.class);
    }

    @Override
    public Integer call() {
        if (!Files.isRegularFile(file)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "Verilog file not found: " + file);
        }
        Imported imported;
        try {
            imported = describe(read());
        } catch (VerilogImportException e) {
            throw new CommandFailedException(e.getMessage(), hint(e));
        } catch (UncheckedIOException e) {
            throw new CommandFailedException(e.getMessage(), "Check the file's path and permissions.");
        }
        if (json.enabled()) {
            json.print(imported);
            return 0;
        }
        print(imported, spec.commandLine().getOut());
        return 0;
    }

    private ResolvedModule read() {
        Map<String, String> macros = new LinkedHashMap<>();
        for (String define : defines) {
            int eq = define.indexOf('=');
            macros.put(eq < 0 ? define : define.substring(0, eq), eq < 0 ? "" : define.substring(eq + 1));
        }
        VerilogSource source = VerilogSource.read(file, macros);
        VerilogModule declared = module == null ? source.onlyModule() : source.module(module);
        Map<String, ConstantValue> overrides = new LinkedHashMap<>();
        parameters.forEach((name, value) -> overrides.put(name, VerilogSource.evaluate(
                VerilogSource.parseExpression(value, "--param " + name))));
        return declared.resolve(overrides);
    }

    private Imported describe(ResolvedModule resolved) {
        List<ParameterRow> parameterRows = resolved.parameters().stream().map(p -> new ParameterRow(p.name(),
                p.declaration().local(), p.value() == null ? null : p.value().java(),
                p.declaration().defaultValue() == null ? null : p.declaration().defaultValue().text(), p.overridden()))
                .toList();
        List<PortRow> portRows = resolved.ports().stream().map(p -> new PortRow(p.name(), p.direction().keyword(),
                p.width(), p.signed(), p.declaration().widthExpression())).toList();
        return new Imported(file.toString(), resolved.name(), resolved.module().ansi(), parameterRows, portRows);
    }

    private static void print(Imported m, PrintWriter out) {
        out.printf(Locale.ROOT, "module %s (%s, %s header): %d parameter(s), %d port(s)%n", m.module(), m.file(),
                m.ansi() ? "ANSI" : "non-ANSI", m.parameters().size(), m.ports().size());
        if (!m.parameters().isEmpty()) {
            out.println();
            int width = Math.max(9, m.parameters().stream().mapToInt(p -> p.name().length()).max().orElse(0));
            out.printf(Locale.ROOT, "  %-" + width + "s  %-10s  %-12s  %s%n", "parameter", "kind", "value", "default");
            for (ParameterRow p : m.parameters()) {
                String value = p.value() == null ? "?" : p.value() instanceof String s ? '"' + s + '"'
                        : p.value().toString();
                out.printf(Locale.ROOT, "  %-" + width + "s  %-10s  %-12s  %s%n", p.name(),
                        p.local() ? "localparam" : "parameter", value + (p.overridden() ? " (set)" : ""),
                        p.defaultValue() == null ? "" : p.defaultValue());
            }
        }
        if (!m.ports().isEmpty()) {
            out.println();
            int width = Math.max(4, m.ports().stream().mapToInt(p -> p.name().length()).max().orElse(0));
            out.printf(Locale.ROOT, "  %-" + width + "s  %-9s  %5s  %-6s  %s%n", "port", "direction", "width", "signed",
                    "declared");
            for (PortRow p : m.ports()) {
                out.printf(Locale.ROOT, "  %-" + width + "s  %-9s  %5d  %-6s  %s%n", p.name(), p.direction(), p.width(),
                        p.signed() ? "yes" : "no", p.widthExpression());
            }
        }
        out.flush();
    }

    private static String hint(VerilogImportException e) {
        return switch (e) {
            case dev.tellmej.hdl.imports.VerilogSyntaxException s -> "Fix the file at that line, or define the macros"
                    + " it needs with --define.";
            case dev.tellmej.hdl.imports.UnsupportedVerilogException u -> "Import a wrapper module with plain input"
                    + " and output ports.";
            case dev.tellmej.hdl.imports.VerilogEvaluationException v -> "Give the parameter a value with --param"
                    + " NAME=VALUE.";
            case dev.tellmej.hdl.imports.UnknownVerilogNameException n -> "Use one of the names listed.";
        };
    }
}
