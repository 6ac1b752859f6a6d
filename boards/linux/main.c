/* petrel-linux: the Petrel core on a Linux TAP device, with either engine of boards/common/core.h:
 *   petrel-linux       the module as native code (wasm2c, compiled in);
 *   petrel-linux-wamr  the module loaded at run time from a .wasm file and run by WAMR (--wasm PATH,
 *                      default the build/petrel.wasm it was built for), as on an ESP32.
 *
 *   petrel-linux --tap NAME (--ip ADDR/PREFIX [--gw ADDR] | --dhcp [--dhcp-delay MS]) [--host-ip ADDR/PREFIX]
 *                [--services echo,discard,chargen] [--mac MAC] [--seed N]
 *                [--connect HOST:PORT [--send-bytes N] [--expect echo|discard|chargen]]...
 *                [--dns ADDR[,ADDR,ADDR]] [--wait-stdin] [--tso on|off] [--wasm PATH] [--version]
 *
 * One thread, one loop: the core's poll(now) and the services, then a read() of the TAP that waits
 * for a frame until the deadline poll(now) returned (an alarm; poll() on the TAP and stdin while
 * --wait-stdin holds the clients back); a frame read → rx(len, now); then the services move data.
 * Time is CLOCK_MONOTONIC in ms, truncated to u32 (the core compares with wrap-around).
 * The frames the core sends are batched and written just before the loop waits (tap.h: with --tso on,
 * the default, a TCP connection's consecutive segments as one TSO super-frame per write(2)).
 * Prints JSON lines on stdout: {"event":"ready",…} once the TAP is open and the core initialised,
 * {"result":…} per client job, {"event":"status",…} on SIGUSR1 and {"event":"exit",…} at the end;
 * with --dhcp, {"event":"dhcp","state":…,"ip":…,"gateway":…,"dns":[…],"lease":s,"t1_ms":…} whenever
 * the client's state changes (the lease, each renewal, a lost lease). A --connect HOST that is a name
 * is resolved by the core's DNS resolver (servers: --dns, else the lease's) when its turn comes:
 * {"event":"dns","name":…,"addresses":[…],"ttl":s} or {"event":"dns","name":…,"error":"ENOTFOUND",…}
 * and a line on stderr (the job then fails). With --dhcp the client jobs wait for the lease.
 * SIGINT/SIGTERM end the loop. With client jobs and no --services it exits when they are done
 * (status 0 if all passed, 1 otherwise). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core.h"
#include "services.h"
#include "tap.h"

/* Set by the Makefile: the board's name, and for an engine that loads the module at run time
 * (PETREL_LOADS_WASM) the module it was built for. */
#ifndef PETREL_BOARD_NAME
#define PETREL_BOARD_NAME "petrel-linux"
#endif
#ifndef PETREL_LOADS_WASM
#define PETREL_LOADS_WASM 0
#endif
#ifndef PETREL_DEFAULT_WASM
#define PETREL_DEFAULT_WASM ""
#endif
static const char *const prog = PETREL_BOARD_NAME;

static volatile sig_atomic_t stop_signal, status_requested, alarm_rang;
/* The loop's own counters, in the status line: poll() calls, read() calls on the TAP, the reads that
 * found no frame (a signal or the alarm came first, or a look without waiting found the queue empty),
 * and the timer's re-arms. */
static uint64_t loop_polls, loop_reads, loop_empty_reads, loop_alarms;

/* Waiting for a frame. The TAP fd blocks and the loop waits in read(), which returns the next queued
 * frame, sleeping for it if none is queued: a frame costs one system call, whether it was queued or
 * came later. (poll() then read() is two per wake-up; lwIP's TAP netif pays both.) A read is cut short
 * (EINTR) by a signal: SIGINT/SIGTERM, SIGUSR1, and SIGALRM from the alarm, a timer armed at the
 * core's next deadline (alarm_by). poll() is still used while --wait-stdin holds the clients back
 * (stdin is watched too), and to look at the queue without waiting when the services have work left
 * (read_nowait). */
static timer_t alarm_timer;
static int alarm_armed;     /* the timer is set to ring at alarm_due (ms on now_ms's clock) */
static uint32_t alarm_due;

/* Make the alarm ring by `due` at the latest. The timer is set only when `due` is earlier than the
 * time it is set for, or after it rang: a deadline that moves later (a retransmission timer restarted
 * by every ACK) costs one ring when the old time comes, not a timer_settime() per frame. After its
 * first ring it rings every millisecond until it is set again, so a ring that comes between the
 * loop's look at alarm_rang and its read() makes that read wait 1 ms more, never forever. */
static void alarm_by(uint32_t now, uint32_t due) {
  if (alarm_rang) {
    alarm_rang = 0;
    alarm_armed = 0;
  }
  if (alarm_armed && (int32_t)(due - alarm_due) >= 0) return;
  uint32_t in = due - now;
  struct itimerspec its = { .it_interval = { 0, 1000000 }, .it_value = { in / 1000, (long)(in % 1000) * 1000000 + 1 } };
  timer_settime(alarm_timer, 0, &its, NULL);
  loop_alarms++;
  alarm_armed = 1;
  alarm_due = due;
}

/* One frame from the queue without waiting: its length, or -1 with errno EAGAIN if none is queued.
 * (The loop looks so only when the services had work left, a few times per thousand frames.) */
static ssize_t read_nowait(int fd, uint8_t *frame, size_t cap) {
  struct pollfd p = { .fd = fd, .events = POLLIN };
  loop_polls++;
  if (poll(&p, 1, 0) != 1 || !(p.revents & POLLIN)) {
    errno = EAGAIN;
    return -1;
  }
  loop_reads++;
  return tap_read(fd, frame, cap);
}

static void on_signal(int sig) {
  if (sig == SIGALRM) alarm_rang = 1;
  else if (sig == SIGUSR1) status_requested = 1;
  else stop_signal = sig;
}

/* The frames the core sent since the loop last flushed them (tap.h): written before every place the
 * loop waits or looks at the TAP's queue, when full, before a status line and at the end. */
static struct tap_batch tx_batch;

/* import petrel.tx: the frame joins the batch. A failed write (the TAP is down, its queue full) is a
 * lost frame, which TCP recovers from, not a fatal error: tx_batch.lost, shown in tx_errors. */
static int tap_tx(void *ctx, const uint8_t *frame, uint32_t len) {
  tap_batch_add(ctx, frame, len);
  return 0;
}

static uint32_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint32_t)((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u);
}

static void usage(FILE *f) {
  fprintf(f, "usage: %s --tap NAME (--ip ADDR/PREFIX [--gw ADDR] | --dhcp [--dhcp-delay MS]) [--host-ip ADDR/PREFIX]\n"
          "         [--services echo,discard,chargen] [--mac 02:..] [--seed N]\n"
          "         [--connect HOST:PORT [--send-bytes N[k|M]] [--expect echo|discard|chargen]]...\n"
          "         [--dns ADDR[,ADDR,ADDR]] [--wait-stdin] [--tso on|off]%s [--version]\n"
          "  HOST is an IPv4 address or a name (resolved with --dns's servers, or the DHCP lease's)\n"
          "  --tso on (default): a TCP connection's consecutive segments go to the kernel as one TSO\n"
          "  super-frame per write; off: one frame per write\n",
          prog, PETREL_LOADS_WASM ? " [--wasm PATH]" : "");
}

static void die(const char *what, const char *arg) {
  fprintf(stderr, "%s: %s%s%s\n", prog, what, arg ? ": " : "", arg ? arg : "");
  usage(stderr);
  exit(2);
}

static uint32_t parse_ip(const char *s) {
  struct in_addr a;
  if (inet_pton(AF_INET, s, &a) != 1) die("not an IPv4 address", s);
  return ntohl(a.s_addr);
}

static void parse_cidr(const char *s, uint32_t *ip, int *prefix) {
  char buf[64];
  const char *slash = strchr(s, '/');
  if (!slash || (size_t)(slash - s) >= sizeof buf) die("expected ADDR/PREFIX", s);
  memcpy(buf, s, (size_t)(slash - s));
  buf[slash - s] = 0;
  *ip = parse_ip(buf);
  char *end;
  long p = strtol(slash + 1, &end, 10);
  if (*end || p < 1 || p > 32) die("bad prefix length", s);
  *prefix = (int)p;
}

/* A refused value: one line on stderr, exit status 2. */
static void refuse(const char *what, const char *arg) {
  fprintf(stderr, "%s: %s%s%s (see --help)\n", prog, what, arg ? ": " : "", arg ? arg : "");
  exit(2);
}

/* The checks a value passes only with the others known: a host address on its subnet, not its
 * network or broadcast address (a /31 or /32 has neither), and a gateway on that subnet. */
static void check_addresses(uint32_t ip, int prefix, uint32_t gw) {
  uint32_t mask = prefix ? 0xffffffffu << (32 - prefix) : 0;
  char a[40], g[16];
  snprintf(a, sizeof a, "%u.%u.%u.%u/%d", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255, prefix);
  snprintf(g, sizeof g, "%u.%u.%u.%u", gw >> 24, (gw >> 16) & 255, (gw >> 8) & 255, gw & 255);
  if (prefix <= 30 && (ip & ~mask) == 0) refuse("--ip is the network address of its subnet, not a host address", a);
  if (prefix <= 30 && (ip & ~mask) == ~mask) refuse("--ip is the broadcast address of its subnet, not a host address", a);
  if (!gw) return; /* no gateway */
  if ((gw & mask) != (ip & mask)) refuse("--gw is outside --ip's subnet (the gateway must be reachable by ARP)", g);
  if (gw == ip) refuse("--gw is Petrel's own address", g);
  if (prefix <= 30 && ((gw & ~mask) == 0 || (gw & ~mask) == ~mask)) refuse("--gw is the network or broadcast address of the subnet", g);
}

/* A host name as the resolver takes it (RFC 1123 2.1, plus '_'): 1–253 characters, labels of 1–63. */
static int host_name_ok(const char *s) {
  size_t n = strlen(s), label = 0;
  if (n == 0 || n > 253) return 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == '.') { if (!label) return 0; label = 0; continue; }
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return 0;
    if (++label > 63) return 0;
  }
  return 1;
}

static uint64_t parse_size(const char *s) {
  char *end;
  unsigned long long v = strtoull(s, &end, 10);
  if (end == s) die("bad size", s);
  if (*end == 'k' || *end == 'K') v <<= 10, end++;
  else if (*end == 'M') v <<= 20, end++;
  else if (*end == 'G') v <<= 30, end++;
  if (*end) die("bad size", s);
  return v;
}

static void parse_mac(const char *s, uint8_t mac[6]) {
  unsigned v[6];
  if (sscanf(s, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6) die("bad MAC", s);
  for (int i = 0; i < 6; i++) mac[i] = (uint8_t)v[i];
}

static unsigned parse_services(const char *s) {
  unsigned mask = 0;
  char buf[128];
  snprintf(buf, sizeof buf, "%s", s);
  for (char *save, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
    if (!strcmp(t, "echo")) mask |= SVC_ECHO;
    else if (!strcmp(t, "discard")) mask |= SVC_DISCARD;
    else if (!strcmp(t, "chargen")) mask |= SVC_CHARGEN;
    else die("unknown service (echo, discard, chargen)", t);
  }
  return mask;
}

/* The status line; the frames still in the batch are written first. tx_frames: frames the kernel
 * took; tx_errors: frames lost (refused by the kernel); tx_writes: write(2) calls. */
static void print_status(const char *event) {
  tap_flush(&tx_batch);
  const struct core_link_stats *st = core_stats();
  printf("{\"event\":\"%s\",\"connections\":%d,\"tx_frames\":%" PRIu64 ",\"tx_errors\":%" PRIu64 ",\"tx_writes\":%" PRIu64
         ",\"rx_frames\":%" PRIu64 ",\"polls\":%" PRIu64 ",\"reads\":%" PRIu64 ",\"empty_reads\":%" PRIu64 ",\"alarms\":%" PRIu64 ",\"memory\":%u,\"counters\":[",
         event, core_connections(), st->tx_frames - tx_batch.lost, st->tx_errors + tx_batch.lost, tx_batch.writes, st->rx_frames,
         loop_polls, loop_reads, loop_empty_reads, loop_alarms, core_mem_size());
  for (int i = 0, n = core_counter_count(); i < n; i++) printf("%s%u", i ? "," : "", core_counter(i));
  printf("]}\n");
  fflush(stdout);
}

/* What the main loop needs from the command line. */
struct loop_args {
  int fd;
  uint32_t ip, gw;
  int prefix;
  uint8_t mac[6];
  uint64_t seed;
  unsigned services;
  int n_jobs, wait_stdin, dhcp;
  long dhcp_delay; /* the longest wait before the first DISCOVER (ms), -1: the build's default */
  const char *dev;
  uint32_t dns[3];
  int n_dns;
};

static const char *const dhcp_states[] = { "STOPPED", "INIT", "SELECTING", "REQUESTING", "PROBING", "BOUND",
                                           "RENEWING", "REBINDING", "REBOOTING" };

enum { DHCP_BOUND = 5 };

/* A {"event":"dhcp",…} line when the DHCP client's state changed since the last call; the state. */
static uint32_t report_dhcp(uint32_t now) {
  static uint32_t last = 0xffffffffu;
  uint32_t d[13];
  if (core_dhcp_info(d, now) != 0) return 0;
  if (d[0] == last) return last;
  last = d[0];
  const char *name = d[0] < sizeof dhcp_states / sizeof *dhcp_states ? dhcp_states[d[0]] : "?";
#define Q(x) (x) >> 24, ((x) >> 16) & 255, ((x) >> 8) & 255, (x) & 255
  printf("{\"event\":\"dhcp\",\"state\":\"%s\",\"ip\":\"%u.%u.%u.%u/%u\",\"gateway\":\"%u.%u.%u.%u\",\"server\":\"%u.%u.%u.%u\",\"dns\":[",
         name, Q(d[1]), d[2], Q(d[3]), Q(d[4]));
  for (uint32_t i = 0; i < d[5] && i < 3; i++) printf("%s\"%u.%u.%u.%u\"", i ? "," : "", Q(d[6 + i]));
  printf("],\"lease\":%u,\"t1_ms\":%u,\"t2_ms\":%u,\"expiry_ms\":%u}\n", d[12], d[9], d[10], d[11]);
#undef Q
  fflush(stdout);
  return last;
}

/* init, the ready line, then the loop until a signal or the client jobs are done; the exit code.
 * Runs inside core_run(), so a fault in the core ends it there. */
static int run_board(void *arg) {
  struct loop_args *a = arg;
  int fd = a->fd, prefix = a->prefix, n_jobs = a->n_jobs, wait_stdin = a->wait_stdin;
  uint32_t ip = a->ip, gw = a->gw;
  unsigned services = a->services;
  const uint8_t *mac = a->mac;
  const char *dev = a->dev;
  int32_t rc = core_init(mac, ip, prefix, gw, a->seed);
  if (rc != 0) {
    fprintf(stderr, "%s: init failed: %d\n", prog, rc);
    return 1;
  }
  if (services && services_listen(services) != 0) return 1;
  if (a->dhcp && a->dhcp_delay >= 0 && (rc = core_dhcp_init_delay((uint32_t)a->dhcp_delay)) != 0) {
    fprintf(stderr, "%s: dhcp_init_delay failed: %d\n", prog, rc);
    return 1;
  }
  if (a->dhcp && (rc = core_dhcp_start(0, now_ms())) != 0) {
    fprintf(stderr, "%s: dhcp_start failed: %d\n", prog, rc);
    return 1;
  }
  for (int i = 0; i < a->n_dns; i++)
    if ((rc = core_dns_server(i, a->dns[i])) != 0) {
      fprintf(stderr, "%s: dns_server failed: %d\n", prog, rc);
      return 1;
    }

  printf("{\"event\":\"ready\",\"tap\":\"%s\",\"tso\":%s,\"ip\":\"%u.%u.%u.%u/%d\",\"mac\":\"%02x:%02x:%02x:%02x:%02x:%02x\","
         "\"engine\":\"%s\",\"wasm\":\"%s\",\"wasm_sha256\":\"%s\",\"wasm_bytes\":%ld,\"memory\":%u,\"config\":[",
         dev, tx_batch.tso ? "true" : "false", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255, prefix, mac[0], mac[1], mac[2], mac[3], mac[4], mac[5],
         core_engine(), core_wasm_path(), core_wasm_sha256(), core_wasm_bytes(), core_mem_size());
  for (int i = 0; i < CFG_COUNT; i++) printf("%s%d", i ? "," : "", core_config(i));
  printf("]}\n");
  fflush(stdout);

  /* the client jobs start at once, or after a line on stdin (--wait-stdin) and the lease (--dhcp) */
  int leased = !a->dhcp;
  if (!wait_stdin && leased) services_start_clients(now_ms());
  static uint8_t frame[65536];
  int exit_code = 0;
  /* After a frame the services have run (below); they need another round before the next wait only
   * if they left work (services_pending), or if the core's poll() ran a timer that may have made an
   * event (a deadline came due: a connection that timed out, a TIME-WAIT that ended). poll() itself
   * runs every round: it sends what the services' reads owe (a window update) and gives the deadline
   * the alarm is set for. */
  int after_frame = 0, due_none = 1;
  uint32_t due = 0; /* the core's deadline as of the last poll() */
  while (!stop_signal) {
    uint32_t now = now_ms();
    int timers_ran = !due_none && (int32_t)(now - due) >= 0;
    int32_t next = core_poll(now);
    due_none = next < 0;
    due = now + (uint32_t)next;
    int busy = after_frame && !timers_ran && !services_pending() ? 0 : services_run(now);
    after_frame = 0;
    if (a->dhcp && report_dhcp(now) == DHCP_BOUND && !leased) {
      leased = 1;
      if (!wait_stdin) services_start_clients(now);
    }
    if (status_requested) { status_requested = 0; print_status("status"); }
    if (n_jobs && services_clients_done() == n_jobs && !services) {
      exit_code = services_clients_failed() ? 1 : 0;
      break;
    }
    int timeout = busy ? 0 : next < 0 || next > 1000 ? 1000 : next;
    ssize_t len;
    tap_flush(&tx_batch); /* what the core sent leaves before the loop waits or looks at the queue */
    if (wait_stdin) { /* the clients wait for a line (or EOF) on stdin: poll() both */
      struct pollfd pfd[2] = { { .fd = fd, .events = POLLIN }, { .fd = 0, .events = POLLIN } };
      loop_polls++;
      if (poll(pfd, 2, timeout) < 0) {
        if (errno == EINTR) continue;
        fprintf(stderr, "%s: poll: %s\n", prog, strerror(errno));
        exit_code = 1;
        break;
      }
      if (pfd[1].revents) {
        char line[64];
        (void)!read(0, line, sizeof line);
        wait_stdin = 0;
        if (leased) services_start_clients(now_ms());
      }
      if (pfd[0].revents & (POLLERR | POLLHUP | POLLNVAL)) {
        fprintf(stderr, "%s: TAP fd error (revents %#x)\n", prog, pfd[0].revents);
        exit_code = 1;
        break;
      }
      if (!(pfd[0].revents & POLLIN)) continue;
      loop_reads++;
      len = tap_read(fd, frame, sizeof frame);
    } else if (timeout == 0) {
      len = read_nowait(fd, frame, sizeof frame);
    } else {
      alarm_by(now, now + (uint32_t)timeout);
      if (alarm_rang || stop_signal || status_requested) continue;
      loop_reads++;
      len = tap_read(fd, frame, sizeof frame);
    }
    if (len < 0) {
      if (errno == EINTR || errno == EAGAIN) {
        loop_empty_reads++;
        continue;
      }
      fprintf(stderr, "%s: read TAP: %s\n", prog, strerror(errno));
      exit_code = 1;
      break;
    }
    /* one frame, then the services (an answer leaves at once), then the top of the loop: the core's
     * timers, and the next read */
    now = now_ms();
    core_rx(frame, (size_t)len, now);
    services_run(now);
    after_frame = 1;
  }
  tap_flush(&tx_batch);
  /* jobs that finished while the last batch was read: their status, even when a signal came too */
  if (!exit_code && n_jobs && !services && services_clients_done() == n_jobs) exit_code = services_clients_failed() ? 1 : 0;
  return exit_code;
}

/* The module for an engine that loads it: the file mapped read-only (as flash is on a board: the
 * engine must not write into it), its bytes handed to core_start(). Exits 2 with the reason. */
static void map_wasm(const char *path, struct core_host *host) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0) die("cannot open the module", path);
  if (st.st_size <= 0 || st.st_size > (1 << 26)) die("not a module (empty or over 64 MiB)", path);
  void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (p == MAP_FAILED) die("cannot map the module", path);
  close(fd);
  host->wasm = p;
  host->wasm_len = (uint32_t)st.st_size;
  host->wasm_name = path;
}

/* Start the engine; on failure the engine's reason and exit 1. */
static void start_core(struct core_host *host, const char *wasm) {
  if (PETREL_LOADS_WASM) map_wasm(wasm, host);
  if (core_start(host) != 0) {
    fprintf(stderr, "%s: %s\n", prog, core_fault());
    exit(1);
  }
}

int main(int argc, char **argv) {
  const char *tap = NULL, *host_ip = NULL, *wasm = PETREL_DEFAULT_WASM;
  uint32_t ip = 0, gw = 0;
  int prefix = 0, have_ip = 0, have_mac = 0, have_seed = 0, wait_stdin = 0, version = 0, dhcp = 0, tso = 1;
  unsigned services = 0;
  uint8_t mac[6];
  uint64_t seed = 0;
  struct { uint32_t ip; const char *name; int port; uint64_t bytes; enum expect expect; } jobs[64];
  int n_jobs = 0, n_dns = 0, named = 0;
  long dhcp_delay = -1;
  uint32_t dns[3] = { 0, 0, 0 };
  uint64_t default_bytes = 1 << 20;

  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define NEED() do { if (!v) die("missing value for", a); i++; } while (0)
    if (!strcmp(a, "--version")) version = 1;
    else if (!strcmp(a, "--help") || !strcmp(a, "-h")) { usage(stdout); return 0; }
    else if (!strcmp(a, "--tap")) { NEED(); tap = v; }
    else if (!strcmp(a, "--ip")) { NEED(); parse_cidr(v, &ip, &prefix); have_ip = 1; }
    else if (!strcmp(a, "--gw")) { NEED(); gw = parse_ip(v); }
    else if (!strcmp(a, "--dhcp")) dhcp = 1;
    else if (!strcmp(a, "--dhcp-delay")) {
      NEED();
      char *end;
      errno = 0;
      dhcp_delay = strtol(v, &end, 10);
      if (end == v || *end || errno || dhcp_delay < 0 || dhcp_delay > 60000) refuse("--dhcp-delay must be 0..60000 ms", v);
    }
    else if (!strcmp(a, "--dns")) {
      NEED();
      char list[64];
      if (strlen(v) >= sizeof list) refuse("--dns takes at most 3 IPv4 addresses separated by commas", v);
      snprintf(list, sizeof list, "%s", v);
      n_dns = 0;
      for (char *save, *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        struct in_addr d;
        if (n_dns == 3 || inet_pton(AF_INET, t, &d) != 1) refuse("--dns takes at most 3 IPv4 addresses separated by commas", v);
        dns[n_dns++] = ntohl(d.s_addr);
      }
      if (!n_dns) refuse("--dns takes at most 3 IPv4 addresses separated by commas", v);
    }
    else if (!strcmp(a, "--host-ip")) { NEED(); uint32_t x; int p; parse_cidr(v, &x, &p); host_ip = v; }
    else if (!strcmp(a, "--services")) { NEED(); services |= parse_services(v); }
    else if (!strcmp(a, "--mac")) { NEED(); parse_mac(v, mac); have_mac = 1; }
    else if (!strcmp(a, "--seed")) {
      NEED();
      char *end;
      errno = 0;
      seed = strtoull(v, &end, 0);
      if (end == v || *end || *v == '-' || errno) refuse("--seed must be an unsigned 64-bit integer", v);
      have_seed = 1;
    }
    else if (!strcmp(a, "--wait-stdin")) wait_stdin = 1;
    else if (!strcmp(a, "--tso")) {
      NEED();
      if (!strcmp(v, "on")) tso = 1;
      else if (!strcmp(v, "off")) tso = 0;
      else refuse("--tso takes on or off", v);
    }
    else if (!strcmp(a, "--wasm")) {
      NEED();
      if (!PETREL_LOADS_WASM) die("--wasm is for petrel-linux-wamr: this board runs the module compiled into it (wasm2c)", v);
      wasm = v;
    }
    else if (!strcmp(a, "--connect")) {
      NEED();
      if (n_jobs == (int)(sizeof jobs / sizeof jobs[0])) die("too many --connect", v);
      char *colon = strrchr(argv[i], ':'), *end;
      if (!colon || colon == argv[i]) die("expected HOST:PORT", v);
      long port = strtol(colon + 1, &end, 10);
      if (*end || port < 1 || port > 65535) die("bad port", v);
      *colon = 0; /* argv[i] is the host now: a name stays there for the job (not copied) */
      struct in_addr addr;
      jobs[n_jobs].name = NULL;
      jobs[n_jobs].ip = 0;
      if (inet_pton(AF_INET, argv[i], &addr) == 1) jobs[n_jobs].ip = ntohl(addr.s_addr);
      else if (host_name_ok(argv[i])) jobs[n_jobs].name = argv[i], named = 1;
      else { *colon = ':'; refuse("--connect: HOST is neither an IPv4 address nor a host name (letters, digits, - _ . ; at most 253)", v); }
      jobs[n_jobs].port = (int)port;
      jobs[n_jobs].bytes = default_bytes;
      jobs[n_jobs].expect = EXPECT_AUTO;
      n_jobs++;
    } else if (!strcmp(a, "--send-bytes")) {  /* the last --connect's size, else the default for later ones */
      NEED();
      if (n_jobs) jobs[n_jobs - 1].bytes = parse_size(v);
      else default_bytes = parse_size(v);
    } else if (!strcmp(a, "--expect")) {
      NEED();
      if (!n_jobs) die("--expect needs a --connect before it", v);
      jobs[n_jobs - 1].expect = !strcmp(v, "echo") ? EXPECT_ECHO : !strcmp(v, "discard") ? EXPECT_DISCARD
                              : !strcmp(v, "chargen") ? EXPECT_CHARGEN : (die("bad --expect", v), EXPECT_AUTO);
    } else die("unknown option", a);
#undef NEED
  }
  struct core_host host = { .tx = tap_tx };
  if (version) { /* after the options: --wasm picks the module whose hash is printed */
    start_core(&host, wasm);
    printf("%s (Petrel ABI %d) engine %s wasm %s sha256 %s bytes %ld\n", prog, PETREL_ABI_VERSION, core_engine(),
           core_wasm_path(), core_wasm_sha256(), core_wasm_bytes());
    return 0;
  }
  if (!tap) die("--tap is required", NULL);
  if (!have_ip && !dhcp) die("--ip or --dhcp is required", NULL);
  if (have_ip && dhcp) refuse("--ip and --dhcp exclude each other (DHCP brings the address)", "--dhcp");
  if (dhcp_delay >= 0 && !dhcp) refuse("--dhcp-delay goes with --dhcp", NULL);
  if (!*tap || strlen(tap) >= IFNAMSIZ) refuse("--tap: an interface name has 1 to 15 characters", tap);
  if (!dhcp) check_addresses(ip, prefix, gw);
  if (named && !n_dns && !dhcp) refuse("--connect names a host: give a DNS server with --dns ADDR, or use --dhcp", NULL);
  if (!have_mac && dhcp) { /* locally administered, random: there is no address to derive it from */
    if (getrandom(mac + 2, 4, 0) != 4) die("getrandom failed", NULL);
    mac[0] = 0x02; mac[1] = 0x50;
  } else if (!have_mac) { /* locally administered, unique per address: 02:50:<the four bytes of the IP> */
    mac[0] = 0x02; mac[1] = 0x50;
    mac[2] = (uint8_t)(ip >> 24); mac[3] = (uint8_t)(ip >> 16); mac[4] = (uint8_t)(ip >> 8); mac[5] = (uint8_t)ip;
  }
  if (!have_seed && getrandom(&seed, sizeof seed, 0) != (ssize_t)sizeof seed) die("getrandom failed", NULL);

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGUSR1, &sa, NULL);
  sigaction(SIGALRM, &sa, NULL); /* no SA_RESTART: a signal ends the loop's read() with EINTR */
  signal(SIGPIPE, SIG_IGN);
  struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGALRM };
  if (timer_create(CLOCK_MONOTONIC, &sev, &alarm_timer) != 0) die("timer_create failed", strerror(errno));

  char dev[IFNAMSIZ];
  int fd = tap_open(tap, dev);
  if (fd < 0) return 1;
  if (host_ip && tap_configure_host(dev, host_ip) != 0) return 1;

  tx_batch.fd = fd;
  tx_batch.tso = tso;
  host.ctx = &tx_batch;
  start_core(&host, wasm);
  struct loop_args la = { .fd = fd, .ip = ip, .prefix = prefix, .gw = gw, .seed = seed, .services = services,
                          .n_jobs = n_jobs, .wait_stdin = wait_stdin, .dev = dev, .dhcp = dhcp, .n_dns = n_dns,
                          .dhcp_delay = dhcp_delay };
  memcpy(la.mac, mac, 6);
  memcpy(la.dns, dns, sizeof dns);
  for (int i = 0; i < n_jobs; i++) {
    if (jobs[i].name) services_add_client_name(jobs[i].name, jobs[i].port, jobs[i].bytes, jobs[i].expect);
    else services_add_client(jobs[i].ip, jobs[i].port, jobs[i].bytes, jobs[i].expect);
  }
  int exit_code = core_run(run_board, &la);
  if (exit_code == CORE_FAULT) {
    fprintf(stderr, "%s: the core faulted: %s\n", prog, core_fault());
    print_status("trap");
    return 70;
  }
  print_status("exit");
  close(fd);
  return exit_code;
}
