package dev.tellmej.hdl.testing;

import static org.junit.jupiter.api.Assertions.fail;

import dev.tellmej.eda.YosysFormal;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.lib.axi.AxiProtocolHarness;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Runs the AXI protocol checks of a design (its harness under {@code target/hdl-tests/formal-<label>}) and
 * prints what was established and how long it took, the figures docs/verification.md quotes.
 */
public final class FormalChecks {
    private static final Path ROOT = Path.of("target", "hdl-tests").toAbsolutePath();

    private FormalChecks() {}

    /** Bounded check of every AXI port of {@code design} to {@code depth} cycles, then PDR if {@code prove}. */
    public static YosysFormal.Result check(Design<?> design, String label, int maxBursts, int depth, boolean prove) {
        AxiProtocolHarness harness = AxiProtocolHarness.of(design, maxBursts);
        Path dir = ROOT.resolve("formal-" + label);
        var files = harness.write(dir);
        YosysFormal.Result result = YosysFormal.check(dir, files, harness.topName(), depth, prove,
                Duration.ofSeconds(120), Duration.ofMinutes(10));
        System.out.printf("formal %s: %s, ports %s, depth %d, bmc3 %.1f s, pdr %.1f s%s%s%n", label, result.outcome(),
                harness.ports().stream().map(AxiProtocolHarness.CheckedPort::prefix).toList(), result.depth(),
                result.bmcTime().toMillis() / 1000.0, result.proofTime().toMillis() / 1000.0,
                result.proofMessage().isEmpty() ? "" : " (" + result.proofMessage() + ")",
                result.failure().map(f -> "; FAILED " + f).orElse(""));
        return result;
    }

    /** Like {@link #check}, failing the test with the violated property and its trace unless all hold. */
    public static YosysFormal.Result requirePass(Design<?> design, String label, int maxBursts, int depth,
            boolean prove) {
        YosysFormal.Result result = check(design, label, maxBursts, depth, prove);
        result.failure().ifPresent(f -> fail("AXI protocol violation in " + label + ": " + f));
        return result;
    }
}
