/* lwip-tap: lwIP (Debian's liblwip, 2.1.3) on a Linux TAP device with the raw API, serving echo
 * (7), discard (9) and chargen (19, RFC 864), for bench:tap's lwIP column. Not part of Petrel.
 *
 *   lwip-tap --tap NAME --ip ADDR/PREFIX
 *
 * Debian builds lwIP with NO_SYS=0 and core locking: tcpip_init() starts lwIP's thread (it runs
 * the timers); this thread reads frames from the TAP and hands each to the netif under the core
 * lock; every raw-API callback runs with the lock held. The netif is our own (lwIP's contrib
 * tapif overflows on large frames): linkoutput writes the frame to the fd in one
 * write(2). Prints {"event":"ready",...} on stdout once serving; SIGINT/SIGTERM end it. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lwip/init.h"
#include "lwip/tcpip.h"
#include "lwip/netif.h"
#include "lwip/etharp.h"
#include "lwip/tcp.h"
#include "lwip/pbuf.h"
#include "netif/ethernet.h"

static int tap_fd = -1;
static volatile sig_atomic_t stopping;
static void on_signal(int sig) { (void)sig; stopping = 1; }

static void die(const char *what, const char *arg) {
  fprintf(stderr, "lwip-tap: %s%s%s\n", what, arg ? ": " : "", arg ? arg : "");
  exit(2);
}

/* ── the netif ─────────────────────────────────────────────────────────────────────────── */
static err_t tap_linkoutput(struct netif *nif, struct pbuf *p) {
  (void)nif;
  unsigned char frame[1600];
  if (p->tot_len > sizeof frame) return ERR_BUF;
  const void *data = p->payload;
  if (p->len != p->tot_len) { /* a chain: flatten it */
    pbuf_copy_partial(p, frame, p->tot_len, 0);
    data = frame;
  }
  if (write(tap_fd, data, p->tot_len) < 0) return ERR_IF;
  return ERR_OK;
}

static uint8_t mac[6] = {0x02, 0x4c, 0, 0, 0, 0};

static err_t tap_netif_init(struct netif *nif) {
  nif->name[0] = 't';
  nif->name[1] = 'p';
  nif->output = etharp_output;
  nif->linkoutput = tap_linkoutput;
  nif->mtu = 1500;
  nif->hwaddr_len = 6;
  memcpy(nif->hwaddr, mac, 6);
  nif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET | NETIF_FLAG_LINK_UP;
  return ERR_OK;
}

/* ── services ──────────────────────────────────────────────────────────────────────────── */
enum { ECHO = 7, DISCARD = 9, CHARGEN = 19 };

/* Per connection: the service, echo's data not yet taken by the send buffer, chargen's offset. */
struct conn {
  int port;
  struct pbuf *pending;
  unsigned offset;
  int closing;
};

static char chargen_block[95 * 74];

static void conn_free(struct tcp_pcb *pcb, struct conn *c) {
  if (pcb) {
    tcp_arg(pcb, NULL);
    tcp_recv(pcb, NULL);
    tcp_sent(pcb, NULL);
    tcp_err(pcb, NULL);
    if (tcp_close(pcb) != ERR_OK) tcp_abort(pcb);
  }
  if (c) {
    if (c->pending) pbuf_free(c->pending);
    free(c);
  }
}

/* Echo: copy what fits into the send buffer; the rest waits for the sent callback. */
static void echo_flush(struct tcp_pcb *pcb, struct conn *c) {
  while (c->pending) {
    struct pbuf *p = c->pending;
    u16_t room = tcp_sndbuf(pcb);
    if (room == 0) break;
    u16_t n = p->len < room ? p->len : room;
    if (tcp_write(pcb, p->payload, n, TCP_WRITE_FLAG_COPY) != ERR_OK) break;
    tcp_recved(pcb, n);
    if (n == p->len) {
      c->pending = p->next;
      if (p->next) pbuf_ref(p->next);
      pbuf_free(p);
    } else {
      pbuf_remove_header(p, n);
    }
  }
  tcp_output(pcb);
  if (!c->pending && c->closing) conn_free(pcb, c);
}

static void chargen_fill(struct tcp_pcb *pcb, struct conn *c) {
  for (;;) {
    u16_t room = tcp_sndbuf(pcb);
    if (room < 512) break;
    unsigned n = sizeof chargen_block - c->offset;
    if (n > room) n = room;
    if (tcp_write(pcb, chargen_block + c->offset, (u16_t)n, TCP_WRITE_FLAG_COPY | TCP_WRITE_FLAG_MORE) != ERR_OK) break;
    c->offset = (c->offset + n) % sizeof chargen_block;
  }
  tcp_output(pcb);
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len) {
  (void)len;
  struct conn *c = arg;
  if (!c) return ERR_OK;
  if (c->port == ECHO) echo_flush(pcb, c);
  else if (c->port == CHARGEN && !c->closing) chargen_fill(pcb, c);
  return ERR_OK;
}

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err) {
  struct conn *c = arg;
  (void)err;
  if (!p) { /* the peer's FIN */
    if (c && c->port == ECHO && c->pending) {
      c->closing = 1;
      return ERR_OK;
    }
    conn_free(pcb, c);
    return ERR_OK;
  }
  if (c && c->port == ECHO) {
    if (c->pending) pbuf_cat(c->pending, p);
    else c->pending = p;
    echo_flush(pcb, c);
    return ERR_OK;
  }
  tcp_recved(pcb, p->tot_len); /* discard, and chargen's input */
  pbuf_free(p);
  return ERR_OK;
}

static void on_err(void *arg, err_t err) {
  (void)err;
  struct conn *c = arg; /* the pcb is already gone */
  if (c) {
    if (c->pending) pbuf_free(c->pending);
    free(c);
  }
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err) {
  if (err != ERR_OK || !pcb) return ERR_VAL;
  struct conn *c = calloc(1, sizeof *c);
  if (!c) return ERR_MEM;
  c->port = (int)(intptr_t)arg;
  tcp_arg(pcb, c);
  tcp_recv(pcb, on_recv);
  tcp_sent(pcb, on_sent);
  tcp_err(pcb, on_err);
  if (c->port == ECHO) tcp_nagle_disable(pcb);
  if (c->port == CHARGEN) chargen_fill(pcb, c);
  return ERR_OK;
}

static void listen_on(int port) {
  struct tcp_pcb *pcb = tcp_new();
  if (!pcb || tcp_bind(pcb, IP_ADDR_ANY, (u16_t)port) != ERR_OK) die("cannot bind", NULL);
  pcb = tcp_listen_with_backlog(pcb, 16);
  if (!pcb) die("cannot listen", NULL);
  tcp_arg(pcb, (void *)(intptr_t)port);
  tcp_accept(pcb, on_accept);
}

/* ── main ──────────────────────────────────────────────────────────────────────────────── */
int main(int argc, char **argv) {
  const char *tap = NULL, *cidr = NULL;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--tap")) tap = argv[i + 1];
    else if (!strcmp(argv[i], "--ip")) cidr = argv[i + 1];
    else die("unknown option", argv[i]);
  }
  if (!tap || !cidr) die("usage: lwip-tap --tap NAME --ip ADDR/PREFIX", NULL);
  if (strlen(tap) >= IFNAMSIZ) die("--tap name too long", tap);
  char addr[32];
  const char *slash = strchr(cidr, '/');
  if (!slash || (size_t)(slash - cidr) >= sizeof addr) die("expected ADDR/PREFIX", cidr);
  memcpy(addr, cidr, (size_t)(slash - cidr));
  addr[slash - cidr] = 0;
  int prefix = atoi(slash + 1);
  struct in_addr a;
  if (inet_pton(AF_INET, addr, &a) != 1 || prefix < 1 || prefix > 30) die("bad address", cidr);
  uint32_t ip = ntohl(a.s_addr);
  mac[2] = (uint8_t)(ip >> 24); mac[3] = (uint8_t)(ip >> 16); mac[4] = (uint8_t)(ip >> 8); mac[5] = (uint8_t)ip;
  for (int i = 0; i < 95; i++) {
    for (int k = 0; k < 72; k++) chargen_block[i * 74 + k] = (char)(32 + (i + k) % 95);
    chargen_block[i * 74 + 72] = '\r';
    chargen_block[i * 74 + 73] = '\n';
  }

  tap_fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (tap_fd < 0) die("open /dev/net/tun", strerror(errno));
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  snprintf(ifr.ifr_name, IFNAMSIZ, "%s", tap);
  if (ioctl(tap_fd, TUNSETIFF, &ifr) < 0) die("TUNSETIFF", strerror(errno));

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);

  tcpip_init(NULL, NULL);
  static struct netif nif;
  ip4_addr_t ipaddr, mask, gw;
  ip4_addr_set_u32(&ipaddr, htonl(ip));
  ip4_addr_set_u32(&mask, htonl(0xffffffffu << (32 - prefix)));
  ip4_addr_set_zero(&gw);
  LOCK_TCPIP_CORE();
  netif_add(&nif, &ipaddr, &mask, &gw, NULL, tap_netif_init, ethernet_input);
  netif_set_default(&nif);
  netif_set_up(&nif);
  netif_set_link_up(&nif);
  listen_on(ECHO);
  listen_on(DISCARD);
  listen_on(CHARGEN);
  UNLOCK_TCPIP_CORE();
  printf("{\"event\":\"ready\",\"tap\":\"%s\",\"ip\":\"%s\",\"lwip\":\"%s\"}\n", ifr.ifr_name, cidr, LWIP_VERSION_STRING);
  fflush(stdout);

  unsigned char frame[1600];
  while (!stopping) {
    struct pollfd pfd = { .fd = tap_fd, .events = POLLIN };
    int n = poll(&pfd, 1, 200);
    if (n < 0 && errno != EINTR) break;
    if (n <= 0) continue;
    ssize_t len = read(tap_fd, frame, sizeof frame);
    if (len <= 0) continue;
    /* PBUF_RAM, not PBUF_POOL: Debian's build sizes pool buffers for a 536-byte MSS (592 bytes) but
     * fills them past that (valgrind: pbuf_take writes beyond the 616-byte block) */
    struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_RAM);
    if (!p) continue;
    pbuf_take(p, frame, (u16_t)len);
    LOCK_TCPIP_CORE();
    if (nif.input(p, &nif) != ERR_OK) pbuf_free(p);
    UNLOCK_TCPIP_CORE();
  }
  printf("{\"event\":\"exit\"}\n");
  return 0;
}
