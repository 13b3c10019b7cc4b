Fp16Square.v
Fp32Add.v
Fp32Mul.v
FpScale2_n9.v
Fp16ToFp32.v
Fp32ToFp16.v
SyncFifo_w97_d3.v
RmsNormMax_l16_w4_n256_fp16.v
