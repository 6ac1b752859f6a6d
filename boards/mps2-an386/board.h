/* The board under every firmware of boards/mps2-an386: QEMU's mps2-an386 (Cortex-M4, 25 MHz,
 * the AN385 layout). Console on CMSDK UART0, a 64-bit tick count from CMSDK TIMER0, the wait for
 * an interrupt (SysTick as the wake-up alarm), the command line from semihosting. No heap is used
 * after init; nothing here allocates. */
#ifndef PETREL_MPS2_BOARD_H
#define PETREL_MPS2_BOARD_H

#include <stdint.h>

#define BOARD_HZ 25000000u          /* system clock: TIMER0 and SysTick count at this rate */
#define TICKS_PER_MS (BOARD_HZ / 1000u)

#define REG32(addr) (*(volatile uint32_t *)(addr))

void board_init(void);
/* Ticks of the 25 MHz clock since boot (64-bit; call at least every 171 s). */
uint64_t board_ticks(void);
/* Milliseconds since boot, truncated to 32 bits (the core compares with wrap-around). */
uint32_t board_ms(void);
/* Ticks spent asleep in board_wait() since boot: under -icount shift=0 the rest, times 40, is
 * the number of instructions executed. */
uint64_t board_idle_ticks(void);

/* Sleep until an interrupt (Ethernet frame, console input) or for at most `ms`, unless `ready()`
 * says there is work already (checked with interrupts masked, so no wake-up is lost). */
void board_wait(uint32_t ms, int (*ready)(void));

/* One byte from the console, or -1. */
int board_getc(void);

/* The semihosting command line (QEMU: -semihosting-config enable=on,arg=…), split at spaces
 * into at most `max` words; argc, or 0 when there is none. */
int board_args(char **argv, int max);

/* Init is over: from now on every malloc fails and is counted (board_heap_refused()). */
void board_seal_heap(void);
uint32_t board_heap_refused(void);

/* End the emulation (semihosting SYS_EXIT): status 0 is success. */
void board_exit(int status) __attribute__((noreturn));

/* IRQ numbers of the AN385 layout. */
#define IRQ_UART0_RX 0
#define IRQ_ETHERNET 13

#endif
