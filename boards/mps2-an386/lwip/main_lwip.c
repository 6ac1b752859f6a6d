/* lwip-mps2: lwIP 2.1.3 (NO_SYS, raw API) on QEMU's mps2-an386 with the same board code and LAN9118
 * driver as the Petrel firmwares, serving echo (7), discard (9) and chargen (19) with the same
 * behaviour as boards/common/services.c. The benchmark peer of the Petrel firmwares; same command
 * line (args.h), same console lines (ready, status on 's', exit on 'q').
 *
 * One loop: frames from the RX FIFO into pool pbufs → netif input; lwIP's timers; with nothing to
 * do, WFI until a frame, console input or the next lwIP timeout. */
#include <stdio.h>
#include <string.h>

#include "lwip/etharp.h"
#include "lwip/init.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"

#include "args.h"
#include "board.h"
#include "lan9118.h"
#include "services.h"

static struct fw_args args;
static struct netif nif;
static uint8_t frame[LAN9118_FRAME_MAX + 8] __attribute__((aligned(4)));
static uint32_t tx_frames, tx_errors, rx_frames, rx_dropped;
static uint32_t rand_state;

u32_t sys_now(void) { return board_ms(); }
unsigned lwip_rand(void) { rand_state = rand_state * 1664525u + 1013904223u; return rand_state >> 8; }

/* ── netif ──────────────────────────────────────────────────────────────────────────────────── */
static err_t nif_output(struct netif *n, struct pbuf *p) {
  (void)n;
  if (p->tot_len > LAN9118_FRAME_MAX) { tx_errors++; return ERR_BUF; }
  const uint8_t *data = p->payload;
  if (p->next) data = pbuf_get_contiguous(p, frame, sizeof frame, p->tot_len, 0) ? frame : NULL;
  if (!data || lan9118_tx(data, p->tot_len) != 0) { tx_errors++; return ERR_IF; }
  tx_frames++;
  return ERR_OK;
}

static err_t nif_init(struct netif *n) {
  n->name[0] = 'e';
  n->name[1] = '0';
  n->output = etharp_output;
  n->linkoutput = nif_output;
  n->mtu = 1500;
  n->hwaddr_len = 6;
  memcpy(n->hwaddr, args.mac, 6);
  n->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET | NETIF_FLAG_LINK_UP;
  return ERR_OK;
}

static void nif_input(const uint8_t *f, int len) {
  struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);
  if (!p) { rx_dropped++; return; }
  pbuf_take(p, f, (u16_t)len);
  rx_frames++;
  if (nif.input(p, &nif) != ERR_OK) pbuf_free(p);
}

/* ── services (raw API) ─────────────────────────────────────────────────────────────────────── */
enum role { R_FREE = 0, R_ECHO, R_DISCARD, R_CHARGEN };
struct conn {
  enum role role;
  struct tcp_pcb *pcb;
  struct pbuf *pending; /* echo: received, not yet written */
  int eof;
  uint32_t pos;         /* chargen: offset in the period */
};
static struct conn conns[PETREL_CONNS];
static uint8_t chargen_block[CHARGEN_PERIOD];

static void conn_free(struct conn *c) {
  if (c->pending) pbuf_free(c->pending);
  memset(c, 0, sizeof *c);
}

static void conn_close(struct conn *c) {
  struct tcp_pcb *pcb = c->pcb;
  tcp_arg(pcb, NULL);
  tcp_recv(pcb, NULL);
  tcp_sent(pcb, NULL);
  tcp_err(pcb, NULL);
  conn_free(c);
  if (tcp_close(pcb) != ERR_OK) tcp_abort(pcb);
}

static void on_err(void *arg, err_t err) {
  (void)err;
  if (arg) conn_free(arg); /* the pcb is already gone */
}

static void echo_flush(struct conn *c) {
  while (c->pending) {
    struct pbuf *q = c->pending;
    if (q->len > tcp_sndbuf(c->pcb) || tcp_write(c->pcb, q->payload, q->len, TCP_WRITE_FLAG_COPY) != ERR_OK) break;
    c->pending = q->next;
    if (c->pending) pbuf_ref(c->pending);
    u16_t n = q->len;
    pbuf_free(q);
    tcp_recved(c->pcb, n); /* open the window only for what was passed on */
  }
  tcp_output(c->pcb);
  if (c->eof && !c->pending) conn_close(c);
}

static void chargen_fill(struct conn *c) {
  for (int r = 0; r < 32; r++) {
    u16_t room = tcp_sndbuf(c->pcb);
    if (room == 0 || tcp_sndqueuelen(c->pcb) >= TCP_SND_QUEUELEN - 1) break;
    uint32_t n = CHARGEN_PERIOD - c->pos;
    if (n > room) n = room;
    if (n > TCP_MSS) n = TCP_MSS;
    if (tcp_write(c->pcb, chargen_block + c->pos, (u16_t)n, 0 /* no copy: the block is static */) != ERR_OK) break;
    c->pos = (c->pos + n) % CHARGEN_PERIOD;
  }
  tcp_output(c->pcb);
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len) {
  (void)pcb; (void)len;
  struct conn *c = arg;
  if (c->role == R_ECHO) echo_flush(c);
  else if (c->role == R_CHARGEN) chargen_fill(c);
  return ERR_OK;
}

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err) {
  struct conn *c = arg;
  (void)err;
  if (!p) { /* the peer's FIN */
    if (c->role == R_ECHO) { c->eof = 1; echo_flush(c); }
    else conn_close(c);
    return ERR_OK;
  }
  if (c->role == R_ECHO) {
    if (c->pending) pbuf_cat(c->pending, p);
    else c->pending = p;
    echo_flush(c);
    return ERR_OK;
  }
  tcp_recved(pcb, p->tot_len); /* discard, and chargen's input */
  pbuf_free(p);
  return ERR_OK;
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err) {
  enum role role = (enum role)(uintptr_t)arg;
  if (err != ERR_OK || !pcb) return ERR_VAL;
  struct conn *c = NULL;
  for (int i = 0; i < PETREL_CONNS; i++)
    if (conns[i].role == R_FREE) { c = &conns[i]; break; }
  if (!c) { tcp_abort(pcb); return ERR_ABRT; }
  c->role = role;
  c->pcb = pcb;
  tcp_arg(pcb, c);
  tcp_recv(pcb, on_recv);
  tcp_sent(pcb, on_sent);
  tcp_err(pcb, on_err);
  if (role == R_ECHO) tcp_nagle_disable(pcb);
  if (role == R_CHARGEN) chargen_fill(c);
  return ERR_OK;
}

static int listen_on(int port, enum role role) {
  struct tcp_pcb *pcb = tcp_new();
  if (!pcb || tcp_bind(pcb, IP_ANY_TYPE, (u16_t)port) != ERR_OK) return -1;
  struct tcp_pcb *l = tcp_listen_with_backlog(pcb, TCP_DEFAULT_LISTEN_BACKLOG);
  if (!l) return -1;
  tcp_arg(l, (void *)(uintptr_t)role);
  tcp_accept(l, on_accept);
  return 0;
}

static int count_pcbs(void) {
  int n = 0;
  for (struct tcp_pcb *p = tcp_active_pcbs; p; p = p->next) n++;
  for (struct tcp_pcb *p = tcp_tw_pcbs; p; p = p->next) n++;
  return n;
}

static void print_status(const char *event) {
  const struct lan9118_stats *ls = lan9118_stats();
  char b[2][21];
  printf("{\"event\":\"%s\",\"connections\":%d,\"tx_frames\":%lu,\"tx_errors\":%lu,\"rx_frames\":%lu,"
         "\"ticks\":%s,\"idle_ticks\":%s,\"heap_after_init\":%lu,\"lan\":{\"rx_errors\":%lu,\"rx_too_long\":%lu,\"tx_busy\":%lu},\"counters\":[%lu]}\n",
         event, count_pcbs(), (unsigned long)tx_frames, (unsigned long)tx_errors, (unsigned long)rx_frames,
         services_u64(b[0], board_ticks()), services_u64(b[1], board_idle_ticks()), (unsigned long)board_heap_refused(),
         (unsigned long)ls->rx_errors, (unsigned long)ls->rx_too_long, (unsigned long)ls->tx_busy, (unsigned long)rx_dropped);
  fflush(stdout);
}

/* services.c's helper is not linked here (it needs the core): the same decimal formatting. */
const char *services_u64(char buf[21], uint64_t v) {
  char *p = buf + 20;
  *p = 0;
  do { *--p = (char)('0' + v % 10); v /= 10; } while (v);
  return p;
}

static int rx_pending(void) { return lan9118_rx_pending(); }

int main(void) {
  board_init();
  fw_args(&args, "lwip-mps2");
  rand_state = (uint32_t)args.seed ^ (uint32_t)(args.seed >> 32);
  if (lan9118_init(args.mac) != 0) {
    printf("{\"event\":\"error\",\"code\":\"ENODEV\",\"message\":\"lwip-mps2: no LAN9118 at 0x40200000\"}\n");
    return 1;
  }
  for (uint32_t i = 0; i < CHARGEN_PERIOD; i++) { /* RFC 864, as chargen_byte() in services.c */
    uint32_t line = i / 74, col = i % 74;
    chargen_block[i] = col == 72 ? '\r' : col == 73 ? '\n' : (uint8_t)(32 + (line + col) % 95);
  }
  lwip_init();
  ip4_addr_t ip, mask, gw;
  ip4_addr_set_u32(&ip, lwip_htonl(args.ip));
  ip4_addr_set_u32(&mask, lwip_htonl(args.prefix == 32 ? 0xFFFFFFFFu : ~(0xFFFFFFFFu >> args.prefix)));
  ip4_addr_set_u32(&gw, lwip_htonl(args.gw));
  netif_add(&nif, &ip, &mask, &gw, NULL, nif_init, ethernet_input);
  netif_set_default(&nif);
  netif_set_up(&nif);
  static const struct { unsigned bit; int port; enum role role; } svc[] = {
    { SVC_ECHO, 7, R_ECHO }, { SVC_DISCARD, 9, R_DISCARD }, { SVC_CHARGEN, 19, R_CHARGEN },
  };
  for (unsigned i = 0; i < 3; i++)
    if ((args.services & svc[i].bit) && listen_on(svc[i].port, svc[i].role) != 0) {
      printf("{\"event\":\"error\",\"code\":\"ELISTEN\",\"message\":\"lwip-mps2: listen %d failed\"}\n", svc[i].port);
      return 1;
    }
  const uint8_t *m = args.mac;
  printf("{\"event\":\"ready\",\"tap\":\"%s\",\"ip\":\"%u.%u.%u.%u/%d\",\"mac\":\"%02x:%02x:%02x:%02x:%02x:%02x\","
         "\"wasm_sha256\":\"\",\"memory\":0,\"engine\":\"lwip-2.1.3\",\"board\":\"mps2-an386\",\"config\":[%d,%d,%d,%d,%d]}\n",
         args.tap, (unsigned)(args.ip >> 24), (unsigned)(args.ip >> 16) & 255, (unsigned)(args.ip >> 8) & 255, (unsigned)args.ip & 255,
         args.prefix, m[0], m[1], m[2], m[3], m[4], m[5], MEMP_NUM_TCP_PCB, MEMP_NUM_TCP_PCB_LISTEN, TCP_WND, TCP_SND_BUF, 1500);
  fflush(stdout);
  board_seal_heap(); /* init is over: no allocation from here on */

  for (;;) {
    int got = 0;
    for (int k = 0; k < 32; k++) {
      int len = lan9118_rx(frame);
      if (len == 0) break;
      got = 1;
      if (len > 0) nif_input(frame, len);
    }
    sys_check_timeouts();
    int c = fw_console();
    if (c == 's') print_status("status");
    if (c == 'q') break;
    if (got) continue;
    u32_t sleep = sys_timeouts_sleeptime();
    board_wait(sleep > 1000 ? 1000 : sleep, rx_pending);
  }
  print_status("exit");
  return 0;
}
