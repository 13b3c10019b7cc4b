package dev.tellmej.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tellme run} as llama-cli users use it: same text on every device, stop reasons, timings, UTF-8, pipes. */
class RunCommandTest {
    private static final String[] GREEDY = {"run", "-p", "Once upon a time", "-n", "64", "--temp", "0",
        "--config", "sim-small"};

    private static TellmeRun run(String device) {
        List<String> args = new ArrayList<>(List.of(GREEDY));
        args.addAll(List.of("--device", device));
        return TellmeRun.of(args.toArray(String[]::new));
    }

    @Test
    void everyDeviceThisMachineHasPrintsTheSameTextTheStopReasonAndSplitTimings() {
        TellmeRun reference = run("reference");
        TellmeRun opencl = run("opencl");
        TellmeRun software = TellmeRun.of(List.of(GREEDY, new String[] {"--path", "exact"}).stream()
                .flatMap(java.util.Arrays::stream).toArray(String[]::new));
        assertEquals(0, reference.exitCode(), reference.err());
        assertTrue(reference.out().startsWith("Once upon a time, there was a little"), reference.out());
        assertTrue(reference.out().endsWith("\n\n[n reached]\n"), reference.out());
        assertEquals(reference.out(), opencl.out(), opencl.err());
        assertEquals(reference.out(), software.out(), software.err());
        for (String line : List.of("load:", "prompt:     ", "/     5 tokens", "generation: ", "/    64 tokens",
                "63 decode calls", "device:     64 calls", "ms per token", "tokens/s")) {
            assertTrue(reference.err().contains(line), line + " in\n" + reference.err());
        }
        assertTrue(reference.err().contains("MB DDR traffic"), "the reference counts DDR bytes: " + reference.err());
        assertTrue(reference.err().contains("seed "), reference.err());
    }

    @Test
    void optionsLlamaCliUsersReachFor() {
        TellmeRun stop = TellmeRun.of("run", "-p", "Once upon a time", "-n", "64", "--temp", "0", "--device",
                "reference", "--config", "sim-small", "--stop", "Lily", "--no-display-prompt", "--ids");
        assertEquals(0, stop.exitCode(), stop.err());
        assertTrue(stop.out().startsWith(", there was a little girl named \n\n[stop string]\nprompt ids: 1 "),
                stop.out());
        assertTrue(stop.out().contains("generated ids: "), stop.out());
        TellmeRun seeded = TellmeRun.of("run", "-p", "Lily", "-n", "12", "--temp", "0.9", "-s", "11", "--min-p",
                "0.1", "--repeat-penalty", "1.1", "--device", "reference", "--config", "sim-small");
        assertEquals(0, seeded.exitCode(), seeded.err());
        assertTrue(seeded.err().contains("seed 11"), seeded.err());
        assertEquals(seeded.out(), TellmeRun.of("run", "-p", "Lily", "-n", "12", "--temp", "0.9", "-s", "11",
                "--min-p", "0.1", "--repeat-penalty", "1.1", "--device", "reference", "--config", "sim-small").out());
        TellmeRun small = TellmeRun.of("run", "-n", "-1", "-c", "24", "--temp", "0", "--device", "reference",
                "--config", "sim-small");
        assertEquals(0, small.exitCode(), small.err());
        assertTrue(small.out().endsWith("[context full]\n"), small.out());
        TellmeRun tooLong = TellmeRun.of("run", "-p", "Once upon a time ".repeat(10), "-c", "24", "--device",
                "reference", "--config", "sim-small");
        assertEquals(1, tooLong.exitCode());
        assertTrue(tooLong.err().contains("the context holds 24 positions"), tooLong.err());
    }

    /** The guide's run examples (docs/host.md) run, and its first two print the same text. */
    @Test
    void theGuidesRunExamplesRun() {
        List<List<String>> examples = HostDocExamples.lines("scripts/tellme run ");
        assertTrue(examples.size() >= 4, examples.toString());
        List<String> outputs = new ArrayList<>();
        for (List<String> example : examples) {
            TellmeRun r = TellmeRun.of(example.subList(1, example.size()).toArray(String[]::new));
            assertEquals(0, r.exitCode(), example + ": " + r.err());
            assertTrue(r.err().contains("generation:"), example + ": " + r.err());
            outputs.add(r.out());
        }
        assertEquals(outputs.get(0), outputs.get(1), "reference and opencl print the same text");
    }

    /**
     * docs/host.md's cross-check (clean, with every instruction's output compared), and the binary path: the twin's
     * binary saved by one run and loaded by the next prints the same text; a binary of random bytes is refused.
     */
    @Test
    void crossCheckAndBinaryRunFromTheCommandLine(@TempDir Path dir) throws IOException {
        TellmeRun check = TellmeRun.of("run", "--device", "opencl", "--check", "reference", "--config", "sim-small",
                "-p", "Once upon a time", "-n", "100", "--temp", "0");
        assertEquals(0, check.exitCode(), check.err());
        assertTrue(check.err().contains("cross-check: 100 calls, 6,362 debug records (every instruction's output),"
                + " logits and KV cache equal bit for bit"), check.err());

        Path binary = dir.resolve("twin.bin");
        List<String> greedy = new ArrayList<>(List.of(GREEDY));
        greedy.addAll(List.of("--device", "opencl", "--save-binary", binary.toString()));
        TellmeRun saved = TellmeRun.of(greedy.toArray(String[]::new));
        assertEquals(0, saved.exitCode(), saved.err());
        assertTrue(saved.err().contains("saved the program binary (") && Files.size(binary) > 0, saved.err());
        greedy.set(greedy.size() - 2, "--binary");
        TellmeRun loaded = TellmeRun.of(greedy.toArray(String[]::new));
        assertEquals(0, loaded.exitCode(), loaded.err());
        assertEquals(saved.out(), loaded.out());

        Path garbage = dir.resolve("garbage.xclbin");
        Files.write(garbage, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        greedy.set(greedy.size() - 1, garbage.toString());
        TellmeRun refused = TellmeRun.of(greedy.toArray(String[]::new));
        assertEquals(1, refused.exitCode(), refused.err());
        assertTrue(refused.err().startsWith("tellme: " + garbage + " is not a program binary for OpenCL device"),
                refused.err());
    }

    @Test
    void theRtlDeviceRunsSimSmallImagesAndGeneratesTheReferenceDevicesTokens() {
        TellmeRun kv260 = TellmeRun.of("run", "--device", "rtl", "-n", "4");
        assertEquals(1, kv260.exitCode(), kv260.err());
        assertTrue(kv260.err().startsWith("tellme: ") && kv260.err().contains("is packed for the kv260 build, but the"
                + " rtl device simulates the sim-small kernel only"), kv260.err());
        assertTrue(kv260.err().contains("Add --config sim-small"), kv260.err());
        String[] args = {"run", "--config", "sim-small", "-p", "Once", "-n", "4", "--temp", "0", "--device", ""};
        args[args.length - 1] = "rtl";
        TellmeRun rtl = TellmeRun.of(args);
        assertEquals(0, rtl.exitCode(), rtl.err());
        assertTrue(rtl.err().contains("on rtl (kernel tellme in Verilator)") && rtl.err().contains(" cycles"),
                rtl.err());
        args[args.length - 1] = "reference";
        TellmeRun reference = TellmeRun.of(args);
        assertEquals(0, reference.exitCode(), reference.err());
        assertTrue(rtl.out().startsWith("Once") && rtl.out().length() > "Once".length(), rtl.out());
        assertEquals(reference.out(), rtl.out(), "the kernel's tokens are the reference device's");
    }

    /** The kernel in Verilator against the OpenCL twin: every instruction's output, the logits and the KV cache. */
    @Test
    void theRtlDeviceCrossChecksCleanAgainstTheOpenClTwin() {
        TellmeRun check = TellmeRun.of("run", "--device", "rtl", "--check", "opencl", "--config", "sim-small",
                "-p", "Once upon a time", "-n", "6", "--temp", "0");
        assertEquals(0, check.exitCode(), check.err());
        assertTrue(check.err().contains("on rtl (kernel tellme in Verilator)")
                && check.err().contains("checked against opencl"), check.err());
        assertTrue(check.err().contains("cross-check: 6 calls, ") && check.err().contains(" debug records (every"
                + " instruction's output), logits and KV cache equal bit for bit"), check.err());
    }

    @Test
    void aPromptFromStandardInputKeepsEveryCharacter() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = TellmeMain.run(new ByteArrayInputStream("Lily ist fröhlich — 😀".getBytes(StandardCharsets.UTF_8)),
                new PrintWriter(out, true), new PrintWriter(err, true), "run", "-f", "-", "-n", "4", "--temp", "0",
                "--device", "reference", "--config", "sim-small");
        assertEquals(0, code, err.toString());
        assertTrue(out.toString().startsWith("Lily ist fröhlich — 😀"), out.toString());
    }

    /** A child JVM under LANG=C, as a user's shell would start it, reading its prompt from a pipe. */
    private static Process child(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                TellmeMain.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("LANG", "C");
        pb.environment().put("LC_ALL", "C");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        return pb.start();
    }

    @Test
    void underLangCStandardInputAndOutputStayUtf8() throws Exception {
        Process p = child("run", "-f", "-", "-n", "4", "--temp", "0", "--device", "reference", "--config",
                "sim-small");
        try (OutputStream in = p.getOutputStream()) {
            in.write("Lily ist fröhlich".getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        assertTrue(out.startsWith("Lily ist fröhlich"), out);
    }

    @Test
    void aClosedOutputPipeEndsTheRun() throws Exception {
        Process p = child("run", "-p", "Once upon a time", "-n", "-1", "--temp", "0", "--device", "reference",
                "--config", "sim-small");
        p.getOutputStream().close();
        byte[] first = new byte[20];
        try (InputStream out = p.getInputStream()) {
            assertEquals(20, out.readNBytes(first, 0, 20));
        }   // what `| head -c 20` does
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), err);
        assertFalse(err.contains("generation:"), "the run stopped at the closed pipe, before its timings: " + err);
        assertEquals("Once upon a time, th", new String(first, StandardCharsets.UTF_8));
    }
}
