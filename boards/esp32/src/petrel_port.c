/* The WAMR embedding of the Petrel core on ESP-IDF (see include/petrel_port.h).
 *
 *   Wi-Fi task ──rx callback──► copy into a free slot ─┐
 *   esp_timer ───deadline─────────────────────────────┼─► queue ─► Petrel task: rx(len, now) /
 *                                                     ┘             poll(now) → re-arm esp_timer
 *   Petrel task ──core's tx import──► esp_wifi_internal_tx(WIFI_IF_STA, …)
 *
 * WAMR APIs used (wasm_export.h, WAMR 2.x): wasm_runtime_full_init with Alloc_With_Pool,
 * wasm_runtime_register_natives with NativeSymbol "(*~)" (WAMR checks ptr+len against linear memory
 * and passes a native pointer), wasm_runtime_load / wasm_runtime_instantiate,
 * wasm_runtime_lookup_function, wasm_runtime_create_exec_env, wasm_runtime_call_wasm,
 * wasm_runtime_addr_app_to_native, wasm_runtime_get_exception. */
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
#include "wasm_export.h"

#include "petrel_port.h"

static const char *TAG = "petrel";

#define FRAME_MAX 1514

/* The module, embedded by CMakeLists.txt (target_add_binary_data … BINARY). */
extern const uint8_t petrel_wasm_start[] asm("_binary_petrel_wasm_start");
extern const uint8_t petrel_wasm_end[] asm("_binary_petrel_wasm_end");

/* The exports we call, by index into fn[]. */
enum {
    F_ABI_VERSION, F_INIT, F_RX_BUFFER, F_RX, F_POLL, F_IO_BUFFER, F_IO_BUFFER_SIZE,
    F_TCP_LISTEN, F_TCP_ACCEPT, F_TCP_CONNECT, F_TCP_SEND, F_TCP_RECV, F_TCP_SHUTDOWN, F_TCP_CLOSE,
    F_TCP_ABORT, F_TCP_STATE, F_TCP_READABLE, F_TCP_WRITABLE, F_EV_POP, F_EV_HANDLE, F_EV_ARG,
    F_COUNTER, F_CONFIG, F_COUNT
};
static const char *const fn_names[F_COUNT] = {
    "abi_version", "init", "rx_buffer", "rx", "poll", "io_buffer", "io_buffer_size",
    "tcp_listen", "tcp_accept", "tcp_connect", "tcp_send", "tcp_recv", "tcp_shutdown", "tcp_close",
    "tcp_abort", "tcp_state", "tcp_readable", "tcp_writable", "ev_pop", "ev_handle", "ev_arg",
    "counter", "config",
};

typedef struct {
    enum { MSG_FRAME, MSG_TIMER } kind;
    uint8_t slot;
} msg_t;

static struct {
    petrel_port_config_t cfg;
    wasm_module_t module;
    wasm_module_inst_t inst;
    wasm_exec_env_t exec_env;
    wasm_function_inst_t fn[F_COUNT];
    uint8_t *wasm_copy;              /* wasm_runtime_load wants a writable buffer it may keep */
    uint32_t rx_buf, io_buf, io_size;
    QueueHandle_t queue;
    esp_timer_handle_t timer;
    uint8_t slots[CONFIG_PETREL_RX_SLOTS][FRAME_MAX];
    uint16_t slot_len[CONFIG_PETREL_RX_SLOTS];
    volatile uint32_t slot_busy;     /* bit i: slot i holds a frame not yet given to rx */
    portMUX_TYPE lock;
    petrel_port_stats_t stats;
    bool failed;
} p = { .lock = portMUX_INITIALIZER_UNLOCKED };

static uint8_t wamr_pool[CONFIG_PETREL_WAMR_POOL_SIZE] __attribute__((aligned(8)));

static uint32_t now_ms(void) { return (uint32_t)(esp_timer_get_time() / 1000); }

/* One call into the core; argv[0] carries the i32 result back. A trap (there should be none: the
 * core returns error codes) stops the port. */
static int32_t call(int f, uint32_t argc, uint32_t *argv) {
    if (p.failed) return -22;
    if (!wasm_runtime_call_wasm(p.exec_env, p.fn[f], argc, argv)) {
        ESP_LOGE(TAG, "%s trapped: %s", fn_names[f], wasm_runtime_get_exception(p.inst));
        p.failed = true;
        return -22;
    }
    return (int32_t)argv[0];
}
static int32_t call0(int f) { uint32_t a[1] = { 0 }; return call(f, 0, a); }
static int32_t call1(int f, uint32_t x) { uint32_t a[1] = { x }; return call(f, 1, a); }
static int32_t call2(int f, uint32_t x, uint32_t y) { uint32_t a[2] = { x, y }; return call(f, 2, a); }
static int32_t call4(int f, uint32_t x, uint32_t y, uint32_t z, uint32_t w) { uint32_t a[4] = { x, y, z, w }; return call(f, 4, a); }

/* ── the `petrel` imports ─────────────────────────────────────────────────────────────────── */

/* tx(ptr, len): "(*~)" makes WAMR validate [ptr, ptr+len) and hand us a native pointer. */
static void native_tx(wasm_exec_env_t env, uint8_t *frame, uint32_t len) {
    (void)env;
    if (esp_wifi_internal_tx(WIFI_IF_STA, frame, (uint16_t)len) == 0) p.stats.tx_frames++;
    else p.stats.tx_errors++;   /* not associated, no buffer: a lost frame, TCP retransmits */
}

/* panic(code, line): an unreachable state of the core; must not return. */
static void native_panic(wasm_exec_env_t env, int32_t code, int32_t line) {
    ESP_LOGE(TAG, "core panic: code %d at line %d", (int)code, (int)line);
    wasm_runtime_set_exception(wasm_runtime_get_module_inst(env), "petrel panic");
    abort();
}

static NativeSymbol natives[] = {
    { "tx", (void *)native_tx, "(*~)", NULL },
    { "panic", (void *)native_panic, "(ii)", NULL },
};

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

static void drain_events(void) {
    for (int i = 0; i < 1024; i++) {
        int32_t kind = call0(F_EV_POP);
        if (kind <= 0) return;
        int32_t h = call0(F_EV_HANDLE), arg = call0(F_EV_ARG);
        if (p.cfg.on_event) p.cfg.on_event(kind, h, arg, p.cfg.ctx);
    }
}

/* poll(now), then arm the timer for the next deadline (-1 = none). */
static void run_timers(void) {
    int32_t next = call1(F_POLL, now_ms());
    drain_events();
    esp_timer_stop(p.timer); /* ESP_ERR_INVALID_STATE when it is not running: fine */
    if (next >= 0) esp_timer_start_once(p.timer, (uint64_t)(next ? next : 1) * 1000u);
}

static void petrel_task(void *arg) {
    (void)arg;
    /* WAMR: the thread that calls into the instance needs its thread env */
    wasm_runtime_init_thread_env();
    p.exec_env = wasm_runtime_create_exec_env(p.inst, CONFIG_PETREL_WASM_STACK_SIZE);
    if (!p.exec_env) {
        ESP_LOGE(TAG, "wasm_runtime_create_exec_env failed");
        vTaskDelete(NULL);
        return;
    }
    const petrel_port_config_t *c = &p.cfg;
    uint32_t init_args[7] = {
        (uint32_t)c->mac[0] << 8 | c->mac[1],
        (uint32_t)c->mac[2] << 24 | (uint32_t)c->mac[3] << 16 | (uint32_t)c->mac[4] << 8 | c->mac[5],
        c->ip, c->prefix_len, c->gateway, (uint32_t)c->seed, (uint32_t)(c->seed >> 32),
    };
    int32_t rc = call(F_INIT, 7, init_args);
    if (rc != 0) {
        ESP_LOGE(TAG, "init failed: %d", (int)rc);
        vTaskDelete(NULL);
        return;
    }
    p.rx_buf = (uint32_t)call0(F_RX_BUFFER);
    p.io_buf = (uint32_t)call0(F_IO_BUFFER);
    p.io_size = (uint32_t)call0(F_IO_BUFFER_SIZE);
    ESP_LOGI(TAG, "core up: %u connections, %u B rings, io buffer %u B", (unsigned)call1(F_CONFIG, 0),
             (unsigned)call1(F_CONFIG, 2), (unsigned)p.io_size);
    if (c->on_ready) c->on_ready(c->ctx);
    run_timers();
    for (;;) {
        msg_t m;
        if (xQueueReceive(p.queue, &m, portMAX_DELAY) != pdTRUE) continue;
        if (m.kind == MSG_FRAME) {
            uint8_t *dst = wasm_runtime_addr_app_to_native(p.inst, p.rx_buf);
            uint16_t len = p.slot_len[m.slot];
            memcpy(dst, p.slots[m.slot], len);
            portENTER_CRITICAL(&p.lock);
            p.slot_busy &= ~(1u << m.slot);
            portEXIT_CRITICAL(&p.lock);
            p.stats.rx_frames++;
            call2(F_RX, len, now_ms());
            drain_events();
        }
        run_timers(); /* after a frame too: it may have changed the earliest deadline */
    }
}

esp_err_t petrel_port_start(const petrel_port_config_t *cfg) {
    static char err[128];
    p.cfg = *cfg;

    RuntimeInitArgs init;
    memset(&init, 0, sizeof init);
    init.mem_alloc_type = Alloc_With_Pool;
    init.mem_alloc_option.pool.heap_buf = wamr_pool;
    init.mem_alloc_option.pool.heap_size = sizeof wamr_pool;
    if (!wasm_runtime_full_init(&init)) {
        ESP_LOGE(TAG, "wasm_runtime_full_init failed");
        return ESP_FAIL;
    }
    if (!wasm_runtime_register_natives("petrel", natives, sizeof natives / sizeof natives[0])) {
        ESP_LOGE(TAG, "wasm_runtime_register_natives failed");
        return ESP_FAIL;
    }
    uint32_t size = (uint32_t)(petrel_wasm_end - petrel_wasm_start);
    p.wasm_copy = wasm_runtime_malloc(size);
    if (!p.wasm_copy) return ESP_ERR_NO_MEM;
    memcpy(p.wasm_copy, petrel_wasm_start, size);
    p.module = wasm_runtime_load(p.wasm_copy, size, err, sizeof err);
    if (!p.module) {
        ESP_LOGE(TAG, "wasm_runtime_load: %s", err);
        return ESP_FAIL;
    }
    /* stack for WAMR-created exec envs; no app heap: the core allocates nothing */
    p.inst = wasm_runtime_instantiate(p.module, CONFIG_PETREL_WASM_STACK_SIZE, 0, err, sizeof err);
    if (!p.inst) {
        ESP_LOGE(TAG, "wasm_runtime_instantiate: %s", err);
        return ESP_FAIL;
    }
    for (int i = 0; i < F_COUNT; i++) {
        p.fn[i] = wasm_runtime_lookup_function(p.inst, fn_names[i]);
        if (!p.fn[i]) {
            ESP_LOGE(TAG, "export %s missing: module and port disagree on the ABI", fn_names[i]);
            return ESP_FAIL;
        }
    }
    p.queue = xQueueCreate(CONFIG_PETREL_RX_SLOTS + 4, sizeof(msg_t));
    if (!p.queue) return ESP_ERR_NO_MEM;
    const esp_timer_create_args_t targs = { .callback = timer_cb, .arg = NULL, .dispatch_method = ESP_TIMER_TASK, .name = "petrel" };
    esp_err_t e = esp_timer_create(&targs, &p.timer);
    if (e != ESP_OK) return e;
    ESP_LOGI(TAG, "module %u bytes loaded (WAMR pool %u bytes)", (unsigned)size, (unsigned)sizeof wamr_pool);
    if (xTaskCreate(petrel_task, "petrel", CONFIG_PETREL_TASK_STACK_SIZE, NULL, CONFIG_PETREL_TASK_PRIORITY, NULL) != pdPASS)
        return ESP_ERR_NO_MEM;
    return ESP_OK;
}

esp_err_t petrel_port_attach_wifi_sta(void) { return esp_wifi_internal_reg_rxcb(WIFI_IF_STA, wifi_rx); }
esp_err_t petrel_port_detach_wifi_sta(void) { return esp_wifi_internal_reg_rxcb(WIFI_IF_STA, NULL); }

void petrel_port_stats(petrel_port_stats_t *out) { *out = p.stats; }

/* ── socket calls (Petrel task only) ──────────────────────────────────────────────────────── */

int32_t petrel_listen(int port, int backlog) { return call2(F_TCP_LISTEN, (uint32_t)port, (uint32_t)backlog); }
int32_t petrel_accept(int32_t listener) { return call1(F_TCP_ACCEPT, (uint32_t)listener); }
int32_t petrel_connect(uint32_t ip, int port) { return call4(F_TCP_CONNECT, ip, (uint32_t)port, 0, now_ms()); }

int32_t petrel_send(int32_t h, const void *data, uint32_t len) {
    if (len > p.io_size) len = p.io_size;
    memcpy(wasm_runtime_addr_app_to_native(p.inst, p.io_buf), data, len);
    return call4(F_TCP_SEND, (uint32_t)h, p.io_buf, len, now_ms());
}

int32_t petrel_recv(int32_t h, void *buf, uint32_t len) {
    if (len > p.io_size) len = p.io_size;
    int32_t n = call4(F_TCP_RECV, (uint32_t)h, p.io_buf, len, now_ms());
    if (n > 0) memcpy(buf, wasm_runtime_addr_app_to_native(p.inst, p.io_buf), (size_t)n);
    return n;
}

int32_t petrel_readable(int32_t h) { return call1(F_TCP_READABLE, (uint32_t)h); }
int32_t petrel_writable(int32_t h) { return call1(F_TCP_WRITABLE, (uint32_t)h); }
int32_t petrel_shutdown(int32_t h) { return call2(F_TCP_SHUTDOWN, (uint32_t)h, now_ms()); }
int32_t petrel_close(int32_t h) { return call2(F_TCP_CLOSE, (uint32_t)h, now_ms()); }
int32_t petrel_abort(int32_t h) { return call2(F_TCP_ABORT, (uint32_t)h, now_ms()); }
int32_t petrel_state(int32_t h) { return call1(F_TCP_STATE, (uint32_t)h); }
uint32_t petrel_counter(int id) { return (uint32_t)call1(F_COUNTER, (uint32_t)id); }
