/* Frames out of a TAP opened with IFF_VNET_HDR, shared by the Node addon (native/tap.c, writeBatch)
 * and the Linux board (boards/linux/tap.c): a batch of Ethernet frames is written in order, and the
 * consecutive segments of one TCP connection in it go as one TCPv4 GSO super-frame per write(2)
 * (tso.c says when, and what the kernel makes of it); also the RFC 1071 checksum helpers and the
 * network-order field accessors both hosts' frame code uses.
 *
 * A batch is frames back to back, each a u16 little-endian length then its bytes (the Node addon's
 * readBatch/writeBatch layout). */
#ifndef PETREL_NATIVE_TSO_H
#define PETREL_NATIVE_TSO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/virtio_net.h>

#define VNET_HDR ((int)sizeof(struct virtio_net_hdr))   /* 10: the device's default header size */

/* Big-endian (network order) fields. */
static inline uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static inline void put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, v); }

/* RFC 1071 sum of p[0, n) added to sum (host-order words; see tso.c). */
uint64_t csum_add(uint64_t sum, const uint8_t *p, size_t n);
/* The sum folded to 16 bits (not complemented), in host order. */
uint16_t csum_fold16(uint64_t sum);
/* Fold, complement and store at p (the network-order checksum). */
void csum_store(uint8_t *p, uint64_t sum);
/* The sum of the TCP pseudo-header (RFC 9293 3.1) of IPv4 header ip and a TCP length of tcplen. */
uint64_t pseudo_sum(const uint8_t *ip, uint32_t tcplen);
/* An IPv4 header's total length set to tot and its checksum recomputed (ihl header bytes). */
void ip_fix(uint8_t *ip, uint32_t tot, uint32_t ihl);

/* One frame out: after an empty header (no checksum or segmentation asked of the kernel) when vnet
 * (the fd was opened with IFF_VNET_HDR). write(2)'s result, the header counted. */
ssize_t frame_write(int fd, int vnet, const void *frame, size_t len);
/* frame_write once more if a signal interrupted it; *writes counts the write(2) calls. */
ssize_t frame_write_counted(int fd, int vnet, const void *frame, size_t len, int *writes);

/* Whether frame f (len bytes) would go alone whatever follows it in a batch: not a TCP segment that
 * may join a super-frame, or one with PSH (a run ends at PSH). */
int tso_alone(const uint8_t *f, uint32_t len);
/* What writing a batch did. */
typedef struct {
  int written;    /* frames the kernel took */
  int refused;    /* frames refused (a refused super-frame refuses all its frames), or cut off by a bad length */
  int last;       /* the last -errno, 0 if none (-EINVAL: a length ran past the batch) */
  int writes;     /* write(2) calls made */
  uint64_t bytes; /* bytes of the frames written (headers not counted) */
} tso_result_t;

/* Write `count` frames of the batch p[0, len) in order. With tso (the fd has IFF_VNET_HDR), runs of
 * segments of one TCP connection go as one super-frame each, every other frame alone behind an
 * empty header; without, one write(2) per frame (behind an empty header when vnet). A frame the
 * kernel refuses (EAGAIN: its queue is full; EIO: the device is down) is skipped and the rest still
 * go: TCP retransmits what was lost, as after a drop on the wire. A length running past the buffer
 * ends the batch there. Fills *r; returns r->written. */
int tso_write_batch(int fd, int vnet, int tso, const uint8_t *p, size_t len, int count, tso_result_t *r);

#endif
