// petrel_tap: the smallest native piece the TAP link needs. open() attaches to (or creates) a TAP
// device with IFF_TAP | IFF_NO_PI and makes the fd non-blocking; read()/write() move one frame
// without throwing (the result is n or -errno), readBatch()/writeBatch() many in one call; watch() calls back on readability through a libuv
// poll handle on the Node event loop (no busy polling); close() stops the watch and closes the fd
// (a device this process created without TUNSETPERSIST disappears with it).
// open(name, true) asks for the kernel's offloads (IFF_VNET_HDR, TUNSETOFFLOAD TSO4 + CSUM): the
// kernel then queues a TCP sender's data as super-frames of up to 64 KiB with their checksums left
// to us, one read(2) and one queued skb instead of one per segment; readBatch() and read() split
// them back into the MSS-sized frames the kernel would have sent (headers, sequence numbers, IP ids,
// flags and both checksums as Linux's own GSO writes them) and finish partial checksums, so the
// caller sees ordinary Ethernet frames either way. writeBatch() sends the segments of one TCP
// connection that follow each other in a batch as one super-frame with a TSO header (the kernel
// delivers it whole to a local socket, or cuts it back into those segments where it must), one
// write(2) instead of one per segment; every other frame goes alone with an empty header (that part,
// and the checksum helpers, are native/tso.c, which the Linux board's TAP writes use too).
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <linux/virtio_net.h>
#include <node_api.h>
#include <uv.h>

#include "tso.h"

#define CHECK(call) do { if ((call) != napi_ok) { napi_throw_error(env, NULL, #call " failed"); return NULL; } } while (0)

static napi_value make_int(napi_env env, int v) {
  napi_value r;
  napi_create_int32(env, v, &r);
  return r;
}

// The TAP's txqueuelen (the kernel's queue of frames waiting for read()) is raised to this at open,
// never lowered. Linux's default for a TAP is 500 frames: 2 ms of a SYN flood at 220 000 frames/s,
// so a Node process that the event loop or the scheduler keeps away for a few ms loses frames (a
// real client's SYN among them); 16 384 are 75 ms at that rate and take memory only while they wait.
#define TAP_QUEUE_LEN 16384

// The device's txqueuelen after raising it, or -errno (the device works either way).
static int tap_queue_len(const char *name) {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) return -errno;
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
  int r = 0;
  if (ioctl(s, SIOCGIFTXQLEN, &ifr) < 0) r = -errno;
  else if (ifr.ifr_qlen < TAP_QUEUE_LEN) {
    int was = ifr.ifr_qlen;
    ifr.ifr_qlen = TAP_QUEUE_LEN;
    r = ioctl(s, SIOCSIFTXQLEN, &ifr) < 0 ? -errno : TAP_QUEUE_LEN;
    if (r < 0 && was > 0) r = was;
  } else r = ifr.ifr_qlen;
  close(s);
  return r;
}

// ── offloads (IFF_VNET_HDR) ───────────────────────────────────────────────────────────────
#define STAGE_SIZE (VNET_HDR + 65536 + 256)
#define MAX_OFFLOAD 64

/* One fd opened with offloads: the super-frame being split (stage: the header, then the frame). */
typedef struct {
  int fd;
  uint8_t *stage;
  uint32_t flen;     /* the frame's length in stage (after the header) */
  uint32_t next;     /* offset in the frame of the next segment's payload; 0: nothing pending */
  uint16_t hl, mss, ihl;
  uint16_t seg;      /* segments emitted so far */
  uint32_t reads;    /* read(2) calls that returned a frame, and super-frames split (readBatch's stats) */
  uint32_t supers;
} offload_t;

static offload_t *offloads[MAX_OFFLOAD];

static offload_t *offload_of(int fd) {
  for (int i = 0; i < MAX_OFFLOAD; i++) if (offloads[i] && offloads[i]->fd == fd) return offloads[i];
  return NULL;
}

static void offload_forget(int fd) {
  for (int i = 0; i < MAX_OFFLOAD; i++) if (offloads[i] && offloads[i]->fd == fd) {
    free(offloads[i]->stage);
    free(offloads[i]);
    offloads[i] = NULL;
  }
}


/* The next segment of the pending super-frame into out (at most cap bytes); its length. */
static int offload_segment(offload_t *o, uint8_t *out, size_t cap) {
  const uint8_t *f = o->stage + VNET_HDR;
  uint32_t left = o->flen - o->next;
  uint32_t plen = left < o->mss ? left : o->mss;
  int first = o->seg == 0, last = plen == left;
  size_t len = (size_t)o->hl + plen;
  o->seg++;
  o->next = last ? 0 : o->next + plen;
  if (len > cap) {
    /* longer than a frame of the device's MTU (the kernel sizes segments to fit it): handed up cut
     * to cap, a frame whose IP length the core finds wrong and counts as malformed */
    memcpy(out, f, cap);
    return (int)cap;
  }
  uint32_t payload = o->next ? o->next - plen : o->flen - plen;   /* this segment's offset in f */
  memcpy(out, f, o->hl);
  memcpy(out + o->hl, f + payload, plen);
  uint8_t *ip = out + 14, *t = out + 14 + o->ihl;
  uint32_t tot = (uint32_t)o->hl - 14 + plen;
  put16(ip + 4, (uint16_t)(be16(f + 18) + o->seg - 1));   /* Linux's TSO: the id counts up per segment */
  ip_fix(ip, tot, o->ihl);
  put32(t + 4, be32(f + 14 + o->ihl + 4) + (payload - o->hl));
  if (!last) t[13] &= (uint8_t)~0x09;   /* FIN and PSH only on the last segment */
  if (!first) t[13] &= (uint8_t)~0x80;  /* CWR only on the first */
  t[16] = t[17] = 0;
  uint32_t tcplen = tot - o->ihl;
  csum_store(t + 16, csum_add(pseudo_sum(ip, tcplen), t, tcplen));
  return (int)len;
}

/* One frame into out (at most cap bytes): the next segment of a pending super-frame, else a read(2)
 * (a super-frame is split, a partial checksum finished). Its length, or -errno (-EAGAIN: none). */
static int offload_frame(offload_t *o, uint8_t *out, size_t cap) {
  if (o->next) return offload_segment(o, out, cap);
  for (;;) {
    ssize_t r = read(o->fd, o->stage, STAGE_SIZE);
    if (r < 0) return -errno;
    if (r <= VNET_HDR) continue; /* a header alone: nothing to hand up */
    o->reads++;
    struct virtio_net_hdr h;
    memcpy(&h, o->stage, sizeof h);
    uint8_t *f = o->stage + VNET_HDR;
    uint32_t flen = (uint32_t)r - VNET_HDR;
    uint16_t mss = h.gso_size;   /* the vnet header is in host order (tun without TUNSETVNETLE/BE) */
    if ((h.gso_type & ~VIRTIO_NET_HDR_GSO_ECN) == VIRTIO_NET_HDR_GSO_TCPV4 && mss > 0 && flen >= 54
        && f[12] == 0x08 && f[13] == 0x00 && (f[14] >> 4) == 4 && f[23] == 6) {
      uint16_t ihl = (uint16_t)((f[14] & 15) * 4);
      uint16_t hl = ihl >= 20 && 14u + ihl + 20 <= flen ? (uint16_t)(14 + ihl + (f[14 + ihl + 12] >> 4) * 4) : 0;
      if (hl >= 14 + ihl + 20 && hl < flen) {
        o->flen = flen;
        o->hl = hl;
        o->ihl = ihl;
        o->mss = mss;
        o->seg = 0;
        o->next = hl;
        o->supers++;
        return offload_segment(o, out, cap);
      }
    }
    /* an ordinary frame (or a super-frame we cannot split: handed up whole, too long for the core,
     * which counts and drops it) */
    uint16_t start = h.csum_start, off = h.csum_offset;
    if ((h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) && (uint32_t)start + off + 2 <= flen)
      csum_store(f + start + off, csum_add(0, f + start, flen - start));
    size_t n = flen < cap ? flen : cap;
    memcpy(out, f, n);
    return (int)n;
  }
}

/* Ask for the offloads on a fd opened with IFF_VNET_HDR: the TUNSETOFFLOAD result (0 or -errno).
 * The fd is in header mode either way. */
static int offload_start(int fd) {
  int slot = -1;
  for (int i = 0; i < MAX_OFFLOAD; i++) if (!offloads[i]) { slot = i; break; }
  offload_t *o = slot < 0 ? NULL : calloc(1, sizeof *o);
  uint8_t *stage = o ? malloc(STAGE_SIZE) : NULL;
  if (!stage) {
    free(o);
    return -ENOMEM;
  }
  o->fd = fd;
  o->stage = stage;
  offloads[slot] = o;
  return ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4) < 0 ? -errno : 0;
}

// open(name: string, offload?: boolean) -> { fd, name, qlen, offload } (offload: 1 with the kernel's
// offloads, 0 without, -errno when the kernel refused them: frames then come one by one as before) (qlen: the txqueuelen, or -errno) | throws Error with .code (EACCES, EPERM, ENOENT, EBUSY...)
static napi_value tap_open(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char name[IFNAMSIZ] = {0};
  size_t len = 0;
  bool offload = false;
  if (argc >= 1) {
    napi_valuetype t;
    CHECK(napi_typeof(env, argv[0], &t));
    if (t == napi_string) CHECK(napi_get_value_string_utf8(env, argv[0], name, sizeof name, &len));
  }
  if (argc >= 2) {
    napi_valuetype t;
    CHECK(napi_typeof(env, argv[1], &t));
    if (t == napi_boolean) CHECK(napi_get_value_bool(env, argv[1], &offload));
  }
  int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  const char *what = "open /dev/net/tun";
  int err = 0;
  if (fd < 0) err = errno;
  struct ifreq ifr;
  if (!err) {
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (offload ? IFF_VNET_HDR : 0);
    memcpy(ifr.ifr_name, name, len < IFNAMSIZ ? len : IFNAMSIZ - 1);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) { err = errno; what = "ioctl TUNSETIFF"; }
  }
  if (!err) {
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) { err = errno; what = "fcntl O_NONBLOCK"; }
  }
  if (err) {
    if (fd >= 0) close(fd);
    napi_value msg, code, e;
    char text[256];
    snprintf(text, sizeof text, "%s: %s", what, strerror(err));
    napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &msg);
    const char *cname = err == EACCES ? "EACCES" : err == EPERM ? "EPERM" : err == ENOENT ? "ENOENT" : err == EBUSY ? "EBUSY" : err == EINVAL ? "EINVAL" : "EIO";
    napi_create_string_utf8(env, cname, NAPI_AUTO_LENGTH, &code);
    napi_create_error(env, code, msg, &e);
    napi_value syscall;
    napi_create_string_utf8(env, what, NAPI_AUTO_LENGTH, &syscall);
    napi_set_named_property(env, e, "syscall", syscall);
    napi_set_named_property(env, e, "errno", make_int(env, -err));
    napi_throw(env, e);
    return NULL;
  }
  int offloaded = 0;
  if (offload) {
    offloaded = offload_start(fd);
    if (offloaded == -ENOMEM) {
      close(fd);
      napi_throw_error(env, "ENOMEM", "out of memory for the offload buffer");
      return NULL;
    }
    if (offloaded == 0) offloaded = 1;
  }
  napi_value obj, vname;
  CHECK(napi_create_object(env, &obj));
  CHECK(napi_set_named_property(env, obj, "offload", make_int(env, offloaded)));
  CHECK(napi_set_named_property(env, obj, "fd", make_int(env, fd)));
  CHECK(napi_create_string_utf8(env, ifr.ifr_name, NAPI_AUTO_LENGTH, &vname));
  CHECK(napi_set_named_property(env, obj, "name", vname));
  CHECK(napi_set_named_property(env, obj, "qlen", make_int(env, tap_queue_len(ifr.ifr_name))));
  return obj;
}

static int get_fd_and_buffer(napi_env env, napi_callback_info info, int *fd, void **data, size_t *len) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2) return -1;
  if (napi_get_value_int32(env, argv[0], fd) != napi_ok) return -1;
  bool is_ta = false;
  if (napi_is_typedarray(env, argv[1], &is_ta) != napi_ok || !is_ta) return -1;
  napi_typedarray_type type;
  size_t count, offset;
  napi_value ab;
  if (napi_get_typedarray_info(env, argv[1], &type, &count, data, &ab, &offset) != napi_ok || type != napi_uint8_array) return -1;
  *len = count;
  return 0;
}

// read(fd, u8) -> n (one frame) | -errno (-EAGAIN: nothing queued)
static napi_value tap_read(napi_env env, napi_callback_info info) {
  int fd; void *data; size_t len;
  if (get_fd_and_buffer(env, info, &fd, &data, &len) < 0) { napi_throw_type_error(env, NULL, "read(fd, Uint8Array)"); return NULL; }
  offload_t *o = offload_of(fd);
  if (o) return make_int(env, offload_frame(o, data, len));
  ssize_t n = read(fd, data, len);
  return make_int(env, n < 0 ? -errno : (int)n);
}

// readBatch(fd, u8, max, room, stats?: Int32Array(2)) -> frames read | -errno: up to `max` frames back to back, each a u16
// little-endian length then its bytes, until the queue is empty (EAGAIN) or the buffer cannot take a
// frame of the device's largest size (65535 would not fit: the caller sizes the buffer by its MTU,
// passed as the room a frame needs). One N-API crossing for a batch instead of one per frame: under
// a flood of small frames the crossing cost as much as the read(2) itself. `stats` (optional) gets
// the read(2) calls that returned a frame added to [0] and the super-frames split to [1] (with
// offloads; without, [0] counts every frame).
static napi_value tap_read_batch(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  int fd, max, room;
  void *data = NULL;
  size_t len = 0;
  bool is_ta = false;
  napi_typedarray_type type;
  napi_value ab;
  size_t offset;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 4
      || napi_get_value_int32(env, argv[0], &fd) != napi_ok
      || napi_is_typedarray(env, argv[1], &is_ta) != napi_ok || !is_ta
      || napi_get_typedarray_info(env, argv[1], &type, &len, &data, &ab, &offset) != napi_ok || type != napi_uint8_array
      || napi_get_value_int32(env, argv[2], &max) != napi_ok || napi_get_value_int32(env, argv[3], &room) != napi_ok || room < 1) {
    napi_throw_type_error(env, NULL, "readBatch(fd, Uint8Array, max, room)");
    return NULL;
  }
  int32_t *stats = NULL;
  if (argc >= 5) {
    bool s_ta = false;
    napi_typedarray_type stype;
    size_t slen = 0, soff;
    void *sdata = NULL;
    napi_value sab;
    if (napi_is_typedarray(env, argv[4], &s_ta) == napi_ok && s_ta
        && napi_get_typedarray_info(env, argv[4], &stype, &slen, &sdata, &sab, &soff) == napi_ok && stype == napi_int32_array && slen >= 2)
      stats = sdata;
  }
  uint8_t *p = data;
  size_t at = 0;
  int n = 0;
  offload_t *o = offload_of(fd);
  uint32_t reads0 = o ? o->reads : 0, supers0 = o ? o->supers : 0;
  while (n < max && at + 2 + (size_t)room <= len) {
    ssize_t r = o ? offload_frame(o, p + at + 2, (size_t)room) : read(fd, p + at + 2, (size_t)room);
    if (o && r < 0) {
      errno = (int)-r;
      r = -1;
    }
    if (r < 0) {
      if (n == 0 && errno != EAGAIN && errno != EINTR) return make_int(env, -errno);
      break;
    }
    p[at] = (uint8_t)(r & 0xff);
    p[at + 1] = (uint8_t)((r >> 8) & 0xff);
    at += 2 + (size_t)r;
    n++;
  }
  if (stats) {
    stats[0] += o ? (int32_t)(o->reads - reads0) : n;
    stats[1] += o ? (int32_t)(o->supers - supers0) : 0;
  }
  return make_int(env, n);
}

// write(fd, u8) -> n | -errno
static napi_value tap_write(napi_env env, napi_callback_info info) {
  int fd; void *data; size_t len;
  if (get_fd_and_buffer(env, info, &fd, &data, &len) < 0) { napi_throw_type_error(env, NULL, "write(fd, Uint8Array)"); return NULL; }
  ssize_t n = frame_write(fd, offload_of(fd) != NULL, data, len);
  if (n > 0 && offload_of(fd)) n -= VNET_HDR;
  return make_int(env, n < 0 ? -errno : (int)n);
}

// writeBatch(fd, u8, count, result: Int32Array(3 or 4)) -> frames written: `count` frames back to
// back in `u8`, each a u16 little-endian length then its bytes (readBatch's layout), written in
// order. With offloads, runs of segments of one TCP connection go as one super-frame each (see
// native/tso.c), every other frame alone; without, one write(2) per frame. A frame the kernel
// refuses (EAGAIN: its queue is full; EIO: the device is down; a refused super-frame refuses all its
// frames) is skipped and the rest still go (TCP retransmits what was lost, as after a drop on the
// wire): result[0] = frames refused, result[1] = the last -errno (0 if none), result[2] = bytes
// (of the frames) written, result[3] (if there) = write(2) calls made. A length running past the
// buffer ends the batch there (counted as refused, -EINVAL). One N-API crossing per batch instead of
// one per frame: here a crossing cost a third of the write(2) itself.
static napi_value tap_write_batch(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  int fd, count;
  void *data = NULL, *rdata = NULL;
  size_t len = 0, rlen = 0, offset;
  bool is_ta = false, r_ta = false;
  napi_typedarray_type type, rtype;
  napi_value ab;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 4
      || napi_get_value_int32(env, argv[0], &fd) != napi_ok
      || napi_is_typedarray(env, argv[1], &is_ta) != napi_ok || !is_ta
      || napi_get_typedarray_info(env, argv[1], &type, &len, &data, &ab, &offset) != napi_ok || type != napi_uint8_array
      || napi_get_value_int32(env, argv[2], &count) != napi_ok || count < 0
      || napi_is_typedarray(env, argv[3], &r_ta) != napi_ok || !r_ta
      || napi_get_typedarray_info(env, argv[3], &rtype, &rlen, &rdata, &ab, &offset) != napi_ok || rtype != napi_int32_array || rlen < 3) {
    napi_throw_type_error(env, NULL, "writeBatch(fd, Uint8Array, count, Int32Array(3))");
    return NULL;
  }
  tso_result_t r;
  int vnet = offload_of(fd) != NULL;
  int written = tso_write_batch(fd, vnet, vnet, data, len, count, &r);
  int32_t *result = rdata;
  result[0] = r.refused;
  result[1] = r.last;
  result[2] = (int32_t)r.bytes;
  if (rlen >= 4) result[3] = r.writes;
  return make_int(env, written);
}

// One watched fd: a uv_poll_t calling a JS function whenever the fd is readable.
typedef struct {
  uv_poll_t poll;
  napi_env env;
  napi_ref cb;
  int fd;
  int active;
} watch_t;

#define MAX_WATCH 64
static watch_t *watches[MAX_WATCH];

static void on_closed(uv_handle_t *h) {
  watch_t *w = (watch_t *)h->data;
  free(w);
}

static void on_poll(uv_poll_t *h, int status, int events) {
  watch_t *w = (watch_t *)h->data;
  (void)events;
  napi_handle_scope scope;
  napi_open_handle_scope(w->env, &scope);
  napi_value cb, global, arg;
  napi_get_reference_value(w->env, w->cb, &cb);
  napi_get_global(w->env, &global);
  arg = make_int(w->env, status);
  napi_value result;
  // napi_make_callback would need an async context; a plain call plus the loop's microtask
  // checkpoint (Node drains them after each libuv callback via the handle scope) is enough here
  napi_status st = napi_call_function(w->env, global, cb, 1, &arg, &result);
  if (st == napi_pending_exception) {
    napi_value exc;
    napi_get_and_clear_last_exception(w->env, &exc);
    napi_fatal_exception(w->env, exc);
  }
  napi_close_handle_scope(w->env, scope);
}

static void stop_watch(int fd) {
  for (int i = 0; i < MAX_WATCH; i++) {
    watch_t *w = watches[i];
    if (w && w->fd == fd) {
      watches[i] = NULL;
      uv_poll_stop(&w->poll);
      napi_delete_reference(w->env, w->cb);
      uv_close((uv_handle_t *)&w->poll, on_closed);
    }
  }
}

// watch(fd, cb) -> 0: cb(status) runs on the event loop each time the fd is readable
static napi_value tap_watch(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int fd;
  if (argc < 2 || napi_get_value_int32(env, argv[0], &fd) != napi_ok) { napi_throw_type_error(env, NULL, "watch(fd, fn)"); return NULL; }
  stop_watch(fd);
  int slot = -1;
  for (int i = 0; i < MAX_WATCH; i++) if (!watches[i]) { slot = i; break; }
  if (slot < 0) { napi_throw_error(env, NULL, "too many watched TAP fds"); return NULL; }
  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  watch_t *w = calloc(1, sizeof *w);
  w->env = env;
  w->fd = fd;
  CHECK(napi_create_reference(env, argv[1], 1, &w->cb));
  int rc = uv_poll_init(loop, &w->poll, fd);
  if (rc == 0) {
    w->poll.data = w;
    rc = uv_poll_start(&w->poll, UV_READABLE, on_poll);
  }
  if (rc != 0) {
    napi_delete_reference(env, w->cb);
    free(w);
    napi_throw_error(env, NULL, uv_strerror(rc));
    return NULL;
  }
  watches[slot] = w;
  return make_int(env, 0);
}

// unref(fd, bool): whether a watch keeps the event loop alive (default: it does)
static napi_value tap_ref(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int fd; bool on = true;
  if (argc < 2 || napi_get_value_int32(env, argv[0], &fd) != napi_ok || napi_get_value_bool(env, argv[1], &on) != napi_ok) { napi_throw_type_error(env, NULL, "ref(fd, bool)"); return NULL; }
  for (int i = 0; i < MAX_WATCH; i++) if (watches[i] && watches[i]->fd == fd) {
    if (on) uv_ref((uv_handle_t *)&watches[i]->poll); else uv_unref((uv_handle_t *)&watches[i]->poll);
  }
  return make_int(env, 0);
}

// close(fd) -> 0 | -errno: stops the watch, closes the fd
static napi_value tap_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int fd;
  if (argc < 1 || napi_get_value_int32(env, argv[0], &fd) != napi_ok) { napi_throw_type_error(env, NULL, "close(fd)"); return NULL; }
  stop_watch(fd);
  offload_forget(fd);
  return make_int(env, close(fd) < 0 ? -errno : 0);
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"open", NULL, tap_open, NULL, NULL, NULL, napi_default, NULL},
    {"read", NULL, tap_read, NULL, NULL, NULL, napi_default, NULL},
    {"readBatch", NULL, tap_read_batch, NULL, NULL, NULL, napi_default, NULL},
    {"write", NULL, tap_write, NULL, NULL, NULL, napi_default, NULL},
    {"writeBatch", NULL, tap_write_batch, NULL, NULL, NULL, napi_default, NULL},
    {"watch", NULL, tap_watch, NULL, NULL, NULL, napi_default, NULL},
    {"ref", NULL, tap_ref, NULL, NULL, NULL, napi_default, NULL},
    {"close", NULL, tap_close, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
