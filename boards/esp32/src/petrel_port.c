/* The ESP-IDF part of Petrel on an ESP32 (see include/petrel_port.h): the Wi-Fi frame binding, the
 * timer and the task. The core itself is reached only through boards/common/core.h, implemented by
 * boards/common/engine_wamr.c — the same WAMR engine the Linux board runs in CI (petrel-linux-wamr):
 * pool, natives, loading, export lookup, calls and fault reports live there, not here.
 *
 *   Wi-Fi task ──rx callback──► copy into a free slot ─┐
 *   esp_timer ───deadline─────────────────────────────┼─► queue ─► Petrel task: core_rx / core_poll
 *                                                     ┘             → re-arm esp_timer
 *   Petrel task ──core's tx import──► esp_wifi_internal_tx(WIFI_IF_STA, …)
 *
 * The Petrel task starts the engine itself (wasm_runtime_full_init and the exec env belong to the
 * thread that calls into the instance) and runs its loop inside core_run(): an exception in the core
 * ends the loop with core_fault()'s "<call>: <WAMR text>" in the log. The module is read in place
 * from flash (_binary_petrel_wasm_start): the fast interpreter's loader with wasm_binary_freeable
 * does not write into it (boards/common/engine_wamr.c, PETREL_WAMR_COPY_MODULE).
 *
 * The address (Kconfig "IPv4 address"): with DHCP (the default) the core starts without one and the
 * Petrel task starts the core's DHCP client when the station is associated (MSG_LINK_UP), then logs
 * each state change and the lease; with a static address, the one in petrel_port_config_t. */
#include <stdio.h>
#include <string.h>

#include "esp_err.h"
#include "esp_log.h"
#include "esp_timer.h"
#include "esp_wifi.h"
#include "esp_private/wifi.h"
#include "freertos/FreeRTOS.h"
#include "freertos/queue.h"
#include "freertos/task.h"
#include "sdkconfig.h"

#include "core.h"
#include "petrel_port.h"

static const char *TAG = "petrel";

#define FRAME_MAX 1514

/* The module, embedded by CMakeLists.txt (target_add_binary_data … BINARY). */
extern const uint8_t petrel_wasm_start[] asm("_binary_petrel_wasm_start");
extern const uint8_t petrel_wasm_end[] asm("_binary_petrel_wasm_end");

typedef struct {
    enum { MSG_FRAME, MSG_TIMER, MSG_LINK_UP } kind;
    uint8_t slot;
} msg_t;

static struct {
    petrel_port_config_t cfg;
    QueueHandle_t queue;
    esp_timer_handle_t timer;
    TaskHandle_t starter;            /* petrel_port_start() waits for the task's engine start */
    volatile esp_err_t start_result;
    uint8_t slots[CONFIG_PETREL_RX_SLOTS][FRAME_MAX];
    uint16_t slot_len[CONFIG_PETREL_RX_SLOTS];
    volatile uint32_t slot_busy;     /* bit i: slot i holds a frame not yet given to rx */
    portMUX_TYPE lock;
    petrel_port_stats_t stats;
} p = { .lock = portMUX_INITIALIZER_UNLOCKED };

static uint32_t now_ms(void) { return (uint32_t)(esp_timer_get_time() / 1000); }

/* The core's tx import (core_host.tx): not associated, no buffer → a lost frame, TCP retransmits. */
static int wifi_tx(void *ctx, const uint8_t *frame, uint32_t len) {
    (void)ctx;
    return esp_wifi_internal_tx(WIFI_IF_STA, (void *)(uintptr_t)frame, (uint16_t)len) == 0 ? 0 : -1;
}

/* ── frames in (Wi-Fi task), deadlines (esp_timer task) ───────────────────────────────────── */

static esp_err_t wifi_rx(void *buffer, uint16_t len, void *eb) {
    int slot = -1;
    if (len > FRAME_MAX) {
        p.stats.rx_dropped_too_long++;
    } else {
        portENTER_CRITICAL(&p.lock);
        for (int i = 0; i < CONFIG_PETREL_RX_SLOTS; i++)
            if (!(p.slot_busy & (1u << i))) { p.slot_busy |= 1u << i; slot = i; break; }
        portEXIT_CRITICAL(&p.lock);
        if (slot < 0) p.stats.rx_dropped_no_slot++;
    }
    if (slot >= 0) {
        memcpy(p.slots[slot], buffer, len);
        p.slot_len[slot] = len;
        msg_t m = { .kind = MSG_FRAME, .slot = (uint8_t)slot };
        if (xQueueSend(p.queue, &m, 0) != pdTRUE) {
            portENTER_CRITICAL(&p.lock);
            p.slot_busy &= ~(1u << slot);
            portEXIT_CRITICAL(&p.lock);
            p.stats.rx_dropped_no_slot++;
        }
    }
    esp_wifi_internal_free_rx_buffer(eb);
    return ESP_OK;
}

static void timer_cb(void *arg) {
    (void)arg;
    msg_t m = { .kind = MSG_TIMER, .slot = 0 };
    xQueueSend(p.queue, &m, 0); /* a full queue means the task is busy and will poll anyway */
}

/* ── the Petrel task ──────────────────────────────────────────────────────────────────────── */

#if CONFIG_PETREL_IPV4_DHCP
enum { DHCP_BOUND = 5, ERR_EALREADY = -114 }; /* docs/abi.md: DhcpState, errors */
static uint32_t last_lease; /* the address of the last lease (or the configured one): INIT-REBOOT asks for it */

static void ip_str(uint32_t ip, char out[16]) {
    snprintf(out, 16, "%u.%u.%u.%u", (unsigned)(ip >> 24), (unsigned)(ip >> 16 & 255), (unsigned)(ip >> 8 & 255), (unsigned)(ip & 255));
}

/* The station is associated: start the DHCP client (RFC 2131; a no-op while it runs). */
static void dhcp_link_up(void) {
    core_dhcp_init_delay(CONFIG_PETREL_DHCP_INIT_DELAY_MS);
    int32_t rc = core_dhcp_start(last_lease, now_ms());
    if (rc == 0) ESP_LOGI(TAG, "DHCP started (first DISCOVER within %d ms)", (int)CONFIG_PETREL_DHCP_INIT_DELAY_MS);
    else if (rc != ERR_EALREADY) ESP_LOGE(TAG, "dhcp_start failed: %d", (int)rc);
}

/* EV_DHCP_STATE: every change in the log, and the lease once bound. */
static void dhcp_state(int32_t state) {
    uint32_t d[13];
    if (state != DHCP_BOUND || core_dhcp_info(d, now_ms()) != 0) {
        ESP_LOGI(TAG, "DHCP state %d", (int)state);
        return;
    }
    last_lease = d[1];
    char ip[16], gw[16], srv[16], dns[16];
    ip_str(d[1], ip); ip_str(d[3], gw); ip_str(d[4], srv); ip_str(d[6], dns);
    ESP_LOGI(TAG, "DHCP lease %s/%u gateway %s from %s, DNS %s (%u), %u s (renewal in %u s)", ip, (unsigned)d[2], gw, srv, dns,
             (unsigned)d[5], (unsigned)d[12], (unsigned)(d[9] == 0xffffffffu ? 0 : d[9] / 1000));
}
#endif

static void drain_events(void) {
    for (int i = 0; i < 1024; i++) {
        int32_t kind = core_ev_pop();
        if (kind <= 0) return;
        int32_t h = core_ev_handle(), arg = core_ev_arg();
#if CONFIG_PETREL_IPV4_DHCP
        if (kind == EV_DHCP_STATE) dhcp_state(h);
#endif
        if (p.cfg.on_event) p.cfg.on_event(kind, h, arg, p.cfg.ctx);
    }
}

/* poll(now), then arm the timer for the next deadline (-1 = none). */
static void run_timers(void) {
    int32_t next = core_poll(now_ms());
    drain_events();
    esp_timer_stop(p.timer); /* ESP_ERR_INVALID_STATE when it is not running: fine */
    if (next >= 0) esp_timer_start_once(p.timer, (uint64_t)(next ? next : 1) * 1000u);
}

/* init, on_ready, then frames and deadlines for ever; runs inside core_run(). */
static int task_loop(void *arg) {
    (void)arg;
    const petrel_port_config_t *c = &p.cfg;
#if CONFIG_PETREL_IPV4_DHCP
    last_lease = c->ip;                   /* a remembered address, or 0 */
    int32_t rc = core_init(c->mac, 0, 0, 0, c->seed);
#else
    int32_t rc = core_init(c->mac, c->ip, c->prefix_len, c->gateway, c->seed);
#endif
    if (rc != 0) {
        ESP_LOGE(TAG, "init failed: %d", (int)rc);
        return 1;
    }
    ESP_LOGI(TAG, "core up (%s): %d connections, %d B rings, io buffer %d B", core_engine(), (int)core_config(CFG_MAX_CONNS),
             (int)core_config(CFG_RX_BUF), (int)core_io_size());
    if (c->on_ready) c->on_ready(c->ctx);
    run_timers();
    for (;;) {
        msg_t m;
        if (xQueueReceive(p.queue, &m, portMAX_DELAY) != pdTRUE) continue;
        if (m.kind == MSG_FRAME) {
            uint16_t len = p.slot_len[m.slot];
            core_rx(p.slots[m.slot], len, now_ms()); /* copies the frame into the core's rx buffer */
            portENTER_CRITICAL(&p.lock);
            p.slot_busy &= ~(1u << m.slot);
            portEXIT_CRITICAL(&p.lock);
            p.stats.rx_frames++;
            drain_events();
        }
#if CONFIG_PETREL_IPV4_DHCP
        if (m.kind == MSG_LINK_UP) {
            dhcp_link_up();
            drain_events();
        }
#endif
        run_timers(); /* after a frame too: it may have changed the earliest deadline */
    }
}

static void petrel_task(void *arg) {
    (void)arg;
    struct core_host host = {
        .tx = wifi_tx, .ctx = NULL,
        .wasm = petrel_wasm_start, .wasm_len = (uint32_t)(petrel_wasm_end - petrel_wasm_start), .wasm_name = "flash:petrel.wasm",
    };
    if (core_start(&host) != 0) {
        ESP_LOGE(TAG, "%s", core_fault());
        p.start_result = ESP_FAIL;
        xTaskNotifyGive(p.starter);
        vTaskDelete(NULL);
        return;
    }
    ESP_LOGI(TAG, "module %u bytes (sha256 %s) loaded; WAMR pool %u bytes, wasm stack %u bytes", (unsigned)host.wasm_len,
             core_wasm_sha256(), (unsigned)CONFIG_PETREL_WAMR_POOL_SIZE, (unsigned)CONFIG_PETREL_WASM_STACK_SIZE);
    p.start_result = ESP_OK;
    xTaskNotifyGive(p.starter);
    if (core_run(task_loop, NULL) == CORE_FAULT) ESP_LOGE(TAG, "the core faulted: %s", core_fault());
    vTaskDelete(NULL);
}

esp_err_t petrel_port_start(const petrel_port_config_t *cfg) {
    p.cfg = *cfg;
    p.queue = xQueueCreate(CONFIG_PETREL_RX_SLOTS + 4, sizeof(msg_t));
    if (!p.queue) return ESP_ERR_NO_MEM;
    const esp_timer_create_args_t targs = { .callback = timer_cb, .arg = NULL, .dispatch_method = ESP_TIMER_TASK, .name = "petrel" };
    esp_err_t e = esp_timer_create(&targs, &p.timer);
    if (e != ESP_OK) return e;
    p.starter = xTaskGetCurrentTaskHandle();
    p.start_result = ESP_FAIL;
    if (xTaskCreate(petrel_task, "petrel", CONFIG_PETREL_TASK_STACK_SIZE, NULL, CONFIG_PETREL_TASK_PRIORITY, NULL) != pdPASS)
        return ESP_ERR_NO_MEM;
    ulTaskNotifyTake(pdTRUE, portMAX_DELAY); /* the engine started (or failed: the reason is logged) */
    return p.start_result;
}

esp_err_t petrel_port_attach_wifi_sta(void) {
    esp_err_t e = esp_wifi_internal_reg_rxcb(WIFI_IF_STA, wifi_rx);
#if CONFIG_PETREL_IPV4_DHCP
    msg_t m = { .kind = MSG_LINK_UP, .slot = 0 };
    if (e == ESP_OK && xQueueSend(p.queue, &m, portMAX_DELAY) != pdTRUE) e = ESP_FAIL; /* the Petrel task starts DHCP */
#endif
    return e;
}
esp_err_t petrel_port_detach_wifi_sta(void) { return esp_wifi_internal_reg_rxcb(WIFI_IF_STA, NULL); }

void petrel_port_stats(petrel_port_stats_t *out) {
    *out = p.stats;
    const struct core_link_stats *st = core_stats();
    out->tx_frames = (uint32_t)st->tx_frames;
    out->tx_errors = (uint32_t)st->tx_errors;
}

/* ── socket calls (Petrel task only) ──────────────────────────────────────────────────────── */

int32_t petrel_listen(int port, int backlog) { return core_listen(port, backlog); }
int32_t petrel_accept(int32_t listener) { return core_accept(listener); }
int32_t petrel_connect(uint32_t ip, int port) { return core_connect(ip, port, 0, now_ms()); }

int32_t petrel_send(int32_t h, const void *data, uint32_t len) {
    uint8_t *io = core_io();
    if (!io) return -22;
    if (len > (uint32_t)core_io_size()) len = (uint32_t)core_io_size();
    memcpy(io, data, len);
    return core_send(h, len, now_ms());
}

int32_t petrel_recv(int32_t h, void *buf, uint32_t len) {
    uint8_t *io = core_io();
    if (!io) return -22;
    if (len > (uint32_t)core_io_size()) len = (uint32_t)core_io_size();
    int32_t n = core_recv(h, len, now_ms());
    if (n > 0) memcpy(buf, io, (size_t)n);
    return n;
}

int32_t petrel_readable(int32_t h) { return core_readable(h); }
int32_t petrel_writable(int32_t h) { return core_writable(h); }
int32_t petrel_shutdown(int32_t h) { return core_shutdown(h, now_ms()); }
int32_t petrel_close(int32_t h) { return core_close(h, now_ms()); }
int32_t petrel_abort(int32_t h) { return core_abort(h, now_ms()); }
int32_t petrel_state(int32_t h) { return core_state(h); }
uint32_t petrel_counter(int id) { return core_counter(id); }
