/* A TAP device (Ethernet frames after a virtio_net_hdr, no packet-info header), the batch of frames
 * the core sent, and the kernel side's address. */
#ifndef PETREL_BOARD_TAP_H
#define PETREL_BOARD_TAP_H

#include <net/if.h>
#include <stdint.h>
#include <sys/types.h>

/* Open /dev/net/tun and attach to (or create) TAP `name` (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR: every
 * frame both ways goes with a 10-byte virtio_net_hdr; no TUNSETOFFLOAD, so the kernel hands this
 * reader complete, checksummed frames and takes TSO super-frames from it); the fd blocks (the loop
 * waits in read()), and the kernel's queue toward this reader holds at least TAP_QUEUE_LEN frames.
 * The device's actual name is written to `actual` (IFNAMSIZ). -1 + message on error. */
/* The TAP's txqueuelen (the kernel's queue of frames waiting for read()) is raised to this. Linux's
 * default for a TAP is 500 frames: 2 ms of a SYN flood at 220 000 frames/s, so a reader that the
 * scheduler leaves out for a few ms loses frames, a real client's SYN among them; 16 384 frames are
 * 75 ms at that rate, and take memory only while they wait. */
#define TAP_QUEUE_LEN 16384

int tap_open(const char *name, char actual[IFNAMSIZ]);

/* One frame into frame[0, cap) (its virtio_net_hdr read apart and dropped): its length, or -1 with
 * errno (EINTR, EAGAIN as read(2)). */
ssize_t tap_read(int fd, uint8_t *frame, size_t cap);

/* The frames the core sent since the last flush (native/tso.h's batch layout: a u16 length, then the
 * frame), written by tap_flush: with tso, the consecutive segments of one TCP connection as one TSO
 * super-frame per write(2) (the kernel delivers it whole to a local socket, or cuts it back into
 * those segments where it must), every other frame alone; without, one write(2) per frame. Order is
 * kept. A frame the kernel refuses is lost (TCP recovers), counted in `lost`. */
#define TAP_BATCH_BYTES (256 * 1024)
#define TAP_BATCH_FRAMES 256
struct tap_batch {
  int fd, tso;
  int count;          /* frames in buf */
  uint32_t used;      /* bytes of buf in use */
  uint64_t writes;    /* write(2) calls made */
  uint64_t lost;      /* frames the kernel refused */
  uint8_t buf[TAP_BATCH_BYTES];
};
/* Append a frame (flushing first when the batch cannot take it). */
void tap_batch_add(struct tap_batch *b, const uint8_t *frame, uint32_t len);
/* Write what the batch holds; it is empty afterwards. */
void tap_flush(struct tap_batch *b);

/* Give the kernel side of the TAP an address and bring it up, with ip(8): `ip addr add CIDR dev
 * NAME` and `ip link set NAME up`. 0 on success. */
int tap_configure_host(const char *name, const char *cidr);

#endif
