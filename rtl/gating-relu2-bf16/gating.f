Fp32Mul.v
FpRelu2.v
Fp32ToBf16.v
SyncFifo_w65_d20.v
Gating_relu2_l2_bf16.v
