/* Frames out of a TAP with IFF_VNET_HDR (tso.h): the checksum helpers, one frame behind an empty
 * header, and a batch written with its TCP runs as TSO super-frames. Used by the Node addon
 * (native/tap.c) and the Linux board (boards/linux/tap.c). */
#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "tso.h"

/* RFC 1071 sum of p[0, n) read as host-order words, 4 bytes a step into a 64-bit accumulator. The
 * ones'-complement sum does not depend on the byte order it is taken in (RFC 1071 §2(B)): folded and
 * stored back in host order (csum_fold16, csum_store) it is the network-order checksum on either kind
 * of host. */
uint64_t csum_add(uint64_t sum, const uint8_t *p, size_t n) {
  while (n >= 4) {
    uint32_t w;
    memcpy(&w, p, 4);
    sum += w;
    p += 4;
    n -= 4;
  }
  if (n >= 2) {
    uint16_t w;
    memcpy(&w, p, 2);
    sum += w;
    p += 2;
    n -= 2;
  }
  if (n) {
    const uint8_t pad[2] = { p[0], 0 };   /* the odd byte is the high half of a word padded with zero */
    uint16_t w;
    memcpy(&w, pad, 2);
    sum += w;
  }
  return sum;
}

/* The sum folded to 16 bits (not complemented), in host order. */
uint16_t csum_fold16(uint64_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)sum;
}

/* Fold, complement and store at p (host order back to bytes: network order, see csum_add). */
void csum_store(uint8_t *p, uint64_t sum) {
  uint16_t c = (uint16_t)~csum_fold16(sum);
  memcpy(p, &c, 2);
}

/* The sum of the TCP pseudo-header (RFC 9293 3.1) of IPv4 header ip and a TCP length of tcplen. */
uint64_t pseudo_sum(const uint8_t *ip, uint32_t tcplen) {
  uint8_t pseudo[12];
  memcpy(pseudo, ip + 12, 8);
  pseudo[8] = 0;
  pseudo[9] = 6;
  put16(pseudo + 10, tcplen);
  return csum_add(0, pseudo, 12);
}

/* An IPv4 header's total length set to tot and its checksum recomputed (ihl header bytes). */
void ip_fix(uint8_t *ip, uint32_t tot, uint32_t ihl) {
  put16(ip + 2, tot);
  ip[10] = ip[11] = 0;
  csum_store(ip + 10, csum_add(0, ip, ihl));
}

ssize_t frame_write(int fd, int vnet, const void *frame, size_t len) {
  if (!vnet) return write(fd, frame, len);
  /* a frame up to the usual MTU is copied behind a zeroed header and goes in one write(2) (cheaper
   * in the kernel than writev's two pieces); a longer one goes as two */
  static uint8_t one[VNET_HDR + 2048];
  if (len <= sizeof one - VNET_HDR) {
    memcpy(one + VNET_HDR, frame, len);
    return write(fd, one, VNET_HDR + len);
  }
  static const struct virtio_net_hdr none;
  struct iovec iov[2] = { { (void *)&none, VNET_HDR }, { (void *)frame, len } };
  return writev(fd, iov, 2);
}

// A write into a TAP runs the receiving side's whole input path in the writer's context, once per
// write(2). Consecutive frames of one TCP connection in a batch go instead as one super-frame with a
// TCPV4 GSO header, as a guest's virtio-net hands its TSO frames to a host: the kernel delivers it to
// a local socket whole (as GRO would have merged the segments) and cuts it back into the segments
// (tcp4_gso_segment/tcp_gso_segment) only where it must, e.g. out of a bridge port without TSO.
// That cut gives back exactly the frames Petrel produced when they are what Linux's own TSO would
// produce: same headers but for IP length, IP id counting up by one, sequence numbers contiguous,
// every payload gso_size long but the last, PSH (and FIN, CWR, not coalesced here) only where
// Linux puts them. tso_parse and tso_follows hold those rules.
#define TSO_MAX_IP 65535  /* a super-frame's IP datagram at most (its total length field) */
#define TSO_MAX_SEGS 64

/* One frame seen as a TCP segment that may join a super-frame. */
typedef struct {
  const uint8_t *f;   /* the frame (Ethernet header on) */
  uint32_t len;       /* its length as queued (Ethernet padding included) */
  uint32_t plen;      /* TCP payload bytes */
  uint32_t seq;
  uint16_t id;        /* IP id */
  uint16_t thl;       /* TCP header length (options included) */
} tso_seg_t;

/* Whether frame f (len bytes) is a segment that may join a super-frame (Ethernet II, IPv4 without
 * options or fragmentation, TCP with payload and flags ACK, PSH allowed): 1 and *s filled, else 0. */
static int tso_parse(const uint8_t *f, uint32_t len, tso_seg_t *s) {
  if (len < 14 + 20 + 20 || f[12] != 0x08 || f[13] != 0x00) return 0;
  const uint8_t *ip = f + 14, *t = ip + 20;
  uint32_t tot = be16(ip + 2);
  if (ip[0] != 0x45 || ip[9] != 6 || tot > len - 14 || (ip[6] & 0xbf) || ip[7]) return 0;   /* DF alone of the flags */
  uint32_t thl = (uint32_t)(t[12] >> 4) * 4;
  if (thl < 20 || 20 + thl >= tot) return 0;
  if ((t[13] & ~0x08) != 0x10) return 0;   /* ACK, maybe PSH: no SYN, FIN, RST, URG, ECE, CWR */
  s->f = f;
  s->len = len;
  s->plen = tot - 20 - thl;
  s->seq = be32(t + 4);
  s->id = be16(ip + 4);
  s->thl = (uint16_t)thl;
  return 1;
}

int tso_alone(const uint8_t *f, uint32_t len) {
  tso_seg_t s;
  return !tso_parse(f, len, &s) || (f[14 + 20 + 13] & 0x08);
}

/* Whether b continues the run first..prev, that is whether Linux's segmentation of the super-frame
 * made of first..b would give b back as it is (given tso_parse accepted all three). */
static int tso_follows(const tso_seg_t *first, const tso_seg_t *prev, const tso_seg_t *b) {
  const uint8_t *fa = first->f, *fb = b->f, *ta = fa + 34, *tb = fb + 34;
  if (prev->f[34 + 13] & 0x08) return 0;            /* PSH: the last segment of its super-frame */
  if (prev->plen != first->plen || b->plen > first->plen) return 0;   /* only the last may be shorter */
  if (b->thl != first->thl) return 0;
  if (b->id != (uint16_t)(prev->id + 1) || b->seq != prev->seq + prev->plen) return 0;
  return memcmp(fa, fb, 14) == 0                    /* Ethernet header */
    && fa[15] == fb[15]                             /* TOS */
    && fa[20] == fb[20]                             /* DF */
    && fa[22] == fb[22]                             /* TTL */
    && memcmp(fa + 26, fb + 26, 8) == 0             /* addresses */
    && memcmp(ta, tb, 4) == 0                       /* ports */
    && memcmp(ta + 8, tb + 8, 5) == 0               /* ACK number, data offset */
    && memcmp(ta + 14, tb + 14, 2) == 0             /* window */
    && memcmp(ta + 18, tb + 18, first->thl - 18) == 0;   /* urgent pointer, options */
}

/* The frames of the run seg[0, n) (n ≥ 2) as one super-frame after its GSO header, in out (room for
 * VNET_HDR + 14 + TSO_MAX_IP bytes): the first frame's headers with the IP total length and checksum
 * of the whole, PSH from the last, and in the TCP checksum field the pseudo-header sum over the
 * whole TCP length, folded, not complemented (what tcp_v4_send_check leaves for a partial checksum:
 * the kernel adds the segment's words from csum_start). Its length, header included. */
static size_t tso_build(const tso_seg_t *seg, int n, uint8_t *out) {
  const tso_seg_t *a = &seg[0];
  uint32_t hl = 14 + 20 + a->thl;
  uint8_t *f = out + VNET_HDR, *ip = f + 14, *t = ip + 20;
  memcpy(f, a->f, hl);
  uint32_t at = hl;
  for (int i = 0; i < n; i++) {
    memcpy(f + at, seg[i].f + hl, seg[i].plen);
    at += seg[i].plen;
  }
  uint32_t tot = at - 14, tcplen = tot - 20;
  ip_fix(ip, tot, 20);
  t[13] = (uint8_t)(0x10 | (seg[n - 1].f[34 + 13] & 0x08));
  uint16_t sum = csum_fold16(pseudo_sum(ip, tcplen));
  memcpy(t + 16, &sum, 2);
  struct virtio_net_hdr h;   /* host order (tun without TUNSETVNETLE/BE) */
  memset(&h, 0, sizeof h);
  h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
  h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
  h.hdr_len = (uint16_t)hl;
  h.gso_size = (uint16_t)a->plen;
  h.csum_start = 14 + 20;
  h.csum_offset = 16;
  memcpy(out, &h, VNET_HDR);
  return VNET_HDR + at;
}

/* How many frames from seg[0] on form a run (1: none to join), given the frames that follow in the
 * batch already parsed into seg[1, avail) (ok[i]: tso_parse accepted it). */
static int tso_run(const tso_seg_t *seg, const uint8_t *ok, int avail) {
  if (!ok[0]) return 1;
  uint32_t ipl = 20 + seg[0].thl + seg[0].plen;
  int n = 1;
  while (n < avail && n < TSO_MAX_SEGS && ok[n] && ipl + seg[n].plen <= TSO_MAX_IP && tso_follows(&seg[0], &seg[n - 1], &seg[n])) {
    ipl += seg[n].plen;
    n++;
  }
  return n;
}

static uint8_t tso_out[VNET_HDR + 14 + TSO_MAX_IP];

/* The length of the frame at p[at] of a batch (its u16 little-endian prefix), or 0 when the prefix
 * or the frame runs past len bytes (or is empty). */
static size_t batch_frame_len(const uint8_t *p, size_t at, size_t len) {
  size_t n = at + 2 <= len ? (size_t)(p[at] | (p[at + 1] << 8)) : 0;
  return at + 2 + n > len ? 0 : n;
}

ssize_t frame_write_counted(int fd, int vnet, const void *frame, size_t len, int *writes) {
  ++*writes;
  ssize_t r = frame_write(fd, vnet, frame, len);
  if (r < 0 && errno == EINTR) {
    ++*writes;
    r = frame_write(fd, vnet, frame, len);
  }
  return r;
}

/* Write a run seg[0, k): a super-frame when k > 1, else the frame alone; the outcome into *r. */
static void run_write(int fd, int vnet, const tso_seg_t *seg, int k, tso_result_t *r) {
  uint64_t fbytes = 0;
  for (int j = 0; j < k; j++) fbytes += seg[j].len;
  /* a super-frame carries its own header; a lone frame goes after an empty one */
  ssize_t w = k > 1 ? frame_write_counted(fd, 0, tso_out, tso_build(seg, k, tso_out), &r->writes)
                    : frame_write_counted(fd, vnet, seg[0].f, seg[0].len, &r->writes);
  if (w < 0) { r->refused += k; r->last = -errno; }
  else { r->written += k; r->bytes += fbytes; }
}

int tso_write_batch(int fd, int vnet, int tso, const uint8_t *p, size_t len, int count, tso_result_t *r) {
  memset(r, 0, sizeof *r);
  tso = tso && vnet && count > 1;   /* a lone frame (a request's answer, an ACK) needs no parsing */
  size_t at = 0;
  /* the frames parsed ahead: seg[head, filled) are frames i.. of the batch (ok[j]: tso_parse took it) */
  tso_seg_t seg[TSO_MAX_SEGS];
  uint8_t ok[TSO_MAX_SEGS];
  int head = 0, filled = 0, bad = 0;
  for (int i = 0; i < count;) {
    /* parse ahead: up to TSO_MAX_SEGS frames from i on (one without tso) */
    if (head == filled) head = filled = 0;
    else if (filled == TSO_MAX_SEGS && head > 0) {
      memmove(seg, seg + head, (size_t)(filled - head) * sizeof *seg);
      memmove(ok, ok + head, (size_t)(filled - head));
      filled -= head;
      head = 0;
    }
    int ahead = tso ? TSO_MAX_SEGS : 1;
    while (!bad && filled < ahead && i + (filled - head) < count) {
      size_t n = batch_frame_len(p, at, len);
      if (n == 0) { bad = 1; break; }
      seg[filled].f = p + at + 2;
      seg[filled].len = (uint32_t)n;
      ok[filled] = (uint8_t)(tso && tso_parse(p + at + 2, (uint32_t)n, &seg[filled]));
      filled++;
      at += 2 + n;
    }
    if (head == filled) { r->refused += count - i; r->last = -EINVAL; break; }   /* a bad length */
    int k = tso_run(seg + head, ok + head, filled - head);
    run_write(fd, vnet, seg + head, k, r);
    head += k;
    i += k;
  }
  return r->written;
}
