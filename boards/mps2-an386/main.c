/* petrel-mps2: the Petrel core on QEMU's mps2-an386 (Cortex-M4) with its LAN9220 Ethernet, behind
 * boards/common/core.h (wasm2c: the module as Thumb-2 code; WAMR: the module in flash, interpreted)
 * and the services shared with the other C boards.
 *
 * One loop: take up to 32 frames from the RX FIFO (rx(len, now) each), poll(now), let the services
 * move data; with nothing to do, sleep in WFI until a frame, console input or the core's next
 * deadline. Console (UART0): JSON lines like petrel-linux ({"event":"ready",…}, status on 's',
 * {"event":"exit",…} on 'q'). The status line adds the board's clock: ticks (25 MHz) since boot and
 * idle_ticks spent in WFI; under -icount shift=0, (ticks - idle_ticks) × 40 = instructions. */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "board.h"
#include "core.h"
#include "lan9118.h"
#include "services.h"

#ifdef PETREL_WASM_EMBED
extern const uint8_t petrel_wasm[];
extern const uint32_t petrel_wasm_len;
#endif

static struct fw_args args;
#ifdef MPS2_PROFILE /* where the busy ticks go: driver rx, core rx, poll, services */
static uint64_t prof[4];
#define PROF(i, stmt) do { uint64_t t_ = board_ticks(); stmt; prof[i] += board_ticks() - t_; } while (0)
#else
#define PROF(i, stmt) stmt
#endif
static uint8_t frame[LAN9118_FRAME_MAX + 8] __attribute__((aligned(4)));

static int lan_tx(void *ctx, const uint8_t *f, uint32_t len) {
  (void)ctx;
  return lan9118_tx(f, len);
}

static void print_status(const char *event) {
  const struct core_link_stats *st = core_stats();
  const struct lan9118_stats *ls = lan9118_stats();
  char b[5][21];
  printf("{\"event\":\"%s\",\"connections\":%d,\"tx_frames\":%s,\"tx_errors\":%s,\"rx_frames\":%s,"
         "\"ticks\":%s,\"idle_ticks\":%s,\"heap_after_init\":%lu,\"lan\":{\"rx_errors\":%lu,\"rx_too_long\":%lu,\"tx_busy\":%lu},\"counters\":[",
         event, (int)core_connections(), services_u64(b[0], st->tx_frames), services_u64(b[1], st->tx_errors),
         services_u64(b[2], st->rx_frames), services_u64(b[3], board_ticks()), services_u64(b[4], board_idle_ticks()), (unsigned long)board_heap_refused(),
         (unsigned long)ls->rx_errors, (unsigned long)ls->rx_too_long, (unsigned long)ls->tx_busy);
  for (int i = 0, n = core_counter_count(); i < n; i++) printf("%s%lu", i ? "," : "", (unsigned long)core_counter(i));
#ifdef MPS2_PROFILE
  printf("],\"prof\":[%lu,%lu,%lu,%lu", (unsigned long)prof[0], (unsigned long)prof[1], (unsigned long)prof[2], (unsigned long)prof[3]);
#endif
  printf("]}\n");
  fflush(stdout);
}

static int run_board(void *arg) {
  (void)arg;
  if (core_init(args.mac, args.ip, args.prefix, args.gw, args.seed) != 0) {
    printf("{\"event\":\"error\",\"code\":\"EINIT\",\"message\":\"petrel-mps2: init failed\"}\n");
    return 1;
  }
  if (args.services && services_listen(args.services) != 0) return 1;
  uint32_t ip = args.ip;
  const uint8_t *m = args.mac;
  printf("{\"event\":\"ready\",\"tap\":\"%s\",\"ip\":\"%u.%u.%u.%u/%d\",\"mac\":\"%02x:%02x:%02x:%02x:%02x:%02x\","
         "\"wasm_sha256\":\"%s\",\"memory\":%lu,\"engine\":\"%s\",\"board\":\"mps2-an386\",\"config\":[",
         args.tap, (unsigned)(ip >> 24), (unsigned)(ip >> 16) & 255, (unsigned)(ip >> 8) & 255, (unsigned)ip & 255, args.prefix,
         m[0], m[1], m[2], m[3], m[4], m[5], core_wasm_sha256(), (unsigned long)core_mem_size(), core_engine());
  for (int i = 0; i < CFG_COUNT; i++) printf("%s%d", i ? "," : "", (int)core_config(i));
  printf("]}\n");
  fflush(stdout);
  board_seal_heap(); /* init is over: no allocation from here on */

  for (;;) {
    uint32_t now = board_ms();
    int got = 0;
    for (int k = 0; k < 32; k++) {               /* a bounded batch, then timers and services */
      int len;
      PROF(0, len = lan9118_rx(frame));
      if (len == 0) break;
      got = 1;
      if (len > 0) PROF(1, core_rx(frame, (size_t)len, now));
      if ((k & 7) == 7) PROF(3, services_run(board_ms())); /* keep the send side moving during bursts */
    }
    now = board_ms();
    int32_t next;
    PROF(2, next = core_poll(now));
    int busy;
    PROF(3, busy = services_run(now));
    int c = fw_console();
    if (c == 's') print_status("status");
    if (c == 'q') return 0;
    if (busy || got) continue;
    board_wait(next < 0 || next > 1000 ? 1000 : (uint32_t)next, lan9118_rx_pending);
  }
}

int main(void) {
  board_init();
  fw_args(&args, "petrel-mps2");
  if (lan9118_init(args.mac) != 0) {
    printf("{\"event\":\"error\",\"code\":\"ENODEV\",\"message\":\"petrel-mps2: no LAN9118 at 0x40200000\"}\n");
    return 1;
  }
  struct core_host host = { .tx = lan_tx, .ctx = NULL };
#ifdef PETREL_WASM_EMBED
  host.wasm = petrel_wasm;
  host.wasm_len = petrel_wasm_len;
  host.wasm_name = "flash:petrel.wasm";
#endif
  if (core_start(&host) != 0) {
    printf("{\"event\":\"error\",\"code\":\"ESTART\",\"message\":\"petrel-mps2: %s\"}\n", core_fault());
    return 1;
  }
  int rc = core_run(run_board, NULL);
  if (rc == CORE_FAULT) {
    printf("{\"event\":\"error\",\"code\":\"EFAULT\",\"message\":\"petrel-mps2: the core faulted: %s\"}\n", core_fault());
    print_status("trap");
    return 70;
  }
  print_status("exit");
  return rc;
}
