SyncFifo_w1_d4.v
SyncFifo_w66_d128.v
AxiBurstReader_w64_b32_o4.v
Fp32Mul.v
SyncFifo_w32_d8.v
SyncFifo_w32_d32.v
Int32ToFp32.v
LmHeadUnit_p2_w64_c256_r1024.v
