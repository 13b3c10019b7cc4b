Bf16ToFp32.v
Fp32Add.v
Fp32ToBf16.v
SyncFifo_w33_d10.v
ResidualAdd_l2_bf16.v
