Fp16ToFp32.v
Fp32Mul.v
Fp32Add.v
AttentionScores_l16_w8_d96_fp16.v
