/* What `idf.py build` generates from Kconfig (boards/esp32/Kconfig and the example's
 * Kconfig.projbuild), with their defaults, so the sources compile here. */
#pragma once
#define CONFIG_PETREL_PROFILE_TINY 1
#define CONFIG_PETREL_PROFILE_NAME "tiny"
#define CONFIG_PETREL_WASM_PATH ""
#define CONFIG_PETREL_WAMR_POOL_SIZE 180224
#define CONFIG_PETREL_WASM_STACK_SIZE 4096
#define CONFIG_PETREL_TASK_STACK_SIZE 6144
#define CONFIG_PETREL_TASK_PRIORITY 5
#define CONFIG_PETREL_RX_SLOTS 8
#define CONFIG_ECHO_WIFI_SSID "petrel-test"
#define CONFIG_ECHO_WIFI_PASSWORD ""
#define CONFIG_ECHO_IP "192.168.4.50"
#define CONFIG_ECHO_PREFIX_LEN 24
#define CONFIG_ECHO_GATEWAY ""
#define CONFIG_ECHO_PORT 7
