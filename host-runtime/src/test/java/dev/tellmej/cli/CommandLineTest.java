package dev.tellmej.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.hdl.bench.CompilerBenchmark;
import dev.tellmej.model.safetensors.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The command line as users expect it, checked over the whole command tree (so a new command is covered
 * without touching this test): help everywhere, one error style, suggestions for typos, a range on every
 * numeric option, and documented JSON on every bench and report command.
 */
class CommandLineTest {
    private record Outcome(int exitCode, String out, String err) {}

    private static Outcome run(List<String> args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = TellmeMain.run(new PrintWriter(out, true), new PrintWriter(err, true), args.toArray(String[]::new));
        return new Outcome(code, out.toString(), err.toString());
    }

    private static Outcome run(String... args) {
        return run(List.of(args));
    }

    /** A command of the tree and the words that name it ({@code [bench, tlmm]}). */
    private record Node(List<String> path, CommandLine commandLine) {
        String name() {
            return String.join(" ", path);
        }
    }

    private static List<Node> commands() {
        List<Node> nodes = new ArrayList<>();
        PrintWriter sink = new PrintWriter(new StringWriter());
        collect(List.of(), TellmeMain.commandLine(sink, sink), nodes);
        return nodes;
    }

    private static void collect(List<String> path, CommandLine commandLine, List<Node> nodes) {
        nodes.add(new Node(path, commandLine));
        commandLine.getSubcommands().forEach((name, sub) -> {
            List<String> child = new ArrayList<>(path);
            child.add(name);
            collect(child, sub, nodes);
        });
    }

    private static String line(String text, int index) {
        List<String> lines = text.lines().toList();
        return index < lines.size() ? lines.get(index) : "";
    }

    @Test
    void theTreeHoldsEveryCommand() {
        List<String> names = commands().stream().map(Node::name).toList();
        for (String expected : List.of("", "demo", "run", "pack", "image", "image show", "rtl", "interface", "bench",
                "bench hdl", "bench sim", "bench model", "bench tlmm", "report", "report tlmm", "report elementwise", "help")) {
            assertTrue(names.contains(expected), expected + " missing from " + names);
        }
    }

    @Test
    void everyCommandPrintsItsHelp() {
        for (Node node : commands()) {
            for (String flag : List.of("--help", "-h")) {
                List<String> args = new ArrayList<>(node.path());
                args.add(flag);
                Outcome outcome = run(args);
                assertEquals(0, outcome.exitCode(), args + ": " + outcome.err());
                assertEquals("", outcome.err(), args.toString());
                String usage = "Usage: tellme" + (node.path().isEmpty() ? "" : " " + node.name()) + " ";
                // picocli's own help command puts a heading line above its usage.
                boolean found = node.path().equals(List.of("help")) ? outcome.out().contains("\n" + usage)
                        : outcome.out().startsWith(usage);
                assertTrue(found, args + " printed:\n" + outcome.out());
            }
        }
    }

    @Test
    void everyCommandPrintsTheVersion() {
        for (Node node : commands()) {
            if (node.path().equals(List.of("help"))) {
                continue;   // picocli's help command takes command names, not options
            }
            List<String> args = new ArrayList<>(node.path());
            args.add("--version");
            Outcome outcome = run(args);
            assertEquals(0, outcome.exitCode(), args.toString());
            assertTrue(outcome.out().startsWith("tellme 0."), args + ": " + outcome.out());
        }
    }

    private static boolean numeric(Class<?> type) {
        return type.isPrimitive() ? type != boolean.class && type != char.class : Number.class.isAssignableFrom(type);
    }

    private static boolean numeric(OptionSpec option) {
        return numeric(option.type()) || (Collection.class.isAssignableFrom(option.type())
                && Arrays.stream(option.auxiliaryTypes()).anyMatch(CommandLineTest::numeric));
    }

    @Test
    void everyNumericOptionHasARange() {
        List<String> missing = new ArrayList<>();
        int ranged = 0;
        for (Node node : commands()) {
            for (OptionSpec option : node.commandLine().getCommandSpec().options()) {
                if (numeric(option)) {
                    if (OptionRanges.range(option) == null) {
                        missing.add("tellme " + node.name() + " " + option.longestName());
                    } else {
                        ranged++;
                    }
                }
            }
        }
        assertEquals(List.of(), missing, "numeric options without @Range");
        assertTrue(ranged >= 25, "only " + ranged + " ranged options found");
    }

    @Test
    void everyRangeIsCheckedBeforeTheCommandRuns() {
        int checked = 0;
        for (Node node : commands()) {
            for (OptionSpec option : node.commandLine().getCommandSpec().options()) {
                Range range = OptionRanges.range(option);
                if (range == null) {
                    continue;
                }
                boolean integral = Stream.concat(Stream.of(option.type()), Arrays.stream(option.auxiliaryTypes()))
                        .anyMatch(t -> t == int.class || t == long.class || t == Integer.class || t == Long.class);
                List<String> outside = new ArrayList<>();
                if (range.max() < 1e15) {
                    outside.add(integral ? Long.toString((long) range.max() + 1) : Double.toString(range.max() * 2 + 1));
                }
                if (range.minExclusive()) {
                    outside.add(integral ? Long.toString((long) range.min()) : Double.toString(range.min()));
                } else if (range.min() > -1e15) {
                    outside.add(integral ? Long.toString((long) range.min() - 1) : Double.toString(range.min() - 1));
                }
                for (String value : outside) {
                    List<String> args = new ArrayList<>(node.path());
                    args.add(option.longestName() + "=" + value);
                    Outcome outcome = run(args);
                    assertEquals(2, outcome.exitCode(), args + ": " + outcome.err());
                    assertTrue(line(outcome.err(), 0).startsWith("tellme: " + option.longestName() + " must be "
                            + OptionRanges.describe(range) + ", not "), args + ": " + outcome.err());
                    assertEquals("Try 'tellme " + node.name() + " --help' for the options.", line(outcome.err(), 1));
                    assertEquals("", outcome.out(), args + " must not start");
                    checked++;
                }
            }
        }
        assertTrue(checked >= 40, "only " + checked + " out-of-range values tried");
    }

    @Test
    void theLargestStepCountIsRefusedInsteadOfOverflowing() {
        Outcome outcome = run("run", "--steps", "2147483647");
        assertEquals(2, outcome.exitCode());
        assertEquals("tellme: --n-predict must be from -1 to 1048576, not 2147483647\n"
                + "Try 'tellme run --help' for the options.\n", outcome.err());
        Outcome largest = run("run", "--steps", "1048576", "--prompt", "Lily");
        assertEquals(0, largest.exitCode(), largest.err());
        assertTrue(largest.out().endsWith("[context full]\n") || largest.out().endsWith("[end of text]\n"),
                "the context bounds the steps: " + largest.out());
        assertTrue(largest.err().contains("generation:"), largest.err());
    }

    @Test
    void typosGetTheClosestName() {
        assertEquals("tellme: unknown command 'rlt'; did you mean 'rtl'?\nTry 'tellme --help' for the commands.\n",
                run("rlt").err());
        assertEquals("tellme: unknown command 'modle'; did you mean 'model'?\nTry 'tellme bench --help' for the"
                + " commands.\n", run("bench", "modle").err());
        assertEquals("tellme: unknown option '--stepz'; did you mean '--steps'?\nTry 'tellme run --help' for the"
                + " options.\n", run("run", "--stepz", "3").err());
        assertEquals("tellme: unknown option '--outt'; did you mean '--out'?\nTry 'tellme rtl --help' for the"
                + " options.\n", run("rtl", "--outt=x").err());
        assertEquals("tellme: unknown command 'frobnicate'\nTry 'tellme --help' for the commands.\n",
                run("frobnicate").err());
        assertEquals(2, run("rlt").exitCode());
        Outcome design = run("rtl", "tlm", "--out", "x");
        assertEquals(2, design.exitCode());
        assertTrue(design.err().startsWith("tellme: unknown design 'tlm'; did you mean 'tlmm'?"), design.err());
    }

    @Test
    void closestNameCountsEditsAndSwaps() {
        assertEquals(1, ClosestName.distance("rlt", "rtl"));
        assertEquals(1, ClosestName.distance("--step", "--steps"));
        assertEquals(3, ClosestName.distance("", "abc"));
        assertEquals(java.util.Optional.of("report"), ClosestName.of("reprot", List.of("run", "rtl", "report")));
        assertEquals(java.util.Optional.empty(), ClosestName.of("xyz", List.of("demo", "bench")));
    }

    @Test
    void usageErrorsAndFailuresShareOneStyle(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Outcome notAnInt = run("run", "--steps", "many");
        assertEquals(2, notAnInt.exitCode());
        assertEquals("tellme: invalid value for option '--n-predict': 'many' is not an int", line(notAnInt.err(), 0));
        assertEquals("Try 'tellme run --help' for the options.", line(notAnInt.err(), 1));

        Outcome noOut = run("rtl", "counter");
        assertEquals(2, noOut.exitCode());
        assertEquals("tellme: --out DIR is required to write Verilog", line(noOut.err(), 0));

        Path bad = Files.write(dir.resolve("model.gguf"), "not a model".getBytes());
        Outcome failure = run("run", "--model", bad.toString());
        assertEquals(1, failure.exitCode());
        assertTrue(line(failure.err(), 0).startsWith("tellme: " + bad), failure.err());
        assertEquals(2, failure.err().lines().count(), "one message line and one hint line: " + failure.err());

        for (Outcome outcome : List.of(notAnInt, noOut, failure)) {
            assertFalse(outcome.err().contains("\tat ") || outcome.err().contains("Exception"), outcome.err());
            assertFalse(outcome.err().contains("error:"), "the old style: " + outcome.err());
        }
    }

    // JSON: every bench and report command prints it, and docs/cli.md lists exactly its fields.

    private static final Pattern HEADING = Pattern.compile("^### `([A-Za-z.]+)`$", Pattern.MULTILINE);
    private static final Pattern FIELD = Pattern.compile("^\\| `([A-Za-z0-9_]+)` \\|");

    /** Each record documented in docs/cli.md (heading {@code ### `Outer.Name`}) and its table's field names. */
    private static Map<String, List<String>> documentedRecords() throws IOException {
        Path docs = Path.of(System.getProperty("tellme.repo.root", "..")).resolve("docs/cli.md");
        String text = Files.readString(docs);
        Map<String, List<String>> records = new LinkedHashMap<>();
        Matcher heading = HEADING.matcher(text);
        while (heading.find()) {
            List<String> fields = new ArrayList<>();
            boolean inTable = false;
            for (String row : text.substring(heading.end()).lines().skip(1).toList()) {
                if (row.startsWith("|")) {
                    inTable = true;
                    Matcher field = FIELD.matcher(row);
                    if (field.find()) {
                        fields.add(field.group(1));
                    }
                } else if (inTable || row.startsWith("#")) {
                    break;
                }
            }
            records.put(heading.group(1), fields);
        }
        return records;
    }

    private static String docName(Class<?> type) {
        return type.getEnclosingClass() == null ? type.getSimpleName()
                : docName(type.getEnclosingClass()) + "." + type.getSimpleName();
    }

    /** Every record a JSON document of {@code type} contains, {@code type} first. */
    private static void reachableRecords(Type type, Set<Class<?>> out) {
        switch (type) {
            case Class<?> c when c.isRecord() -> {
                if (out.add(c)) {
                    for (RecordComponent component : c.getRecordComponents()) {
                        reachableRecords(component.getGenericType(), out);
                    }
                }
            }
            case Class<?> c when c.isArray() -> reachableRecords(c.getComponentType(), out);
            case ParameterizedType p -> Arrays.stream(p.getActualTypeArguments()).forEach(t -> reachableRecords(t, out));
            case GenericArrayType a -> reachableRecords(a.getGenericComponentType(), out);
            default -> { }
        }
    }

    @Test
    void everyBenchAndReportCommandPrintsDocumentedJson() throws IOException {
        Map<String, List<String>> documented = documentedRecords();
        Set<Class<?>> records = new LinkedHashSet<>();
        for (Node node : commands()) {
            boolean measures = node.path().size() == 2 && List.of("bench", "report").contains(node.path().getFirst());
            if (!measures) {
                continue;
            }
            Object command = node.commandLine().getCommandSpec().userObject();
            assertTrue(command instanceof PrintsJson, "tellme " + node.name() + " must print JSON (PrintsJson)");
            assertNotNull(node.commandLine().getCommandSpec().findOption("--json"), "tellme " + node.name() + " --json");
            ((PrintsJson) command).jsonRecords().forEach(r -> reachableRecords(r, records));
        }
        assertTrue(records.size() >= 10, records.toString());
        for (Class<?> record : records) {
            List<String> fields = Arrays.stream(record.getRecordComponents()).map(RecordComponent::getName).toList();
            assertEquals(fields, documented.get(docName(record)), "docs/cli.md, section ### `" + docName(record)
                    + "`, must list the fields of " + record.getName() + " in order");
        }
    }

    @Test
    void rtlImportPrintsAVerilogModulesParametersAndPortsAsTextAndDocumentedJson() throws IOException {
        Path fifo = Path.of("..", "hdl-gen", "src", "test", "resources", "verilog-import", "fifo.v");
        Outcome text = run("rtl", "import", fifo.toString(), "--param", "DEPTH=64");
        assertEquals(0, text.exitCode(), text.err());
        assertTrue(text.out().startsWith("module fifo (" + fifo + ", ANSI header): 4 parameter(s), 9 port(s)"),
                text.out());
        assertTrue(text.out().contains("  DEPTH      parameter   64 (set)      16"), text.out());
        assertTrue(text.out().contains("  level      output         7  no      [$clog2(DEPTH):0]"), text.out());

        Outcome json = run("rtl", "import", fifo.toString(), "--module", "fifo", "--json");
        assertEquals(0, json.exitCode(), json.err());
        Map<?, ?> object = (Map<?, ?>) Json.parse(json.out());
        assertEquals(List.of("file", "module", "ansi", "parameters", "ports"), List.copyOf(object.keySet()));
        Map<?, ?> level = (Map<?, ?>) ((List<?>) object.get("ports")).getLast();
        assertEquals(Map.of("name", "level", "direction", "output", "width", 5L, "signed", false,
                "widthExpression", "[$clog2(DEPTH):0]"), Map.copyOf(level.entrySet().stream().collect(
                java.util.stream.Collectors.toMap(e -> e.getKey(), e -> e.getValue() instanceof Number n
                        ? (Object) n.longValue() : e.getValue()))));

        Map<String, List<String>> documented = documentedRecords();
        Set<Class<?>> records = new LinkedHashSet<>();
        new RtlImportCommand().jsonRecords().forEach(r -> reachableRecords(r, records));
        assertEquals(3, records.size(), records.toString());
        for (Class<?> record : records) {
            assertEquals(Arrays.stream(record.getRecordComponents()).map(RecordComponent::getName).toList(),
                    documented.get(docName(record)), "docs/cli.md must list the fields of " + record.getName());
        }

        Outcome unknown = run("rtl", "import", fifo.toString(), "--param", "WDITH=3");
        assertEquals(1, unknown.exitCode());
        assertTrue(unknown.err().contains("module fifo has no parameter 'WDITH'; it has WIDTH, DEPTH"), unknown.err());
    }

    @Test
    void benchHdlPrintsItsResultAsJson() {
        Outcome outcome = run("bench", "hdl", "--lanes", "1", "--depth", "4", "--warmups", "0", "--runs", "2", "--json");
        assertEquals(0, outcome.exitCode(), outcome.err());
        Object parsed = Json.parse(outcome.out());
        assertTrue(parsed instanceof Map<?, ?>, outcome.out());
        Map<?, ?> object = (Map<?, ?>) parsed;
        assertEquals(Arrays.stream(CompilerBenchmark.Result.class.getRecordComponents()).map(RecordComponent::getName)
                .toList(), List.copyOf(object.keySet()));
        assertEquals(2, ((List<?>) object.get("runsMillis")).size());
        assertTrue(((Number) object.get("nodes")).longValue() > 0, outcome.out());
    }

    private enum Storage { FP16 }

    private record Inner(double ratio, Storage storage) {}

    private record Outer(String name, int[] counts, List<Inner> inners, Map<String, Integer> cells, Path file,
            java.time.Duration time, Inner missing) {}

    @Test
    void theJsonWriterWritesRecordsAsObjects() {
        String json = dev.tellmej.cli.Json.write(new Outer("a \"b\"\n", new int[] {1, 2}, List.of(new Inner(0.5,
                Storage.FP16), new Inner(Double.NaN, Storage.FP16)), Map.of("LUT6", 3), Path.of("x/y.gguf"),
                java.time.Duration.ofMillis(1500), null));
        assertEquals("""
                {
                  "name": "a \\"b\\"\\n",
                  "counts": [
                    1,
                    2
                  ],
                  "inners": [
                    {
                      "ratio": 0.5,
                      "storage": "fp16"
                    },
                    {
                      "ratio": null,
                      "storage": "fp16"
                    }
                  ],
                  "cells": {
                    "LUT6": 3
                  },
                  "file": "x/y.gguf",
                  "time": 1.5,
                  "missing": null
                }
                """, json);
        assertEquals(Map.of("ratio", 0.5, "storage", "fp16"), Json.parse(dev.tellmej.cli.Json.write(
                new Inner(0.5, Storage.FP16))));
    }
}
