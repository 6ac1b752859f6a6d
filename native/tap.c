// petrel_tap: the smallest native piece the TAP link needs. open() attaches to (or creates) a TAP
// device with IFF_TAP | IFF_NO_PI and makes the fd non-blocking; read()/write() move one frame
// without throwing (the result is n or -errno), readBatch()/writeBatch() many in one call; watch() calls back on readability through a libuv
// poll handle on the Node event loop (no busy polling); reader() instead starts a thread that does the
// read(2) calls into a ring of frames and wakes the event loop when the ring gets frames (readBatch
// then copies from the ring: no system call on the JavaScript thread); close() stops the watch or the
// reader and closes the fd (a device this process created without TUNSETPERSIST disappears with it).
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/eventfd.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdint.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <node_api.h>
#include <uv.h>

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

// open(name: string) -> { fd, name, qlen } (qlen: the txqueuelen, or -errno) | throws Error with .code (EACCES, EPERM, ENOENT, EBUSY...)
static napi_value tap_open(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char name[IFNAMSIZ] = {0};
  size_t len = 0;
  if (argc >= 1) {
    napi_valuetype t;
    CHECK(napi_typeof(env, argv[0], &t));
    if (t == napi_string) CHECK(napi_get_value_string_utf8(env, argv[0], name, sizeof name, &len));
  }
  int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  const char *what = "open /dev/net/tun";
  int err = 0;
  if (fd < 0) err = errno;
  struct ifreq ifr;
  if (!err) {
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
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
  napi_value obj, vname;
  CHECK(napi_create_object(env, &obj));
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
  ssize_t n = read(fd, data, len);
  return make_int(env, n < 0 ? -errno : (int)n);
}


// ── the reader thread ────────────────────────────────────────────────────────────────────────
// One producer (the thread: read(2) into the slot at tail) and one consumer (readBatch on the
// JavaScript thread: copies from head), each slot a u16 length then up to `room` bytes. The counters
// only grow (unsigned wrap-around); tail - head = frames waiting. Wake-ups without lost ones: the
// producer stores tail then loads head, the consumer stores head then loads tail (sequentially
// consistent atomics), so at least one of them sees the ring as the other left it: the producer
// wakes the loop when its frame went into an empty ring, the consumer wakes it again when frames
// came while it returned. A full ring stops the thread (condition variable) until readBatch makes
// room: the kernel's queue (txqueuelen) holds what comes meanwhile, as without the thread.
#define RING_SLOTS 1024

typedef struct {
  int fd;
  int efd;              // eventfd: close() wakes the thread's poll(2) with it
  size_t room, stride;
  uint8_t *slots;
  atomic_uint head, tail;
  atomic_int stop, waiting, error;
  pthread_mutex_t m;
  pthread_cond_t c;
  pthread_t thread;
  uv_async_t *async;
} ring_t;

static void *reader_main(void *arg) {
  ring_t *r = arg;
  unsigned tail = atomic_load(&r->tail);
  while (!atomic_load(&r->stop)) {
    if (tail - atomic_load(&r->head) >= RING_SLOTS) {
      pthread_mutex_lock(&r->m);
      atomic_store(&r->waiting, 1);
      while (tail - atomic_load(&r->head) >= RING_SLOTS && !atomic_load(&r->stop)) pthread_cond_wait(&r->c, &r->m);
      atomic_store(&r->waiting, 0);
      pthread_mutex_unlock(&r->m);
      continue;
    }
    uint8_t *slot = r->slots + (size_t)(tail % RING_SLOTS) * r->stride;
    ssize_t n = read(r->fd, slot + 2, r->room);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN) {
        // the device went away or is unusable: report it once, and look again at a slow pace
        if (atomic_exchange(&r->error, -errno) == 0) uv_async_send(r->async);
        struct pollfd e = {r->efd, POLLIN, 0};
        poll(&e, 1, 100);
        continue;
      }
      struct pollfd p[2] = {{r->fd, POLLIN, 0}, {r->efd, POLLIN, 0}};
      poll(p, 2, -1);
      continue;
    }
    slot[0] = (uint8_t)(n & 0xff);
    slot[1] = (uint8_t)((n >> 8) & 0xff);
    atomic_store(&r->tail, ++tail);
    if (atomic_load(&r->head) == tail - 1) uv_async_send(r->async); // it went into an empty ring
  }
  return NULL;
}

// Up to `max` frames from the ring into p[0, len) in readBatch's layout; returns how many.
static int ring_take(ring_t *r, uint8_t *p, size_t len, int max) {
  unsigned head = atomic_load(&r->head), tail = atomic_load(&r->tail);
  size_t at = 0;
  int n = 0;
  while (n < max && head != tail) {
    const uint8_t *slot = r->slots + (size_t)(head % RING_SLOTS) * r->stride;
    size_t flen = (size_t)(slot[0] | (slot[1] << 8));
    if (at + 2 + flen > len) break;
    memcpy(p + at, slot, 2 + flen);
    at += 2 + flen;
    head++;
    n++;
    if (head == tail) tail = atomic_load(&r->tail);
  }
  atomic_store(&r->head, head);
  if (atomic_load(&r->tail) != head) uv_async_send(r->async); // frames left or just come: another wake-up
  if (atomic_load(&r->waiting)) {
    pthread_mutex_lock(&r->m);
    pthread_cond_signal(&r->c);
    pthread_mutex_unlock(&r->m);
  }
  return n;
}

static ring_t *ring_of(int fd);

// readBatch(fd, u8, max) -> frames read | -errno: up to `max` frames back to back, each a u16
// little-endian length then its bytes, until the queue is empty (EAGAIN) or the buffer cannot take a
// frame of the device's largest size (65535 would not fit: the caller sizes the buffer by its MTU,
// passed as the room a frame needs). One N-API crossing for a batch instead of one per frame: under
// a flood of small frames the crossing cost as much as the read(2) itself.
static napi_value tap_read_batch(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
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
  uint8_t *p = data;
  ring_t *ring = ring_of(fd);
  if (ring) {
    int err = atomic_exchange(&ring->error, 0);
    int got = ring_take(ring, p, len, max);
    return make_int(env, got == 0 && err ? err : got);
  }
  size_t at = 0;
  int n = 0;
  while (n < max && at + 2 + (size_t)room <= len) {
    ssize_t r = read(fd, p + at + 2, (size_t)room);
    if (r < 0) {
      if (n == 0 && errno != EAGAIN && errno != EINTR) return make_int(env, -errno);
      break;
    }
    p[at] = (uint8_t)(r & 0xff);
    p[at + 1] = (uint8_t)((r >> 8) & 0xff);
    at += 2 + (size_t)r;
    n++;
  }
  return make_int(env, n);
}

// write(fd, u8) -> n | -errno
static napi_value tap_write(napi_env env, napi_callback_info info) {
  int fd; void *data; size_t len;
  if (get_fd_and_buffer(env, info, &fd, &data, &len) < 0) { napi_throw_type_error(env, NULL, "write(fd, Uint8Array)"); return NULL; }
  ssize_t n = write(fd, data, len);
  return make_int(env, n < 0 ? -errno : (int)n);
}

// writeBatch(fd, u8, count, result: Int32Array(3)) -> frames written: `count` frames back to back in
// `u8`, each a u16 little-endian length then its bytes (readBatch's layout), written one write(2)
// each, in order. A frame the kernel refuses (EAGAIN: its queue is full; EIO: the device is down) is
// skipped and the rest still go (TCP retransmits what was lost, as after a drop on the wire):
// result[0] = frames refused, result[1] = the last -errno (0 if none), result[2] = bytes written. A length running past the
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
  const uint8_t *p = data;
  int32_t *result = rdata;
  size_t at = 0;
  int written = 0, refused = 0, last = 0;
  int32_t bytes = 0;
  for (int i = 0; i < count; i++) {
    size_t n = at + 2 <= len ? (size_t)(p[at] | (p[at + 1] << 8)) : 0;
    if (at + 2 + n > len || n == 0) { refused += count - i; last = -EINVAL; break; }
    ssize_t r = write(fd, p + at + 2, n);
    if (r < 0 && errno == EINTR) r = write(fd, p + at + 2, n);
    if (r < 0) { refused++; last = -errno; }
    else { written++; bytes += (int32_t)r; }
    at += 2 + n;
  }
  result[0] = refused;
  result[1] = last;
  result[2] = bytes;
  return make_int(env, written);
}

// One watched fd: a uv_poll_t calling a JS function whenever the fd is readable, or (reader()) a
// uv_async_t the reader thread signals when its ring gets frames.
typedef struct {
  uv_poll_t poll;
  uv_async_t async;
  ring_t *ring; // NULL: the poll handle is in use
  napi_env env;
  napi_ref cb;
  int fd;
  int active;
} watch_t;

#define MAX_WATCH 64
static watch_t *watches[MAX_WATCH];

static ring_t *ring_of(int fd) {
  for (int i = 0; i < MAX_WATCH; i++) if (watches[i] && watches[i]->fd == fd) return watches[i]->ring;
  return NULL;
}

static void on_closed(uv_handle_t *h) {
  watch_t *w = (watch_t *)h->data;
  free(w);
}

static void call_back(watch_t *w, int status) {
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

static void on_poll(uv_poll_t *h, int status, int events) {
  (void)events;
  call_back((watch_t *)h->data, status);
}

static void on_async(uv_async_t *h) {
  call_back((watch_t *)h->data, 0);
}

// Stop the reader thread (it is joined: no read(2) on the fd after this) and free its ring.
static void ring_stop(ring_t *r) {
  atomic_store(&r->stop, 1);
  uint64_t one = 1;
  if (write(r->efd, &one, sizeof one) < 0) { /* the eventfd cannot be full: 1 per close */ }
  pthread_mutex_lock(&r->m);
  pthread_cond_signal(&r->c);
  pthread_mutex_unlock(&r->m);
  pthread_join(r->thread, NULL);
  close(r->efd);
  pthread_mutex_destroy(&r->m);
  pthread_cond_destroy(&r->c);
  free(r->slots);
  free(r);
}

static void stop_watch(int fd) {
  for (int i = 0; i < MAX_WATCH; i++) {
    watch_t *w = watches[i];
    if (w && w->fd == fd) {
      watches[i] = NULL;
      napi_delete_reference(w->env, w->cb);
      if (w->ring) {
        ring_stop(w->ring);
        w->ring = NULL;
        uv_close((uv_handle_t *)&w->async, on_closed);
      } else {
        uv_poll_stop(&w->poll);
        uv_close((uv_handle_t *)&w->poll, on_closed);
      }
    }
  }
}

static int free_slot(void) {
  for (int i = 0; i < MAX_WATCH; i++) if (!watches[i]) return i;
  return -1;
}

// watch(fd, cb) -> 0: cb(status) runs on the event loop each time the fd is readable
static napi_value tap_watch(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int fd;
  if (argc < 2 || napi_get_value_int32(env, argv[0], &fd) != napi_ok) { napi_throw_type_error(env, NULL, "watch(fd, fn)"); return NULL; }
  stop_watch(fd);
  int slot = free_slot();
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

// reader(fd, room, cb) -> 0 | -errno (no thread: use watch): a thread reads frames of up to `room`
// bytes into a ring of RING_SLOTS and cb(status) runs on the event loop when the ring gets frames
// (status < 0 once when a read failed other than EAGAIN); readBatch(fd, …) then takes them from the
// ring. The read(2) calls, a frame each, run beside the JavaScript thread instead of on it.
static napi_value tap_reader(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int fd, room;
  if (argc < 3 || napi_get_value_int32(env, argv[0], &fd) != napi_ok || napi_get_value_int32(env, argv[1], &room) != napi_ok || room < 1 || room > 65535) {
    napi_throw_type_error(env, NULL, "reader(fd, room, fn)");
    return NULL;
  }
  stop_watch(fd);
  int slot = free_slot();
  if (slot < 0) { napi_throw_error(env, NULL, "too many watched TAP fds"); return NULL; }
  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  ring_t *r = calloc(1, sizeof *r);
  watch_t *w = calloc(1, sizeof *w);
  int err = 0;
  if (!r || !w) err = ENOMEM;
  if (!err) {
    r->fd = fd;
    r->room = (size_t)room;
    r->stride = 2 + (size_t)room;
    r->slots = malloc(RING_SLOTS * r->stride);
    r->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (!r->slots) err = ENOMEM;
    else if (r->efd < 0) err = errno;
  }
  if (!err) {
    pthread_mutex_init(&r->m, NULL);
    pthread_cond_init(&r->c, NULL);
    int rc = uv_async_init(loop, &w->async, on_async);
    if (rc != 0) err = -rc;
    else {
      w->async.data = w;
      r->async = &w->async;
      // the thread takes no signal (Node's handlers run on the main thread)
      sigset_t all, old;
      sigfillset(&all);
      pthread_sigmask(SIG_SETMASK, &all, &old);
      err = pthread_create(&r->thread, NULL, reader_main, r);
      pthread_sigmask(SIG_SETMASK, &old, NULL);
      if (err) uv_close((uv_handle_t *)&w->async, on_closed); // frees w
    }
    if (err) {
      pthread_mutex_destroy(&r->m);
      pthread_cond_destroy(&r->c);
    }
  }
  if (err) {
    if (r) {
      if (r->efd > 0) close(r->efd);
      free(r->slots);
      free(r);
    }
    if (w && !w->async.data) free(w);
    return make_int(env, -err);
  }
  w->env = env;
  w->fd = fd;
  w->ring = r;
  CHECK(napi_create_reference(env, argv[2], 1, &w->cb));
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
    uv_handle_t *h = watches[i]->ring ? (uv_handle_t *)&watches[i]->async : (uv_handle_t *)&watches[i]->poll;
    if (on) uv_ref(h); else uv_unref(h);
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
    {"reader", NULL, tap_reader, NULL, NULL, NULL, napi_default, NULL},
    {"ref", NULL, tap_ref, NULL, NULL, NULL, napi_default, NULL},
    {"close", NULL, tap_close, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
