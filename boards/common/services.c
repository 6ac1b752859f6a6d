/* The board's applications. Everything goes through the io buffer in linear memory: tcp_recv
 * copies into it, tcp_send copies out of it. The core announces work through events: a round pumps
 * the connections an event named (and those whose last pump left work: a full send ring, a
 * chargen or client stream), not all of them — with 50 echo connections, trying each after every
 * frame was most of the board's work per echo. Every 64 ms (SWEEP_MS), and after an event ring
 * that filled up, every live connection is tried as well, so a missed or coalesced event only delays
 * work, never loses it.
 *
 * Fixed memory only (the same file runs on Linux and on a microcontroller): the tables below are
 * static, sized at compile time (SERVICES_MAX_TRACKED, SERVICES_MAX_JOBS); no heap. Echo never
 * holds bytes of its own: it reads at most what the send ring can take, so tcp_send accepts all of
 * it. Output is printf with 32-bit conversions only (newlib-nano's printf has no %llu). */
#include <stdio.h>
#include <string.h>

#include "core.h"
#include "services.h"

#ifndef SERVICES_MAX_TRACKED
#define SERVICES_MAX_TRACKED 256 /* host-side records; the core's MAX_CONNS is the real limit */
#endif
#ifndef SERVICES_MAX_JOBS
#define SERVICES_MAX_JOBS 64
#endif
#if SERVICES_MAX_TRACKED > 256
#error "SERVICES_MAX_TRACKED is at most 256 (the ready queue holds slot numbers in a byte)"
#endif
#define MAX_TRACKED SERVICES_MAX_TRACKED
#define ROUNDS 64         /* recv/send rounds per connection per call: bounds one call's work */

enum role { R_FREE = 0, R_ECHO, R_DISCARD, R_CHARGEN, R_CLIENT };

struct conn {
  enum role role;
  int32_t h;
  int failed;        /* an ERROR event came: its errno is in err */
  int32_t err;
  int eof;           /* the peer's FIN was read */
  int drain;         /* read until EAGAIN or the end, not only until a short read: an EOF event came
                      * (the FIN is there after the data), or it was just accepted (data and FIN may
                      * have come before it was ours, without an event) */
  uint64_t pos;      /* chargen: position in the stream */
  int job;           /* client: index into jobs[] */
  int ready;         /* pump it in the next round: an event named it, or its last pump left work */
};

struct job {
  uint32_t ip;
  const char *name;  /* a host name to resolve first (not copied), or NULL */
  int32_t q;         /* its DNS query while resolving, else 0 */
  int resolved;
  int port;
  uint64_t bytes;
  enum expect expect;
  uint64_t sent, received;
  int64_t mismatch_at;
  int connected, shut, done, ok;
  int32_t err;
  uint32_t t_start, ms;
};

static struct conn conns[MAX_TRACKED];
static int32_t udp_echo = -1; /* the UDP echo socket (RFC 862), with SVC_ECHO */
static int udp_echo_ready;    /* its queue may hold datagrams: set by UDP_READABLE/UDP_ERROR (which come
                              * only when the queue was empty), cleared when a read finds it empty */
static int conns_end;      /* one past the last slot in use: a sweep looks at conns[0..conns_end) only */
/* The slots to pump next round, each once (its `ready` flag says it is queued); when full, the next
 * round sweeps every slot instead. `by_handle`: a slot hint per handle's low byte, checked against
 * the slot's handle before use (handles are opaque: a miss falls back to the scan). */
static uint8_t ready_q[MAX_TRACKED];
static int n_ready, ready_overflow;
static uint8_t by_handle[256];
/* The periodic sweep: at most every SWEEP_MS. (Per call it would come twice as often on a board
 * that calls services_run after every frame as on one that calls it per batch of frames.) */
#define SWEEP_MS 64
static uint32_t swept_at;
static int swept;          /* a sweep has run: swept_at holds */
static int ring_len;       /* core_config(CFG_EVENT_RING), asked once */
static struct { int32_t lh; enum role role; } listeners[3];
static int n_listeners;
static struct job jobs[SERVICES_MAX_JOBS];
static int n_jobs, next_job, jobs_done, jobs_failed, clients_started;
static uint8_t chargen_block[CHARGEN_PERIOD];
static uint32_t io_cap;    /* core_io_size(), asked once */

static uint32_t io_bytes(void) {
  if (!io_cap) io_cap = (uint32_t)core_io_size();
  return io_cap;
}

uint8_t chargen_byte(uint64_t pos) {
  uint32_t off = (uint32_t)(pos % CHARGEN_PERIOD), line = off / 74, col = off % 74;
  if (col == 72) return '\r';
  if (col == 73) return '\n';
  return (uint8_t)(32 + (line + col) % 95);
}

uint8_t pattern_byte(uint64_t pos) {
  uint32_t x = (uint32_t)(pos >> 2) * 0x9E3779B1u;
  x ^= x >> 15;
  x *= 0x85EBCA77u;
  x ^= x >> 13;
  return (uint8_t)(x >> ((pos & 3) * 8));
}

static void mark_ready(struct conn *c) {
  if (c->ready) return;
  c->ready = 1;
  if (n_ready < MAX_TRACKED) ready_q[n_ready++] = (uint8_t)(c - conns);
  else ready_overflow = 1;
}

static struct conn *conn_new(enum role role, int32_t h) {
  for (int i = 0; i < MAX_TRACKED; i++)
    if (conns[i].role == R_FREE) {
      memset(&conns[i], 0, sizeof conns[i]);
      conns[i].role = role;
      conns[i].h = h;
      conns[i].drain = 1;
      by_handle[h & 255] = (uint8_t)i;
      if (i >= conns_end) conns_end = i + 1;
      mark_ready(&conns[i]); /* data may have come before it was accepted: no event says so */
      return &conns[i];
    }
  return NULL;
}

static struct conn *conn_find(int32_t h) {
  struct conn *hint = &conns[by_handle[h & 255]];
  if (hint->role != R_FREE && hint->h == h) return hint;
  for (int i = 0; i < conns_end; i++)
    if (conns[i].role != R_FREE && conns[i].h == h) return &conns[i];
  return NULL;
}

/* The app is done with the connection: tcp_close (FIN after queued data; the core finishes the
 * close alone) and forget it. */
static void conn_done(struct conn *c, uint32_t now) {
  core_close(c->h, now);
  memset(c, 0, sizeof *c);
}

int services_listen(unsigned mask) {
  static const struct { unsigned bit; int port; enum role role; const char *name; } svc[] = {
    { SVC_ECHO, 7, R_ECHO, "echo" }, { SVC_DISCARD, 9, R_DISCARD, "discard" }, { SVC_CHARGEN, 19, R_CHARGEN, "chargen" },
  };
  for (uint32_t i = 0; i < CHARGEN_PERIOD; i++) chargen_block[i] = chargen_byte(i);
  for (unsigned i = 0; i < sizeof svc / sizeof svc[0]; i++) {
    if (!(mask & svc[i].bit)) continue;
    int32_t lh = core_listen(svc[i].port, core_config(CFG_MAX_BACKLOG));
    if (lh < 0) {
      fprintf(stderr, "petrel: listen %s (%d): error %d\n", svc[i].name, svc[i].port, (int)lh);
      return -1;
    }
    listeners[n_listeners].lh = lh;
    listeners[n_listeners].role = svc[i].role;
    n_listeners++;
  }
  if ((mask & SVC_ECHO) && udp_echo < 0) {
    int32_t h = core_udp_open(), rc = h < 0 ? h : core_udp_bind(h, 7);
    if (rc < 0) {
      fprintf(stderr, "petrel: udp echo (7): error %d\n", (int)rc);
      return -1;
    }
    udp_echo = h;
  }
  return 0;
}

/* RFC 862 over UDP: every datagram goes back to its sender, whole. Not to a privileged source port
 * (another echo or chargen service: two of them would bounce a datagram for ever), nor one that did
 * not fit the io buffer (never truncated on the way back). At most ROUNDS datagrams per call. */
static int pump_udp_echo(uint32_t now) {
  if (udp_echo < 0 || !udp_echo_ready) return 0;
  uint32_t cap = io_bytes() - 12;
  int moved = 0;
  for (int r = 0; r < ROUNDS; r++) {
    struct core_udp_meta m;
    int32_t n = core_udp_recvfrom(udp_echo, cap, &m);
    if (n == PETREL_EAGAIN) { udp_echo_ready = 0; break; }
    moved = 1;
    if (n < 0) continue; /* an ICMP error for an earlier answer: nothing to do */
    if (m.port < 1024 || (m.flags & 1)) continue;
    core_udp_sendto(udp_echo, m.ip, m.port, (uint32_t)n, now); /* a failure (no route, ARP) is the datagram lost */
  }
  return moved;
}

int services_add_client(uint32_t ip, int port, uint64_t bytes, enum expect expect) {
  if (n_jobs == SERVICES_MAX_JOBS) return -1;
  memset(&jobs[n_jobs], 0, sizeof *jobs);
  jobs[n_jobs].ip = ip;
  jobs[n_jobs].port = port;
  jobs[n_jobs].bytes = bytes;
  jobs[n_jobs].expect = expect != EXPECT_AUTO ? expect : port == 7 ? EXPECT_ECHO : port == 19 ? EXPECT_CHARGEN : EXPECT_DISCARD;
  jobs[n_jobs].mismatch_at = -1;
  n_jobs++;
  return 0;
}

int services_add_client_name(const char *name, int port, uint64_t bytes, enum expect expect) {
  if (services_add_client(0, port, bytes, expect) != 0) return -1;
  jobs[n_jobs - 1].name = name;
  return 0;
}

int services_client_count(void) { return n_jobs; }
int services_clients_done(void) { return jobs_done; }
int services_clients_failed(void) { return jobs_failed; }

const char *services_u64(char buf[21], uint64_t v) {
  char *p = buf + 20;
  *p = 0;
  do { *--p = (char)('0' + v % 10); v /= 10; } while (v);
  return p;
}

static void job_report(int i) {
  struct job *j = &jobs[i];
  static const char *names[] = { "auto", "echo", "discard", "chargen" };
  char b[3][21], m[22];
  const char *mismatch = j->mismatch_at < 0 ? "-1" : services_u64(m, (uint64_t)j->mismatch_at);
  if (j->name) printf("{\"result\":{\"job\":%d,\"host\":\"%s\",", i, j->name);
  else printf("{\"result\":{\"job\":%d,", i);
  printf("\"ip\":\"%u.%u.%u.%u\",\"port\":%d,\"mode\":\"%s\",\"bytes\":%s"
         ",\"sent\":%s,\"received\":%s,\"mismatch_at\":%s,\"error\":%d,\"ok\":%s,\"ms\":%u}}\n",
         (unsigned)(j->ip >> 24), (unsigned)(j->ip >> 16) & 255, (unsigned)(j->ip >> 8) & 255, (unsigned)j->ip & 255, j->port,
         names[j->expect], services_u64(b[0], j->bytes), services_u64(b[1], j->sent), services_u64(b[2], j->received),
         mismatch, (int)j->err, j->ok ? "true" : "false", (unsigned)j->ms);
  fflush(stdout);
}

static const char *dns_error(int32_t e, const char **words);

static int job_dns_failed(int i, int32_t e, uint32_t now) {
  struct job *j = &jobs[i];
  const char *words, *name = dns_error(e, &words);
  printf("{\"event\":\"dns\",\"name\":\"%s\",\"error\":\"%s\",\"code\":%d,\"ms\":%u}\n", j->name, name, (int)e, (unsigned)(now - j->t_start));
  fprintf(stderr, "petrel: resolve %s: %s (%s)\n", j->name, words, name);
  j->err = e;
  j->done = 1;
  j->ms = now - j->t_start;
  jobs_done++;
  jobs_failed++;
  job_report(i);
  return -1;
}

/* The resolver's errors by name, with the words the Node host uses (host/stack/dns.ts). */
static const char *dns_error(int32_t e, const char **words) {
  static const struct { int32_t e; const char *name, *words; } t[] = {
    { PETREL_ENOTFOUND, "ENOTFOUND", "no such name (NXDOMAIN)" },
    { PETREL_ESERVFAIL, "ESERVFAIL", "the DNS server failed (SERVFAIL)" },
    { PETREL_EREFUSED, "EREFUSED", "the DNS server refused the query (REFUSED)" },
    { PETREL_ENODATA, "ENODATA", "the name has no IPv4 address" },
    { PETREL_ETIMEDOUT, "ETIMEDOUT", "no answer from the DNS server" },
    { PETREL_ELOOP, "ELOOP", "too many CNAME records" },
    { PETREL_EMSGSIZE, "EMSGSIZE", "the answer was truncated" },
    { PETREL_ENOTCONN, "ENOTCONN", "no DNS server configured" },
    { PETREL_EINVAL, "EINVAL", "not a valid host name" },
    { PETREL_EMFILE, "EMFILE", "too many queries at once" },
    { PETREL_EOPNOTSUPP, "EOPNOTSUPP", "this core was built without the resolver" },
  };
  for (unsigned i = 0; i < sizeof t / sizeof t[0]; i++)
    if (t[i].e == e) { *words = t[i].words; return t[i].name; }
  *words = "error";
  return "EIO";
}

/* The next job's name: start its query, or read the answer. 1 when its address is known, 0 while
 * the query runs, -1 when it failed (reported: a dns line, a line on stderr, the job's result). */
static int job_resolve(int i, uint32_t now) {
  struct job *j = &jobs[i];
  if (!j->name || j->resolved) return 1;
  if (!j->q) {
    j->t_start = now;
    int32_t q = core_dns_query(j->name, now);
    if (q < 0) return job_dns_failed(i, q, now);
    j->q = q;
  }
  uint32_t ttl = 0, addrs[8];
  int32_t n = core_dns_result(j->q, &ttl, addrs, 8);
  if (n == PETREL_EAGAIN) return 0;
  core_dns_close(j->q);
  j->q = 0;
  if (n <= 0) return job_dns_failed(i, n < 0 ? n : PETREL_ENODATA, now);
  printf("{\"event\":\"dns\",\"name\":\"%s\",\"addresses\":[", j->name);
  for (int32_t k = 0; k < n; k++)
    printf("%s\"%u.%u.%u.%u\"", k ? "," : "", (unsigned)(addrs[k] >> 24), (unsigned)(addrs[k] >> 16) & 255, (unsigned)(addrs[k] >> 8) & 255, (unsigned)addrs[k] & 255);
  printf("],\"ttl\":%u,\"ms\":%u}\n", (unsigned)ttl, (unsigned)(now - j->t_start));
  fflush(stdout);
  j->ip = addrs[0];
  j->resolved = 1;
  return 1;
}

static void job_start(uint32_t now) {
  while (next_job < n_jobs) {
    struct job *j = &jobs[next_job];
    int r = job_resolve(next_job, now);
    if (r == 0) return;          /* services_run asks again when the answer is in */
    if (r < 0) { next_job++; continue; }
    j->t_start = now;
    int32_t h = core_connect(j->ip, j->port, 0, now);
    struct conn *c = h >= 0 ? conn_new(R_CLIENT, h) : NULL;
    if (c) {
      c->job = next_job++;
      return;
    }
    j->err = h < 0 ? h : -12;
    j->done = 1;
    jobs_done++;
    jobs_failed++;
    job_report(next_job++);
  }
}

void services_start_clients(uint32_t now) {
  if (clients_started) return;
  clients_started = 1;
  for (uint32_t i = 0; i < CHARGEN_PERIOD; i++) chargen_block[i] = chargen_byte(i);
  job_start(now);
}

static void job_finish(struct conn *c, uint32_t now, int32_t err) {
  struct job *j = &jobs[c->job];
  j->err = err;
  switch (j->expect) {
  case EXPECT_ECHO: j->ok = !err && j->sent == j->bytes && j->received == j->bytes && j->mismatch_at < 0; break;
  case EXPECT_DISCARD: j->ok = !err && j->sent == j->bytes && j->received == 0; break;
  default: j->ok = j->received == j->bytes && j->mismatch_at < 0; break; /* chargen: we end it */
  }
  j->done = 1;
  j->ms = now - j->t_start;
  jobs_done++;
  if (!j->ok) jobs_failed++;
  job_report(c->job);
  conn_done(c, now);
  job_start(now);
}

/* ── per-role pumps: each returns MOVED when bytes moved, and MORE when work may be left that no
 * event will announce (the next round pumps it again) ────────────────────────────────────────── */
enum { MOVED = 1, MORE = 2 };

static int32_t recv_some(struct conn *c, uint32_t max, uint32_t now) {
  uint32_t io = io_bytes();
  return core_recv(c->h, max < io ? max : io, now);
}

/* A recv that returned less than it asked for emptied the receive ring: what comes next (data, the
 * FIN) comes with a READABLE or EOF event — unless that event came already or never will (`drain`). */
static int pump_echo(struct conn *c, uint32_t now) {
  uint32_t io = io_bytes();
  int moved = 0;
  for (int r = 0; r < ROUNDS; r++) {
    if (c->eof) { conn_done(c, now); return MOVED; } /* everything echoed: FIN after it */
    int32_t w = core_writable(c->h);               /* read only what the send ring can take */
    if (w <= 0) return moved | MORE;               /* full: no event says when it drains */
    uint32_t want = (uint32_t)w < io ? (uint32_t)w : io;
    int32_t n = recv_some(c, want, now);
    if (n == PETREL_EAGAIN) { c->drain = 0; return moved; }
    if (n == 0) { c->eof = 1; continue; }
    if (n < 0) { conn_done(c, now); return MOVED; }
    moved = MOVED;
    int32_t s = core_send(c->h, (uint32_t)n, now);
    if (s != n) { core_abort(c->h, now); memset(c, 0, sizeof *c); return MOVED; } /* cannot happen: n ≤ writable */
    if ((uint32_t)n < want && !c->drain) return moved;
  }
  return moved | MORE;
}

static int pump_discard(struct conn *c, uint32_t now) {
  int moved = 0;
  for (int r = 0; r < ROUNDS; r++) {
    int32_t n = recv_some(c, UINT32_MAX, now);
    if (n == PETREL_EAGAIN) { c->drain = 0; return moved; }
    if (n <= 0) { conn_done(c, now); return MOVED; }
    moved = MOVED;
    if ((uint32_t)n < io_bytes() && !c->drain) return moved;
  }
  return moved | MORE;
}

/* A source: its sends never fall short (never more than writable), so no WRITABLE event comes
 * when the send ring drains; it is pumped every round (MORE). */
static int pump_chargen(struct conn *c, uint32_t now) {
  uint8_t *io = core_io();
  uint32_t io_size = io_bytes();
  int moved = 0;
  for (int r = 0; r < ROUNDS; r++) {             /* input is read and ignored; its end ends us */
    int32_t n = recv_some(c, UINT32_MAX, now);
    if (n == PETREL_EAGAIN) break;
    if (n <= 0) { conn_done(c, now); return MOVED; }
  }
  for (int r = 0; r < ROUNDS; r++) {
    int32_t w = core_writable(c->h);
    if (w <= 0) break;
    uint32_t len = (uint32_t)w < io_size ? (uint32_t)w : io_size;
    uint32_t off = (uint32_t)(c->pos % CHARGEN_PERIOD);
    for (uint32_t i = 0; i < len;) {             /* copy whole runs of the block */
      uint32_t run = CHARGEN_PERIOD - off < len - i ? CHARGEN_PERIOD - off : len - i;
      memcpy(io + i, chargen_block + off, run);
      i += run;
      off = 0;
    }
    int32_t s = core_send(c->h, len, now);
    if (s == PETREL_EAGAIN) break;
    if (s < 0) { conn_done(c, now); return MOVED; }
    c->pos += (uint32_t)s;
    moved = MOVED;
  }
  return moved | MORE;
}

/* Pumped every round (MORE), as a source. */
static int pump_client(struct conn *c, uint32_t now) {
  struct job *j = &jobs[c->job];
  uint8_t *io = core_io();
  uint32_t io_size = io_bytes();
  int moved = 0;
  if (!j->connected && core_state(c->h) >= ST_ESTABLISHED) j->connected = 1; /* also if the event was lost */
  if (!j->connected) return 0;
  if (j->expect != EXPECT_CHARGEN) {
    for (int r = 0; r < ROUNDS && j->sent < j->bytes; r++) {
      int32_t w = core_writable(c->h);
      if (w <= 0) break;
      uint64_t left = j->bytes - j->sent;
      uint32_t len = (uint32_t)w < io_size ? (uint32_t)w : io_size;
      if (left < len) len = (uint32_t)left;
      for (uint32_t i = 0; i < len; i++) io[i] = pattern_byte(j->sent + i);
      int32_t s = core_send(c->h, len, now);
      if (s == PETREL_EAGAIN) break;
      if (s < 0) { job_finish(c, now, s); return 1; }
      j->sent += (uint32_t)s;
      moved = 1;
    }
    if (j->sent == j->bytes && !j->shut) {
      j->shut = 1;
      core_shutdown(c->h, now);
      moved = 1;
    }
  }
  for (int r = 0; r < ROUNDS; r++) {
    uint64_t want = j->expect == EXPECT_CHARGEN ? j->bytes - j->received : UINT32_MAX; /* chargen: exactly bytes */
    int32_t n = recv_some(c, want < UINT32_MAX ? (uint32_t)want : UINT32_MAX, now);
    if (n == PETREL_EAGAIN) break;
    if (n == 0) { job_finish(c, now, 0); return 1; }
    if (n < 0) { job_finish(c, now, n); return 1; }
    for (int32_t i = 0; i < n && j->mismatch_at < 0; i++) {
      uint64_t pos = j->received + (uint64_t)i;
      uint8_t want = j->expect == EXPECT_CHARGEN ? chargen_byte(pos) : pattern_byte(pos);
      if (j->expect == EXPECT_DISCARD || io[i] != want) j->mismatch_at = (int64_t)pos;
    }
    j->received += (uint32_t)n;
    moved = 1;
    if (j->expect == EXPECT_CHARGEN && j->received >= j->bytes) { job_finish(c, now, 0); return 1; }
  }
  return moved | MORE;
}

/* ── events and the round ─────────────────────────────────────────────────────────────────── */

static void accept_all(int32_t lh, uint32_t now) {
  enum role role = R_FREE;
  for (int i = 0; i < n_listeners; i++)
    if (listeners[i].lh == lh) role = listeners[i].role;
  if (role == R_FREE) return;
  for (int k = 0; k < 1024; k++) {
    int32_t h = core_accept(lh);
    if (h < 0) return;
    struct conn *c = conn_new(role, h);
    if (!c) { core_abort(h, now); continue; }
    if (role == R_ECHO) core_set_option(h, 1 /* NODELAY */, 1);
  }
}

/* Pops the events (at most a ring's worth); 1 when there were any, 2 when the ring was full (some may
 * have been dropped, so the caller sweeps the listeners too). */
static int drain_events(uint32_t now) {
  if (!ring_len) ring_len = core_config(CFG_EVENT_RING);
  int limit = ring_len, any = 0;
  for (int i = 0; i <= limit; i++) {
    int32_t kind = core_ev_pop();
    if (kind == 0) break;
    if (i == limit - 1) any = 2;
    int32_t h = core_ev_handle(), arg = core_ev_arg();
    struct conn *c;
    if (!any) any = 1;
    switch (kind) {
    case EV_ACCEPTABLE: accept_all(h, now); break;
    case EV_UDP_READABLE: case EV_UDP_ERROR: if (h == udp_echo) udp_echo_ready = 1; break;
    case EV_READABLE: case EV_WRITABLE: case EV_EOF:
      if ((c = conn_find(h))) {
        if (kind == EV_EOF) c->drain = 1;
        mark_ready(c);
      }
      break;
    case EV_DNS_RESULT: if (next_job < n_jobs && jobs[next_job].q == h) job_start(now); break;
    case EV_CONNECTED:
      if ((c = conn_find(h)) && c->role == R_CLIENT) {
        jobs[c->job].connected = 1;
        mark_ready(c);
      }
      break;
    case EV_ERROR:
      if ((c = conn_find(h))) { c->failed = 1; c->err = arg; mark_ready(c); }
      break;
    case EV_CLOSED:
      if ((c = conn_find(h)) && !c->failed) { c->failed = 1; c->err = arg < 0 ? arg : 0; mark_ready(c); }
      break;
    default: break;
    }
  }
  return any;
}

/* Pump one connection; it goes back on the queue when work is left; an ended one is freed. */
static int pump(struct conn *c, uint32_t now) {
  int r = 0;
  c->ready = 0;
  switch (c->role) {
  case R_ECHO: r = pump_echo(c, now); break;
  case R_DISCARD: r = pump_discard(c, now); break;
  case R_CHARGEN: r = pump_chargen(c, now); break;
  case R_CLIENT: r = pump_client(c, now); break;
  default: break;
  }
  /* an ended connection: whatever could still be read was read above; now free it */
  if (c->role != R_FREE && c->failed) {
    if (c->role == R_CLIENT) job_finish(c, now, c->err);
    else conn_done(c, now);
    return MOVED;
  }
  if ((r & MORE) && c->role != R_FREE) mark_ready(c);
  return r & MOVED;
}

int services_pending(void) { return n_ready > 0 || ready_overflow || udp_echo_ready; }

int services_run(uint32_t now) {
  int ev = drain_events(now), moved = ev != 0;
  if (ev == 2 && next_job < n_jobs && jobs[next_job].q) job_start(now); /* its DNS_RESULT may be lost */
  if (ev == 2) udp_echo_ready = 1; /* a full ring may have dropped its UDP_READABLE */
  moved |= pump_udp_echo(now);
  /* ACCEPTABLE and the connections' events are handled above; every SWEEP_MS, and after a full
   * ring (or queue), every listener and every connection is tried as well, so a lost event delays
   * work, never loses it */
  int sweep = ev == 2 || ready_overflow || !swept || (int32_t)(now - swept_at) >= SWEEP_MS;
  if (sweep) {
    swept = 1;
    swept_at = now;
    for (int i = 0; i < n_listeners; i++) accept_all(listeners[i].lh, now);
  }
  uint8_t batch[MAX_TRACKED];
  int n = sweep ? 0 : n_ready;
  memcpy(batch, ready_q, (size_t)n);
  if (sweep) {
    for (int i = 0; i < conns_end; i++) conns[i].ready = 0;
    ready_overflow = 0;
  }
  n_ready = 0; /* what the pumps below queue is for the next round */
  if (sweep) {
    for (int i = 0; i < conns_end; i++)
      if (conns[i].role != R_FREE) moved |= pump(&conns[i], now);
  } else {
    for (int k = 0; k < n; k++) {
      struct conn *c = &conns[batch[k]];
      if (c->role != R_FREE && c->ready) moved |= pump(c, now);
    }
  }
  while (conns_end > 0 && conns[conns_end - 1].role == R_FREE) conns_end--; /* slots freed at the top */
  return moved;
}
