Fp32Add.v
Fp32Mul.v
FpChord.v
FpScale2_n9.v
FpExp.v
FpScale2_n10.v
FpReciprocal.v
AttentionSoftmax_l16.v
