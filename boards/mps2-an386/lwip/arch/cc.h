/* lwIP's port header for the mps2-an386 firmware (bare metal, newlib-nano, little-endian). */
#ifndef PETREL_MPS2_LWIP_ARCH_CC_H
#define PETREL_MPS2_LWIP_ARCH_CC_H

#include <stdio.h>
#include <stdlib.h>

#define LWIP_NO_INTTYPES_H 1       /* newlib-nano: format 32-bit values with plain conversions */
#define X8_F  "02x"
#define U16_F "u"
#define S16_F "d"
#define X16_F "x"
#define U32_F "lu"
#define S32_F "ld"
#define X32_F "lx"
#define SZT_F "u"

#define LWIP_PLATFORM_DIAG(x) do { printf x; } while (0)
#define LWIP_PLATFORM_ASSERT(x) do { printf("{\"event\":\"error\",\"code\":\"EASSERT\",\"message\":\"lwip: %s\"}\n", x); fflush(stdout); abort(); } while (0)
#define LWIP_RAND() ((u32_t)lwip_rand())
unsigned lwip_rand(void);

#endif
