package dev.tellmej.hdl.lib.fp;

import dev.tellmej.hdl.DesignEntry;
import java.util.List;

/** The floating-point library units as designs {@code tellme rtl} can emit, one configuration each. */
public final class FloatingPointDesigns {
    private FloatingPointDesigns() {}

    public static List<DesignEntry> entries() {
        return List.of(
                DesignEntry.of("fp32-add", "binary32 a + b, RNE, subnormals (latency 6)", Fp32Add::new),
                DesignEntry.of("fp32-mul", "binary32 a * b, RNE, subnormals, 4 DSP48E2 (latency 7)", Fp32Mul::new),
                DesignEntry.of("fp16-to-fp32", "binary16 to binary32, exact (latency 1)", Fp16ToFp32::new),
                DesignEntry.of("fp32-to-fp16", "binary32 to binary16, RNE, NaN 0x7E00 (latency " + Fp32ToFp16.LATENCY
                        + ")", Fp32ToFp16::new),
                DesignEntry.of("bf16-to-fp32", "bfloat16 to binary32, exact (latency 1)", Bf16ToFp32::new),
                DesignEntry.of("fp32-to-bf16", "binary32 to bfloat16, RNE, NaN 0x7FC0 (latency 1)", Fp32ToBf16::new),
                DesignEntry.of("fp16-square", "binary16 x * x as binary32, exact (latency " + Fp16Square.LATENCY + ")",
                        Fp16Square::new),
                DesignEntry.of("int32-to-fp32", "int32 to binary32, RNE (latency 3)", Int32ToFp32::new),
                DesignEntry.of("fp32-to-int8", "binary32 to int8, ties to even, saturating (latency "
                        + Fp32ToInt8.LATENCY + ")", Fp32ToInt8::new),
                DesignEntry.of("fp32-compare", "binary32 <, ==, >, unordered (latency 1)", Fp32Compare::new),
                DesignEntry.of("fp32-max", "binary32 Math.max, canonical NaN (latency 1)", Fp32Max::new),
                DesignEntry.of("fp-scale2", "r * 2^n, RNE into the subnormals (latency 2)", () -> new FpScale2(10)),
                DesignEntry.of("fp-exp", "exp(x), NUMERICS N9 (latency " + FpExp.LATENCY + ")", FpExp::new),
                DesignEntry.of("fp-reciprocal", "1/x, NUMERICS N10 (latency " + FpReciprocal.LATENCY + ")",
                        FpReciprocal::new),
                DesignEntry.of("fp-reciprocal-shared", "1/x, NUMERICS N10, one multiplier and one adder for its"
                        + " five steps (latency " + FpReciprocal.SHARED_LATENCY + ", an input every "
                        + FpReciprocal.SHARED_LATENCY + " cycles)", () -> new FpReciprocal(FpSchedule.SHARED)),
                DesignEntry.of("fp-rsqrt", "1/sqrt(x), NUMERICS N11 (latency " + FpRsqrt.LATENCY + ")", FpRsqrt::new),
                DesignEntry.of("fp-rsqrt-shared", "1/sqrt(x), NUMERICS N11, one multiplier and one adder for its six"
                        + " steps (latency " + FpRsqrt.SHARED_LATENCY + ", an input every " + FpRsqrt.SHARED_LATENCY
                        + " cycles)",
                        () -> new FpRsqrt(FpSchedule.SHARED)),
                DesignEntry.of("fp-silu", "SiLU(x), NUMERICS N12.1 (latency " + FpSilu.LATENCY + ")", FpSilu::new),
                DesignEntry.of("fp-relu2", "ReLU(x)^2, NUMERICS N12.2 (latency " + FpRelu2.LATENCY + ")", FpRelu2::new),
                DesignEntry.of("inverse-of-count", "(float) (1.0 / n) of a 16-bit count, a bit per cycle (latency "
                        + InverseOfCount.LATENCY + ")", InverseOfCount::new));
    }
}
