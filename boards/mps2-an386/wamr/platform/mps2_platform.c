/* WAMR's os_* functions for the mps2-an386 firmware (see platform_internal.h). */
#include "platform_api_vmcore.h"
#include "platform_api_extension.h"

#include "board.h"

#ifndef PETREL_WAMR_MMAP_SIZE
#define PETREL_WAMR_MMAP_SIZE (320 * 1024 + 8192) /* the default profile's 320 KiB linear memory + 8 KiB */
#endif

/* os_mmap: a bump allocator over one static region (linear memory is mapped once, at
 * instantiation); os_munmap gives back only the latest mapping. */
static uint8_t mmap_region[PETREL_WAMR_MMAP_SIZE] __attribute__((aligned(8)));
static size_t mmap_used;

int bh_platform_init(void) { return 0; }
void bh_platform_destroy(void) {}

/* No heap: WAMR takes everything from its pool. */
void *os_malloc(unsigned size) { (void)size; return NULL; }
void *os_realloc(void *ptr, unsigned size) { (void)ptr; (void)size; return NULL; }
void os_free(void *ptr) { (void)ptr; }

int os_dumps_proc_mem_info(char *out, unsigned int size) { (void)out; (void)size; return -1; }

uint64 os_time_get_boot_us(void) { return board_ticks() / (BOARD_HZ / 1000000u); }
uint64 os_time_thread_cputime_us(void) { return os_time_get_boot_us(); }

korp_tid os_self_thread(void) { return 1; }
uint8 *os_thread_get_stack_boundary(void) { return NULL; }
void os_thread_jit_write_protect_np(bool enabled) { (void)enabled; }

int os_mutex_init(korp_mutex *mutex) { *mutex = 0; return BHT_OK; }
int os_mutex_destroy(korp_mutex *mutex) { (void)mutex; return BHT_OK; }
int os_mutex_lock(korp_mutex *mutex) { (void)mutex; return BHT_OK; }
int os_mutex_unlock(korp_mutex *mutex) { (void)mutex; return BHT_OK; }

void *os_mmap(void *hint, size_t size, int prot, int flags, os_file_handle file) {
  (void)hint; (void)prot; (void)flags; (void)file;
  size = (size + 7) & ~(size_t)7;
  if (size > sizeof mmap_region - mmap_used) return NULL;
  void *p = mmap_region + mmap_used;
  mmap_used += size;
  memset(p, 0, size);
  return p;
}

void os_munmap(void *addr, size_t size) {
  size = (size + 7) & ~(size_t)7;
  if ((uint8_t *)addr + size == mmap_region + mmap_used) mmap_used -= size;
}

int os_mprotect(void *addr, size_t size, int prot) { (void)addr; (void)size; (void)prot; return 0; }

void *os_mremap(void *old_addr, size_t old_size, size_t new_size) {
  if ((uint8_t *)old_addr + ((old_size + 7) & ~(size_t)7) == mmap_region + mmap_used) { /* the latest: grow in place */
    size_t extra = ((new_size + 7) & ~(size_t)7) - ((old_size + 7) & ~(size_t)7);
    if (new_size <= old_size) return old_addr;
    if (extra > sizeof mmap_region - mmap_used) return NULL;
    memset(mmap_region + mmap_used, 0, extra);
    mmap_used += extra;
    return old_addr;
  }
  return NULL;
}

void os_dcache_flush(void) {}
void os_icache_flush(void *start, size_t len) { (void)start; (void)len; }
os_raw_file_handle os_invalid_raw_handle(void) { return -1; }
