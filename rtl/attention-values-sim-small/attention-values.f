Fp16ToFp32.v
Fp32Mul.v
Fp32Add.v
Fp32ToFp16.v
SyncFifo_w64_d8.v
AttentionValues_l16_w4_d32_fp16.v
