/* Startup and the board services of board.h for QEMU's mps2-an386: the vector table, the reset
 * handler (copy .data, zero .bss, call main), the newlib system calls the console needs (stdout on
 * UART0; a bounded heap for newlib's own init-time buffers), TIMER0 as the clock, SysTick as the
 * wake-up alarm of board_wait(), and semihosting for the command line and the exit status.
 *
 * Interrupts: an IRQ handler only masks its line in the NVIC (so a level-triggered source does not
 * fire again); board_wait() unmasks the lines, checks for work with PRIMASK set and sleeps with WFI,
 * which a pending unmasked interrupt ends even while PRIMASK holds it off. All real work happens in
 * the main loop: no code runs concurrently with the core. */
#include <errno.h>
#include <reent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "board.h"

/* ── registers ──────────────────────────────────────────────────────────────────────────────── */
#define UART0          0x40004000u
#define UART_DATA      REG32(UART0 + 0x00)
#define UART_STATE     REG32(UART0 + 0x04)  /* bit 0 TX full, bit 1 RX full */
#define UART_CTRL      REG32(UART0 + 0x08)  /* bit 0 TX enable, 1 RX enable, 3 RX interrupt */
#define UART_INTSTATUS REG32(UART0 + 0x0C)  /* write 1 to clear; bit 1 RX */
#define UART_BAUDDIV   REG32(UART0 + 0x10)

#define TIMER0         0x40000000u
#define TIMER_CTRL     REG32(TIMER0 + 0x00)
#define TIMER_VALUE    REG32(TIMER0 + 0x04)
#define TIMER_RELOAD   REG32(TIMER0 + 0x08)

#define SYST_CSR       REG32(0xE000E010u)
#define SYST_RVR       REG32(0xE000E014u)
#define SYST_CVR       REG32(0xE000E018u)
#define SCB_ICSR       REG32(0xE000ED04u)
#define SCB_CFSR       REG32(0xE000ED28u)
#define NVIC_ISER0     REG32(0xE000E100u)
#define NVIC_ICER0     REG32(0xE000E180u)
#define ICSR_PENDSTCLR (1u << 25)

#define IRQ_MASK ((1u << IRQ_UART0_RX) | (1u << IRQ_ETHERNET))

/* ── vectors and reset ──────────────────────────────────────────────────────────────────────── */
extern uint32_t __data_start, __data_end, __data_load, __bss_start, __bss_end, __stack_top;
extern uint8_t __heap_start, __heap_end;
int main(void);
void reset_handler(void);
static void fault_handler(void);
static void irq_handler(void);
static void systick_handler(void);
static void spin_handler(void) { for (;;) {} }

__attribute__((section(".vectors"), used)) static void (*const vectors[16 + 32])(void) = {
  (void (*)(void))&__stack_top, reset_handler, spin_handler /* NMI */, fault_handler /* HardFault */,
  fault_handler /* MemManage */, fault_handler /* BusFault */, fault_handler /* UsageFault */, 0, 0, 0, 0,
  spin_handler /* SVC */, spin_handler /* DebugMon */, 0, spin_handler /* PendSV */, systick_handler,
  [16 ... 16 + 31] = irq_handler,
};

void reset_handler(void) {
  uint32_t *src = &__data_load, *dst = &__data_start;
  while (dst < &__data_end) *dst++ = *src++;
  for (dst = &__bss_start; dst < &__bss_end; dst++) *dst = 0;
  board_exit(main());
}

static void irq_handler(void) {
  uint32_t ipsr;
  __asm volatile("mrs %0, ipsr" : "=r"(ipsr));
  uint32_t irq = (ipsr & 0x1ff) - 16;
  if (irq < 32) NVIC_ICER0 = 1u << irq; /* board_wait() unmasks it again */
}

static void systick_handler(void) { SYST_CSR = 0; }

static void uart_putc(char c) {
  while (UART_STATE & 1u) {}
  UART_DATA = (uint8_t)c;
}

static void uart_puts(const char *s) { while (*s) uart_putc(*s++); }

/* The stacked frame (r0-r3, r12, lr, pc, xpsr) is at MSP on entry: a naked entry passes it on. */
__attribute__((naked)) static void fault_handler(void) {
  __asm volatile("mrs r0, msp\n b fault_report");
}

__attribute__((used, noreturn)) void fault_report(uint32_t *sp);
void fault_report(uint32_t *sp) {
  uint32_t ipsr;
  __asm volatile("mrs %0, ipsr" : "=r"(ipsr));
  char line[128];
  snprintf(line, sizeof line, "{\"event\":\"fault\",\"exception\":%lu,\"cfsr\":%lu,\"pc\":%lu}\n",
           (unsigned long)(ipsr & 0x1ff), (unsigned long)SCB_CFSR, (unsigned long)sp[6]);
  uart_puts(line);
  board_exit(70);
}

/* ── board.h ────────────────────────────────────────────────────────────────────────────────── */
static uint32_t tick_last, tick_high;
static uint64_t idle_ticks;

void board_init(void) {
  UART_BAUDDIV = 16;
  UART_CTRL = 1u | 2u | 8u;
  TIMER_RELOAD = 0xFFFFFFFFu;
  TIMER_VALUE = 0xFFFFFFFFu;
  TIMER_CTRL = 1u;
  static char stdout_buf[256];
  setvbuf(stdout, stdout_buf, _IOLBF, sizeof stdout_buf);
}

uint64_t board_ticks(void) {
  uint32_t now = ~TIMER_VALUE;          /* TIMER0 counts down from 2^32-1 */
  if (now < tick_last) tick_high++;
  tick_last = now;
  return (uint64_t)tick_high << 32 | now;
}

uint32_t board_ms(void) { return (uint32_t)(board_ticks() / TICKS_PER_MS); }
uint64_t board_idle_ticks(void) { return idle_ticks; }

void board_wait(uint32_t ms, int (*ready)(void)) {
  __asm volatile("cpsid i" ::: "memory");
  UART_INTSTATUS = 2u;                  /* the RX interrupt is re-raised by the next byte */
  NVIC_ISER0 = IRQ_MASK;
  if ((UART_STATE & 2u) || (ready && ready())) {
    __asm volatile("cpsie i" ::: "memory");
    return;
  }
  uint64_t t = (uint64_t)ms * TICKS_PER_MS;
  if (t > 0xFFFFFFu) t = 0xFFFFFFu;     /* SysTick is 24 bits: at most 671 ms a nap */
  if (t < 2) t = 2;
  SYST_RVR = (uint32_t)t - 1;
  SYST_CVR = 0;
  SYST_CSR = 7u;                        /* enable, interrupt, processor clock */
  uint64_t t0 = board_ticks();
  __asm volatile("dsb\n wfi" ::: "memory");
  idle_ticks += board_ticks() - t0;
  SYST_CSR = 0;
  SCB_ICSR = ICSR_PENDSTCLR;
  __asm volatile("cpsie i" ::: "memory"); /* pending handlers run here and mask their lines */
}

int board_getc(void) { return (UART_STATE & 2u) ? (int)(UART_DATA & 0xFF) : -1; }

/* ARM semihosting: BKPT 0xAB with the operation in r0 and its argument block in r1. */
static int semihost(int op, void *arg) {
  register int r0 __asm("r0") = op;
  register void *r1 __asm("r1") = arg;
  __asm volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

int board_args(char **argv, int max) {
  static char cmdline[512];
  struct { char *buf; int len; } block = { cmdline, sizeof cmdline - 1 };
  if (semihost(0x15 /* SYS_GET_CMDLINE */, &block) != 0) return 0;
  cmdline[block.len < (int)sizeof cmdline ? block.len : (int)sizeof cmdline - 1] = 0;
  int argc = 0;
  for (char *p = cmdline; *p && argc < max;) {
    while (*p == ' ') *p++ = 0;
    if (!*p) break;
    argv[argc++] = p;
    while (*p && *p != ' ') p++;
  }
  return argc;
}

void board_exit(int status) {
  fflush(stdout);
  for (;;) semihost(0x18 /* SYS_EXIT */, (void *)(status == 0 ? 0x20026 /* ApplicationExit */ : 0x20023 /* RunTimeErrorUnknown */));
}

/* ── newlib system calls ────────────────────────────────────────────────────────────────────── */
int _write(int fd, const char *buf, int len) {
  (void)fd;
  for (int i = 0; i < len; i++) uart_putc(buf[i]);
  return len;
}
int _read(int fd, char *buf, int len) { (void)fd; (void)buf; (void)len; return 0; }
int _close(int fd) { (void)fd; return -1; }
int _lseek(int fd, int off, int whence) { (void)fd; (void)off; (void)whence; return 0; }
int _isatty(int fd) { (void)fd; return 1; }
int _fstat(int fd, struct stat *st) { (void)fd; memset(st, 0, sizeof *st); st->st_mode = S_IFCHR; return 0; }
int _getpid(void) { return 1; }
int _kill(int pid, int sig) { (void)pid; (void)sig; errno = EINVAL; return -1; }
void _exit(int status) { board_exit(status); }
void *_sbrk(int incr) { (void)incr; errno = ENOMEM; return (void *)-1; } /* the allocator below owns the heap */

/* ── the heap: init only ────────────────────────────────────────────────────────────────────────
 * newlib's allocator is replaced (malloc, free, realloc, calloc and their _r forms, which newlib's
 * own code calls): a bump allocator over mps2.ld's 16 KiB heap that serves only until
 * board_seal_heap(); after it every request fails (NULL) and is counted, so a status line shows any
 * allocation after init (the tests expect none). free() gives nothing back. */
static uint8_t *heap_brk = &__heap_start;
static int heap_sealed;
static uint32_t heap_refused;

void board_seal_heap(void) { heap_sealed = 1; }
uint32_t board_heap_refused(void) { return heap_refused; }

void *_malloc_r(struct _reent *r, size_t n) {
  (void)r;
  size_t need = ((n + 7) & ~(size_t)7) + 8;             /* 8-byte header: the size, for realloc */
  if (heap_sealed || need > (size_t)(&__heap_end - heap_brk)) { heap_refused++; errno = ENOMEM; return NULL; }
  *(size_t *)(void *)heap_brk = n;
  void *p = heap_brk + 8;
  heap_brk += need;
  return p;
}
void _free_r(struct _reent *r, void *p) { (void)r; (void)p; }
void *_realloc_r(struct _reent *r, void *p, size_t n) {
  void *q = _malloc_r(r, n);
  if (q && p) {
    size_t old = *(size_t *)(void *)((uint8_t *)p - 8);
    memcpy(q, p, old < n ? old : n);
  }
  return q;
}
void *_calloc_r(struct _reent *r, size_t a, size_t b) {
  if (b && a > (size_t)-1 / b) { heap_refused++; return NULL; }
  void *p = _malloc_r(r, a * b);
  if (p) memset(p, 0, a * b);
  return p;
}
void *malloc(size_t n) { return _malloc_r(_REENT, n); }
void free(void *p) { _free_r(_REENT, p); }
void *realloc(void *p, size_t n) { return _realloc_r(_REENT, p, n); }
void *calloc(size_t a, size_t b) { return _calloc_r(_REENT, a, b); }
