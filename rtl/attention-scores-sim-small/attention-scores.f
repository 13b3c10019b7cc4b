Fp16ToFp32.v
Fp32Mul.v
Fp32Add.v
AttentionScores_l16_w4_d32_fp16.v
