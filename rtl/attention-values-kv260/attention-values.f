Fp16ToFp32.v
Fp32Mul.v
Fp32Add.v
Fp32ToFp16.v
SyncFifo_w128_d12.v
AttentionValues_l16_w8_d96_fp16.v
