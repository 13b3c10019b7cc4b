Fp16ToFp32.v
Fp32Mul.v
Fp32Add.v
FpScale2_n9.v
FpRsqrt_shared.v
Fp32ToFp16.v
SyncFifo_w97_d3.v
RmsNormMax_l16_w4_n256_fp16.v
