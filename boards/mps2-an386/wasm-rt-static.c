/* The wasm2c runtime (wabt 1.0.32's wasm-rt.h API) for bare metal, in place of wabt's
 * wasm-rt-impl.c, which needs mmap, signals and malloc. Here:
 * - linear memory is one static region of WASM_MEMORY_PAGES pages (the Makefile reads the
 *   module's declared size from the wasm2c output); it never grows past what was reserved;
 * - bounds are checked by the generated code (32-bit targets: WASM_RT_MEMCHECK_SIGNAL_HANDLER 0)
 *   and call depth by WASM_RT_USE_STACK_DEPTH_COUNT, so a trap is a longjmp back to core_run();
 * - function types are kept in a fixed table; tables of the module (Petrel has none) come from a
 *   small static pool; exceptions (not used by Petrel) get only the entry points the header
 *   declares. Nothing here allocates after init. */
#include <stdarg.h>
#include <string.h>

#include "wasm-rt-impl.h"
#include "wasm_info.h" /* WASM_MEMORY_PAGES */

#ifndef WASM_MEMORY_PAGES
#error "WASM_MEMORY_PAGES: the module's memory size in 64 KiB pages"
#endif
#define PAGE 65536u
#define MAX_FUNC_TYPES 64
#define MAX_TYPE_VALUES 256
#define TABLE_POOL 256

static uint8_t memory_region[WASM_MEMORY_PAGES * PAGE] __attribute__((aligned(8)));
static int memory_taken;

#if WASM_RT_USE_STACK_DEPTH_COUNT
uint32_t wasm_rt_call_stack_depth;
uint32_t wasm_rt_saved_call_stack_depth;
#endif
jmp_buf wasm_rt_jmp_buf;
static jmp_buf *unwind_target;

void wasm_rt_trap(wasm_rt_trap_t code) {
#if WASM_RT_USE_STACK_DEPTH_COUNT
  wasm_rt_call_stack_depth = wasm_rt_saved_call_stack_depth;
#endif
  longjmp(wasm_rt_jmp_buf, code);
}

void wasm_rt_init(void) {}
bool wasm_rt_is_initialized(void) { return true; }
void wasm_rt_free(void) {}

/* Function types: (params, results) kept as runs in one array; equal signatures share an index. */
static struct { uint32_t params, results, at; } types[MAX_FUNC_TYPES];
static wasm_rt_type_t type_values[MAX_TYPE_VALUES];
static uint32_t n_types, n_values;

uint32_t wasm_rt_register_func_type(uint32_t param_count, uint32_t result_count, ...) {
  wasm_rt_type_t sig[32];
  uint32_t n = param_count + result_count;
  if (n > 32) wasm_rt_trap(WASM_RT_TRAP_EXHAUSTION);
  va_list ap;
  va_start(ap, result_count);
  for (uint32_t i = 0; i < n; i++) sig[i] = (wasm_rt_type_t)va_arg(ap, int);
  va_end(ap);
  for (uint32_t i = 0; i < n_types; i++)
    if (types[i].params == param_count && types[i].results == result_count &&
        !memcmp(&type_values[types[i].at], sig, n * sizeof sig[0]))
      return i + 1;
  if (n_types == MAX_FUNC_TYPES || n_values + n > MAX_TYPE_VALUES) wasm_rt_trap(WASM_RT_TRAP_EXHAUSTION);
  memcpy(&type_values[n_values], sig, n * sizeof sig[0]);
  types[n_types].params = param_count;
  types[n_types].results = result_count;
  types[n_types].at = n_values;
  n_values += n;
  return ++n_types;
}

/* Exceptions: Petrel's module uses none; these satisfy the header. */
static uint32_t exc_tag, exc_size;
uint32_t wasm_rt_register_tag(uint32_t size) { (void)size; static uint32_t n; return n++; }
void wasm_rt_load_exception(uint32_t tag, uint32_t size, const void *values) { (void)values; exc_tag = tag; exc_size = size; }
WASM_RT_NO_RETURN void wasm_rt_throw(void) { longjmp(*unwind_target, WASM_RT_TRAP_UNCAUGHT_EXCEPTION); }
WASM_RT_UNWIND_TARGET *wasm_rt_get_unwind_target(void) { return unwind_target; }
void wasm_rt_set_unwind_target(WASM_RT_UNWIND_TARGET *target) { unwind_target = target; }
uint32_t wasm_rt_exception_tag(void) { return exc_tag; }
uint32_t wasm_rt_exception_size(void) { return exc_size; }
void *wasm_rt_exception(void) { return NULL; }

/* Linear memory: the static region, once. A module asking for more than was reserved, or a
 * second instance, is a build mismatch: trap (core_run() turns it into a fault). */
void wasm_rt_allocate_memory(wasm_rt_memory_t *memory, uint32_t initial_pages, uint32_t max_pages) {
  if (memory_taken || initial_pages > WASM_MEMORY_PAGES) wasm_rt_trap(WASM_RT_TRAP_OOB);
  memory_taken = 1;
  memset(memory_region, 0, initial_pages * PAGE);
  memory->data = memory_region;
  memory->size = initial_pages * PAGE;
  memory->pages = initial_pages;
  memory->max_pages = max_pages < WASM_MEMORY_PAGES ? max_pages : WASM_MEMORY_PAGES;
}

uint32_t wasm_rt_grow_memory(wasm_rt_memory_t *memory, uint32_t delta) {
  uint32_t old = memory->pages;
  if (delta == 0) return old;
  if (old + delta < old || old + delta > memory->max_pages) return (uint32_t)-1;
  memset(memory->data + old * PAGE, 0, delta * PAGE);
  memory->pages = old + delta;
  memory->size = memory->pages * PAGE;
  return old;
}

void wasm_rt_free_memory(wasm_rt_memory_t *memory) { (void)memory; memory_taken = 0; }

/* Tables: carved from one static pool; they do not grow beyond their initial size. */
static uint8_t table_pool[TABLE_POOL * sizeof(wasm_rt_funcref_t)] __attribute__((aligned(8)));
static size_t table_used;

static void *table_take(size_t bytes) {
  if (table_used + bytes > sizeof table_pool) wasm_rt_trap(WASM_RT_TRAP_OOB);
  void *p = table_pool + table_used;
  table_used += (bytes + 7) & ~(size_t)7;
  memset(p, 0, bytes);
  return p;
}

void wasm_rt_allocate_funcref_table(wasm_rt_funcref_table_t *table, uint32_t elements, uint32_t max_elements) {
  table->data = table_take(elements * sizeof(wasm_rt_funcref_t));
  table->size = elements;
  table->max_size = elements < max_elements ? elements : max_elements;
}
void wasm_rt_free_funcref_table(wasm_rt_funcref_table_t *table) { (void)table; }
uint32_t wasm_rt_grow_funcref_table(wasm_rt_funcref_table_t *table, uint32_t delta, wasm_rt_funcref_t init) {
  (void)init;
  return delta == 0 ? table->size : (uint32_t)-1;
}
void wasm_rt_allocate_externref_table(wasm_rt_externref_table_t *table, uint32_t elements, uint32_t max_elements) {
  table->data = table_take(elements * sizeof(wasm_rt_externref_t));
  table->size = elements;
  table->max_size = elements < max_elements ? elements : max_elements;
}
void wasm_rt_free_externref_table(wasm_rt_externref_table_t *table) { (void)table; }
uint32_t wasm_rt_grow_externref_table(wasm_rt_externref_table_t *table, uint32_t delta, wasm_rt_externref_t init) {
  (void)init;
  return delta == 0 ? table->size : (uint32_t)-1;
}

const char *wasm_rt_strerror(wasm_rt_trap_t trap) {
  switch (trap) {
  case WASM_RT_TRAP_NONE: return "No error";
  case WASM_RT_TRAP_OOB: return "Out-of-bounds access in linear memory or a table";
  case WASM_RT_TRAP_EXHAUSTION: return "Call stack exhausted";
  case WASM_RT_TRAP_INT_OVERFLOW: return "Integer overflow on divide or truncation";
  case WASM_RT_TRAP_DIV_BY_ZERO: return "Integer divide by zero";
  case WASM_RT_TRAP_INVALID_CONVERSION: return "Conversion from NaN to integer";
  case WASM_RT_TRAP_UNREACHABLE: return "Unreachable instruction executed";
  case WASM_RT_TRAP_CALL_INDIRECT: return "Invalid call_indirect";
  case WASM_RT_TRAP_UNCAUGHT_EXCEPTION: return "Uncaught exception";
  }
  return "invalid trap code";
}
