Fp32Mul.v
SyncFifo_w32_d18.v
Int32ToFp32.v
SyncFifo_w65_d12.v
Dequantizer_l2.v
