/* The wasm2c engine (boards/common/core.h): the module translated to C, and its imports. Generated names (wabt 1.0.32, `wasm2c -n
 * petrel_core`): the module is Z_petrel_core_*, its exports Z_petrel_coreZ_<name>, and the imports
 * of module `petrel` are functions we define, Z_petrelZ_<name>, taking our `struct
 * Z_petrel_instance_t*` (the import environment) as first argument. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "petrel_core.h"
#include "wasm-rt-impl.h"
#include "wasm_info.h"
#include "core.h"

/* The import environment of module `petrel`. */
struct Z_petrel_instance_t {
  struct core_host host;
  struct core_link_stats stats;
};

static Z_petrel_core_instance_t inst;
static struct Z_petrel_instance_t env;
static wasm_rt_memory_t *mem;
static const char *current_call = "start"; /* the ABI call in progress, for core_fault() */
/* The rx and io buffers' places in linear memory: laid out by init and fixed from then on (the core
 * allocates nothing later), so asked once there instead of on every frame and every send/recv. */
static uint32_t rx_ptr, rx_size, io_ptr, io_size;
static char fault[160];

/* import petrel.tx(ptr, len): one Ethernet frame, valid only during the call. */
void Z_petrelZ_tx(struct Z_petrel_instance_t *e, u32 ptr, u32 len) {
  uint8_t *p = core_mem(ptr, len);
  if (!p || e->host.tx(e->host.ctx, p, len) != 0) { e->stats.tx_errors++; return; }
  e->stats.tx_frames++;
  e->stats.tx_bytes += len;
}

/* import petrel.panic(code, line): an unreachable state of the core. Must not return: it traps
 * (core_run() reports it). The release build's optimiser usually removes the import (no path
 * reaches it); defining it keeps this file valid for debug builds, whose header declares it. */
void Z_petrelZ_panic(struct Z_petrel_instance_t *e, u32 code, u32 line);
void Z_petrelZ_panic(struct Z_petrel_instance_t *e, u32 code, u32 line) {
  (void)e;
  snprintf(fault, sizeof fault, "%s: core panic: code %u%s at line %u", current_call, (unsigned)code, code == 1 ? " (abort)" : "", (unsigned)line);
  wasm_rt_trap(WASM_RT_TRAP_UNREACHABLE);
}

int core_start(const struct core_host *host) {
  env.host = *host;
  wasm_rt_init();
  Z_petrel_core_init_module();
  Z_petrel_core_instantiate(&inst, &env);
  mem = Z_petrel_coreZ_memory(&inst);
  int32_t v = core_abi_version();
  if (v != PETREL_ABI_VERSION) {
    snprintf(fault, sizeof fault, "start: module ABI version %d, this board expects %d", (int)v, PETREL_ABI_VERSION);
    return -1;
  }
  return 0;
}

const char *core_engine(void) { return "wasm2c"; }

int core_run(int (*loop)(void *arg), void *arg) {
  wasm_rt_trap_t trap = wasm_rt_impl_try(); /* a trap in the core longjmps back here */
  if (trap != WASM_RT_TRAP_NONE) {
    if (!fault[0]) snprintf(fault, sizeof fault, "%s: %s", current_call, wasm_rt_strerror(trap));
    return CORE_FAULT;
  }
  return loop(arg);
}

const char *core_fault(void) { return fault[0] ? fault : NULL; }

const char *core_wasm_sha256(void) { return PETREL_WASM_SHA256; }
const char *core_wasm_path(void) { return PETREL_WASM_PATH; }
long core_wasm_bytes(void) { return PETREL_WASM_BYTES; }
const struct core_link_stats *core_stats(void) { return &env.stats; }
uint32_t core_mem_size(void) { return mem->size; }

uint8_t *core_mem(uint32_t ptr, uint32_t len) {
  if ((uint64_t)ptr + len > mem->size) return NULL;
  return mem->data + ptr;
}

int32_t core_abi_version(void) { current_call = "abi_version"; return (int32_t)Z_petrel_coreZ_abi_version(&inst); }

int32_t core_init(const uint8_t mac[6], uint32_t ip, int prefix, uint32_t gateway, uint64_t seed) {
  uint32_t mac_hi = (uint32_t)mac[0] << 8 | mac[1];
  uint32_t mac_lo = (uint32_t)mac[2] << 24 | (uint32_t)mac[3] << 16 | (uint32_t)mac[4] << 8 | mac[5];
  current_call = "init";
  int32_t rc = (int32_t)Z_petrel_coreZ_init(&inst, mac_hi, mac_lo, ip, (u32)prefix, gateway, (u32)seed, (u32)(seed >> 32));
  rx_ptr = Z_petrel_coreZ_rx_buffer(&inst);
  rx_size = Z_petrel_coreZ_rx_buffer_size(&inst);
  io_ptr = Z_petrel_coreZ_io_buffer(&inst);
  io_size = Z_petrel_coreZ_io_buffer_size(&inst);
  if (rc == 0 && (!core_mem(rx_ptr, rx_size) || !core_mem(io_ptr, io_size))) {
    snprintf(fault, sizeof fault, "init: the module's rx or io buffer lies outside its memory");
    return -1;
  }
  return rc;
}

int32_t core_rx(const uint8_t *frame, size_t len, uint32_t now) {
  env.stats.rx_frames++;
  env.stats.rx_bytes += len;
  if (len <= rx_size) memcpy(mem->data + rx_ptr, frame, len); /* inside memory: the core placed it */
  current_call = "rx";
  return (int32_t)Z_petrel_coreZ_rx(&inst, (u32)len, now);
}

int32_t core_poll(uint32_t now) { current_call = "poll"; return (int32_t)Z_petrel_coreZ_poll(&inst, now); }
uint32_t core_io_ptr(void) { return io_ptr; }
int32_t core_io_size(void) { return (int32_t)io_size; }
uint8_t *core_io(void) { return core_mem(core_io_ptr(), (uint32_t)core_io_size()); }

int32_t core_listen(int port, int backlog) { current_call = "tcp_listen"; return (int32_t)Z_petrel_coreZ_tcp_listen(&inst, (u32)port, (u32)backlog); }
int32_t core_accept(int32_t lh) { current_call = "tcp_accept"; return (int32_t)Z_petrel_coreZ_tcp_accept(&inst, (u32)lh); }
int32_t core_connect(uint32_t ip, int port, int local_port, uint32_t now) {
  current_call = "tcp_connect";
  return (int32_t)Z_petrel_coreZ_tcp_connect(&inst, ip, (u32)port, (u32)local_port, now);
}
int32_t core_send(int32_t h, uint32_t len, uint32_t now) { current_call = "tcp_send"; return (int32_t)Z_petrel_coreZ_tcp_send(&inst, (u32)h, core_io_ptr(), len, now); }
int32_t core_recv(int32_t h, uint32_t len, uint32_t now) { current_call = "tcp_recv"; return (int32_t)Z_petrel_coreZ_tcp_recv(&inst, (u32)h, core_io_ptr(), len, now); }
int32_t core_shutdown(int32_t h, uint32_t now) { current_call = "tcp_shutdown"; return (int32_t)Z_petrel_coreZ_tcp_shutdown(&inst, (u32)h, now); }
int32_t core_close(int32_t h, uint32_t now) { current_call = "tcp_close"; return (int32_t)Z_petrel_coreZ_tcp_close(&inst, (u32)h, now); }
int32_t core_abort(int32_t h, uint32_t now) { current_call = "tcp_abort"; return (int32_t)Z_petrel_coreZ_tcp_abort(&inst, (u32)h, now); }
int32_t core_state(int32_t h) { current_call = "tcp_state"; return (int32_t)Z_petrel_coreZ_tcp_state(&inst, (u32)h); }
int32_t core_error(int32_t h) { current_call = "tcp_error"; return (int32_t)Z_petrel_coreZ_tcp_error(&inst, (u32)h); }
int32_t core_readable(int32_t h) { current_call = "tcp_readable"; return (int32_t)Z_petrel_coreZ_tcp_readable(&inst, (u32)h); }
int32_t core_writable(int32_t h) { current_call = "tcp_writable"; return (int32_t)Z_petrel_coreZ_tcp_writable(&inst, (u32)h); }
int32_t core_set_option(int32_t h, int opt, int32_t value) { current_call = "tcp_set_option"; return (int32_t)Z_petrel_coreZ_tcp_set_option(&inst, (u32)h, (u32)opt, (u32)value); }
int32_t core_connections(void) { current_call = "tcp_connections"; return (int32_t)Z_petrel_coreZ_tcp_connections(&inst); }
/* The meta record udp_recvfrom writes at the io buffer's last 12 bytes (little-endian). */
static void udp_meta(const uint8_t *m, struct core_udp_meta *meta) {
  meta->ip = (uint32_t)m[0] | (uint32_t)m[1] << 8 | (uint32_t)m[2] << 16 | (uint32_t)m[3] << 24;
  meta->port = (uint16_t)(m[4] | m[5] << 8);
  meta->flags = (uint16_t)(m[6] | m[7] << 8);
  meta->len = (uint32_t)m[8] | (uint32_t)m[9] << 8 | (uint32_t)m[10] << 16 | (uint32_t)m[11] << 24;
}
int32_t core_udp_open(void) { current_call = "udp_open"; return (int32_t)Z_petrel_coreZ_udp_open(&inst); }
int32_t core_udp_bind(int32_t h, int port) { current_call = "udp_bind"; return (int32_t)Z_petrel_coreZ_udp_bind(&inst, (u32)h, (u32)port); }
int32_t core_udp_sendto(int32_t h, uint32_t ip, int port, uint32_t len, uint32_t now) {
  current_call = "udp_sendto";
  return (int32_t)Z_petrel_coreZ_udp_sendto(&inst, (u32)h, ip, (u32)port, core_io_ptr(), len, now);
}
int32_t core_udp_recvfrom(int32_t h, uint32_t cap, struct core_udp_meta *meta) {
  uint32_t io = core_io_ptr(), size = (uint32_t)core_io_size(), at = io + size - 12;
  if (size < 12 || cap > size - 12) return -22; /* EINVAL: the record must follow the data */
  current_call = "udp_recvfrom";
  int32_t n = (int32_t)Z_petrel_coreZ_udp_recvfrom(&inst, (u32)h, io, cap, at);
  if (n >= 0) udp_meta(core_mem(at, 12), meta);
  return n;
}
int32_t core_udp_close(int32_t h) { current_call = "udp_close"; return (int32_t)Z_petrel_coreZ_udp_close(&inst, (u32)h); }
int32_t core_dns_server(int i, uint32_t ip) { current_call = "dns_server"; return (int32_t)Z_petrel_coreZ_dns_server(&inst, (u32)i, ip); }
int32_t core_dns_query(const char *name, uint32_t now) {
  size_t len = strlen(name);
  if (len == 0 || len > 254 || len > io_size) return PETREL_EINVAL;
  memcpy(core_io(), name, len);
  current_call = "dns_query";
  return (int32_t)Z_petrel_coreZ_dns_query(&inst, io_ptr, (u32)len, now);
}
int32_t core_dns_result(int32_t q, uint32_t *ttl, uint32_t *addrs, int max) {
  uint32_t cap = 4 + 4 * (uint32_t)(max > 0 ? max : 1);
  if (cap > io_size) return PETREL_EINVAL;
  current_call = "dns_result";
  int32_t n = (int32_t)Z_petrel_coreZ_dns_result(&inst, (u32)q, io_ptr, cap);
  if (n >= 0) { /* TTL, then the addresses: little-endian u32 */
    memcpy(ttl, core_io(), 4);
    memcpy(addrs, core_io() + 4, 4 * (size_t)n);
  }
  return n;
}
int32_t core_dns_close(int32_t q) { current_call = "dns_close"; return (int32_t)Z_petrel_coreZ_dns_close(&inst, (u32)q); }
int32_t core_ev_pop(void) { current_call = "ev_pop"; return (int32_t)Z_petrel_coreZ_ev_pop(&inst); }
int32_t core_ev_handle(void) { current_call = "ev_handle"; return (int32_t)Z_petrel_coreZ_ev_handle(&inst); }
int32_t core_ev_arg(void) { current_call = "ev_arg"; return (int32_t)Z_petrel_coreZ_ev_arg(&inst); }
int32_t core_counter_count(void) { current_call = "counter_count"; return (int32_t)Z_petrel_coreZ_counter_count(&inst); }
uint32_t core_counter(int id) { current_call = "counter"; return Z_petrel_coreZ_counter(&inst, (u32)id); }
int32_t core_dhcp_start(uint32_t requested, uint32_t now) { current_call = "dhcp_start"; return (int32_t)Z_petrel_coreZ_dhcp_start(&inst, requested, now); }
int32_t core_dhcp_init_delay(uint32_t ms) { current_call = "dhcp_init_delay"; return (int32_t)Z_petrel_coreZ_dhcp_init_delay(&inst, ms); }
int32_t core_dhcp_info(uint32_t out[13], uint32_t now) {
  current_call = "dhcp_info";
  uint32_t io = core_io_ptr();
  int32_t rc = (int32_t)Z_petrel_coreZ_dhcp_info(&inst, io, now);
  if (rc == 0) memcpy(out, core_mem(io, 52), 52);
  return rc;
}
int32_t core_config(int id) { current_call = "config"; return (int32_t)Z_petrel_coreZ_config(&inst, (u32)id); }
