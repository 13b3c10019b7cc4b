Fp32Mul.v
Fp32Add.v
FpScale2_n10.v
Fp16ToFp32.v
Fp32Mul_fp16.v
Fp32ToInt8.v
SyncFifo_w65_d13_head.v
Quantizer_l4_fp16.v
