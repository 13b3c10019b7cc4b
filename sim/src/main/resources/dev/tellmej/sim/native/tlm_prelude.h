// TeLLMe-J simulation builds force-include this file into every C++ file they compile
// (-include tlm_prelude.h), Verilator's runtime included, so that:
//  - $stop, $fatal, failed assertions and Verilator's own fatal errors reach tlm_runtime.h's handlers,
//    which unwind to the exported entry point instead of aborting the JVM that loaded the model;
//  - everything the design prints goes through tlm_vl_printf, which keeps the last lines for the
//    exception message as well as writing them to stdout.
#ifndef TLM_PRELUDE_H
#define TLM_PRELUDE_H

#define VL_USER_STOP 1
#define VL_USER_FATAL 1
#define VL_USER_FINISH 1

#ifdef __cplusplus
extern "C"
#endif
    int
    tlm_vl_printf(const char* format, ...) __attribute__((format(printf, 1, 2)));

#define VL_PRINTF tlm_vl_printf

#endif  // TLM_PRELUDE_H
