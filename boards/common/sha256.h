/* SHA-256 (FIPS 180-4) of a byte string, for the boards that load the module at run time: the ready
 * line names the bytes an engine actually loaded. Small and portable (no allocation, no I/O). */
#ifndef PETREL_BOARD_SHA256_H
#define PETREL_BOARD_SHA256_H

#include <stddef.h>
#include <stdint.h>

/* hex: 64 lowercase hex digits and a NUL. */
void sha256_hex(const uint8_t *data, size_t len, char hex[65]);

#endif
