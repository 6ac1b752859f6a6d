/* Stub of WAMR's core/iwasm/include/wasm_export.h (WAMR 2.x, as in espressif/wasm-micro-runtime
 * 2.4.x): the embedding API the port uses, same names, types and signatures. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "lib_export.h"

struct WASMModuleCommon;
typedef struct WASMModuleCommon *wasm_module_t;
struct WASMModuleInstanceCommon;
typedef struct WASMModuleInstanceCommon *wasm_module_inst_t;
typedef void WASMFunctionInstanceCommon;
typedef WASMFunctionInstanceCommon *wasm_function_inst_t;
struct WASMExecEnv;
typedef struct WASMExecEnv *wasm_exec_env_t;

typedef enum { Alloc_With_Pool = 0, Alloc_With_Allocator, Alloc_With_System_Allocator } mem_alloc_type_t;

typedef union MemAllocOption {
    struct {
        void *heap_buf;
        uint32_t heap_size;
    } pool;
    struct {
        void *malloc_func;
        void *realloc_func;
        void *free_func;
        void *user_data;
    } allocator;
} MemAllocOption;

typedef enum RunningMode { Mode_Interp = 1, Mode_Fast_JIT, Mode_LLVM_JIT, Mode_Multi_Tier_JIT } RunningMode;

typedef struct RuntimeInitArgs {
    mem_alloc_type_t mem_alloc_type;
    MemAllocOption mem_alloc_option;
    const char *native_module_name;
    NativeSymbol *native_symbols;
    uint32_t n_native_symbols;
    uint32_t max_thread_num;
    char ip_addr[128];
    int unused;
    int instance_port;
    uint32_t fast_jit_code_cache_size;
    uint32_t gc_heap_size;
    RunningMode running_mode;
    uint32_t llvm_jit_opt_level;
    uint32_t llvm_jit_size_level;
    uint32_t segue_flags;
    bool enable_linux_perf;
} RuntimeInitArgs;

bool wasm_runtime_full_init(RuntimeInitArgs *init_args);
void wasm_runtime_destroy(void);
void *wasm_runtime_malloc(unsigned int size);
void wasm_runtime_free(void *ptr);
bool wasm_runtime_register_natives(const char *module_name, NativeSymbol *native_symbols, uint32_t n_native_symbols);
wasm_module_t wasm_runtime_load(uint8_t *buf, uint32_t size, char *error_buf, uint32_t error_buf_size);
void wasm_runtime_unload(wasm_module_t module);
wasm_module_inst_t wasm_runtime_instantiate(const wasm_module_t module, uint32_t default_stack_size,
                                            uint32_t host_managed_heap_size, char *error_buf, uint32_t error_buf_size);
void wasm_runtime_deinstantiate(wasm_module_inst_t module_inst);
wasm_function_inst_t wasm_runtime_lookup_function(const wasm_module_inst_t module_inst, const char *name);
wasm_exec_env_t wasm_runtime_create_exec_env(wasm_module_inst_t module_inst, uint32_t stack_size);
void wasm_runtime_destroy_exec_env(wasm_exec_env_t exec_env);
bool wasm_runtime_init_thread_env(void);
wasm_module_inst_t wasm_runtime_get_module_inst(wasm_exec_env_t exec_env);
bool wasm_runtime_call_wasm(wasm_exec_env_t exec_env, wasm_function_inst_t function, uint32_t argc, uint32_t argv[]);
const char *wasm_runtime_get_exception(wasm_module_inst_t module_inst);
void wasm_runtime_set_exception(wasm_module_inst_t module_inst, const char *exception);
void *wasm_runtime_addr_app_to_native(wasm_module_inst_t module_inst, uint64_t app_offset);
bool wasm_runtime_validate_app_addr(wasm_module_inst_t module_inst, uint64_t app_offset, uint64_t size);
