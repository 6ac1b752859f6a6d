/* Stub of ESP-IDF's FreeRTOS.h / portmacro.h: the types and macros the port uses. */
#pragma once
#include <stdint.h>

typedef int BaseType_t;
typedef unsigned int UBaseType_t;
typedef uint32_t TickType_t;
#define pdFALSE ((BaseType_t)0)
#define pdTRUE ((BaseType_t)1)
#define pdPASS pdTRUE
#define pdFAIL pdFALSE
#define portMAX_DELAY ((TickType_t)0xffffffffUL)
#define configSTACK_DEPTH_TYPE uint32_t

typedef struct {
    volatile uint32_t owner;
    volatile uint32_t count;
} portMUX_TYPE;
#define portMUX_INITIALIZER_UNLOCKED { .owner = 0xB33FFFFF, .count = 0 }
void vPortEnterCritical(portMUX_TYPE *mux);
void vPortExitCritical(portMUX_TYPE *mux);
#define portENTER_CRITICAL(mux) vPortEnterCritical(mux)
#define portEXIT_CRITICAL(mux) vPortExitCritical(mux)
