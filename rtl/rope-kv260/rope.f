Fp32Mul.v
Fp32Add.v
Fp32ToFp16.v
SyncFifo_w33_d19.v
Rope_adjacent_l2_d96_r2_fp16.v
