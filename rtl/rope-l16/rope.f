Fp32Mul.v
Fp32Add.v
Fp32ToFp16.v
SyncFifo_w257_d19.v
Rope_adjacent_l16_d96_r2_fp16.v
