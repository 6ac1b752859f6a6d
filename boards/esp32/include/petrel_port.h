/* Petrel on ESP-IDF: the core (one WebAssembly module) run by WAMR in its own task, fed with the
 * Wi-Fi station's frames, sending through esp_wifi_internal_tx, its timers driven by esp_timer.
 *
 * Threading: every call into the core happens in the Petrel task. The application gets the core's
 * events through `on_event`, which runs in that task; the petrel_* socket calls below may only be
 * made from there (from on_event or on_ready). Numbers are those of docs/abi.md. */
#pragma once

#include <stdint.h>
#include "esp_err.h"

#ifdef __cplusplus
extern "C" {
#endif

/* docs/abi.md: event kinds */
enum { PETREL_EV_CONNECTED = 1, PETREL_EV_READABLE, PETREL_EV_WRITABLE, PETREL_EV_EOF, PETREL_EV_CLOSED,
       PETREL_EV_ERROR, PETREL_EV_ACCEPTABLE, PETREL_EV_STATE, PETREL_EV_UDP_READABLE, PETREL_EV_UDP_ERROR,
       PETREL_EV_ADDRESS /* handle: prefix, arg: the address (0: none) */, PETREL_EV_GATEWAY, PETREL_EV_DNS,
       PETREL_EV_DHCP_STATE /* handle: the DHCP client's state (5 BOUND), arg: the address */ };
/* docs/abi.md: connection states (petrel_state) */
enum { PETREL_ST_CLOSED = 0, PETREL_ST_LISTEN, PETREL_ST_SYN_SENT, PETREL_ST_SYN_RECEIVED, PETREL_ST_ESTABLISHED,
       PETREL_ST_FIN_WAIT_1, PETREL_ST_FIN_WAIT_2, PETREL_ST_CLOSE_WAIT, PETREL_ST_CLOSING, PETREL_ST_LAST_ACK,
       PETREL_ST_TIME_WAIT };
#define PETREL_EAGAIN (-11)

typedef void (*petrel_event_cb_t)(int kind, int32_t handle, int32_t arg, void *ctx);

typedef struct {
    uint8_t mac[6];          /* usually esp_wifi_get_mac(WIFI_IF_STA, …) */
    /* Kconfig PETREL_IPV4_STATIC: the address. PETREL_IPV4_DHCP (the default): the address to ask
     * for first (INIT-REBOOT: one remembered from the last lease, or 0); prefix and gateway unused. */
    uint32_t ip;             /* host order: 192.0.2.10 = 0xC000020A */
    uint8_t prefix_len;
    uint32_t gateway;        /* 0 = none */
    uint64_t seed;           /* keys ISNs and ephemeral ports: use esp_random() */
    petrel_event_cb_t on_event;
    void (*on_ready)(void *ctx); /* in the Petrel task once the core is initialised: open listeners here */
    void *ctx;
} petrel_port_config_t;

typedef struct {
    uint32_t rx_frames, rx_dropped_no_slot, rx_dropped_too_long;
    uint32_t tx_frames, tx_errors;
} petrel_port_stats_t;

/* Start WAMR (static pool), load and instantiate the embedded module, bind the `petrel` imports,
 * start the Petrel task and call init(). */
esp_err_t petrel_port_start(const petrel_port_config_t *cfg);

/* Take the station interface's received frames (esp_wifi_internal_reg_rxcb). Call once the station
 * is connected (WIFI_EVENT_STA_CONNECTED); no esp_netif may be attached to WIFI_IF_STA. With DHCP
 * (Kconfig), this also has the Petrel task start the DHCP client (the lease is logged; the address
 * comes as PETREL_EV_ADDRESS). */
esp_err_t petrel_port_attach_wifi_sta(void);
/* Give them back (e.g. on WIFI_EVENT_STA_DISCONNECTED). */
esp_err_t petrel_port_detach_wifi_sta(void);

void petrel_port_stats(petrel_port_stats_t *out);

/* ── socket calls: only from the Petrel task (on_event / on_ready) ─────────────────────────── */
int32_t petrel_listen(int port, int backlog);
int32_t petrel_accept(int32_t listener);
int32_t petrel_connect(uint32_t ip, int port);
int32_t petrel_send(int32_t h, const void *data, uint32_t len);  /* copies ≤ len (io buffer size) */
int32_t petrel_recv(int32_t h, void *buf, uint32_t len);
int32_t petrel_readable(int32_t h);
int32_t petrel_writable(int32_t h);
int32_t petrel_shutdown(int32_t h);
int32_t petrel_close(int32_t h);
int32_t petrel_abort(int32_t h);
int32_t petrel_state(int32_t h);
uint32_t petrel_counter(int id);

#ifdef __cplusplus
}
#endif
