/* Stub of ESP-IDF's esp_err.h (components/esp_common/include/esp_err.h), same names and types:
 * enough to compile boards/esp32 against it with the host's gcc. Not for linking. */
#pragma once
#include <stdint.h>
#include <stdlib.h>

typedef int esp_err_t;

#define ESP_OK 0
#define ESP_FAIL -1
#define ESP_ERR_NO_MEM 0x101
#define ESP_ERR_INVALID_ARG 0x102
#define ESP_ERR_INVALID_STATE 0x103
#define ESP_ERR_NOT_FOUND 0x105
#define ESP_ERR_NVS_BASE 0x1100
#define ESP_ERR_NVS_NO_FREE_PAGES (ESP_ERR_NVS_BASE + 0x0d)
#define ESP_ERR_NVS_NEW_VERSION_FOUND (ESP_ERR_NVS_BASE + 0x10)

const char *esp_err_to_name(esp_err_t code);
void _esp_error_check_failed(esp_err_t rc, const char *file, int line, const char *function, const char *expression) __attribute__((__noreturn__));

#define ESP_ERROR_CHECK(x) do {                                                       \
        esp_err_t err_rc_ = (x);                                                      \
        if (err_rc_ != ESP_OK) _esp_error_check_failed(err_rc_, __FILE__, __LINE__, __func__, #x); \
    } while (0)
