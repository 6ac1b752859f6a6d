/* A TAP device (Ethernet frames, no packet-info header) and the kernel side's address. */
#ifndef PETREL_BOARD_TAP_H
#define PETREL_BOARD_TAP_H

#include <net/if.h>

/* Open /dev/net/tun and attach to (or create) TAP `name` (IFF_TAP | IFF_NO_PI); the fd blocks (the
 * loop waits in read()), and the kernel's queue toward this reader holds at least TAP_QUEUE_LEN
 * frames. The device's actual name is written to `actual` (IFNAMSIZ). -1 + message on error. */
/* The TAP's txqueuelen (the kernel's queue of frames waiting for read()) is raised to this. Linux's
 * default for a TAP is 500 frames: 2 ms of a SYN flood at 220 000 frames/s, so a reader that the
 * scheduler leaves out for a few ms loses frames, a real client's SYN among them; 16 384 frames are
 * 75 ms at that rate, and take memory only while they wait. */
#define TAP_QUEUE_LEN 16384

int tap_open(const char *name, char actual[IFNAMSIZ]);

/* Give the kernel side of the TAP an address and bring it up, with ip(8): `ip addr add CIDR dev
 * NAME` and `ip link set NAME up`. 0 on success. */
int tap_configure_host(const char *name, const char *cidr);

#endif
