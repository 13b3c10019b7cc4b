Fp32Mul.v
Fp32Add.v
FpScale2_n10.v
Fp16ToFp32.v
Fp32Mul_fp16.v
Fp32ToInt8.v
SyncFifo_w161_d13_head.v
Quantizer_l16_fp16.v
