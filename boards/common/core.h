/* The engine interface every C board uses: the Petrel core (one .wasm) behind a small typed C API,
 * with one implementation per engine:
 *   engine_wasm2c.c  the module translated to C by wasm2c (native code, no engine at run time);
 *   engine_wamr.c    the module loaded and run by WAMR (interpreter; as on an ESP32).
 * One instance per process (or firmware). The board supplies the link (struct core_host: where
 * frames the core sends go, and for WAMR the module's bytes); the services and the board's main
 * loop call only what is declared here, so they are the same for both engines.
 *
 * Every call is the ABI call of docs/abi.md with the same numbers; addresses are offsets into linear
 * memory and core_mem() turns them into pointers. A fault inside the core (a wasm trap, a WAMR
 * exception) does not return into the board: core_run() returns CORE_FAULT and core_fault() says
 * which call raised it and the engine's text. */
#ifndef PETREL_BOARD_CORE_H
#define PETREL_BOARD_CORE_H

#include <stddef.h>
#include <stdint.h>

/* docs/abi.md: event kinds, states, the errnos the services look at (negated Linux errnos). */
enum { EV_CONNECTED = 1, EV_READABLE, EV_WRITABLE, EV_EOF, EV_CLOSED, EV_ERROR, EV_ACCEPTABLE, EV_STATE,
       EV_UDP_READABLE, EV_UDP_ERROR, EV_ADDRESS, EV_GATEWAY, EV_DNS, EV_DHCP_STATE, EV_DNS_RESULT,
       EV_SOFT_ERROR };
enum { ST_CLOSED = 0, ST_LISTEN, ST_SYN_SENT, ST_SYN_RECEIVED, ST_ESTABLISHED, ST_FIN_WAIT_1,
       ST_FIN_WAIT_2, ST_CLOSE_WAIT, ST_CLOSING, ST_LAST_ACK, ST_TIME_WAIT };
enum { CFG_MAX_CONNS = 0, CFG_MAX_LISTENERS, CFG_RX_BUF, CFG_TX_BUF, CFG_MTU, CFG_MSL_MS,
       CFG_ARP_ENTRIES, CFG_ARP_PENDING, CFG_EVENT_RING, CFG_IO_BUF, CFG_MAX_BACKLOG,
       CFG_OOO_RANGES, CFG_SACK_RANGES, CFG_DELACK_MS, CFG_RTO_MIN_MS, CFG_RTO_INITIAL_MS, CFG_RTO_MAX_MS,
       CFG_UDP_SOCKETS, CFG_UDP_QUEUE, CFG_DNS_QUERIES, CFG_DNS_CACHE, CFG_DHCP_INIT_DELAY_MS, CFG_COUNT };
#define PETREL_EAGAIN (-11)
/* The resolver's answers other than addresses (dns_result; docs/abi.md "DNS calls"). */
#define PETREL_EINVAL (-22)
#define PETREL_EMFILE (-24)
#define PETREL_ELOOP (-40)
#define PETREL_ENODATA (-61)
#define PETREL_EMSGSIZE (-90)
#define PETREL_EOPNOTSUPP (-95)
#define PETREL_ENOTCONN (-107)
#define PETREL_ETIMEDOUT (-110)
#define PETREL_ENOTFOUND (-200)
#define PETREL_ESERVFAIL (-201)
#define PETREL_EREFUSED (-202)
#define PETREL_ABI_VERSION 1

struct core_link_stats {
  uint64_t tx_frames, tx_bytes, tx_errors; /* frames the core sent through the tx import */
  uint64_t rx_frames, rx_bytes;            /* frames handed to rx */
};

/* What the board gives the engine. */
struct core_host {
  /* import petrel.tx: one Ethernet frame, valid only during the call; the board sends it or drops
   * it (a lost frame, which TCP recovers from). Returns 0 when sent, non-zero when dropped. */
  int (*tx)(void *ctx, const uint8_t *frame, uint32_t len);
  void *ctx;
  /* The module for an engine that loads it (WAMR): its bytes (a file read by the board, or flash)
   * and a name for messages. wasm2c ignores them: the module is compiled in. */
  const uint8_t *wasm;
  uint32_t wasm_len;
  const char *wasm_name;
};

/* Start the engine and instantiate the module. 0, or -1 with the reason in core_fault(). */
int core_start(const struct core_host *host);
/* Which engine runs the core: "wasm2c", "wamr-fast-interp", "wamr-classic-interp", "wamr-aot". */
const char *core_engine(void);
/* Run `loop(arg)` with the engine's fault handler in place; its return value, or CORE_FAULT when a
 * call inside it faulted (core_fault() then says why; the instance must not be used again). */
#define CORE_FAULT (-1000)
int core_run(int (*loop)(void *arg), void *arg);
/* NULL, or "<call>: <engine's text>" for the first fault. */
const char *core_fault(void);
/* The module this engine runs: sha256 (hex), where it came from, its size. */
const char *core_wasm_sha256(void);
const char *core_wasm_path(void);
long core_wasm_bytes(void);

uint8_t *core_mem(uint32_t ptr, uint32_t len); /* NULL when [ptr, ptr+len) is outside memory */
uint32_t core_mem_size(void);
const struct core_link_stats *core_stats(void);

int32_t core_abi_version(void);
int32_t core_init(const uint8_t mac[6], uint32_t ip, int prefix, uint32_t gateway, uint64_t seed);
/* Copy a received frame into the rx buffer and process it (frames longer than the buffer are
 * handed over by length only: the core counts and drops them). */
int32_t core_rx(const uint8_t *frame, size_t len, uint32_t now);
int32_t core_poll(uint32_t now);
uint8_t *core_io(void);       /* the io buffer (tcp_send / tcp_recv data) */
int32_t core_io_size(void);
uint32_t core_io_ptr(void);   /* its offset in linear memory */

int32_t core_listen(int port, int backlog);
int32_t core_accept(int32_t lh);
int32_t core_connect(uint32_t ip, int port, int local_port, uint32_t now);
int32_t core_send(int32_t h, uint32_t len, uint32_t now); /* sends io[0..len) */
int32_t core_recv(int32_t h, uint32_t len, uint32_t now); /* receives into io[0..len) */
int32_t core_shutdown(int32_t h, uint32_t now);
int32_t core_close(int32_t h, uint32_t now);
int32_t core_abort(int32_t h, uint32_t now);
int32_t core_state(int32_t h);
int32_t core_error(int32_t h);
int32_t core_readable(int32_t h);
int32_t core_writable(int32_t h);
int32_t core_set_option(int32_t h, int opt, int32_t value);
int32_t core_connections(void);
/* UDP (docs/abi.md "UDP calls"): datagrams go out of / come into the io buffer like TCP data. */
int32_t core_udp_open(void);
int32_t core_udp_bind(int32_t h, int port);
int32_t core_udp_sendto(int32_t h, uint32_t ip, int port, uint32_t len, uint32_t now); /* sends io[0..len) */
/* Receives the oldest datagram into io[0..cap) and its 12-byte meta record (source ip, port, flags,
 * full length) into *meta; cap must leave the record's 12 bytes at the io buffer's end. */
struct core_udp_meta { uint32_t ip; uint16_t port; uint16_t flags; uint32_t len; };
int32_t core_udp_recvfrom(int32_t h, uint32_t cap, struct core_udp_meta *meta);
int32_t core_udp_close(int32_t h);
/* DHCP (docs/abi.md "Addresses and DHCP"): start the client (requested: a remembered address or 0);
 * dhcp_info's 13 u32 (state, address, prefix, gateway, server, DNS count, DNS x3, ms to T1, T2,
 * expiry, lease seconds) copied into out. */
int32_t core_dhcp_start(uint32_t requested, uint32_t now);
/* dhcp_init_delay: the longest random wait before the first DISCOVER (RFC 2131 4.4.1), ms; 0 = none. */
int32_t core_dhcp_init_delay(uint32_t ms);
int32_t core_dhcp_info(uint32_t out[13], uint32_t now);
/* DNS (docs/abi.md "DNS calls"): server i (0..2) of the resolver (ip 0 removes it; with none, the
 * DHCP lease's servers are used); a query for a dotted name (copied into the io buffer: at most
 * 254 bytes), a query handle or an error; its result: the count of addresses (at most max, host
 * order, into addrs) and the TTL (seconds), PETREL_EAGAIN while it runs, or its error
 * (PETREL_ENOTFOUND, _ESERVFAIL, _EREFUSED, _ENODATA, _ETIMEDOUT, …); then close it. */
int32_t core_dns_server(int i, uint32_t ip);
int32_t core_dns_query(const char *name, uint32_t now);
int32_t core_dns_result(int32_t q, uint32_t *ttl, uint32_t *addrs, int max);
int32_t core_dns_close(int32_t q);
int32_t core_ev_pop(void);
int32_t core_ev_handle(void);
int32_t core_ev_arg(void);
int32_t core_counter_count(void);
uint32_t core_counter(int id);
int32_t core_config(int id);

#endif
