package dev.tellmej.accel.elementwise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.DesignEntry;
import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.lib.fp.FpConvert;
import dev.tellmej.hdl.testing.DesignVerifier;
import dev.tellmej.model.numerics.StorageFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every configuration of every fused element-wise unit elaborates deterministically and is
 * {@code verilator --lint-only -Wall} clean. (Synthesis runs in {@code tellme report elementwise}; behaviour is
 * tested in the sim module.)
 */
class ElementwiseDesignsTest {
    @TestFactory
    Stream<DynamicTest> everyConfigurationIsLintCleanAndDeterministic() {
        List<DynamicTest> tests = new ArrayList<>();
        for (DesignEntry entry : ElementwiseDesigns.entries()) {
            for (String configuration : entry.configurationNames()) {
                tests.add(DynamicTest.dynamicTest(entry.name() + "-" + configuration, () -> {
                    Design<?> first = entry.elaborate(configuration);
                    Design<?> second = entry.elaborate(configuration);
                    DesignVerifier.assertDeterministic(first, second);
                    DesignVerifier.lint(first, "elementwise-" + entry.name() + "-" + configuration);
                }));
            }
        }
        return tests.stream();
    }

    /**
     * RMS-MAX with a run-time length ({@code RmsNormMax.runtime}) of each build (kv260: L 16, W 4, up to 4,096
     * values; sim-small: up to 1,024), at the extremes of its parameters (one lane, a single beat) and in bf16:
     * lint clean and deterministic, named apart from the fixed unit, with the three run-time inputs.
     */
    @TestFactory
    Stream<DynamicTest> theRunTimeVariantIsLintCleanAndDeterministic() {
        record Shape(int lanes, int width, int maxN, StorageFormat storage, String module) {}
        AcceleratorConfig kv260 = AcceleratorConfig.kv260();
        assertEquals(4096, ElementwiseDesigns.longestQuantized(kv260));
        assertEquals(1024, ElementwiseDesigns.longestQuantized(AcceleratorConfig.simSmall()));
        return Stream.of(new Shape(16, 4, 4096, StorageFormat.FP16, "RmsNormMax_l16_w4_maxn4096_fp16_runtime"),
                        new Shape(16, 4, 1024, StorageFormat.FP16, "RmsNormMax_l16_w4_maxn1024_fp16_runtime"),
                        new Shape(1, 1, 64, StorageFormat.BF16, "RmsNormMax_l1_w1_maxn64_bf16_runtime"),
                        new Shape(16, 16, 16, StorageFormat.FP16, "RmsNormMax_l16_w16_maxn16_fp16_runtime"))
                .map(shape -> DynamicTest.dynamicTest(shape.module(), () -> {
                    Design<RmsNormMax> first = Hdl.elaborate(() -> RmsNormMax.runtime(shape.lanes(), shape.width(),
                            shape.maxN(), shape.storage()));
                    Design<RmsNormMax> second = Hdl.elaborate(() -> RmsNormMax.runtime(shape.lanes(),
                            shape.width(), shape.maxN(), shape.storage()));
                    DesignVerifier.assertDeterministic(first, second);
                    assertEquals(shape.module(), first.topName());
                    RmsNormMax.RunTime inputs = first.top().runTime();
                    int beats = shape.maxN() / shape.width();
                    assertEquals(32 - Integer.numberOfLeadingZeros(beats), inputs.lengthBeats().width());
                    assertEquals(32, inputs.invN().width());
                    DesignVerifier.lint(first, "elementwise-rms-max-runtime-" + shape.module());
                }));
    }

    /**
     * RoPE with a run-time head dimension and pair style ({@code Rope.runtime}) of each build (kv260: L 2, heads up
     * to 96, 2 table rows), with one lane, with rows that are no power of two, with 16 lanes, and with the smallest
     * maximum (a head of one pair per lane): lint clean and deterministic, named apart from the fixed unit, with
     * the run-time inputs and the table port of the documented widths.
     */
    @TestFactory
    Stream<DynamicTest> theRunTimeRopeIsLintCleanAndDeterministic() {
        record Shape(int lanes, int maxHeadDim, int rows, StorageFormat storage, String module) {}
        AcceleratorConfig kv260 = AcceleratorConfig.kv260();
        assertEquals("Rope_l2_maxd96_r2_fp16_runtime",
                Hdl.elaborate(() -> ElementwiseDesigns.ropeRunTime(kv260)).topName());
        return Stream.of(new Shape(2, 96, 2, StorageFormat.FP16, "Rope_l2_maxd96_r2_fp16_runtime"),
                        new Shape(2, 32, 64, StorageFormat.FP16, "Rope_l2_maxd32_r64_fp16_runtime"),
                        new Shape(1, 8, 3, StorageFormat.BF16, "Rope_l1_maxd8_r3_bf16_runtime"),
                        new Shape(16, 128, 5, StorageFormat.FP16, "Rope_l16_maxd128_r5_fp16_runtime"),
                        new Shape(4, 8, 1, StorageFormat.FP16, "Rope_l4_maxd8_r1_fp16_runtime"))
                .map(shape -> DynamicTest.dynamicTest(shape.module(), () -> {
                    Design<RopeRunTime> first = Hdl.elaborate(() -> Rope.runtime(shape.lanes(), shape.maxHeadDim(),
                            shape.rows(), shape.storage()));
                    Design<RopeRunTime> second = Hdl.elaborate(() -> Rope.runtime(shape.lanes(), shape.maxHeadDim(),
                            shape.rows(), shape.storage()));
                    DesignVerifier.assertDeterministic(first, second);
                    assertEquals(shape.module(), first.topName());
                    RopeRunTime top = first.top();
                    int beats = shape.maxHeadDim() / shape.lanes();
                    assertEquals(beats, top.maxBeats);
                    assertEquals(beats / 2, top.groups);
                    assertEquals(32 - Integer.numberOfLeadingZeros(beats), top.runTime.headBeats().width());
                    assertEquals(Hdl.log2Up(beats / 2), top.tableWrite.payload.group().width());
                    assertEquals(Hdl.log2Up(shape.rows()), top.tableWrite.payload.row().width());
                    assertEquals(Hdl.log2Up(shape.rows()), top.in.payload.row().width());
                    assertEquals(32 * shape.lanes(), top.tableWrite.payload.values().width());
                    // The table read (2 from block RAM, through its output register; 1 from LUTs), the multiplies
                    // (7), the addend's register (1), the add (6), the storage rounding.
                    int read = (shape.rows() << Hdl.log2Up(beats / 2)) > 64 ? 2 : 1;
                    assertEquals(read + 7 + 1 + 6 + FpConvert.fromFp32Latency(Storage.format(shape.storage())),
                            top.latency);
                    DesignVerifier.lint(first, "elementwise-rope-runtime-" + shape.module());
                }));
    }

    @Test
    void theRunTimeRopeSaysWhatIsWrongWithItsParameters() {
        for (int[] bad : new int[][] {{2, 94, 2}, {2, 2, 2}, {3, 96, 2}, {2, 96, 0}}) {
            InvalidParameterException error = assertThrows(InvalidParameterException.class,
                    () -> Hdl.elaborate(() -> Rope.runtime(bad[0], bad[1], bad[2], StorageFormat.FP16)));
            assertTrue(error.getMessage().contains("the run-time Rope needs L a power of two, maxHeadDim a multiple"
                    + " of 2L and rows >= 1; got L " + bad[0] + ", maxHeadDim " + bad[1] + ", rows " + bad[2]),
                    error.getMessage());
        }
    }

    @Test
    void eachBuildsRunTimeUnitServesItsWidestLinearInput() {
        for (AcceleratorConfig config : AcceleratorConfig.named().values()) {
            RmsNormMax unit = Hdl.elaborate(() -> ElementwiseDesigns.rmsMaxRunTime(config)).top();
            assertEquals(ElementwiseDesigns.longestQuantized(config) / config.elementwise().normWidth(), unit.beats,
                    config.name());
            assertTrue(ElementwiseDesigns.longestQuantized(config) >= config.limits().maxLinearInputs());
        }
    }

    @Test
    void theRunTimeVariantSaysWhatIsWrongWithItsParameters() {
        InvalidParameterException error = assertThrows(InvalidParameterException.class,
                () -> Hdl.elaborate(() -> RmsNormMax.runtime(16, 4, 4098, StorageFormat.FP16)));
        assertTrue(error.getMessage().contains("maxN a multiple of the width 4, got maxN = 4098"), error.getMessage());
        Design<RmsNormMax> fixed = Hdl.elaborate(() -> new RmsNormMax(16, 4, 64, StorageFormat.FP16));
        IllegalStateException none = assertThrows(IllegalStateException.class, () -> fixed.top().runTime());
        assertTrue(none.getMessage().contains("fixed n = 64") && none.getMessage().contains("RmsNormMax.runtime("),
                none.getMessage());
    }
}
