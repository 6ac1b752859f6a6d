/* Stub of WAMR's core/iwasm/include/lib_export.h (WAMR 2.x): NativeSymbol. */
#pragma once
#include <stdint.h>

typedef struct NativeSymbol {
    const char *symbol;
    void *func_ptr;
    const char *signature;
    /* attachment which can be retrieved in native API by calling
       wasm_runtime_get_function_attachment(exec_env) */
    void *attachment;
} NativeSymbol;
