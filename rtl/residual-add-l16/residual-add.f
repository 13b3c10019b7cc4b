Fp16ToFp32.v
Fp32Add.v
Fp32ToFp16.v
SyncFifo_w257_d12.v
ResidualAdd_l16_fp16.v
