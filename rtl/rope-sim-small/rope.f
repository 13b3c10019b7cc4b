Fp32Mul.v
Fp32Add.v
Fp32ToFp16.v
SyncFifo_w65_d18.v
Rope_adjacent_l4_d8_r64_fp16.v
