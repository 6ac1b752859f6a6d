/* Petrel echo example: join a Wi-Fi network as a station, get an address by DHCP (Kconfig "IPv4
 * address": the default; or a static one from this example's Kconfig), start the Petrel core under
 * WAMR and serve RFC 862 echo on CONFIG_ECHO_PORT.
 *
 * Events run in the Petrel task (petrel_port.h): ACCEPTABLE → accept; READABLE / WRITABLE → move
 * min(readable, writable) bytes so the send never comes up short; once the peer has half-closed
 * (CLOSE_WAIT) and nothing is left to echo → close (FIN after the echoed data); CLOSED / ERROR →
 * close to free the handle. */
#include <stdio.h>
#include <string.h>

#include "esp_event.h"
#include "esp_log.h"
#include "esp_random.h"
#include "esp_wifi.h"
#include "nvs_flash.h"
#include "sdkconfig.h"

#include "petrel_port.h"

static const char *TAG = "echo";
static int32_t listener = -1;

#if CONFIG_PETREL_IPV4_STATIC
static uint32_t parse_ip(const char *s) {
    unsigned a, b, c, d;
    if (sscanf(s, "%u.%u.%u.%u", &a, &b, &c, &d) != 4 || a > 255 || b > 255 || c > 255 || d > 255) return 0;
    return (uint32_t)a << 24 | (uint32_t)b << 16 | (uint32_t)c << 8 | d;
}
#endif

static void echo_pump(int32_t h) {
    static uint8_t buf[1024];
    for (int round = 0; round < 64; round++) {
        int32_t r = petrel_readable(h), w = petrel_writable(h);
        if (r <= 0 || w <= 0) return;
        uint32_t n = (uint32_t)(r < w ? r : w);
        if (n > sizeof buf) n = sizeof buf;
        int32_t got = petrel_recv(h, buf, n);
        if (got <= 0) return;
        petrel_send(h, buf, (uint32_t)got); /* got ≤ writable: accepted whole */
    }
}

static void on_event(int kind, int32_t h, int32_t arg, void *ctx) {
    (void)ctx;
    switch (kind) {
    case PETREL_EV_ACCEPTABLE:
        for (int32_t c; (c = petrel_accept(h)) >= 0;) ESP_LOGI(TAG, "connection %d", (int)c);
        break;
    case PETREL_EV_READABLE:
    case PETREL_EV_WRITABLE:
    case PETREL_EV_EOF:
        echo_pump(h);
        /* the peer half-closed (CLOSE_WAIT) and everything was echoed: FIN after the data */
        if (petrel_state(h) == PETREL_ST_CLOSE_WAIT && petrel_readable(h) == 0) petrel_close(h);
        break;
    case PETREL_EV_ADDRESS:   /* with DHCP: the lease's address (0: lost; the port logs the lease) */
        ESP_LOGI(TAG, "address %u.%u.%u.%u/%d: echo on port %d", (unsigned)((uint32_t)arg >> 24), (unsigned)((uint32_t)arg >> 16 & 255),
                 (unsigned)((uint32_t)arg >> 8 & 255), (unsigned)((uint32_t)arg & 255), (int)h, CONFIG_ECHO_PORT);
        break;
    case PETREL_EV_ERROR:
    case PETREL_EV_CLOSED:
        ESP_LOGI(TAG, "connection %d ended (%d)", (int)h, (int)arg);
        petrel_close(h);
        break;
    default:
        break;
    }
}

static void on_ready(void *ctx) {
    (void)ctx;
    listener = petrel_listen(CONFIG_ECHO_PORT, 4);
    ESP_LOGI(TAG, "echo listening on port %d (handle %d)", CONFIG_ECHO_PORT, (int)listener);
}

static void wifi_event(void *arg, esp_event_base_t base, int32_t id, void *data) {
    (void)arg;
    (void)base;
    (void)data;
    if (id == WIFI_EVENT_STA_START) {
        esp_wifi_connect();
    } else if (id == WIFI_EVENT_STA_CONNECTED) {
        ESP_LOGI(TAG, "associated: frames go to Petrel");
        ESP_ERROR_CHECK(petrel_port_attach_wifi_sta());
    } else if (id == WIFI_EVENT_STA_DISCONNECTED) {
        ESP_LOGW(TAG, "disconnected: reconnecting");
        petrel_port_detach_wifi_sta();
        esp_wifi_connect();
    }
}

void app_main(void) {
    esp_err_t err = nvs_flash_init();
    if (err == ESP_ERR_NVS_NO_FREE_PAGES || err == ESP_ERR_NVS_NEW_VERSION_FOUND) {
        ESP_ERROR_CHECK(nvs_flash_erase());
        err = nvs_flash_init();
    }
    ESP_ERROR_CHECK(err);
    ESP_ERROR_CHECK(esp_event_loop_create_default());

    /* Wi-Fi station without esp_netif: Petrel, not lwIP, gets the frames */
    wifi_init_config_t wcfg = WIFI_INIT_CONFIG_DEFAULT();
    ESP_ERROR_CHECK(esp_wifi_init(&wcfg));
    ESP_ERROR_CHECK(esp_event_handler_register(WIFI_EVENT, ESP_EVENT_ANY_ID, wifi_event, NULL));
    wifi_config_t sta;
    memset(&sta, 0, sizeof sta);
    strncpy((char *)sta.sta.ssid, CONFIG_ECHO_WIFI_SSID, sizeof sta.sta.ssid - 1);
    strncpy((char *)sta.sta.password, CONFIG_ECHO_WIFI_PASSWORD, sizeof sta.sta.password - 1);
    ESP_ERROR_CHECK(esp_wifi_set_mode(WIFI_MODE_STA));
    ESP_ERROR_CHECK(esp_wifi_set_config(WIFI_IF_STA, &sta));

    petrel_port_config_t pc;
    memset(&pc, 0, sizeof pc);
    ESP_ERROR_CHECK(esp_wifi_get_mac(WIFI_IF_STA, pc.mac));
#if CONFIG_PETREL_IPV4_STATIC
    pc.ip = parse_ip(CONFIG_ECHO_IP);
    pc.prefix_len = CONFIG_ECHO_PREFIX_LEN;
    pc.gateway = parse_ip(CONFIG_ECHO_GATEWAY);
    if (pc.ip == 0) {
        ESP_LOGE(TAG, "CONFIG_ECHO_IP is not an IPv4 address: %s", CONFIG_ECHO_IP);
        return;
    }
#endif
    pc.seed = (uint64_t)esp_random() << 32 | esp_random();
    pc.on_event = on_event;
    pc.on_ready = on_ready;
    ESP_ERROR_CHECK(petrel_port_start(&pc));
    ESP_ERROR_CHECK(esp_wifi_start());
}
