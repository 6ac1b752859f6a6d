#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "tso.h"

extern char **environ;

/* Raise the device's txqueuelen to TAP_QUEUE_LEN (never lower it); a failure only costs frames
 * under a flood, so it is reported and the board goes on. */
static void tap_queue_len(const char *name) {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
  if (s < 0 || ioctl(s, SIOCGIFTXQLEN, &ifr) < 0) {
    fprintf(stderr, "petrel-linux: txqueuelen of %s: %s (left as it is)\n", name, strerror(errno));
  } else if (ifr.ifr_qlen < TAP_QUEUE_LEN) {
    ifr.ifr_qlen = TAP_QUEUE_LEN;
    if (ioctl(s, SIOCSIFTXQLEN, &ifr) < 0)
      fprintf(stderr, "petrel-linux: txqueuelen %d for %s: %s (left as it is)\n", TAP_QUEUE_LEN, name, strerror(errno));
  }
  if (s >= 0) close(s);
}

int tap_open(const char *name, char actual[IFNAMSIZ]) {
  int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    fprintf(stderr, "petrel-linux: open /dev/net/tun: %s\n", strerror(errno));
    return -1;
  }
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
  snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
    fprintf(stderr, "petrel-linux: TUNSETIFF %s: %s\n", name, strerror(errno));
    close(fd);
    return -1;
  }
  snprintf(actual, IFNAMSIZ, "%s", ifr.ifr_name);
  tap_queue_len(actual);
  return fd;
}

ssize_t tap_read(int fd, uint8_t *frame, size_t cap) {
  uint8_t hdr[VNET_HDR];
  struct iovec iov[2] = { { hdr, sizeof hdr }, { frame, cap } };
  ssize_t r = readv(fd, iov, 2);
  if (r < 0) return -1;
  if (r < VNET_HDR) { /* not a frame: nothing to hand up */
    errno = EAGAIN;
    return -1;
  }
  return r - VNET_HDR;
}

void tap_batch_add(struct tap_batch *b, const uint8_t *frame, uint32_t len) {
  if (len > 0xffff) { /* beyond the batch's u16 length (no Ethernet frame of the core is this long) */
    b->lost++;
    return;
  }
  /* A frame that goes alone anyway is written at once, not batched (no copy into the batch, no
   * parse of it at the flush): every frame without TSO, and with it one that cannot start a run (an
   * ACK, a SYN-ACK, a segment with PSH such as an echo's answer) when nothing is batched before it. */
  if (!b->tso || (b->count == 0 && tso_alone(frame, len))) {
    int writes = 0;
    if (frame_write_counted(b->fd, 1, frame, len, &writes) < 0) b->lost++;
    b->writes += (uint64_t)writes;
    return;
  }
  if (b->count == TAP_BATCH_FRAMES || b->used + 2 + len > sizeof b->buf) tap_flush(b);
  uint8_t *p = b->buf + b->used;
  p[0] = (uint8_t)len;
  p[1] = (uint8_t)(len >> 8);
  memcpy(p + 2, frame, len);
  b->used += 2 + len;
  b->count++;
}

void tap_flush(struct tap_batch *b) {
  if (!b->count) return;
  tso_result_t r;
  tso_write_batch(b->fd, 1, b->tso, b->buf, b->used, b->count, &r);
  b->writes += (uint64_t)r.writes;
  b->lost += (uint64_t)r.refused;
  b->count = 0;
  b->used = 0;
}

/* Run a command (argv[0] looked up in PATH), wait for it; its exit status, or -1. */
static int run(char *const argv[]) {
  pid_t pid;
  int rc = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
  if (rc != 0) {
    fprintf(stderr, "petrel-linux: %s: %s\n", argv[0], strerror(rc));
    return -1;
  }
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int tap_configure_host(const char *name, const char *cidr) {
  char *add[] = { "ip", "addr", "add", (char *)cidr, "dev", (char *)name, NULL };
  char *up[] = { "ip", "link", "set", (char *)name, "up", NULL };
  if (run(add) != 0) {
    fprintf(stderr, "petrel-linux: ip addr add %s dev %s failed\n", cidr, name);
    return -1;
  }
  if (run(up) != 0) {
    fprintf(stderr, "petrel-linux: ip link set %s up failed\n", name);
    return -1;
  }
  return 0;
}
