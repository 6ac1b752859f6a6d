/* WAMR's platform layer for bare metal (boards/mps2-an386): one thread, no OS, no file system, no
 * heap. WAMR allocates from its own pool (Alloc_With_Pool, engine_wamr.c); linear memory comes
 * from a static region (os_mmap in mps2_platform.c). The shape follows WAMR's alios/riot ports. */
#ifndef _PLATFORM_INTERNAL_H
#define _PLATFORM_INTERNAL_H

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef BH_PLATFORM_MPS2
#define BH_PLATFORM_MPS2
#endif

#define BH_APPLET_PRESERVED_STACK_SIZE (2 * 1024)
#define BH_THREAD_DEFAULT_PRIORITY 0

/* one thread: the lock and thread types only satisfy the compiler */
typedef int korp_thread;
typedef int korp_tid;
typedef int korp_mutex;
typedef int korp_sem;
typedef int korp_cond;
typedef struct { int dummy; } korp_rwlock;

#define os_printf printf
#define os_vprintf vprintf

typedef int os_file_handle;
typedef void *os_dir_stream;
typedef int os_raw_file_handle;
typedef int os_poll_file_handle;
typedef unsigned int os_nfds_t;
typedef int os_timespec;

static inline os_file_handle os_get_invalid_handle(void) { return -1; }
/* the largest alignment WAMR's allocator may be asked for */
static inline int os_getpagesize(void) { return 4096; }

#endif
