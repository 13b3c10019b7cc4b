Fp16ToFp32.v
Fp32Add.v
Fp32ToFp16.v
SyncFifo_w33_d12.v
ResidualAdd_l2_fp16.v
