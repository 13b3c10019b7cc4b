package dev.tellmej.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.model.safetensors.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code tellme bench device} on the embedded student: every device reports its medians; the rtl device (the
 * kernel in Verilator, sim-small by default) also its kernel cycles, and the tokens per second they give at the
 * build's clock.
 */
class BenchDeviceCommandTest {
    private record Outcome(int code, String out, String err) {}

    private static Outcome bench(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = new String[args.length + 2];
        all[0] = "bench";
        all[1] = "device";
        System.arraycopy(args, 0, all, 2, args.length);
        int code = TellmeMain.run(new PrintWriter(out, true), new PrintWriter(err, true), all);
        return new Outcome(code, out.toString(), err.toString());
    }

    private static double number(Map<?, ?> object, String field) {
        return ((Number) object.get(field)).doubleValue();
    }

    private static Map<?, ?> json(Outcome outcome) {
        assertEquals(0, outcome.code(), outcome.err());
        return (Map<?, ?>) Json.parse(outcome.out());
    }

    private static void checkMedians(Map<?, ?> result, int runs) {
        assertEquals(3.0, number(result, "promptTokens"));
        assertEquals(2.0, number(result, "decodeTokens"));
        assertTrue(number(result, "openSeconds") > 0, result.toString());
        assertTrue(number(result, "prefillTokensPerSecond") > 0, result.toString());
        List<?> decodeRuns = (List<?>) result.get("decodeRunsTokensPerSecond");
        assertEquals(runs, decodeRuns.size(), result.toString());
        double min = Double.MAX_VALUE;
        double max = 0;
        for (Object run : decodeRuns) {
            min = Math.min(min, ((Number) run).doubleValue());
            max = Math.max(max, ((Number) run).doubleValue());
        }
        double median = number(result, "decodeTokensPerSecond");
        assertTrue(min <= median && median <= max, "the median lies among the runs: " + result);
    }

    @Test
    void referenceAndOpenClReportMediansAndNoKernelCycles() {
        for (String device : List.of("reference", "opencl")) {
            Map<?, ?> result = json(bench("--device", device, "--prompt", "3", "--tokens", "2", "--runs", "3",
                    "--json"));
            assertTrue(((String) result.get("device")).startsWith(device), result.toString());
            checkMedians(result, 3);
            assertTrue(result.containsKey("kernel"), result.toString());
            assertNull(result.get("kernel"), device + " has no clock: " + result);
        }
    }

    @Test
    void theRtlDeviceReportsKernelCyclesAndTokensPerSecondAtTheBuildsClock() {
        Map<?, ?> result = json(bench("--device", "rtl", "--prompt", "3", "--tokens", "2", "--runs", "1", "--json"));
        assertTrue(((String) result.get("device")).startsWith("rtl (kernel tellme in Verilator)")
                && ((String) result.get("device")).endsWith("for sim-small"), result.toString());
        checkMedians(result, 1);
        Map<?, ?> kernel = (Map<?, ?>) result.get("kernel");
        double mhz = number(kernel, "clockMhz");
        assertEquals(100.0, mhz, "sim-small's target clock");
        double prefill = number(kernel, "prefillCycles");
        double decode = number(kernel, "decodeCyclesPerStep");
        assertTrue(decode > 1_000 && prefill > decode, kernel.toString());
        assertEquals(3 * mhz * 1e6 / prefill, number(kernel, "prefillTokensPerSecond"), 1e-6 * prefill);
        assertEquals(mhz * 1e6 / decode, number(kernel, "decodeTokensPerSecond"), 1e-6 * decode);

        Outcome text = bench("--device", "rtl", "--prompt", "2", "--tokens", "1", "--runs", "1");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("  kernel at 100 MHz: prefill ") && text.out().contains(" cycles per step ("),
                text.out());
    }

    @Test
    void aRunLongerThanTheContextIsRefusedWithWhatItNeeds() {
        Outcome outcome = bench("--prompt", "4000", "--tokens", "4000", "--runs", "1");
        assertEquals(2, outcome.code(), outcome.err());
        assertTrue(outcome.err().contains("--prompt 4000 and --tokens 4000 need 8000 positions; the image holds"),
                outcome.err());
    }
}
