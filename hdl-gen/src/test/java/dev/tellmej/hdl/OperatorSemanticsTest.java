package dev.tellmej.hdl;

import static dev.tellmej.hdl.Hdl.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tellmej.eda.EdaTool;
import dev.tellmej.eda.ExternalCommand;
import dev.tellmej.hdl.check.IrWalk;
import dev.tellmej.hdl.ir.Evaluator;
import dev.tellmej.hdl.ir.Expr;
import dev.tellmej.hdl.ir.SignalRole;
import dev.tellmej.hdl.testing.DesignVerifier;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.Test;

/**
 * The emitted Verilog computes what the width rules say: a combinational module exercising every
 * operator is simulated by Icarus Verilog (four-state, so an X anywhere fails) on seeded random and corner
 * inputs, and every output is compared with the same operation written in plain Java arithmetic.
 */
class OperatorSemanticsTest {
    private static final long SEED = 0x5eed_0001L;

    /** Inputs: a UInt(8), b UInt(5), s SInt(8), t SInt(5), amt UInt(3), c Bool. */
    record In(long a, long b, long s, long t, long amt, boolean c) {}

    /** One output: its name, width, and its value in Java. */
    record Out(String name, int width, ToLongFunction<In> expected) {}

    private static long mask(long value, int width) {
        return value & ((1L << width) - 1);
    }

    private static long signed(long bits, int width) {
        return (bits << (64 - width)) >> (64 - width);
    }

    static final List<Out> OUTPUTS = List.of(
            new Out("sum", 8, v -> mask(v.a + v.b, 8)),
            new Out("sum_expand", 9, v -> v.a + v.b),
            new Out("diff_expand", 9, v -> mask(v.a - v.b, 9)),
            new Out("product", 13, v -> v.a * v.b),
            new Out("times_384", 12, v -> mask(v.a * 384, 12)),
            new Out("times_13_wide", 16, v -> v.a * 13),
            new Out("times_0", 4, v -> 0),
            new Out("signed_product", 13, v -> mask(signed(v.s, 8) * signed(v.t, 5), 13)),
            new Out("signed_sum", 8, v -> mask(signed(v.s, 8) + signed(v.t, 5), 8)),
            new Out("signed_less", 1, v -> signed(v.s, 8) < signed(v.t, 5) ? 1 : 0),
            new Out("unsigned_less", 1, v -> v.a < v.b ? 1 : 0),
            new Out("signed_ge_literal", 1, v -> signed(v.s, 8) >= -3 ? 1 : 0),
            new Out("equal_extended", 1, v -> v.a == v.b ? 1 : 0),
            new Out("shift_left", 11, v -> v.a << 3),
            new Out("shift_right", 5, v -> v.a >> 3),
            new Out("signed_shift_right", 6, v -> mask(signed(v.s, 8) >> 2, 6)),
            new Out("dynamic_left", 8, v -> mask(v.a << v.amt, 8)),
            new Out("dynamic_right", 8, v -> v.a >> v.amt),
            new Out("dynamic_arithmetic", 8, v -> mask(signed(v.s, 8) >> v.amt, 8)),
            new Out("rotate_left", 8, v -> mask((v.a << 3) | (v.a >> 5), 8)),
            new Out("sign_extended", 12, v -> mask(signed(v.s, 8), 12)),
            new Out("zero_extended", 12, v -> v.a),
            new Out("resized_signed", 4, v -> mask(v.s, 4)),
            new Out("negated", 8, v -> mask(-signed(v.s, 8), 8)),
            new Out("muxed", 8, v -> v.c ? v.a : v.b),
            new Out("and_reduce", 1, v -> v.a == 0xff ? 1 : 0),
            new Out("or_reduce", 1, v -> v.a != 0 ? 1 : 0),
            new Out("xor_reduce", 1, v -> Long.bitCount(v.a) & 1),
            new Out("concatenated", 14, v -> (v.a << 6) | (v.b << 1) | (v.c ? 1 : 0)),
            new Out("bit_in_range", 1, v -> (v.a >> v.amt) & 1),
            new Out("bit_out_of_range", 1, v -> v.amt < 5 ? (v.b >> v.amt) & 1 : 0),
            new Out("sliced", 5, v -> (v.a >> 2) & 0x1f),
            new Out("bitwise", 8, v -> mask(((v.a & v.b) | (~v.a & 0xf0)) ^ 0x5a, 8)),
            new Out("signed_multiply_wide", 13, v -> mask(signed(v.s, 8) * signed(v.t, 5) + 100, 13)),
            new Out("switched", 8, v -> switch ((int) v.amt) {
                case 0 -> 7;
                case 1, 2 -> v.a;
                case 5 -> v.b;
                default -> mask(v.a + 1, 8);
            }),
            new Out("vector_element", 8, v -> switch ((int) (v.amt & 3)) {
                case 0 -> v.a;
                case 1 -> v.b;
                case 2 -> mask(v.s, 8);
                default -> 0x33;
            }),
            new Out("when_chain", 8, v -> v.c ? v.a : v.amt > 3 ? v.b : 0xee),
            // Constant folding: these emit no 1'b1 &, + 8'd0, constant selects or constant operators.
            new Out("fold_identities", 8, v -> v.a),
            new Out("fold_bool", 1, v -> v.c ? 1 : 0),
            new Out("fold_mux", 8, v -> mask(v.a + v.b, 8)),
            new Out("fold_not_literal", 8, v -> 0xf0),
            new Out("fold_literal_compare", 1, v -> 1),
            new Out("fold_literal_extend", 8, v -> 0xfd),
            new Out("fold_slice_of_cat", 6, v -> (((v.a << 5) | v.b) >> 2) & 0x3f),
            new Out("fold_always_true", 8, v -> v.a),
            // Long expressions, wrapped over several lines.
            new Out("long_sum", 8, v -> {
                long sum = 0;
                for (int k = 1; k <= 14; k++) {
                    sum += v.amt == k % 8 ? mask(v.a + k, 8) : v.b ^ k;
                }
                return mask(sum, 8);
            }),
            new Out("long_condition", 8, v -> {
                for (int k = 1; k <= 12; k++) {
                    if (v.a == (k * 19) % 256) {
                        return v.b;
                    }
                }
                return v.a;
            }),
            new Out("long_cat", 60, v -> {
                long out = 0;
                for (int k = 0; k < 12; k++) {
                    out = (out << 5) | (((v.a >> (k % 8)) & 1) == 1 ? v.b : v.b ^ k);
                }
                return out;
            }),
            // Vec reads: case statements, past-the-end indices select the last element.
            new Out("vector_past_end", 8, v -> switch ((int) v.amt) {
                case 0 -> v.a;
                case 1 -> v.b;
                case 2 -> mask(v.s, 8);
                case 3 -> 0x33;
                default -> mask(v.a + 1, 8);
            }),
            new Out("vector_narrow", 8, v -> switch ((int) (v.amt & 3)) {
                case 0 -> v.a;
                case 1 -> v.b;
                case 2 -> mask(v.s, 8);
                default -> 0x33;
            }),
            new Out("vector_in_when", 8, v -> !v.c ? 0 : v.amt == 0 ? v.b : v.amt == 1 ? v.a : 0x5a),
            new Out("vector_record", 8, v -> switch ((int) v.amt) {
                case 0 -> ((v.a >> 4) << 4) | (v.b & 0xf);
                case 1 -> ((v.a & 0xf) << 4) | (v.a >> 4);
                default -> (5 << 4) | ((v.b >> 1) & 0xf);
            }));

    /** Two fields of a Vec element. */
    record Pair(UInt high, UInt low) {}

    /** A module with one output per entry of {@link #OUTPUTS}. */
    static final class Operators extends Module {
        /** Every output's value as described (before constant folding). */
        final Map<String, BitVector<?>> outputs;

        Operators() {
            UInt a = in("a", uint(8));
            UInt b = in("b", uint(5));
            SInt s = in("s", sint(8));
            SInt t = in("t", sint(5));
            UInt amt = in("amt", uint(3));
            Bool c = in("c", bool());
            Map<String, BitVector<?>> outputs = new LinkedHashMap<>();
            outputs.put("sum", a.add(b));
            outputs.put("sum_expand", a.addExpand(b));
            outputs.put("diff_expand", a.subExpand(b));
            outputs.put("product", a.mul(b));
            outputs.put("times_384", a.timesConstant(384, 12));
            outputs.put("times_13_wide", a.timesConstant(13, 16));
            outputs.put("times_0", a.timesConstant(0, 4));
            outputs.put("signed_product", s.mul(t));
            outputs.put("signed_sum", s.add(t));
            outputs.put("signed_less", s.lt(t).asUInt());
            outputs.put("unsigned_less", a.lt(b).asUInt());
            outputs.put("signed_ge_literal", s.ge(-3).asUInt());
            outputs.put("equal_extended", a.eq(b).asUInt());
            outputs.put("shift_left", a.shl(3));
            outputs.put("shift_right", a.shr(3));
            outputs.put("signed_shift_right", s.shr(2));
            outputs.put("dynamic_left", a.shlKeep(amt));
            outputs.put("dynamic_right", a.shrKeep(amt));
            outputs.put("dynamic_arithmetic", s.shrKeep(amt));
            outputs.put("rotate_left", a.rotateLeft(3));
            outputs.put("sign_extended", s.sext(12));
            outputs.put("zero_extended", a.zext(12));
            outputs.put("resized_signed", s.resize(4));
            outputs.put("negated", s.neg());
            outputs.put("muxed", mux(c, a, b.zext(8)));
            outputs.put("and_reduce", a.andR().asUInt());
            outputs.put("or_reduce", a.orR().asUInt());
            outputs.put("xor_reduce", a.xorR().asUInt());
            outputs.put("concatenated", cat(a, b, c));
            outputs.put("bit_in_range", a.bit(amt).asUInt());
            outputs.put("bit_out_of_range", b.bit(amt).asUInt());
            outputs.put("sliced", a.slice(6, 2));
            outputs.put("bitwise", a.and(b.zext(8)).or(a.not().and(U(0xf0, 8))).xor(U(0x5a, 8)));
            SInt product = s.mul(t).named("shared_product");
            outputs.put("signed_multiply_wide", product.add(100));
            UInt switched = wire("switched_value", uint(8));
            switchOn(amt).is(0, () -> switched.set(7))
                    .isAnyOf(new long[] {1, 2}, () -> switched.set(a))
                    .is(5, () -> switched.set(b.zext(8)))
                    .otherwise(() -> switched.set(a.add(1)));
            outputs.put("switched", switched);
            Vec<UInt> elements = new Vec<>(List.of(a, b.zext(8), s.asUInt(), U(0x33, 8)));
            outputs.put("vector_element", elements.get(amt.trunc(2)));
            UInt chained = wire("chained", uint(8));
            when(c, () -> chained.set(a))
                    .elseWhen(amt.gt(3), () -> chained.set(b.zext(8)))
                    .otherwise(() -> chained.set(0xee));
            outputs.put("when_chain", chained);
            outputs.put("fold_identities", a.add(0).sub(0).xor(U(0, 8)).and(U(0xff, 8)).or(U(0, 8)));
            outputs.put("fold_bool", TRUE.and(c).or(FALSE).xor(FALSE).asUInt());
            outputs.put("fold_mux", mux(TRUE, a, b.zext(8)).add(mux(c, b.zext(8), b.zext(8))));
            outputs.put("fold_not_literal", U(0x0f, 8).not());
            outputs.put("fold_literal_compare", U(3, 4).lt(U(5, 4)).asUInt());
            outputs.put("fold_literal_extend", S(-3, 4).sext(8));
            outputs.put("fold_slice_of_cat", cat(a, b).slice(7, 2));
            Bool always = FALSE;
            for (int k = 0; k < 4; k++) {
                always = always.or(amt.slice(1, 0).eq(k));
            }
            outputs.put("fold_always_true", mux(always, a, U(0, 8)));
            UInt sum = U(0, 8);
            for (int k = 1; k <= 14; k++) {
                sum = sum.add(mux(amt.eq(k % 8), a.add(k), b.zext(8).xor(U(k, 8))));
            }
            outputs.put("long_sum", sum);
            Bool none = TRUE;
            for (int k = 1; k <= 12; k++) {
                none = none.and(a.ne((k * 19) % 256));
            }
            UInt conditioned = wire("conditioned", uint(8));
            when(none, () -> conditioned.set(a)).otherwise(() -> conditioned.set(b.zext(8)));
            outputs.put("long_condition", conditioned);
            List<Bits> parts = new ArrayList<>();
            for (int k = 0; k < 12; k++) {
                parts.add(mux(a.bit(k % 8), b, b.xor(U(k, 5))).asBits());
            }
            outputs.put("long_cat", cat(parts.toArray(new Bits[0])));
            Vec<UInt> five = new Vec<>(List.of(a, b.zext(8), s.asUInt(), U(0x33, 8), a.add(1)));
            outputs.put("vector_past_end", five.get(amt));
            Vec<UInt> six = new Vec<>(List.of(a, b.zext(8), s.asUInt(), U(0x33, 8), a.add(1), a.add(2)));
            outputs.put("vector_narrow", six.get(amt.trunc(2)));
            UInt inWhen = wire("in_when", uint(8));
            Vec<UInt> three = new Vec<>(List.of(b.zext(8), a, U(0x5a, 8)));
            when(c, () -> inWhen.set(three.get("picked", amt))).otherwise(() -> inWhen.set(0));
            outputs.put("vector_in_when", inWhen);
            Vec<Pair> pairs = new Vec<>(List.of(new Pair(a.slice(7, 4), b.slice(3, 0)),
                    new Pair(a.slice(3, 0), a.slice(7, 4)), new Pair(U(5, 4), b.slice(4, 1))));
            Pair picked = pairs.get(amt);
            outputs.put("vector_record", cat(picked.high(), picked.low()));
            this.outputs = outputs;
            for (Out output : OUTPUTS) {
                BitVector<?> value = outputs.get(output.name());
                assertEquals(output.width(), value.width(), output.name());
                Bits port = out(output.name(), bits(output.width()));
                port.set(value.asBits());
            }
        }
    }

    @Test
    void icarusAgreesWithJavaOnEveryOperator(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Design<Operators> design = Hdl.elaborate(Operators::new);
        DesignVerifier.verify(design, "operator-semantics");
        List<Path> files = DesignVerifier.lint(design, "operator-semantics");
        List<In> vectors = vectors();
        Files.writeString(dir.resolve("vectors.hex"), hexVectors(vectors));
        Files.writeString(dir.resolve("tb.v"), testbench(design.topName(), vectors.size()));
        List<String> compile = new ArrayList<>(List.of(EdaTool.IVERILOG.require().toString(), "-g2005", "-Wall",
                "-o", dir.resolve("sim.vvp").toString(), dir.resolve("tb.v").toString()));
        for (Path file : files.subList(0, files.size() - 1)) {
            compile.add(file.toAbsolutePath().toString());
        }
        ExternalCommand.Result built = ExternalCommand.of(compile).directory(dir).run().requireSuccess("compile with Icarus");
        assertEquals("", built.output().strip(), "iverilog -Wall warnings");
        ExternalCommand.of(EdaTool.VVP.require().toString(), "-n", "sim.vvp").directory(dir)
                .timeout(Duration.ofMinutes(2)).run().requireSuccess("simulate with Icarus");
        List<String> lines = Files.readAllLines(dir.resolve("out.txt"));
        assertEquals(vectors.size(), lines.size());
        String text = design.definitions().get(design.topName());
        for (String unfolded : List.of("1'b1 &", "1'b0 |", "| 1'b0", "+ 8'd0", "- 8'd0", "^ 8'd0", "~8'", "1'b1 ?",
                "4'd3 < 4'd5", "8'd255")) {
            assertFalse(text.contains(unfolded), () -> "unfolded '" + unfolded + "' in:\n" + text);
        }
        assertTrue(text.contains("case (amt)") && text.contains("always @(*)"), text);
        for (int i = 0; i < vectors.size(); i++) {
            In v = vectors.get(i);
            String[] fields = lines.get(i).trim().split("\\s+");
            for (int k = 0; k < OUTPUTS.size(); k++) {
                Out output = OUTPUTS.get(k);
                if (fields[k].contains("x") || fields[k].contains("z")) {
                    fail("output " + output.name() + " is " + fields[k] + " for " + v + " (seed " + SEED + ")");
                }
                long got = new BigInteger(fields[k], 16).longValue();
                long want = output.expected().applyAsLong(v);
                assertEquals(want, got, () -> output.name() + " for " + v + " (seed " + SEED + ")");
                // The expression as described, before constant folding, has the value Icarus gave the folded one.
                Expr described = design.top().outputs.get(output.name()).node();
                if (readsOnlyInputs(described)) {
                    long evaluated = Evaluator.evaluate(described, signal -> BigInteger.valueOf(
                            inputValue(v, signal.name()) & ((1L << signal.width()) - 1))).longValue();
                    assertEquals(want, evaluated, () -> output.name() + " unfolded, for " + v + " (seed " + SEED + ")");
                }
            }
        }
    }

    private static boolean readsOnlyInputs(Expr expr) {
        boolean[] only = {true};
        IrWalk.signalsOf(expr, signal -> only[0] &= signal.role() == SignalRole.INPUT);
        return only[0];
    }

    private static long inputValue(In v, String name) {
        return switch (name) {
            case "a" -> v.a;
            case "b" -> v.b;
            case "s" -> v.s;
            case "t" -> v.t;
            case "amt" -> v.amt;
            case "c" -> v.c ? 1 : 0;
            default -> throw new IllegalArgumentException(name);
        };
    }

    private static List<In> vectors() {
        List<In> vectors = new ArrayList<>();
        long[] corners8 = {0, 1, 0x7f, 0x80, 0xff};
        long[] corners5 = {0, 1, 0xf, 0x10, 0x1f};
        for (long a : corners8) {
            for (long b : corners5) {
                for (long amt = 0; amt < 8; amt++) {
                    vectors.add(new In(a, b, a ^ 0x80, b ^ 0x10, amt, (amt & 1) == 0));
                }
            }
        }
        Random random = new Random(SEED);
        for (int i = 0; i < 2000; i++) {
            vectors.add(new In(random.nextInt(256), random.nextInt(32), random.nextInt(256), random.nextInt(32),
                    random.nextInt(8), random.nextBoolean()));
        }
        return vectors;
    }

    /** One line per vector: {a, b, s, t, amt, c} packed into 30 bits. */
    private static String hexVectors(List<In> vectors) {
        StringBuilder out = new StringBuilder();
        for (In v : vectors) {
            long packed = (v.a << 22) | (v.b << 17) | (v.s << 9) | (v.t << 4) | (v.amt << 1) | (v.c ? 1 : 0);
            out.append(Long.toHexString(packed)).append('\n');
        }
        return out.toString();
    }

    private static String testbench(String top, int count) {
        StringBuilder tb = new StringBuilder();
        tb.append("`timescale 1ns/1ps\nmodule tb;\n");
        tb.append("  reg [7:0] a; reg [4:0] b; reg [7:0] s; reg [4:0] t; reg [2:0] amt; reg c;\n");
        tb.append("  reg [29:0] vectors [0:").append(count - 1).append("];\n");
        tb.append("  integer i, f;\n");
        StringBuilder ports = new StringBuilder(".a(a), .b(b), .s(s), .t(t), .amt(amt), .c(c)");
        StringBuilder format = new StringBuilder();
        StringBuilder args = new StringBuilder();
        for (Out output : OUTPUTS) {
            tb.append("  wire [").append(output.width() - 1).append(":0] ").append(output.name()).append(";\n");
            ports.append(", .").append(output.name()).append('(').append(output.name()).append(')');
            format.append(format.isEmpty() ? "" : " ").append("%h");
            args.append(", ").append(output.name());
        }
        tb.append("  ").append(top).append(" dut (").append(ports).append(");\n");
        tb.append("  initial begin\n");
        tb.append("    $readmemh(\"vectors.hex\", vectors);\n");
        tb.append("    f = $fopen(\"out.txt\", \"w\");\n");
        tb.append("    for (i = 0; i < ").append(count).append("; i = i + 1) begin\n");
        tb.append("      {a, b, s, t, amt, c} = vectors[i];\n");
        tb.append("      #1;\n");
        tb.append("      $fwrite(f, \"").append(format).append("\\n\"").append(args).append(");\n");
        tb.append("    end\n");
        tb.append("    $fclose(f);\n    $finish;\n  end\nendmodule\n");
        return tb.toString();
    }
}
