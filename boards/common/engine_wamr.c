/* The WAMR engine (boards/common/core.h): the module's bytes, given by the board (a file it read, or
 * flash), loaded and run by WebAssembly Micro Runtime 2.x through its embedding API (wasm_export.h).
 * Shared by every board that runs WAMR: boards/linux (petrel-linux-wamr), boards/esp32, bare metal.
 * No I/O and no allocation outside WAMR's pool here: the board does both.
 *
 *   wasm_runtime_full_init   Alloc_With_Pool over a static pool of PETREL_WAMR_POOL_SIZE bytes;
 *                            natives of module `petrel` (tx, panic) registered once
 *   wasm_runtime_load_ex     the board's bytes, with wasm_binary_freeable: WAMR copies what it keeps,
 *                            so the bytes may live in read-only flash (see PETREL_WAMR_COPY_MODULE)
 *   wasm_runtime_instantiate then every export looked up once, one exec env of
 *                            PETREL_WAMR_STACK_SIZE bytes (the wasm operand + frame stack)
 *   wasm_runtime_call_wasm   every ABI call; a false return is an exception: core_fault() then says
 *                            "<call>: <wasm_runtime_get_exception text>" and core_run() returns
 *                            CORE_FAULT (a longjmp from the failed call back into core_run, as the
 *                            wasm2c engine's trap handler does).
 *
 * Linear memory: WAMR 2.x maps it outside the pool (os_mmap; on ESP-IDF heap_caps_malloc), so the
 * RAM a board needs is the pool + linear memory + the native stack of the calling task. */
#include <setjmp.h>
#include <stdbool.h>
#include <string.h>

#include "wasm_export.h"
#include "core.h"
#include "sha256.h"

#ifndef PETREL_WAMR_POOL_SIZE
#define PETREL_WAMR_POOL_SIZE (256 * 1024)
#endif
#ifndef PETREL_WAMR_STACK_SIZE
#define PETREL_WAMR_STACK_SIZE 8192
#endif
/* 1: load from a copy in the pool (needed when WAMR's loader writes into the bytes, as the classic
 * interpreter's does: it rewrites some opcodes in place); 0: load straight from the board's bytes
 * (the fast interpreter with wasm_binary_freeable only reads them: no copy, less pool). */
#ifndef PETREL_WAMR_COPY_MODULE
#ifdef PETREL_WAMR_CLASSIC
#define PETREL_WAMR_COPY_MODULE 1
#else
#define PETREL_WAMR_COPY_MODULE 0
#endif
#endif

/* The exports, looked up once at start. */
enum {
  F_ABI_VERSION, F_INIT, F_RX_BUFFER, F_RX_BUFFER_SIZE, F_RX, F_POLL, F_IO_BUFFER, F_IO_BUFFER_SIZE,
  F_TCP_LISTEN, F_TCP_ACCEPT, F_TCP_CONNECT, F_TCP_SEND, F_TCP_RECV, F_TCP_SHUTDOWN, F_TCP_CLOSE,
  F_TCP_ABORT, F_TCP_STATE, F_TCP_ERROR, F_TCP_READABLE, F_TCP_WRITABLE, F_TCP_SET_OPTION,
  F_TCP_CONNECTIONS, F_EV_POP, F_EV_HANDLE, F_EV_ARG, F_COUNTER_COUNT, F_COUNTER, F_CONFIG,
  F_UDP_OPEN, F_UDP_BIND, F_UDP_SENDTO, F_UDP_RECVFROM, F_UDP_CLOSE, F_DHCP_START, F_DHCP_INFO,
  F_DNS_SERVER, F_DNS_QUERY, F_DNS_RESULT, F_DNS_CLOSE, F_DHCP_INIT_DELAY, F_COUNT
};
static const char *const fn_names[F_COUNT] = {
  "abi_version", "init", "rx_buffer", "rx_buffer_size", "rx", "poll", "io_buffer", "io_buffer_size",
  "tcp_listen", "tcp_accept", "tcp_connect", "tcp_send", "tcp_recv", "tcp_shutdown", "tcp_close",
  "tcp_abort", "tcp_state", "tcp_error", "tcp_readable", "tcp_writable", "tcp_set_option",
  "tcp_connections", "ev_pop", "ev_handle", "ev_arg", "counter_count", "counter", "config",
  "udp_open", "udp_bind", "udp_sendto", "udp_recvfrom", "udp_close", "dhcp_start", "dhcp_info",
  "dns_server", "dns_query", "dns_result", "dns_close", "dhcp_init_delay",
};

static struct {
  struct core_host host;
  struct core_link_stats stats;
  wasm_module_t module;
  wasm_module_inst_t inst;
  wasm_exec_env_t exec_env;
  wasm_function_inst_t fn[F_COUNT];
  uint8_t *base;           /* linear memory: never grows (the core's rule), so cached at start */
  uint32_t size;
  uint32_t rx_buf, rx_size, io_buf, io_size; /* cached after init (the core lays them out there) */
  int in_run;              /* inside core_run(): a fault longjmps to `run` */
  jmp_buf run;
  int faulted;
  char fault[200];
  char sha256[65];
} w;

static uint8_t pool[PETREL_WAMR_POOL_SIZE] __attribute__((aligned(8)));

/* Decimal digits of v at s[n..] (room for 11 characters and a NUL is the caller's); the new end. */
static size_t append_int(char *s, size_t n, int32_t v) {
  char tmp[11];
  int d = 0;
  uint32_t u = v < 0 ? 0u - (uint32_t)v : (uint32_t)v;
  if (v < 0) s[n++] = '-';
  do tmp[d++] = (char)('0' + u % 10); while ((u /= 10) && d < 10);
  while (d) s[n++] = tmp[--d];
  s[n] = 0;
  return n;
}

static void set_fault(const char *call, const char *text) {
  if (w.faulted) return;
  w.faulted = 1;
  size_t n = strlen(call);
  if (n > 60) n = 60;
  memcpy(w.fault, call, n);
  w.fault[n++] = ':';
  w.fault[n++] = ' ';
  size_t m = strlen(text);
  if (m > sizeof w.fault - n - 1) m = sizeof w.fault - n - 1;
  memcpy(w.fault + n, text, m);
  w.fault[n + m] = 0;
}

/* One ABI call: argv[0] carries the i32 result back. An exception ends core_run(); outside it (at
 * start), the call returns -1 with the fault recorded. After a fault the instance is not used. */
static int32_t call(int f, uint32_t argc, uint32_t *argv) {
  if (w.faulted) {
    if (w.in_run) longjmp(w.run, 1);
    return -1;
  }
  if (!wasm_runtime_call_wasm(w.exec_env, w.fn[f], argc, argv)) {
    const char *e = wasm_runtime_get_exception(w.inst);
    set_fault(fn_names[f], e ? e : "call failed");
    if (w.in_run) longjmp(w.run, 1);
    return -1;
  }
  return (int32_t)argv[0];
}
static int32_t call0(int f) { uint32_t a[1] = { 0 }; return call(f, 0, a); }
static int32_t call1(int f, uint32_t x) { uint32_t a[1] = { x }; return call(f, 1, a); }
static int32_t call2(int f, uint32_t x, uint32_t y) { uint32_t a[2] = { x, y }; return call(f, 2, a); }
static int32_t call3(int f, uint32_t x, uint32_t y, uint32_t z) { uint32_t a[3] = { x, y, z }; return call(f, 3, a); }
static int32_t call4(int f, uint32_t x, uint32_t y, uint32_t z, uint32_t v) { uint32_t a[4] = { x, y, z, v }; return call(f, 4, a); }

/* import petrel.tx(ptr, len): "(*~)" makes WAMR check [ptr, ptr+len) against linear memory and
 * pass a native pointer (an out-of-bounds pair becomes an exception before we are called). */
static void native_tx(wasm_exec_env_t env, uint8_t *frame, uint32_t len) {
  (void)env;
  if (w.host.tx(w.host.ctx, frame, len) != 0) { w.stats.tx_errors++; return; }
  w.stats.tx_frames++;
  w.stats.tx_bytes += len;
}

/* import petrel.panic(code, line): an unreachable state of the core (debug builds import it). The
 * exception makes WAMR unwind the call; call() reports it with the call's name. */
static void native_panic(wasm_exec_env_t env, int32_t code, int32_t line) {
  char text[64] = "core panic: code ";
  size_t n = append_int(text, strlen(text), code);
  memcpy(text + n, " at line ", 10);
  n = append_int(text, n + 9, line);
  wasm_runtime_set_exception(wasm_runtime_get_module_inst(env), text);
}

static NativeSymbol natives[] = {
  { "tx", (void *)native_tx, "(*~)", NULL },
  { "panic", (void *)native_panic, "(ii)", NULL },
};

static int start_fail(const char *what, const char *text) {
  set_fault(what, text);
  return -1;
}

int core_start(const struct core_host *host) {
  static char err[128];
  w.host = *host;
  if (!host->wasm || !host->wasm_len) return start_fail("start", "no module bytes");
  sha256_hex(host->wasm, host->wasm_len, w.sha256);

  RuntimeInitArgs init;
  memset(&init, 0, sizeof init);
  init.mem_alloc_type = Alloc_With_Pool;
  init.mem_alloc_option.pool.heap_buf = pool;
  init.mem_alloc_option.pool.heap_size = sizeof pool;
  if (!wasm_runtime_full_init(&init)) return start_fail("wasm_runtime_full_init", "failed (pool too small?)");
  if (!wasm_runtime_register_natives("petrel", natives, sizeof natives / sizeof natives[0]))
    return start_fail("wasm_runtime_register_natives", "failed");

  uint8_t *bytes = (uint8_t *)(uintptr_t)host->wasm; /* WAMR's API is not const; see PETREL_WAMR_COPY_MODULE */
#if PETREL_WAMR_COPY_MODULE
  bytes = wasm_runtime_malloc(host->wasm_len);
  if (!bytes) return start_fail("wasm_runtime_load", "no room in the WAMR pool for the module's copy");
  memcpy(bytes, host->wasm, host->wasm_len);
#endif
  LoadArgs load;
  memset(&load, 0, sizeof load);
  load.name = (char *)"petrel";
  load.wasm_binary_freeable = !PETREL_WAMR_COPY_MODULE;
  w.module = wasm_runtime_load_ex(bytes, host->wasm_len, &load, err, sizeof err);
  if (!w.module) return start_fail("wasm_runtime_load", err);
  /* no app heap: the core allocates nothing */
  w.inst = wasm_runtime_instantiate(w.module, PETREL_WAMR_STACK_SIZE, 0, err, sizeof err);
  if (!w.inst) return start_fail("wasm_runtime_instantiate", err);
  for (int i = 0; i < F_COUNT; i++) {
    w.fn[i] = wasm_runtime_lookup_function(w.inst, fn_names[i]);
    if (!w.fn[i]) return start_fail(fn_names[i], "export missing: module and board disagree on the ABI");
  }
  w.exec_env = wasm_runtime_create_exec_env(w.inst, PETREL_WAMR_STACK_SIZE);
  if (!w.exec_env) return start_fail("wasm_runtime_create_exec_env", "failed (pool too small?)");
  wasm_memory_inst_t mem = wasm_runtime_get_default_memory(w.inst);
  if (!mem) return start_fail("start", "the module has no memory");
  w.base = wasm_memory_get_base_address(mem);
  w.size = core_mem_size();
  int32_t v = core_abi_version();
  if (w.faulted) return -1;
  if (v != PETREL_ABI_VERSION) {
    char text[80] = "module ABI version ";
    size_t n = append_int(text, strlen(text), v);
    memcpy(text + n, ", this board expects ", 22);
    append_int(text, n + 21, PETREL_ABI_VERSION);
    return start_fail("start", text);
  }
  return 0;
}

const char *core_engine(void) {
#if defined(PETREL_WAMR_AOT)
  return "wamr-aot";
#elif defined(PETREL_WAMR_CLASSIC)
  return "wamr-classic-interp";
#else
  return "wamr-fast-interp";
#endif
}

int core_run(int (*loop)(void *arg), void *arg) {
  if (w.faulted) return CORE_FAULT;
  if (setjmp(w.run)) {
    w.in_run = 0;
    return CORE_FAULT;
  }
  w.in_run = 1;
  int r = loop(arg);
  w.in_run = 0;
  return r;
}

const char *core_fault(void) { return w.faulted ? w.fault : NULL; }
const char *core_wasm_sha256(void) { return w.sha256; }
const char *core_wasm_path(void) { return w.host.wasm_name ? w.host.wasm_name : "(module bytes)"; }
long core_wasm_bytes(void) { return (long)w.host.wasm_len; }
const struct core_link_stats *core_stats(void) { return &w.stats; }

uint32_t core_mem_size(void) {
  wasm_memory_inst_t mem = w.inst ? wasm_runtime_get_default_memory(w.inst) : NULL;
  if (!mem) return 0;
  return (uint32_t)((uint64_t)wasm_memory_get_cur_page_count(mem) * wasm_memory_get_bytes_per_page(mem));
}

uint8_t *core_mem(uint32_t ptr, uint32_t len) {
  if (!w.base || (uint64_t)ptr + len > w.size) return NULL;
  return w.base + ptr;
}

int32_t core_abi_version(void) { return call0(F_ABI_VERSION); }

int32_t core_init(const uint8_t mac[6], uint32_t ip, int prefix, uint32_t gateway, uint64_t seed) {
  uint32_t a[7] = {
    (uint32_t)mac[0] << 8 | mac[1],
    (uint32_t)mac[2] << 24 | (uint32_t)mac[3] << 16 | (uint32_t)mac[4] << 8 | mac[5],
    ip, (uint32_t)prefix, gateway, (uint32_t)seed, (uint32_t)(seed >> 32),
  };
  int32_t rc = call(F_INIT, 7, a);
  w.rx_buf = (uint32_t)call0(F_RX_BUFFER);
  w.rx_size = (uint32_t)call0(F_RX_BUFFER_SIZE);
  w.io_buf = (uint32_t)call0(F_IO_BUFFER);
  w.io_size = (uint32_t)call0(F_IO_BUFFER_SIZE);
  if (!core_mem(w.rx_buf, w.rx_size)) w.rx_size = 0; /* never copy outside memory */
  if (!core_mem(w.io_buf, w.io_size)) w.io_size = 0;
  return rc;
}

int32_t core_rx(const uint8_t *frame, size_t len, uint32_t now) {
  w.stats.rx_frames++;
  w.stats.rx_bytes += len;
  if (len <= w.rx_size) memcpy(w.base + w.rx_buf, frame, len);
  return call2(F_RX, (uint32_t)len, now);
}

int32_t core_poll(uint32_t now) { return call1(F_POLL, now); }
uint32_t core_io_ptr(void) { return w.io_buf; }
int32_t core_io_size(void) { return (int32_t)w.io_size; }
uint8_t *core_io(void) { return core_mem(w.io_buf, w.io_size); }

int32_t core_listen(int port, int backlog) { return call2(F_TCP_LISTEN, (uint32_t)port, (uint32_t)backlog); }
int32_t core_accept(int32_t lh) { return call1(F_TCP_ACCEPT, (uint32_t)lh); }
int32_t core_connect(uint32_t ip, int port, int local_port, uint32_t now) {
  return call4(F_TCP_CONNECT, ip, (uint32_t)port, (uint32_t)local_port, now);
}
int32_t core_send(int32_t h, uint32_t len, uint32_t now) { return call4(F_TCP_SEND, (uint32_t)h, w.io_buf, len, now); }
int32_t core_recv(int32_t h, uint32_t len, uint32_t now) { return call4(F_TCP_RECV, (uint32_t)h, w.io_buf, len, now); }
int32_t core_shutdown(int32_t h, uint32_t now) { return call2(F_TCP_SHUTDOWN, (uint32_t)h, now); }
int32_t core_close(int32_t h, uint32_t now) { return call2(F_TCP_CLOSE, (uint32_t)h, now); }
int32_t core_abort(int32_t h, uint32_t now) { return call2(F_TCP_ABORT, (uint32_t)h, now); }
int32_t core_state(int32_t h) { return call1(F_TCP_STATE, (uint32_t)h); }
int32_t core_error(int32_t h) { return call1(F_TCP_ERROR, (uint32_t)h); }
int32_t core_readable(int32_t h) { return call1(F_TCP_READABLE, (uint32_t)h); }
int32_t core_writable(int32_t h) { return call1(F_TCP_WRITABLE, (uint32_t)h); }
int32_t core_set_option(int32_t h, int opt, int32_t value) { return call3(F_TCP_SET_OPTION, (uint32_t)h, (uint32_t)opt, (uint32_t)value); }
int32_t core_connections(void) { return call0(F_TCP_CONNECTIONS); }
/* The meta record udp_recvfrom writes at the io buffer's last 12 bytes (little-endian). */
static void udp_meta(const uint8_t *m, struct core_udp_meta *meta) {
  meta->ip = (uint32_t)m[0] | (uint32_t)m[1] << 8 | (uint32_t)m[2] << 16 | (uint32_t)m[3] << 24;
  meta->port = (uint16_t)(m[4] | m[5] << 8);
  meta->flags = (uint16_t)(m[6] | m[7] << 8);
  meta->len = (uint32_t)m[8] | (uint32_t)m[9] << 8 | (uint32_t)m[10] << 16 | (uint32_t)m[11] << 24;
}
int32_t core_udp_open(void) { return call0(F_UDP_OPEN); }
int32_t core_udp_bind(int32_t h, int port) { return call2(F_UDP_BIND, (uint32_t)h, (uint32_t)port); }
int32_t core_udp_sendto(int32_t h, uint32_t ip, int port, uint32_t len, uint32_t now) {
  uint32_t a[6] = { (uint32_t)h, ip, (uint32_t)port, w.io_buf, len, now };
  return call(F_UDP_SENDTO, 6, a);
}
int32_t core_udp_recvfrom(int32_t h, uint32_t cap, struct core_udp_meta *meta) {
  uint32_t at = w.io_buf + w.io_size - 12;
  if (w.io_size < 12 || cap > w.io_size - 12) return -22; /* EINVAL: the record must follow the data */
  int32_t n = call4(F_UDP_RECVFROM, (uint32_t)h, w.io_buf, cap, at);
  if (n >= 0) udp_meta(w.base + at, meta);
  return n;
}
int32_t core_udp_close(int32_t h) { return call1(F_UDP_CLOSE, (uint32_t)h); }
int32_t core_dhcp_start(uint32_t requested, uint32_t now) { return call2(F_DHCP_START, requested, now); }
int32_t core_dhcp_init_delay(uint32_t ms) { return call1(F_DHCP_INIT_DELAY, ms); }
int32_t core_dhcp_info(uint32_t out[13], uint32_t now) {
  uint32_t io = core_io_ptr();
  int32_t rc = call2(F_DHCP_INFO, io, now);
  if (rc == 0) memcpy(out, core_mem(io, 52), 52);
  return rc;
}
int32_t core_dns_server(int i, uint32_t ip) { return call2(F_DNS_SERVER, (uint32_t)i, ip); }
int32_t core_dns_query(const char *name, uint32_t now) {
  size_t len = strlen(name);
  if (len == 0 || len > 254 || len > w.io_size) return PETREL_EINVAL;
  memcpy(w.base + w.io_buf, name, len);
  return call3(F_DNS_QUERY, w.io_buf, (uint32_t)len, now);
}
int32_t core_dns_result(int32_t q, uint32_t *ttl, uint32_t *addrs, int max) {
  uint32_t cap = 4 + 4 * (uint32_t)(max > 0 ? max : 1);
  if (cap > w.io_size) return PETREL_EINVAL;
  int32_t n = call3(F_DNS_RESULT, (uint32_t)q, w.io_buf, cap);
  if (n >= 0) { /* TTL, then the addresses: little-endian u32 */
    memcpy(ttl, w.base + w.io_buf, 4);
    memcpy(addrs, w.base + w.io_buf + 4, 4 * (size_t)n);
  }
  return n;
}
int32_t core_dns_close(int32_t q) { return call1(F_DNS_CLOSE, (uint32_t)q); }
int32_t core_ev_pop(void) { return call0(F_EV_POP); }
int32_t core_ev_handle(void) { return call0(F_EV_HANDLE); }
int32_t core_ev_arg(void) { return call0(F_EV_ARG); }
int32_t core_counter_count(void) { return call0(F_COUNTER_COUNT); }
uint32_t core_counter(int id) { return (uint32_t)call1(F_COUNTER, (uint32_t)id); }
int32_t core_config(int id) { return call1(F_CONFIG, (uint32_t)id); }
