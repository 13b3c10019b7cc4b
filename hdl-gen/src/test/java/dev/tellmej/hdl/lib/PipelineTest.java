package dev.tellmej.hdl.lib;

import static dev.tellmej.hdl.Hdl.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.ElaborationHelper;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.check.HdlUsageException;
import dev.tellmej.hdl.check.LatencyMismatchException;
import dev.tellmej.hdl.testing.IcarusBench;
import dev.tellmej.hdl.testing.TestModule;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@link Pipeline} and {@link Timed}: values read late get shared delay lines named {@code _d1, _d2, ...}, valid
 * bits come from the units' own outputs, the latency is derived and a wrong documented figure is caught; and
 * in Icarus Verilog every result comes out exactly at the derived latency, its operands aligned.
 */
class PipelineTest {
    /** A stand-in for a fixed-latency unit: {@code x + 1}, {@code latency} cycles later. */
    static final class Increment extends Module {
        final Flow<UInt> in = in("in", Flow.of(uint(8)));
        final Flow<UInt> out = out("out", Flow.of(uint(8)));

        Increment(int latency) {
            param("l", latency);
            out.payload.set(Delay.of("x", in.payload.add(1), latency));
            out.valid.set(Delay.valid("valid", in.valid, latency));
        }

        @ElaborationHelper
        static Timed<UInt> apply(String name, int latency, Timed<UInt> x) {
            return x.through(name, latency, (unit, in) -> {
                Increment placed = Hdl.instance(unit, new Increment(latency));
                assign(placed.in, in);
                return placed.out;
            });
        }
    }

    record Pair(UInt a, UInt b) {}

    /**
     * {@code t = ((a + 1) + b + 1) + a}: a through a unit of latency 3, the sum with b through one of 2, a again
     * at cycle 5, then an output register: latency 6, b delayed 3 cycles, a 5.
     */
    static final class Chain extends Module {
        final Flow<Pair> in = in("in", Flow.of(new Pair(uint(8), uint(8))));
        final Flow<UInt> out = out("out", Flow.of(uint(8)));

        Chain(int documented) {
            Pipeline pipe = new Pipeline("valid", in.valid);
            Timed<UInt> a = pipe.input("a", in.payload.a());
            Timed<UInt> b = pipe.input("b", in.payload.b());
            Timed<UInt> first = Increment.apply("inc3", 3, a);
            Timed<UInt> second = Increment.apply("inc2", 2, Timed.zip(first, b, UInt::add));
            Timed.zip(second, a, UInt::add).stage("t_out").flow(documented).connectTo(out);
        }
    }

    @Test
    void lateReadsShareOneNamedDelayLineAndValidsComeFromTheUnits() {
        Design<Chain> design = Hdl.elaborate(() -> new Chain(6));
        String top = design.definitions().get(design.topName());
        assertEquals(List.of("a_d1", "a_d2", "a_d3", "a_d4", "a_d5"), registers(top, "a_d"), top);
        assertEquals(List.of("b_d1", "b_d2", "b_d3"), registers(top, "b_d"), top);
        // The input's valid feeds inc3; inc3's output valid feeds inc2; inc2's is delayed once for the register.
        assertTrue(top.contains("assign inc3_in_valid = in_valid;"), top);
        assertTrue(top.contains("assign inc2_in_valid = inc3_out_valid;"), top);
        assertEquals(List.of("inc2_valid_d1"), registers(top, "inc2_valid_d"), top);
        assertTrue(top.contains("assign out_valid = inc2_valid_d1;"), top);
        assertTrue(registers(top, "valid_d").isEmpty(), top);
        // Source lines point at the pipeline's description, not at the library.
        assertFalse(top.contains("Timed.java") || top.contains("Pipeline.java") || top.contains("Delay.java"), top);
    }

    @Test
    void everyResultLeavesAtTheDerivedLatencyWithItsOperandsAligned() {
        Design<Chain> design = Hdl.elaborate(() -> new Chain(6));
        List<Map<String, Long>> stimulus = new ArrayList<>();
        for (int k = 0; k < 40; k++) {
            Map<String, Long> in = new LinkedHashMap<>();
            boolean valid = k % 7 != 3;   // a gap now and then
            in.put("in_valid", valid ? 1L : 0L);
            in.put("in_payload_a", (long) k);
            in.put("in_payload_b", (long) (2 * k + 5));
            stimulus.add(in);
        }
        List<Map<String, BigInteger>> samples =
                IcarusBench.run(design, "pipeline-chain", stimulus, java.util.Set.of("out_payload"));
        for (int k = 0; k < samples.size(); k++) {
            int input = k - 6;
            boolean expected = input >= 0 && stimulus.get(input).get("in_valid") == 1L;
            assertEquals(expected ? 1 : 0, samples.get(k).get("out_valid").intValue(), "out_valid in cycle " + k);
            if (expected) {
                long a = input;
                long b = 2L * input + 5;
                assertEquals(((a + 1 + b + 1) + a) & 0xFF, samples.get(k).get("out_payload").longValue(), "cycle " + k);
            }
        }
    }

    @Test
    void aWrongDocumentedLatencyIsReportedAtItsLine() {
        LatencyMismatchException e =
                assertThrows(LatencyMismatchException.class, () -> Hdl.elaborate(() -> new Chain(5)));
        assertTrue(e.getMessage().contains(
                "value t_out is valid 6 cycles after the input, but the documented latency is 5"), e.getMessage());
        assertEquals("PipelineTest.java", e.location().file(), e.getMessage());
    }

    @Test
    void misuseIsRejectedWithTheRule() {
        HdlUsageException early = assertThrows(HdlUsageException.class, () -> TestModule.elaborate("early", m -> {
            Pipeline pipe = new Pipeline("valid", m.input("v", bool()));
            pipe.at(3, "x", m.input("x", uint(4))).at(2);
        }));
        assertTrue(early.getMessage().contains("value x is valid at cycle 3 and cannot be read at cycle 2"),
                early.getMessage());

        HdlUsageException unnamed = assertThrows(HdlUsageException.class, () -> TestModule.elaborate("unnamed", m -> {
            Pipeline pipe = new Pipeline("valid", m.input("v", bool()));
            pipe.input("x", m.input("x", uint(4))).map(UInt::not).at(1);
        }));
        assertTrue(unnamed.getMessage().contains("give it a name with named(...)"), unnamed.getMessage());

        HdlUsageException mixed = assertThrows(HdlUsageException.class, () -> TestModule.elaborate("mixed", m -> {
            Timed<UInt> x = new Pipeline("one", m.input("v", bool())).input("x", m.input("x", uint(4)));
            Timed<UInt> y = new Pipeline("two", m.input("w", bool())).input("y", m.input("y", uint(4)));
            Timed.zip(x, y, UInt::add);
        }));
        assertTrue(mixed.getMessage().contains("their cycles count from different inputs"), mixed.getMessage());
    }

    @Test
    void steadyValuesAreNeverDelayedAndAddNoCycle() {
        Design<TestModule> design = TestModule.elaborate("steady", m -> {
            Pipeline pipe = new Pipeline("valid", m.input("v", bool()));
            Timed<UInt> constant = pipe.steady(U(9, 8));
            Timed<UInt> x = pipe.at(4, "x", m.input("x", uint(8)));
            Timed<UInt> sum = Timed.zip(constant, x, UInt::add);
            assertEquals(4, sum.cycle());
            assertTrue(constant.isSteady());
            assertNull(sum.name());
            assertEquals(constant.value(), constant.at(100));
            m.output("y", uint(8)).set(sum.value());
        });
        String top = design.definitions().get(design.topName());
        assertTrue(registers(top, "").isEmpty(), top);
    }

    @Test
    void aDelayLineGrowsToItsLongestTapAndSharesIt() {
        Design<TestModule> design = TestModule.elaborate("line", m -> {
            Delay.Line<UInt> line = Delay.line("x", m.input("x", uint(4)));
            UInt three = line.tap(3);
            UInt five = line.tap(5);
            assertEquals(5, line.length());
            m.output("y", uint(4)).set(three.add(five).add(line.tap(1)));
        });
        String top = design.definitions().get(design.topName());
        assertEquals(List.of("x_d1", "x_d2", "x_d3", "x_d4", "x_d5"), registers(top, "x_d"), top);
    }

    /** The registers declared in {@code verilog} whose names start with {@code prefix}, in order. */
    private static List<String> registers(String verilog, String prefix) {
        List<String> names = new ArrayList<>();
        Matcher m = Pattern.compile("^\\s*reg\\s+(?:\\[[^\\]]*\\]\\s*)?(" + Pattern.quote(prefix) + "\\w*);",
                Pattern.MULTILINE).matcher(verilog);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }
}
