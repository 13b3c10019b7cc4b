Fp32Mul.v
Fp32Add.v
FpScale2_n10.v
Bf16ToFp32.v
Fp32ToInt8.v
SyncFifo_w65_d13_head.v
Quantizer_l4_bf16.v
