Bf16ToFp32.v
Fp32Mul.v
Fp32Add.v
FpScale2_n9.v
Fp32ToBf16.v
SyncFifo_w97_d4.v
RmsNormMax_l16_w4_n1536_bf16.v
