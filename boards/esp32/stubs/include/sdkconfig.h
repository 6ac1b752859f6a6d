/* What `idf.py build` generates from Kconfig (boards/esp32/Kconfig and the example's
 * Kconfig.projbuild), with their defaults, so the sources compile here. */
#pragma once
#define CONFIG_PETREL_PROFILE_TINY 1
#define CONFIG_PETREL_PROFILE_NAME "tiny"
/* The "IPv4 address" choice: DHCP by default. Defining CONFIG_PETREL_IPV4_STATIC (-D) models choosing
 * "static address": then the DHCP options are absent and the example's address options present, as
 * their `depends on` make them in ESP-IDF's sdkconfig.h. */
#ifndef CONFIG_PETREL_IPV4_STATIC
#define CONFIG_PETREL_IPV4_DHCP 1
#define CONFIG_PETREL_DHCP_INIT_DELAY_MS 10000
#endif
#define CONFIG_PETREL_WASM_PATH ""
#define CONFIG_PETREL_WAMR_POOL_SIZE 180224
#define CONFIG_PETREL_WASM_STACK_SIZE 4096
#define CONFIG_PETREL_TASK_STACK_SIZE 6144
#define CONFIG_PETREL_TASK_PRIORITY 5
#define CONFIG_PETREL_RX_SLOTS 8
#define CONFIG_ECHO_WIFI_SSID "petrel-test"
#define CONFIG_ECHO_WIFI_PASSWORD ""
#ifdef CONFIG_PETREL_IPV4_STATIC
#define CONFIG_ECHO_IP "192.168.4.50"
#define CONFIG_ECHO_PREFIX_LEN 24
#define CONFIG_ECHO_GATEWAY ""
#endif
#define CONFIG_ECHO_PORT 7
