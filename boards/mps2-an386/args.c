/* Command line and console of the mps2 firmwares (args.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "board.h"
#include "services.h"

static const char *prog_name = "petrel-mps2";

static void die(const char *what, const char *arg) {
  char quoted[64];                              /* the offending word, safe inside a JSON string */
  size_t n = 0;
  for (const char *p = arg ? arg : ""; *p && n < sizeof quoted - 1; p++)
    quoted[n++] = (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e) ? '?' : *p;
  quoted[n] = 0;
  printf("{\"event\":\"error\",\"code\":\"EINVAL\",\"message\":\"%s: %s%s%s\"}\n", prog_name, what, arg ? ": " : "", quoted);
  board_exit(2);
}

static int parse_ip(const char *s, uint32_t *ip) {
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) {
    char *end;
    unsigned long b = strtoul(s, &end, 10);
    if (end == s || b > 255 || (i < 3 ? *end != '.' : (*end && *end != '/'))) return -1;
    v = v << 8 | (uint32_t)b;
    s = end + (i < 3);
  }
  *ip = v;
  return 0;
}

static unsigned parse_services(char *s) {
  unsigned mask = 0;
  for (char *t = strtok(s, ","); t; t = strtok(NULL, ",")) {
    if (!strcmp(t, "echo")) mask |= SVC_ECHO;
    else if (!strcmp(t, "discard")) mask |= SVC_DISCARD;
    else if (!strcmp(t, "chargen")) mask |= SVC_CHARGEN;
    else die("unknown service (echo, discard, chargen)", t);
  }
  return mask;
}

void fw_args(struct fw_args *a, const char *prog) {
  static char *argv[32];
  prog_name = prog;
  memset(a, 0, sizeof *a);
  a->tap = "";
  int argc = board_args(argv, 32), have_ip = 0, have_mac = 0, have_seed = 0;
  for (int i = 0; i < argc; i++) {
    const char *o = argv[i];
    char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strncmp(o, "--", 2)) continue;          /* the program name QEMU may put first */
    if (!v) die("missing value for", o);
    i++;
    if (!strcmp(o, "--tap")) a->tap = v;
    else if (!strcmp(o, "--ip")) {
      char *slash = strchr(v, '/');
      long p = slash ? strtol(slash + 1, NULL, 10) : 0;
      if (!slash || parse_ip(v, &a->ip) || p < 1 || p > 32) die("expected ADDR/PREFIX", v);
      a->prefix = (int)p;
      have_ip = 1;
    } else if (!strcmp(o, "--gw")) { if (parse_ip(v, &a->gw)) die("not an IPv4 address", v); }
    else if (!strcmp(o, "--services")) a->services |= parse_services(v);
    else if (!strcmp(o, "--mac")) {
      unsigned m[6];
      if (sscanf(v, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6) die("bad MAC", v);
      for (int k = 0; k < 6; k++) a->mac[k] = (uint8_t)m[k];
      have_mac = 1;
    } else if (!strcmp(o, "--seed")) { a->seed = strtoull(v, NULL, 0); have_seed = 1; }
    else die("unknown option", o);
  }
  if (!have_ip) die("--ip is required", NULL);
  if (!have_mac) { /* locally administered, unique per address: 02:50:<the four bytes of the IP> */
    a->mac[0] = 0x02; a->mac[1] = 0x50;
    a->mac[2] = (uint8_t)(a->ip >> 24); a->mac[3] = (uint8_t)(a->ip >> 16); a->mac[4] = (uint8_t)(a->ip >> 8); a->mac[5] = (uint8_t)a->ip;
  }
  if (!have_seed) a->seed = board_ticks() ^ ((uint64_t)a->ip << 32); /* the runner passes --seed */
}

int fw_console(void) {
  int c = board_getc();
  return c == 's' || c == 'q' ? c : -1;
}
