/* A TAP device (Ethernet frames, no packet-info header) and the kernel side's address. */
#ifndef PETREL_BOARD_TAP_H
#define PETREL_BOARD_TAP_H

#include <net/if.h>

/* Open /dev/net/tun and attach to (or create) TAP `name` (IFF_TAP | IFF_NO_PI); the fd is
 * non-blocking. The device's actual name is written to `actual` (IFNAMSIZ). -1 + message on error. */
int tap_open(const char *name, char actual[IFNAMSIZ]);

/* Give the kernel side of the TAP an address and bring it up, with ip(8): `ip addr add CIDR dev
 * NAME` and `ip link set NAME up`. 0 on success. */
int tap_configure_host(const char *name, const char *cidr);

#endif
