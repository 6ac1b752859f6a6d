/* libFuzzer target: the release core (build/petrel.wasm through wasm2c) driven by a script.
 *
 * The fuzz input is read as a program of operations (docs: fuzz/README.md). Most build VALID
 * frames addressed to the core (Ethernet, ARP, IPv4, ICMP, TCP with correct checksums and
 * options) whose fields come from the input; sequence and acknowledgment numbers are taken from
 * what the core itself sent (each flow tracks the core's next sequence number, the acknowledgment
 * it last gave and its timestamps), so segments land in the window and connections reach every
 * state. Others send raw or mutated frames, advance time (small steps, the next deadline, huge
 * jumps and wrap-around) or call any ABI function with handles and (ptr, len) both valid and
 * hostile.
 *
 * After every operation (and on every frame the core sends) the invariants are checked; a
 * violation prints what broke and aborts, which libFuzzer reports as a crash:
 *   - no trap (core_run() returning CORE_FAULT);
 *   - every frame the core sends is well-formed: Ethernet source = our MAC; ARP fields; IPv4
 *     version/IHL/total length/no fragment/source = our address/header checksum; TCP data offset,
 *     option lengths and checksum; UDP length field and checksum (never 0), ports; ICMP checksum;
 *   - no data beyond the peer's window (one byte over a closed window: a probe);
 *   - linear memory keeps the page count it had after init (the core allocates nothing after init);
 *   - tcp_connections() never exceeds config(MAX_CONNS);
 *   - tcp_info of every handle seen is self-consistent (sequence order, queues within the rings).
 *
 * The engine is the boards' own (boards/common/engine_wasm2c.c, the interface of core.h). It is
 * compiled into this file so that the harness can reach its static instance: every input starts
 * from a copy of the instance and its memory taken right after instantiation (the engine has no
 * stop call, and instantiating anew for each input costs more than the input). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_wasm2c.c"

/* An export the engine does not wrap, named for core_fault() like the engine's own calls. */
#define CALL(name, ...) (current_call = #name, (int32_t)Z_petrel_coreZ_##name(&inst, __VA_ARGS__))
#define CALL0(name) (current_call = #name, (int32_t)Z_petrel_coreZ_##name(&inst))

/* ── the network: the core is 198.18.0.2/24, the gateway .1; peers on-link and one off-link ── */
#define SUT_IP 0xC6120002u
#define GW_IP 0xC6120001u
static const uint8_t SUT_MAC[6] = {0x02, 0x50, 0x45, 0x54, 0x00, 0x02};
static const uint32_t PEERS[4] = {0xC6120001u, 0xC6120003u, 0xC612004Du, 0xC6130105u /* 198.19.1.5: via the gateway */};
static bool on_link(uint32_t ip) { return (ip & 0xFFFFFF00u) == (SUT_IP & 0xFFFFFF00u); }
static void peer_mac(uint32_t ip, uint8_t mac[6]) {
  uint32_t hop = on_link(ip) ? ip : GW_IP;
  mac[0] = 0x02; mac[1] = 0x00; mac[2] = 0x00; mac[3] = (uint8_t)(hop >> 16); mac[4] = (uint8_t)(hop >> 8); mac[5] = (uint8_t)hop;
}

/* ── reading the input ── */
static const uint8_t *in_p;
static size_t in_n, in_i;
static uint8_t in8(void) { return in_i < in_n ? in_p[in_i++] : 0; }
static uint16_t in16(void) { uint16_t v = (uint16_t)(in8() << 8); return v | in8(); }
static uint32_t in32(void) { uint32_t v = (uint32_t)in16() << 16; return v | in16(); }
static const uint32_t INTERESTING[] = {0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0x7fffffff, 0x80000000u,
                                       0x80000001u, 0xfffffff0u, 0xfffffffeu, 0xffffffffu, 0x3fffffff, 1460, 536, 65535, 2073600000u};
/* A 32-bit argument: small, 16-bit, raw, or one of the interesting values. */
static uint32_t arg32(void) {
  switch (in8() & 3) {
    case 0: return in8();
    case 1: return in16();
    case 2: return in32();
    default: return INTERESTING[in8() % (sizeof INTERESTING / sizeof INTERESTING[0])];
  }
}

/* ── harness state (reset for every input) ── */
static uint32_t now;
static int32_t next_due;       /* last poll result */
static uint32_t pages0;        /* memory size after init */
static int32_t max_conns;
static bool arp_mute;          /* do not answer the core's ARP requests */
static bool ev_hold;           /* leave events in the ring (a host that drains late: the ring overflows) */
static bool trace;             /* PETREL_FUZZ_TRACE=1: print operations, frames sent and events */
/* PETREL_FUZZ_BREAK=<what>: break one thing on purpose, so a test can see each invariant fire:
 * ip-checksum, tcp-checksum, tcp-options (a frame the core sends is altered before the checks),
 * pages (the size recorded after init taken a page smaller), window (the peer's windows taken as 0),
 * info (the send ring taken as 0 bytes), conns (the table limit taken as 0), trap (a trap
 * raised inside core_run). */
static const char *breaking = "";
/* PETREL_FUZZ_COUNTERS=1: at exit, print how many inputs moved each of the core's counters (which
 * drops, recoveries and timers the inputs reach; names in build/abi.json). */
#define NCOUNTERS 128
static bool counting;
static uint32_t counter_hits[NCOUNTERS];
static void print_counters(void) {
  fprintf(stderr, "counters moved (id: inputs):");
  for (int i = 0; i < NCOUNTERS; i++) if (counter_hits[i]) fprintf(stderr, " %d:%u", i, counter_hits[i]);
  fprintf(stderr, "\n");
}

/* DHCP and DNS as the harness sees them: what the core's clients last sent (so that replies can
 * be built around the client's xid and the resolver's id, port and question), and the addresses
 * the harness offered (a reply's yiaddr: ARP requests for them are not answered by the peers). */
#define POOL_IP 0xC6120064u        /* 198.18.0.100: what the harness's DHCP server offers */
static uint32_t dhcp_xid;          /* the xid of the client's last message */
static uint8_t dhcp_type;          /* its option 53 (1 DISCOVER, 3 REQUEST, ...), 0: none yet */
static uint32_t dhcp_probe;        /* the address of the core's last ARP probe (RFC 5227), 0: none */
static uint32_t offered[4];        /* yiaddrs the harness handed out */
static int noffered, offered_rr;
static uint8_t dns_q[512];         /* the resolver's last query (the whole DNS message) */
static uint32_t dns_q_len, dns_srv, dns_dst;   /* its length, server, our address then */
static uint16_t dns_sport;
/* Every address the core held (sampled after each operation and on each frame it sends): a
 * DHCPRELEASE may leave from the address it gives back (arp.ts: staleSource). */
static uint32_t held[8];
static int nheld;
static void note_held(uint32_t ip) {
  if (ip == 0) return;
  for (int i = 0; i < nheld; i++) if (held[i] == ip) return;
  if (nheld < 8) held[nheld++] = ip; else held[ip % 8] = ip;
}
static bool was_held(uint32_t ip) {
  for (int i = 0; i < nheld; i++) if (held[i] == ip) return true;
  return false;
}
static bool offered_address(uint32_t ip) {
  if (ip == SUT_IP) return true;
  for (int i = 0; i < noffered; i++) if (offered[i] == ip) return true;
  return false;
}
/* The core's address now (DHCP may change it; from a reply whose bytes were mutated too): local_ip()
 * read from inside the tx callback, a read of one global that changes nothing. */
static uint32_t core_address(void) {
  const char *was = current_call;
  uint32_t ip = (uint32_t)Z_petrel_coreZ_local_ip(&inst);
  current_call = was;
  note_held(ip);
  return ip;
}

#define NHANDLES 32
static int32_t handles[NHANDLES];
static int nhandles;
static void note_handle(int32_t h) {
  if (h <= 0) return;
  for (int i = 0; i < nhandles; i++) if (handles[i] == h) return;
  if (nhandles < NHANDLES) handles[nhandles++] = h;
  else handles[h % NHANDLES] = h;
}
static int32_t pick_handle(void) {
  uint8_t b = in8();
  if (b == 0xff) return (int32_t)in32();
  if (b == 0xfe) return (int32_t)in8();
  return nhandles ? handles[b % nhandles] : b;
}

/* A peer's view of one connection. */
struct flow {
  uint32_t ip;
  uint16_t rport, lport;   /* the peer's port, the core's port */
  uint32_t snd_nxt;        /* the peer's next sequence number */
  uint32_t rcv_nxt;        /* the core's next sequence number (highest end it sent) */
  uint32_t ts_recent;      /* the core's last TSval */
  uint32_t ts_off;         /* the peer's TSval offset */
  bool synced, ts;         /* the core's ISN is known; the core's SYN carried timestamps */
  /* The peer's receive window as the core must respect it (RFC 9293 3.8.6, 3.10.7.4; RFC 7323
   * 2.3): the right edge (ACK + window << shift) of the last segment the core certainly took for a
   * window update, raised by any other segment it might have taken; the shift is the largest the
   * SYNs could have agreed. Reset when the core sends a SYN. */
  bool edge_known, core_ws;
  int8_t ws_max;           /* the largest WS option in the peer's SYNs, -1 for none */
  uint32_t right;
  uint32_t wl1, wl2;       /* the highest (seq, ack) of the peer's segments: the core's SND.WL1/WL2 at most */
  uint32_t ack_max;        /* the highest acknowledgment the peer sent: the core's SND.UNA at most */
  uint32_t core_ack;       /* the acknowledgment in the core's last segment (its RCV.NXT then) */
  uint32_t ts_max;         /* the peer's highest TSval (the core's TS.Recent at most) */
  bool dirty;              /* a segment that may have moved the core's RCV.NXT unseen since its last segment */
  bool ts_known;
};
#define NFLOWS 8
static struct flow flows[NFLOWS];
static int nflows, flow_rr;
static struct flow *pick_flow(void) {
  uint8_t b = in8();
  return nflows ? &flows[b % nflows] : NULL;
}
/* A fresh flow for this 4-tuple (the one it had, if any: one flow per 4-tuple). */
static struct flow *new_flow(uint32_t ip, uint16_t rport, uint16_t lport) {
  struct flow *f = NULL;
  for (int i = 0; i < nflows && !f; i++)
    if (flows[i].ip == ip && flows[i].rport == rport && flows[i].lport == lport) f = &flows[i];
  if (!f) f = nflows < NFLOWS ? &flows[nflows++] : &flows[flow_rr++ % NFLOWS];
  memset(f, 0, sizeof *f);
  f->ip = ip; f->rport = rport; f->lport = lport; f->ws_max = -1;
  return f;
}

/* Frames queued by the tx callback for after the call (ARP replies); the core is not reentrant. */
#define NQUEUE 4
static uint8_t queue[NQUEUE][64];
static uint32_t queue_len[NQUEUE];
static int nqueue;
/* The last TCP segment the core sent (IP header onward, truncated), for ICMP errors to quote. */
static uint8_t last_sent[96];
static uint32_t last_sent_len;
/* The last frame this harness built, for the mutating operation. */
static uint8_t last_built[2048];
static uint32_t last_built_len;

static void crash(const char *what, const uint8_t *frame, uint32_t len) {
  fprintf(stderr, "petrel-fuzz: invariant broken: %s (now=%u)\n", what, now);
  if (frame) {
    fprintf(stderr, "frame (%u bytes):", len);
    for (uint32_t i = 0; i < len && i < 128; i++) fprintf(stderr, " %02x", frame[i]);
    fprintf(stderr, "\n");
  }
  abort();
}

/* ── wire helpers ── */
static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static void wr16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void wr32(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v; }
static uint32_t sum_bytes(const uint8_t *p, uint32_t n, uint32_t s) {
  for (uint32_t i = 0; i + 1 < n; i += 2) s += rd16(p + i);
  if (n & 1) s += (uint32_t)p[n - 1] << 8;
  return s;
}
static uint16_t fold(uint32_t s) {
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return (uint16_t)~s;
}
static uint16_t l4_sum(uint32_t src, uint32_t dst, uint8_t proto, const uint8_t *p, uint32_t n) {
  uint32_t s = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + proto + n;
  return fold(sum_bytes(p, n, s));
}
static bool seq_gt(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }
static bool seq_ge(uint32_t a, uint32_t b) { return (int32_t)(a - b) >= 0; }

/* Parse TCP options [p, p+n): false when an option runs past the end or has a bad length. Sets
 * *tsval when a timestamp option is present. */
static bool tcp_options(const uint8_t *p, uint32_t n, bool *has_ts, uint32_t *tsval) {
  *has_ts = false;
  for (uint32_t i = 0; i < n;) {
    uint8_t kind = p[i];
    if (kind == 0) break;
    if (kind == 1) { i++; continue; }
    if (i + 1 >= n) return false;
    uint8_t len = p[i + 1];
    if (len < 2 || i + len > n) return false;
    if (kind == 2 && len != 4) return false;
    if (kind == 3 && len != 3) return false;
    if (kind == 4 && len != 2) return false;
    if (kind == 5 && (len < 10 || (len - 2) % 8 != 0)) return false;
    if (kind == 8) {
      if (len != 10) return false;
      *has_ts = true;
      *tsval = rd32(p + i + 2);
    }
    i += len;
  }
  return true;
}

/* The window-scale option's shift in options [p, p+n) (assumed well-formed), or -1. */
static int tcp_wscale(const uint8_t *p, uint32_t n) {
  for (uint32_t i = 0; i < n;) {
    if (p[i] == 0) break;
    if (p[i] == 1) { i++; continue; }
    if (i + 1 >= n || p[i + 1] < 2) break;
    if (p[i] == 3 && p[i + 1] == 3 && i + 2 < n) return p[i + 2];
    i += p[i + 1];
  }
  return -1;
}

/* A frame about to be handed to the core (built, mutated or raw): when it is a TCP segment of a
 * flow, note the window it offers. Lax on purpose: any segment the core might take counts. */
static void note_window(const uint8_t *fr, uint32_t len, bool certain) {
  if (len < 54 || rd16(fr + 12) != 0x0800) return;
  const uint8_t *ip = fr + 14;
  uint32_t hl = (uint32_t)(ip[0] & 15) * 4, total = rd16(ip + 2);
  if (ip[9] != 6 || hl < 20 || total < hl + 20 || 14 + total > len || rd32(ip + 16) != SUT_IP) return;
  const uint8_t *tcp = ip + hl;
  uint32_t thl = (uint32_t)(tcp[12] >> 4) * 4;
  if (thl < 20 || thl > total - hl) return;
  uint32_t src = rd32(ip + 12);
  uint16_t sport = rd16(tcp), dport = rd16(tcp + 2);
  struct flow *f = NULL;
  for (int i = 0; i < nflows; i++)
    if (flows[i].ip == src && flows[i].rport == sport && flows[i].lport == dport) { f = &flows[i]; break; }
  if (!f) return;
  uint8_t flags = tcp[13];
  uint32_t seq = rd32(tcp + 4), ack = rd32(tcp + 8);
  if (!certain) f->dirty = true;                 /* may have moved RCV.NXT or TS.Recent unseen */
  bool has_ts; uint32_t tsval = 0;
  if (!tcp_options(tcp + 20, thl - 20, &has_ts, &tsval)) certain = false;
  if (has_ts) {
    if (!f->ts_known || seq_gt(tsval, f->ts_max)) f->ts_max = tsval;
    else if (tsval != f->ts_max) certain = false;   /* PAWS could drop it */
    f->ts_known = true;
  } else if (f->ts) {
    certain = false;                                /* timestamps agreed: dropped without one */
  }
  if (flags & 0x02) {
    int ws = tcp_wscale(tcp + 20, thl - 20);
    if (ws > f->ws_max) f->ws_max = (int8_t)(ws > 14 ? 14 : ws);
  }
  if (!(flags & 0x10) || !f->synced) return;
  if (seq_gt(ack, f->rcv_nxt) || seq_gt(f->rcv_nxt - (1u << 30), ack)) return;   /* the core drops those */
  uint32_t shift = (flags & 0x02) ? 0 : (f->core_ws && f->ws_max >= 0 ? (uint32_t)f->ws_max : 0);
  uint32_t right = ack + ((uint32_t)rd16(tcp + 14) << shift);
  if (!strcmp(breaking, "window")) right = ack;                 /* as if every window were zero */
  /* certain: the core takes it for a window update (SND.UNA <= ACK, (WL1, WL2) <= (SEQ, ACK)) */
  if (!f->edge_known) { f->wl1 = seq; f->wl2 = ack; f->ack_max = ack; }
  certain = certain && f->edge_known && seq_ge(ack, f->ack_max) && seq_ge(seq, f->wl1) && (seq != f->wl1 || seq_ge(ack, f->wl2));
  if (!f->edge_known || certain || seq_gt(right, f->right)) f->right = right;
  f->edge_known = true;
  if (trace) fprintf(stderr, "  window: seq %u ack %u right %u%s -> edge %u\n", seq, ack, right, certain ? " (certain)" : "", f->right);
  if (seq_gt(ack, f->ack_max)) f->ack_max = ack;
  if (seq_gt(seq, f->wl1) || (seq == f->wl1 && seq_gt(ack, f->wl2))) { f->wl1 = seq; f->wl2 = ack; }
}

/* A TCP segment the core sent: keep the flow's numbers in step. */
static void track(const uint8_t *ip, const uint8_t *tcp, uint32_t tcp_len, uint32_t hl) {
  uint32_t dst = rd32(ip + 16);
  uint16_t sport = rd16(tcp), dport = rd16(tcp + 2);
  uint8_t flags = tcp[13];
  uint32_t seq = rd32(tcp + 4), ack = rd32(tcp + 8);
  bool has_ts; uint32_t tsval = 0;
  tcp_options(tcp + 20, hl - 20, &has_ts, &tsval);
  bool has_ws = tcp_wscale(tcp + 20, hl - 20) >= 0;
  struct flow *f = NULL;
  for (int i = 0; i < nflows; i++)
    if (flows[i].ip == dst && flows[i].rport == dport && flows[i].lport == sport) { f = &flows[i]; break; }
  if (!f) {
    if (!(flags & 0x02)) return;
    f = new_flow(dst, dport, sport);   /* the core's active open */
    f->snd_nxt = 0x10000000u * (uint32_t)(nflows & 7) + 1;
  }
  uint32_t end = seq + (tcp_len - hl) + ((flags & 0x02) ? 1 : 0) + ((flags & 0x01) ? 1 : 0);
  if (flags & 0x04) return;                                      /* RST: numbers unchanged */
  /* data only within the peer's window; one byte beyond a closed one is a window probe */
  uint32_t data = tcp_len - hl;
  if (f->edge_known && data && !(flags & 0x02) && seq_gt(seq + data, f->right + (data == 1 ? 1 : 0))) {
    static char msg[160];
    snprintf(msg, sizeof msg, "data sent beyond the peer's window: seq %u + %u bytes, right edge %u", seq, data, f->right);
    crash(msg, tcp - 34, 34 + tcp_len);
  }
  if (flags & 0x02) {
    f->rcv_nxt = end; f->synced = true; f->ts = has_ts;
    f->edge_known = false;                                       /* a new connection on this 4-tuple */

    if (!(flags & 0x10)) { f->ws_max = -1; f->core_ws = false; }  /* an active open: the peer's SYN is still to come */
    if (has_ws) f->core_ws = true;
  }
  else if (f->synced && seq_gt(end, f->rcv_nxt) && end - f->rcv_nxt < (1u << 24)) f->rcv_nxt = end;
  if ((flags & 0x10) && seq_gt(ack, f->snd_nxt) && ack - f->snd_nxt < (1u << 24)) f->snd_nxt = ack;
  if (has_ts) f->ts_recent = tsval;
  if (flags & 0x10) f->core_ack = ack;
  f->dirty = false;
}

/* import petrel.tx goes to the engine's host.tx: check the frame, then act as the peers' side. */
static int on_tx(void *ctx, const uint8_t *frame_in, uint32_t len) {
  (void)ctx;
  const uint8_t *fr = frame_in;
  uint8_t altered[1514];
  if (*breaking && len >= 54 && len <= sizeof altered && rd16(frame_in + 12) == 0x0800 && frame_in[23] == 6) {
    memcpy(altered, frame_in, len);
    if (!strcmp(breaking, "ip-checksum")) altered[24] ^= 1;
    if (!strcmp(breaking, "tcp-checksum")) altered[14 + 20 + 16] ^= 1;
    if (!strcmp(breaking, "tcp-options") && (altered[46] >> 4) > 5) {
      altered[14 + 20 + 21] = 0xff;          /* first option's length runs past the header */
      altered[14 + 20 + 20] = 2;
      wr16(altered + 50, 0); wr16(altered + 50, l4_sum(rd32(altered + 26), rd32(altered + 30), 6, altered + 34, rd16(altered + 16) - 20));
    }
    fr = altered;
  }
  if (len < 14 || len > 1514) crash("frame length outside 14..1514", fr, len);
  if (memcmp(fr + 6, SUT_MAC, 6) != 0) crash("Ethernet source is not our MAC", fr, len);
  uint16_t type = rd16(fr + 12);
  const uint8_t *p = fr + 14;
  uint32_t n = len - 14;
  if (type == 0x0806) {
    if (n < 28) crash("short ARP", fr, len);
    if (rd16(p) != 1 || rd16(p + 2) != 0x0800 || p[4] != 6 || p[5] != 4) crash("ARP hardware/protocol fields", fr, len);
    uint16_t op = rd16(p + 6);
    if (op != 1 && op != 2) crash("ARP opcode", fr, len);
    if (trace) fprintf(stderr, "  tx arp op %u for %08x\n", op, rd32(p + 24));
    uint32_t spa = rd32(p + 14), target = rd32(p + 24), me = core_address();
    /* RFC 5227 2.1.1: a probe has sender address 0 (a request); every other packet is from our address */
    if (memcmp(p + 8, SUT_MAC, 6) != 0 || !((spa == me && me != 0) || (spa == 0 && op == 1))) crash("ARP sender is not us", fr, len);
    if (spa == 0) dhcp_probe = target;
    /* the peers answer requests for themselves, not probes or announcements (spa 0 or = target) */
    if (op == 1 && spa != 0 && spa != target && !arp_mute && nqueue < NQUEUE && on_link(target) && !offered_address(target)) {
      uint8_t *q = queue[nqueue];
      uint8_t mac[6];
      peer_mac(target, mac);
      memcpy(q, fr + 6, 6); memcpy(q + 6, mac, 6); wr16(q + 12, 0x0806);
      wr16(q + 14, 1); wr16(q + 16, 0x0800); q[18] = 6; q[19] = 4; wr16(q + 20, 2);
      memcpy(q + 22, mac, 6); wr32(q + 28, target); memcpy(q + 32, SUT_MAC, 6); wr32(q + 38, spa);
      memset(q + 42, 0, 18);
      queue_len[nqueue++] = 60;
    }
    return 0;
  }
  if (type != 0x0800) crash("ethertype is neither IPv4 nor ARP", fr, len);
  if (n < 20) crash("short IPv4", fr, len);
  uint32_t hl = (uint32_t)(p[0] & 15) * 4, total = rd16(p + 2);
  if ((p[0] >> 4) != 4 || hl < 20) crash("IPv4 version/IHL", fr, len);
  if (total < hl || total > n || total > 1500) crash("IPv4 total length", fr, len);
  if (n > total && len > 60) crash("frame longer than its IPv4 packet (beyond minimum padding)", fr, len);
  if (rd16(p + 6) & 0x3fff) crash("IPv4 fragment sent", fr, len);
  if (p[8] == 0) crash("IPv4 TTL 0", fr, len);
  /* the core's current address; 0.0.0.0 for a broadcast UDP datagram (a DHCP client without one);
   * an address it held for a DHCP client's message (the DHCPRELEASE that gave it back, sent once the
   * server's MAC is known) */
  uint32_t me = core_address(), from = rd32(p + 12);
  bool dhcp_client = p[9] == 17 && total >= hl + 8 && rd16(p + hl) == 68;
  if (!((from == me && me != 0) || (from == 0 && p[9] == 17 && rd32(p + 16) == 0xffffffffu) || (dhcp_client && was_held(from))))
    crash("IPv4 source is not our address", fr, len);
  if (fold(sum_bytes(p, hl, 0)) != 0) crash("IPv4 header checksum", fr, len);
  uint32_t src = rd32(p + 12), dst = rd32(p + 16);
  const uint8_t *l4 = p + hl;
  uint32_t l4n = total - hl;
  if (p[9] == 6) {
    if (l4n < 20) crash("short TCP", fr, len);
    uint32_t thl = (uint32_t)(l4[12] >> 4) * 4;
    if (thl < 20 || thl > l4n) crash("TCP data offset", fr, len);
    if (l4_sum(src, dst, 6, l4, l4n) != 0) crash("TCP checksum", fr, len);
    if (rd16(l4) == 0 || rd16(l4 + 2) == 0) crash("TCP port 0", fr, len);
    bool has_ts; uint32_t tsval;
    if (!tcp_options(l4 + 20, thl - 20, &has_ts, &tsval)) crash("TCP options malformed", fr, len);
    if ((l4[13] & 0x06) == 0x06) crash("TCP SYN and RST together", fr, len);
    if (trace)
      fprintf(stderr, "  tx tcp %u>%u.%u [%s%s%s%s%s] seq %u ack %u win %u len %u\n", rd16(l4), dst & 0xff, rd16(l4 + 2),
              (l4[13] & 2) ? "S" : "", (l4[13] & 1) ? "F" : "", (l4[13] & 4) ? "R" : "", (l4[13] & 8) ? "P" : "",
              (l4[13] & 16) ? "." : "", rd32(l4 + 4), rd32(l4 + 8), rd16(l4 + 14), l4n - thl);
    track(p, l4, l4n, thl);
    last_sent_len = total < sizeof last_sent ? total : (uint32_t)sizeof last_sent;
    memcpy(last_sent, p, last_sent_len);
  } else if (p[9] == 17) {
    if (l4n < 8) crash("short UDP", fr, len);
    if (rd16(l4 + 4) != l4n) crash("UDP length field is not the IP payload length", fr, len);
    if (rd16(l4 + 6) == 0 || l4_sum(src, dst, 17, l4, l4n) != 0) crash("UDP checksum", fr, len);
    if (rd16(l4) == 0 || rd16(l4 + 2) == 0) crash("UDP port 0", fr, len);
    if (trace) fprintf(stderr, "  tx udp %u>%08x.%u len %u\n", rd16(l4), dst, rd16(l4 + 2), l4n - 8);
    if (rd16(l4) == 68 && rd16(l4 + 2) == 67 && l4n >= 8 + 240) {      /* the DHCP client: xid, type */
      const uint8_t *m = l4 + 8;
      dhcp_xid = rd32(m + 4);
      dhcp_type = 0;
      for (uint32_t i = 240; i + 2 < l4n - 8 && m[i] != 255; i += m[i] ? 2u + m[i + 1] : 1u)
        if (m[i] == 53) { dhcp_type = m[i + 2]; break; }
    }
    if (rd16(l4 + 2) == 53 && l4n - 8 <= sizeof dns_q) {              /* the resolver's query */
      dns_q_len = l4n - 8; memcpy(dns_q, l4 + 8, dns_q_len); dns_srv = dst; dns_sport = rd16(l4); dns_dst = src;
    }
    last_sent_len = total < sizeof last_sent ? total : (uint32_t)sizeof last_sent;
    memcpy(last_sent, p, last_sent_len);
  } else if (p[9] == 1) {
    if (l4n < 8) crash("short ICMP", fr, len);
    if (fold(sum_bytes(l4, l4n, 0)) != 0) crash("ICMP checksum", fr, len);
    if (trace) fprintf(stderr, "  tx icmp type %u code %u\n", l4[0], l4[1]);
  } else {
    crash("IPv4 protocol is neither TCP, UDP nor ICMP", fr, len);
  }
  return 0;
}

/* ── after every operation: events, poll, the invariants ── */
static int32_t cfg_rx_buf, cfg_tx_buf, cfg_mtu;

/* tcp_info of every live handle is self-consistent: a state, SND.UNA <= SND.NXT <= SND.MAX with at
 * most the send ring (+ SYN and FIN) in flight, queues within their rings, scales <= 14, an MSS
 * within the MTU. */
static void check_info(int32_t h) {
  uint32_t io = core_io_ptr();
  if (CALL(tcp_info, (u32)h, io) < 112) return;   /* 112 or more: the words checked here are 0–27 */
  const uint8_t *p = core_mem(io, 112);
  uint32_t w[28];
  memcpy(w, p, sizeof w);                             /* little-endian words, as on the host */
  const char *bad = NULL;
  uint32_t una = w[5], nxt = w[6], max = w[27];
  if (w[4] > 10) bad = "state outside 0..10";
  else if (w[4] == 1) return;                          /* a listener */
  else if (seq_gt(una, nxt) || seq_gt(nxt, max)) bad = "not SND.UNA <= SND.NXT <= SND.MAX";
  else if (max - una > (uint32_t)cfg_tx_buf + 2) bad = "more in flight than the send ring";
  else if (w[13] > (uint32_t)cfg_rx_buf || w[14] > (uint32_t)cfg_tx_buf) bad = "a queue larger than its ring";
  else if (w[9] > (uint32_t)cfg_rx_buf) bad = "receive window larger than the receive ring";
  else if (w[19] > 14 || w[20] > 14) bad = "window scale over 14";
  else if (w[10] == 0 || w[10] > (uint32_t)cfg_mtu - 40) bad = "MSS outside 1..MTU-40";
  if (bad) {
    static char msg[200];
    snprintf(msg, sizeof msg, "tcp_info(%d): %s (state %u una %u nxt %u max %u rxq %u txq %u wnd %u mss %u)",
             h, bad, w[4], una, nxt, max, w[13], w[14], w[9], w[10]);
    crash(msg, NULL, 0);
  }
}

static void check(void) {
  if (core_mem_size() != pages0) crash("linear memory changed size after init", NULL, 0);
  int32_t c = core_connections();
  if (c < 0 || c > max_conns) crash("tcp_connections() outside 0..MAX_CONNS", NULL, 0);
  for (int i = 0; i < nhandles; i++) check_info(handles[i]);
}
static void settle(void) {
  for (int round = 0; round < 8; round++) {
    int32_t k;
    for (int i = 0; !ev_hold && i < 4096 && (k = core_ev_pop()) != 0; i++) {
      note_handle(core_ev_handle());
      if (trace) fprintf(stderr, "  event %d handle %d arg %d\n", k, core_ev_handle(), core_ev_arg());
    }
    next_due = core_poll(now);
    note_held(core_address());
    check();
    if (!nqueue) return;
    int n = nqueue;
    uint8_t q[NQUEUE][64];
    uint32_t ql[NQUEUE];
    memcpy(q, queue, sizeof q); memcpy(ql, queue_len, sizeof ql);
    nqueue = 0;
    for (int i = 0; i < n; i++) core_rx(q[i], ql[i], now);
  }
}

static void deliver(const uint8_t *fr, uint32_t len, bool certain) {
  if (len > sizeof last_built) len = sizeof last_built;
  memcpy(last_built, fr, len);
  last_built_len = len;
  note_window(fr, len, certain);
  core_rx(fr, len, now);
}

/* ── building frames ── */
static uint8_t frame[2048];

static uint32_t eth(uint8_t *f, uint32_t src_ip, uint16_t type) {
  uint8_t mac[6];
  peer_mac(src_ip, mac);
  memcpy(f, SUT_MAC, 6); memcpy(f + 6, mac, 6); wr16(f + 12, type);
  return 14;
}
/* IPv4 header at p for `pay` payload bytes; the checksum is filled in. */
static void ipv4(uint8_t *p, uint32_t src, uint32_t dst, uint8_t proto, uint32_t pay) {
  p[0] = 0x45; p[1] = 0; wr16(p + 2, 20 + pay); wr16(p + 4, 0x1234); wr16(p + 6, 0x4000);
  p[8] = 64; p[9] = proto; wr16(p + 10, 0); wr32(p + 12, src); wr32(p + 16, dst);
  wr16(p + 10, fold(sum_bytes(p, 20, 0)));
}

/* Options chosen by the input (mask bits) into o[]; returns their length (≤ 40, a multiple of 4). */
enum { O_MSS = 1, O_WS = 2, O_SACKOK = 4, O_TS = 8, O_SACK = 16, O_ODD = 32, O_BAD = 64, O_NOTS = 128 };
static uint32_t options(uint8_t *o, uint8_t mask, struct flow *f, bool syn) {
  uint32_t n = 0;
  if (mask & O_MSS) { o[n] = 2; o[n + 1] = 4; wr16(o + n + 2, (in8() & 1) ? in16() : 1460); n += 4; }
  if (mask & O_WS) { o[n] = 1; o[n + 1] = 3; o[n + 2] = 3; o[n + 3] = in8() % 16; n += 4; }
  if (mask & O_SACKOK) { o[n] = 1; o[n + 1] = 1; o[n + 2] = 4; o[n + 3] = 2; n += 4; }
  bool ts = (mask & O_TS) || (f && f->ts && !(mask & O_NOTS) && !syn) || (f && syn && f->ts && !(mask & O_NOTS));
  if (ts) {
    uint32_t tsval = f ? f->ts_off + now : now;
    if (mask & O_NOTS) tsval -= in32();            /* an old timestamp (PAWS) */
    o[n] = 1; o[n + 1] = 1; o[n + 2] = 8; o[n + 3] = 10; wr32(o + n + 4, tsval); wr32(o + n + 8, f ? f->ts_recent : 0);
    n += 12;
  }
  if (mask & O_SACK) {
    uint32_t blocks = 1 + in8() % 4;
    if (n + 4 + 8 * blocks > 40) blocks = (40 - n - 4) / 8;
    if (blocks) {
      o[n] = 1; o[n + 1] = 1; o[n + 2] = 5; o[n + 3] = (uint8_t)(2 + 8 * blocks);
      uint32_t base = f ? f->rcv_nxt : 0;
      for (uint32_t i = 0; i < blocks; i++) {
        uint32_t back = in16();
        uint32_t left = base - back * ((in8() & 1) ? 1 : 16);
        uint32_t right = left + 1 + in16();
        wr32(o + n + 4 + 8 * i, left); wr32(o + n + 8 + 8 * i, right);
      }
      n += 4 + 8 * blocks;
    }
  }
  if ((mask & O_ODD) && n + 4 <= 40) { o[n] = in8(); o[n + 1] = in8() % 8; o[n + 2] = 1; o[n + 3] = 0; n += 4; }
  if ((mask & O_BAD) && n + 4 <= 40) {
    /* a malformed option: a bad length, or one running past the header */
    static const uint8_t kinds[] = {2, 3, 4, 5, 8, 30, 34};
    o[n] = kinds[in8() % sizeof kinds]; o[n + 1] = in8(); o[n + 2] = in8(); o[n + 3] = in8(); n += 4;
  }
  while (n % 4) o[n++] = 0;
  return n;
}

/* One TCP segment from flow f to the core. */
static void tcp_seg(struct flow *f, uint8_t flags, uint32_t seq, uint32_t ack, uint16_t win, uint8_t optmask,
                    uint32_t paylen, uint16_t urg) {
  uint8_t *fr = frame;
  uint32_t off = eth(fr, f->ip, 0x0800);
  uint8_t *ip = fr + off, *tcp = ip + 20;
  uint8_t o[40];
  uint32_t olen = options(o, optmask, f, (flags & 0x02) != 0);
  if (paylen > 1460 - olen) paylen = 1460 - olen;
  wr16(tcp, f->rport); wr16(tcp + 2, f->lport); wr32(tcp + 4, seq); wr32(tcp + 8, ack);
  tcp[12] = (uint8_t)((5 + olen / 4) << 4); tcp[13] = flags; wr16(tcp + 14, win); wr16(tcp + 16, 0); wr16(tcp + 18, urg);
  memcpy(tcp + 20, o, olen);
  for (uint32_t i = 0; i < paylen; i++) tcp[20 + olen + i] = (uint8_t)(seq + i);
  uint32_t tl = 20 + olen + paylen;
  wr16(tcp + 16, l4_sum(f->ip, SUT_IP, 6, tcp, tl));
  ipv4(ip, f->ip, SUT_IP, 6, tl);
  uint32_t len = off + 20 + tl;
  if (len < 60) { memset(fr + len, 0, 60 - len); len = 60; }
  /* a pure ACK at the core's RCV.NXT with nothing unseen before it: the core takes its window */
  bool certain = flags == 0x10 && paylen == 0 && seq == f->snd_nxt && f->snd_nxt == f->core_ack && !f->dirty
                 && (optmask & ~(O_SACK | O_TS)) == 0;
  deliver(fr, len, certain);
  /* the peer's own sequence space: advance past what it sent at its next sequence number */
  uint32_t used = paylen + ((flags & 0x02) ? 1 : 0) + ((flags & 0x01) ? 1 : 0);
  if (seq == f->snd_nxt || (flags & 0x02)) f->snd_nxt = seq + used;
}

static uint16_t listen_ports[8] = {80};
static int nlisten = 1;

/* OP_SYN: a peer opens a connection (a new flow). */
static void op_syn(void) {
  uint32_t ip = PEERS[in8() % 4];
  uint16_t rport = in16();
  if (rport == 0) rport = (uint16_t)(40000 + nflows);
  uint8_t b = in8();
  uint16_t lport = b < 0xc0 ? listen_ports[b % nlisten] : in16();
  struct flow *f = new_flow(ip, rport, lport);
  f->ts_off = in32();
  f->ts = true;                                       /* offer timestamps unless O_NOTS */
  uint32_t isn = in32();
  uint8_t mask = in8();
  if (mask & O_NOTS) f->ts = false;
  uint8_t extra = in8();                                /* extra flags with the SYN (ECE/CWR, FIN, URG...) */
  uint32_t ack = (extra & 0x10) ? in32() : 0;
  uint16_t win = in16();
  uint32_t paylen = (extra & 0x08) ? in8() : 0;
  tcp_seg(f, 0x02 | (extra & 0xe9), isn, ack, win, mask & ~O_NOTS, paylen, 0);
}

/* OP_SEG: any segment on a flow, every field chosen by the input. */
static void op_seg(void) {
  struct flow *f = pick_flow();
  if (!f) return;
  uint8_t flags = in8(), modes = in8();
  uint32_t seq = f->snd_nxt, ack = f->rcv_nxt;
  switch (modes & 3) {
    case 1: seq += (uint32_t)(int32_t)(int8_t)in8(); break;
    case 2: seq += (uint32_t)(int32_t)(int16_t)in16() * 8; break;
    case 3: seq = in32(); break;
  }
  switch ((modes >> 2) & 3) {
    case 1: ack -= in8(); break;
    case 2: ack += (uint32_t)(int32_t)(int16_t)in16(); break;
    case 3: ack = in32(); break;
  }
  uint16_t win = (modes & 0x10) ? in16() : 0xffff;
  uint8_t optmask = (modes & 0x20) ? in8() : 0;
  uint32_t paylen = (modes & 0x40) ? (uint32_t)in8() * 6 : 0;
  uint16_t urg = (modes & 0x80) ? in16() : 0;
  tcp_seg(f, flags, seq, ack, win, optmask, paylen, urg);
}

/* OP_DATA: in-order data with the current acknowledgment (the common case, cheap to express). */
static void op_data(void) {
  struct flow *f = pick_flow();
  if (!f) return;
  uint8_t b = in8();
  tcp_seg(f, 0x18 | ((b & 0x80) ? 0x01 : 0), f->snd_nxt, f->rcv_nxt, 0xffff, 0, 1 + (uint32_t)(b & 0x7f) * 12, 0);
}

/* OP_ACK: a pure ACK of everything the core sent, optionally with SACK blocks and a window. */
static void op_ack(void) {
  struct flow *f = pick_flow();
  if (!f) return;
  uint8_t b = in8();
  uint16_t win = (b & 1) ? (uint16_t)(in8() << 4) : 0xffff;
  uint32_t ack = (b & 2) ? f->rcv_nxt - in16() : f->rcv_nxt;
  tcp_seg(f, 0x10 | ((b & 4) ? 0x01 : 0) | ((b & 8) ? 0x04 : 0), f->snd_nxt, ack, win, (b & 0x10) ? O_SACK : 0, 0, 0);
}

/* OP_MUTATE: the last frame built, with bytes changed, checksums fixed or not. */
static void op_mutate(void) {
  if (!last_built_len) return;
  uint8_t fr[2048];
  uint32_t len = last_built_len;
  memcpy(fr, last_built, len);
  uint8_t b = in8();
  for (int k = 0; k < 1 + (b & 7); k++) {
    uint16_t at = in16();
    fr[at % len] = in8();
  }
  if (b & 0x10) len = 14 + in16() % 1540;              /* truncate or extend (zeros / stale bytes) */
  if (len > sizeof fr) len = sizeof fr;
  if (len > last_built_len) memset(fr + last_built_len, 0, len - last_built_len);
  if ((b & 0x20) && len >= 34 && rd16(fr + 12) == 0x0800) {
    uint8_t *ip = fr + 14;
    uint32_t hl = (uint32_t)(ip[0] & 15) * 4, total = rd16(ip + 2);
    if (hl >= 20 && 14 + hl <= len) { wr16(ip + 10, 0); wr16(ip + 10, fold(sum_bytes(ip, hl, 0))); }
    if (hl >= 20 && total >= hl && 14 + total <= len) {
      uint8_t *l4 = ip + hl;
      uint32_t n = total - hl;
      if (ip[9] == 6 && n >= 20) { wr16(l4 + 16, 0); wr16(l4 + 16, l4_sum(rd32(ip + 12), rd32(ip + 16), 6, l4, n)); }
      if (ip[9] == 1 && n >= 4) { wr16(l4 + 2, 0); wr16(l4 + 2, fold(sum_bytes(l4, n, 0))); }
    }
  }
  note_window(fr, len, false);
  core_rx(fr, len, now);
}

/* OP_RAW: bytes straight from the input. */
static void op_raw(void) {
  uint32_t len = in16() % 1600;
  uint8_t fr[1600];
  for (uint32_t i = 0; i < len; i++) fr[i] = in8();
  note_window(fr, len, false);
  core_rx(fr, len, now);
}

/* OP_ARP: requests, replies and malformed ARP from a peer. */
static void op_arp(void) {
  uint8_t *f = frame;
  uint8_t b = in8();
  uint32_t ip = (b & 0x80) ? in32() : PEERS[b % 4];
  eth(f, ip, 0x0806);
  if (b & 0x40) memset(f, 0xff, 6);                   /* broadcast */
  uint8_t *p = f + 14;
  uint8_t mac[6];
  peer_mac(ip, mac);
  wr16(p, 1); wr16(p + 2, 0x0800); p[4] = 6; p[5] = 4; wr16(p + 6, (b & 0x20) ? 2 : 1);
  memcpy(p + 8, mac, 6); wr32(p + 14, ip); memset(p + 18, 0, 6); wr32(p + 24, (b & 0x10) ? in32() : SUT_IP);
  if (b & 0x08) { uint8_t at = in8() % 28; p[at] = in8(); }
  memset(p + 28, 0, 18);
  deliver(f, 60, false);
}

/* OP_ICMP: echo requests and errors quoting a segment the core sent (or one made up). */
static void op_icmp(void) {
  uint8_t *f = frame;
  uint8_t b = in8();
  uint32_t src = (b & 0x80) ? PEERS[in8() % 4] : (last_sent_len ? rd32(last_sent + 16) : PEERS[0]);
  uint32_t off = eth(f, src, 0x0800);
  uint8_t *ip = f + off, *ic = ip + 20;
  uint32_t n;
  static const uint8_t types[] = {3, 3, 3, 11, 4, 5, 12, 0, 13, 17};
  uint8_t type = (b & 0x40) ? 8 : types[(b & 7) % sizeof types];
  if (type == 8) {
    n = 8 + (uint32_t)in8() * 4;
    if (b & 0x20) n = 8 + in16() % 1473;
    for (uint32_t i = 8; i < n; i++) ic[i] = (uint8_t)i;
    ic[0] = 8; ic[1] = 0; wr16(ic + 4, in16()); wr16(ic + 6, in16());
  } else {
    ic[0] = type; ic[1] = in8() % 16; wr16(ic + 4, 0); wr16(ic + 6, (b & 0x20) ? in16() : 576);
    uint32_t q = last_sent_len;
    if (q) memcpy(ic + 8, last_sent, q);
    else { q = 28; ipv4(ic + 8, SUT_IP, src, 6, 8); wr16(ic + 28, 80); wr16(ic + 30, 40000); wr32(ic + 32, 0); }
    if (b & 0x10 && q >= 32) wr32(ic + 8 + 24, rd32(ic + 8 + 24) + (uint32_t)(int32_t)(int16_t)in16());  /* quoted seq */
    if (q > 28 && (b & 0x08)) q = 28;
    n = 8 + q;
  }
  wr16(ic + 2, 0); wr16(ic + 2, fold(sum_bytes(ic, n, 0)));
  ipv4(ip, src, SUT_IP, 1, n);
  uint32_t len = off + 20 + n;
  if (len < 60) { memset(f + len, 0, 60 - len); len = 60; }
  deliver(f, len, false);
}

/* OP_IP: a TCP-carrying IPv4 packet with one header field made odd (checksum still right). */
static void op_ip(void) {
  struct flow *f = pick_flow();
  if (!f) return;
  tcp_seg(f, 0x10, f->snd_nxt, f->rcv_nxt, 0xffff, 0, in8(), 0);
  uint8_t fr[2048];
  uint32_t len = last_built_len;
  memcpy(fr, last_built, len);
  uint8_t *ip = fr + 14;
  uint8_t b = in8();
  switch (b % 8) {
    case 0: wr16(ip + 6, in16()); break;                         /* flags / fragment offset */
    case 1: ip[0] = (uint8_t)(0x40 | (in8() & 15)); break;          /* IHL */
    case 2: wr16(ip + 2, in16()); break;                         /* total length */
    case 3: wr32(ip + 16, (b & 8) ? 0xffffffffu : in32()); break; /* destination */
    case 4: wr32(ip + 12, in32()); break;                         /* source */
    case 5: ip[9] = in8(); break;                                 /* protocol */
    case 6: ip[8] = 0; break;                                    /* TTL */
    default: ip[0] = (uint8_t)(in8() << 4 | 5); break;              /* version */
  }
  wr16(ip + 10, 0);
  uint32_t hl = (uint32_t)(ip[0] & 15) * 4;
  if (hl >= 20 && 14 + hl <= len) wr16(ip + 10, fold(sum_bytes(ip, hl, 0)));
  note_window(fr, len, false);
  core_rx(fr, len, now);
}

/* OP_TIME: advance the clock and poll. */
static void op_time(void) {
  uint8_t b = in8();
  switch (b & 3) {
    case 0: now += in8(); break;
    case 1: now += in16(); break;
    case 2: if (next_due >= 0) now += (uint32_t)next_due + (b >> 2); break;
    default: now += in32(); break;                                /* huge jumps and wrap-around */
  }
}

/* A (ptr, len) pair for the data calls: inside the io buffer, at its edges, or hostile. */
static uint32_t pick_ptr(void) {
  uint32_t io = core_io_ptr(), size = (uint32_t)core_io_size();
  switch (in8() % 5) {
    case 0: return io;
    case 1: return io + in16() % (size + 64);
    case 2: return in32();
    case 3: return arg32();
    default: return io + size - in8();
  }
}


/* OP_CALL: one ABI call, arguments from the input. */
static void op_call(void) {
  int32_t h, r;
  uint32_t p, l;
  switch (in8() % 28) {
    case 0: {
      uint8_t b = in8();
      uint32_t port = (b & 1) ? arg32() : (uint32_t)(80 + (b >> 1) % 8);
      r = core_listen((int)port, (b & 0x80) ? (int)arg32() : 1 + in8() % 20);
      if (r > 0) { note_handle(r); if (nlisten < 8) listen_ports[nlisten++] = (uint16_t)port; }
      break;
    }
    case 1: note_handle(core_accept(pick_handle())); break;
    case 2: {
      uint8_t b = in8();
      uint32_t ip = (b & 0x80) ? arg32() : PEERS[b % 4];
      uint32_t port = (b & 0x40) ? arg32() : 80 + (b >> 2) % 4;
      uint32_t lport = (b & 0x20) ? arg32() : 0;
      note_handle(core_connect(ip, (int)port, (int)lport, now));
      break;
    }
    case 3: h = pick_handle(); p = pick_ptr(); l = arg32(); CALL(tcp_send, (u32)h, p, l, now); break;
    case 4: h = pick_handle(); p = pick_ptr(); l = arg32(); CALL(tcp_recv, (u32)h, p, l, now); break;
    case 5: core_send(pick_handle(), (uint32_t)core_io_size() >> (in8() % 8), now); break;
    case 6: core_recv(pick_handle(), (uint32_t)core_io_size(), now); break;
    case 7: core_shutdown(pick_handle(), now); break;
    case 8: core_close(pick_handle(), now); break;
    case 9: core_abort(pick_handle(), now); break;
    case 10: core_state(pick_handle()); break;
    case 11: core_error(pick_handle()); break;
    case 12: h = pick_handle(); p = pick_ptr(); CALL(tcp_info, (u32)h, p); break;
    case 13: core_readable(pick_handle()); break;
    case 14: core_writable(pick_handle()); break;
    case 15: h = pick_handle(); r = (int32_t)(in8() % 8); core_set_option(h, r, (int32_t)arg32()); break;
    case 16: r = (int32_t)(in8() % 10); CALL(tcp_set_default, (u32)r, arg32()); break;
    case 17: core_counter(arg32()); break;
    case 18: core_config((int)arg32()); break;
    case 19: CALL(mem_region_start, arg32()); CALL(mem_region_size, arg32()); break;
    case 20: CALL0(mem_region_count); CALL0(mem_end); CALL0(mem_pages); CALL0(local_ip); break;
    case 21: current_call = "rx"; Z_petrel_coreZ_rx(&inst, arg32(), now); break;   /* rx with any length */
    case 22: {                                                 /* a second init */
      uint32_t a[7];
      for (int i = 0; i < 7; i++) a[i] = i == 3 ? arg32() : in32();
      CALL(init, a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
      break;
    }
    case 23: core_counter_count(); core_abi_version(); CALL0(rx_buffer); CALL0(rx_buffer_size); break;
    case 24: p = arg32(); l = arg32(); CALL(tcp_listen, p, l); break;
    case 25: { uint32_t ip = arg32(); p = arg32(); l = arg32(); CALL(tcp_connect, ip, p, l, now); break; }
    case 26: core_ev_handle(); core_ev_arg(); break;
    default: {                                                 /* the status page's sweep */
      for (int i = 0; i < nhandles; i++) {
        uint32_t io = core_io_ptr();
        CALL(tcp_info, (u32)handles[i], io);
        core_state(handles[i]); core_readable(handles[i]); core_writable(handles[i]);
      }
      break;
    }
  }
}

/* OP_UDP: UDP sockets (the app's calls, hostile arguments too) and datagrams to the core. */
static uint16_t udp_ports[4] = {7, 53, 68, 5000};
static void op_udp(void) {
  uint8_t b = in8();
  int32_t h;
  uint32_t p, l;
  switch (b & 7) {
    case 0: {                                                   /* open and bind */
      h = core_udp_open();
      note_handle(h);
      uint32_t port = (b & 8) ? in16() : udp_ports[(b >> 4) & 3];
      if (h > 0 && core_udp_bind(h, (int)port) == 0 && port) udp_ports[(b >> 6) & 3] = (uint16_t)port;
      break;
    }
    case 1: {                                                   /* a datagram to the core */
      uint8_t *f = frame;
      uint32_t src = PEERS[in8() % 4];
      uint32_t off = eth(f, src, 0x0800);
      uint32_t dst = (b & 8) ? ((b & 16) ? 0xffffffffu : (SUT_IP | 0xffu)) : SUT_IP;
      if (b & 8) memset(f, 0xff, 6);
      uint8_t *ip = f + off, *u = ip + 20;
      uint32_t n = in16() % 1473;
      wr16(u, in16()); wr16(u + 2, (b & 32) ? in16() : udp_ports[in8() & 3]); wr16(u + 4, 8 + n); wr16(u + 6, 0);
      for (uint32_t i = 0; i < n; i++) u[8 + i] = (uint8_t)(i * 7);
      if (!(b & 64)) wr16(u + 6, l4_sum(src, dst, 17, u, 8 + n));   /* else: no checksum (RFC 768) */
      if (b & 128) u[8 + n / 2] ^= (uint8_t)(1 + in8());             /* a corrupted byte (data or checksum) */
      ipv4(ip, src, dst, 17, 8 + n);
      uint32_t len = off + 28 + n;
      if (len < 60) { memset(f + len, 0, 60 - len); len = 60; }
      deliver(f, len, false);
      break;
    }
    case 2: {                                                   /* sendto, any arguments */
      h = pick_handle();
      uint32_t ip = (b & 8) ? arg32() : (b & 16) ? 0xffffffffu : PEERS[in8() % 4];
      uint32_t port = (b & 32) ? arg32() : udp_ports[in8() & 3];
      p = pick_ptr(); l = arg32();
      CALL(udp_sendto, (u32)h, ip, port, p, l, now);
      break;
    }
    case 3: {                                                   /* sendto from the io buffer */
      h = pick_handle();
      uint32_t ip = (b & 8) ? 0xffffffffu : PEERS[in8() % 4];
      uint32_t port = udp_ports[in8() & 3];
      core_udp_sendto(h, ip, (int)port, in16() % 1600, now);
      break;
    }
    case 4: { h = pick_handle(); p = pick_ptr(); l = arg32(); uint32_t meta = pick_ptr(); CALL(udp_recvfrom, (u32)h, p, l, meta); break; }
    case 5: {
      struct core_udp_meta m;
      h = pick_handle();
      int32_t n = core_udp_recvfrom(h, (uint32_t)core_io_size() - 12 - in8(), &m);
      if (n >= 0 && (m.len < (uint32_t)n || ((m.flags & 1) != 0) != (m.len > (uint32_t)n))) crash("udp_recvfrom's meta disagrees with its result", NULL, 0);
      break;
    }
    case 6: h = pick_handle(); CALL(udp_bind, (u32)h, (b & 8) ? arg32() : udp_ports[in8() & 3]); break;
    default:
      h = pick_handle();
      if (b & 8) core_udp_close(h);
      else CALL(udp_bind, (u32)h, 0);
      break;
  }
}

/* A UDP datagram of n bytes (at u + 8 in `frame`, already written) from src:sport to dst:dport;
 * dst 255.255.255.255 goes to the Ethernet broadcast. Then `mut` bytes of the payload changed. */
static void udp_in(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport, uint32_t n, uint32_t mut) {
  uint8_t *f = frame;
  uint32_t off = eth(f, src, 0x0800);
  if (dst == 0xffffffffu) memset(f, 0xff, 6);
  uint8_t *ip = f + off, *u = ip + 20;
  for (uint32_t k = 0; k < mut && n; k++) { uint16_t at = in16(); u[8 + at % n] = in8(); }
  wr16(u, sport); wr16(u + 2, dport); wr16(u + 4, 8 + n); wr16(u + 6, 0);
  wr16(u + 6, l4_sum(src, dst, 17, u, 8 + n));
  ipv4(ip, src, dst, 17, 8 + n);
  uint32_t len = off + 28 + n;
  if (len < 60) { memset(f + len, 0, 60 - len); len = 60; }
  deliver(f, len, false);
}

/* OP_DHCP: the core's DHCP client (RFC 2131) against a server played by the input: start, replies
 * built around the client's own xid and MAC with options chosen (and bytes mutated) by the input,
 * stop/release/info, and ARP packets that conflict with the address being probed (RFC 5227). */
static void op_dhcp(void) {
  uint8_t b = in8();
  uint32_t io = core_io_ptr();
  switch (b & 3) {
    case 0: {                                                       /* start (INIT or INIT-REBOOT) */
      uint32_t req = (b & 4) ? ((b & 8) ? in32() : POOL_IP) : 0;
      CALL(dhcp_start, req, now);
      break;
    }
    case 1: {                                                       /* a server's reply */
      uint8_t *m = frame + 14 + 28;
      memset(m, 0, 300);
      uint8_t type = dhcp_type == 1 ? 2 : 5;                       /* OFFER a DISCOVER, ACK a REQUEST */
      if (b & 4) type = in8() % 9;
      uint32_t yi = (b & 8) ? in32() : POOL_IP;
      uint8_t opts = in8();
      m[0] = 2; m[1] = 1; m[2] = 6; wr32(m + 4, (b & 16) ? in32() : dhcp_xid);
      wr32(m + 16, type == 6 ? 0 : yi); wr32(m + 20, GW_IP); memcpy(m + 28, SUT_MAC, 6); wr32(m + 236, 0x63825363u);
      uint32_t n = 240;
      m[n++] = 53; m[n++] = 1; m[n++] = type;
      if (opts & 1) { m[n++] = 54; m[n++] = 4; wr32(m + n, GW_IP); n += 4; }
      if (opts & 2) { m[n++] = 51; m[n++] = 4; wr32(m + n, arg32()); n += 4; }
      if (opts & 4) { m[n++] = 1; m[n++] = 4; wr32(m + n, (opts & 0x80) ? in32() : 0xffffff00u); n += 4; }
      if (opts & 8) { m[n++] = 3; m[n++] = 4; wr32(m + n, (opts & 0x80) ? in32() : GW_IP); n += 4; }
      if (opts & 16) {                                              /* 1–4 DNS servers */
        uint32_t k = 1 + in8() % 4;
        m[n++] = 6; m[n++] = (uint8_t)(4 * k);
        for (uint32_t i = 0; i < k; i++) { wr32(m + n, i ? PEERS[i % 4] : 0xC6120035u); n += 4; }
      }
      if (opts & 32) { m[n++] = 58; m[n++] = 4; wr32(m + n, in16()); n += 4; m[n++] = 59; m[n++] = 4; wr32(m + n, in16()); n += 4; }
      if (opts & 64) {                                              /* overload: options in file/sname too */
        uint8_t ov = 1 + in8() % 3;
        m[n++] = 52; m[n++] = 1; m[n++] = ov;
        if (ov & 1) { m[108] = 15; m[109] = 3; m[110] = 'l'; m[111] = 'a'; m[112] = 'n'; m[113] = 255; }
        if (ov & 2) { m[44] = 12; m[45] = 1; m[46] = 'x'; m[47] = 255; }
      }
      if (opts & 0x80) { uint8_t code = in8(), l = in8() % 16; m[n++] = code; m[n++] = l; for (uint8_t i = 0; i < l; i++) m[n++] = in8(); }
      m[n++] = 255;
      if (n < 300) n = 300;
      uint32_t dst = (b & 64) ? yi : 0xffffffffu;
      if (type != 6) { offered[offered_rr++ % 4] = yi; if (noffered < 4) noffered++; }
      uint16_t sport = (b & 128) ? in16() : 67;
      uint32_t mut = (b & 32) ? 1 + in8() % 4 : 0;
      udp_in(GW_IP, sport, dst, 68, n, mut);
      break;
    }
    case 2:                                                         /* stop, release, info, init delay */
      if (b & 4) CALL(dhcp_release, now); else if (b & 8) CALL(dhcp_stop, now);
      CALL(dhcp_info, (b & 16) ? pick_ptr() : io, now);
      CALL(dhcp_dns_server, arg32());
      if (b & 32) CALL(dhcp_init_delay, arg32());
      break;
    default: {                                                      /* a conflict for the probed address */
      uint8_t *f = frame;
      uint32_t ip = dhcp_probe ? dhcp_probe : POOL_IP;
      static const uint8_t other[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x99};
      memset(f, 0xff, 6); memcpy(f + 6, other, 6); wr16(f + 12, 0x0806);
      uint8_t *p = f + 14;
      wr16(p, 1); wr16(p + 2, 0x0800); p[4] = 6; p[5] = 4; wr16(p + 6, (b & 4) ? 2 : 1);
      memcpy(p + 8, other, 6); wr32(p + 14, (b & 8) ? 0 : ip); memset(p + 18, 0, 6); wr32(p + 24, ip);
      memset(p + 28, 0, 18);
      deliver(f, 60, false);
      break;
    }
  }
}

/* OP_DNS: the core's resolver (RFC 1035): servers, queries (valid and hostile names and pointers),
 * answers built around the last query's id, port and question with records (A, CNAME, compression
 * pointers, loops, lying lengths) chosen and bytes mutated by the input, results and closes. */
static void op_dns(void) {
  uint8_t b = in8();
  uint32_t io = core_io_ptr();
  switch (b & 3) {
    case 0: {
      int32_t i = (int32_t)(in8() % 4);
      CALL(dns_server, (u32)i, (b & 4) ? arg32() : ((b & 8) ? 0xC6120035u : PEERS[in8() % 4]));
      CALL(dns_server_get, (u32)i);
      break;
    }
    case 1: {
      static const char *names[] = {"example.com", "petrel.test.", "a.b.c.d", "x", "-bad..name", "www.example.org"};
      if (b & 8) { uint32_t p = pick_ptr(), l = arg32(); CALL(dns_query, p, l, now); break; }
      uint8_t *d = core_io();
      uint32_t len;
      if (b & 4) { len = in8() % 255; for (uint32_t i = 0; i < len; i++) d[i] = in8(); }
      else { const char *nm = names[in8() % 6]; len = (uint32_t)strlen(nm); memcpy(d, nm, len); }
      note_handle(CALL(dns_query, io, len, now));
      break;
    }
    case 2: {                                                       /* an answer to the last query */
      if (dns_q_len < 12 + 5) return;
      uint8_t *m = frame + 14 + 28;
      uint32_t qend = 12;
      while (qend < dns_q_len && dns_q[qend]) qend += 1u + dns_q[qend];
      qend += 5;                                                    /* the zero byte, type, class */
      if (qend > dns_q_len) return;
      memcpy(m, dns_q, qend);
      if (b & 4) wr16(m, in16());                                   /* another id */
      wr16(m + 2, (b & 8) ? in16() : 0x8180);                       /* QR RD RA, or any flags (TC, RCODE...) */
      uint8_t cb = in8();                                           /* records (0–5); bit 7: cut short */
      uint32_t n = qend, cur = 12, count = (cb & 7u) % 6;
      for (uint32_t k = 0; k < count && n + 300 < 512; k++) {
        uint8_t kind = in8();
        uint32_t at = n;
        switch (kind & 3) {
          case 0: wr16(m + n, 0xc000 | cur); n += 2; wr16(m + n, 1); wr16(m + n + 2, 1); wr32(m + n + 4, in16()); wr16(m + n + 8, 4);
                  wr32(m + n + 10, (kind & 4) ? in32() : 0xC6120050u + k); n += 14; break;
          case 1: wr16(m + n, 0xc000 | cur); n += 2; wr16(m + n, 5); wr16(m + n + 2, 1); wr32(m + n + 4, in16()); wr16(m + n + 8, 4);
                  m[n + 10] = 1; m[n + 11] = 'c'; wr16(m + n + 12, 0xc000 | cur); cur = n + 10; n += 14; break;
          case 2: wr16(m + n, 0xc000 | ((kind & 4) ? at : at + 2 + in8())); n += 2;       /* a loop, or a pointer forward */
                  wr16(m + n, 1); wr16(m + n + 2, 1); wr32(m + n + 4, 60); wr16(m + n + 8, 4); wr32(m + n + 10, 0xC6120051u); n += 14; break;
          default: {
            uint8_t rd = in8() % 64;
            wr16(m + n, 0xc000 | cur); n += 2; wr16(m + n, in16()); wr16(m + n + 2, in16()); wr32(m + n + 4, in32());
            wr16(m + n + 8, (kind & 4) ? in16() : rd); n += 10;
            for (uint8_t i = 0; i < rd; i++) m[n++] = in8();
          }
        }
      }
      wr16(m + 6, (b & 16) ? in16() : count);                       /* ANCOUNT, or a lie */
      if (cb & 0x80) n -= in8() % (n - 11);                         /* cut short */
      uint32_t src = (b & 64) ? PEERS[in8() % 4] : dns_srv;
      uint16_t sport = (b & 128) ? in16() : 53;
      uint32_t mut = (b & 32) ? 1 + in8() % 4 : 0;
      udp_in(src, sport, dns_dst, dns_sport, n, mut);
      break;
    }
    default: {
      int32_t h = pick_handle();
      if (b & 4) { uint32_t p = pick_ptr(), l = arg32(); CALL(dns_result, (u32)h, p, l); }
      else CALL(dns_result, (u32)h, io, 4 + 4 * (in8() % 8));
      if (b & 8) CALL(dns_close, (u32)h);
      break;
    }
  }
}

static void op_misc(void) {
  uint8_t b = in8();
  if (b & 1) arp_mute = !arp_mute;
  if (b & 2) ev_hold = !ev_hold;
}

/* ── the script ── */
enum { OP_SYN, OP_SEG, OP_DATA, OP_ACK, OP_MUTATE, OP_RAW, OP_ARP, OP_ICMP, OP_IP, OP_TIME, OP_CALL, OP_CALL2, OP_MISC, OP_UDP,
       OP_COUNT, OP_DHCP = OP_COUNT, OP_DNS };
/* An operation byte: 240–255 are DHCP (even) and DNS (odd); below, the byte modulo 14 (so that the
 * inputs written before those two existed keep their meaning, but for bytes 240–255). */
static int op_of(uint8_t b) { return b >= 240 ? OP_DHCP + (b & 1) : b % OP_COUNT; }

/* PETREL_FUZZ_GRAMMAR=raw: no grammar, the input is raw frames and clock steps (for measuring
 * what the grammar adds). */
static bool raw_only;

static int run_script(void *arg) {
  (void)arg;
  /* header: one byte of setup flags */
  uint8_t setup = in8();
  now = (setup & 1) ? 0xfffff000u : 1000;                      /* start close to the wrap of u32 ms */
  uint32_t gw = (setup & 2) ? 0 : GW_IP;
  uint64_t seed = 0x5045545245ull + (setup >> 4);
  int32_t r = core_init(SUT_MAC, SUT_IP, 24, gw, seed);
  if (r != 0) crash("init failed", NULL, 0);
  pages0 = core_mem_size();
  if (!strcmp(breaking, "pages")) pages0 -= 65536;          /* as if memory had grown by a page since */
  max_conns = strcmp(breaking, "conns") ? core_config(CFG_MAX_CONNS) : 0;
  cfg_rx_buf = core_config(CFG_RX_BUF);
  cfg_tx_buf = strcmp(breaking, "info") ? core_config(CFG_TX_BUF) : 0;
  cfg_mtu = core_config(CFG_MTU);
  if (!strcmp(breaking, "trap")) wasm_rt_trap(WASM_RT_TRAP_OOB);
  if (setup & 4) CALL(tcp_set_default, 6, 0);
  if (setup & 8) CALL(tcp_set_default, 8, 0);
  note_handle(core_listen(80, 8));
  settle();
  for (int steps = 0; in_i < in_n && steps < 4096; steps++) {
    if (raw_only) {                                           /* the baseline: raw bytes and time only */
      if (in8() & 1) op_raw(); else op_time();
      settle();
      continue;
    }
    if (trace) fprintf(stderr, "op %u at byte %zu, now %u\n", in_i < in_n ? op_of(in_p[in_i]) : 0, in_i, now);
    switch (op_of(in8())) {
      case OP_SYN: op_syn(); break;
      case OP_SEG: op_seg(); break;
      case OP_DATA: op_data(); break;
      case OP_ACK: op_ack(); break;
      case OP_MUTATE: op_mutate(); break;
      case OP_RAW: op_raw(); break;
      case OP_ARP: op_arp(); break;
      case OP_ICMP: op_icmp(); break;
      case OP_IP: op_ip(); break;
      case OP_TIME: op_time(); break;
      case OP_CALL: case OP_CALL2: op_call(); break;
      case OP_UDP: op_udp(); break;
      case OP_DHCP: op_dhcp(); break;
      case OP_DNS: op_dns(); break;
      default: op_misc(); break;
    }
    settle();
    if (trace) {
      fprintf(stderr, "  handles:");
      for (int i = 0; i < nhandles; i++) fprintf(stderr, " %d(%d)", handles[i], core_state(handles[i]));
      fprintf(stderr, "; conns %d, next poll %d\n", core_connections(), next_due);
    }
  }
  return 0;
}

static void reset(void) {
  now = 0; next_due = -1; arp_mute = false; ev_hold = false;
  nhandles = 0; nflows = 0; flow_rr = 0; nqueue = 0; last_sent_len = 0; last_built_len = 0;
  nlisten = 1; listen_ports[0] = 80;
  udp_ports[0] = 7; udp_ports[1] = 53; udp_ports[2] = 68; udp_ports[3] = 5000;
  fault[0] = 0;
  nheld = 0;
  dhcp_xid = 0; dhcp_type = 0; dhcp_probe = 0; noffered = 0; offered_rr = 0; dns_q_len = 0; dns_srv = 0; dns_dst = 0; dns_sport = 0;
  memset(&env.stats, 0, sizeof env.stats);
}

/* The instance as instantiated (before init), restored for every input: a fresh core without the
 * cost of instantiating (allocation under ASan dominates otherwise). */
static Z_petrel_core_instance_t inst0;
static uint8_t *mem0;
static uint32_t mem0_size;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!mem0) {
    const char *g = getenv("PETREL_FUZZ_GRAMMAR");
    raw_only = g && strcmp(g, "raw") == 0;
    trace = getenv("PETREL_FUZZ_TRACE") != NULL;
    if (getenv("PETREL_FUZZ_BREAK")) breaking = getenv("PETREL_FUZZ_BREAK");
    counting = getenv("PETREL_FUZZ_COUNTERS") != NULL;
    if (counting) atexit(print_counters);
    struct core_host host = {.tx = on_tx};
    if (core_start(&host) != 0) crash(core_fault(), NULL, 0);
    inst0 = inst;
    mem0_size = mem->size;
    mem0 = malloc(mem0_size);
    memcpy(mem0, mem->data, mem0_size);
  }
  inst = inst0;
  mem = Z_petrel_coreZ_memory(&inst);
  memcpy(mem->data, mem0, mem0_size);
  reset();
  in_p = data; in_n = size; in_i = 0;
  if (core_run(run_script, NULL) == CORE_FAULT) crash(core_fault(), NULL, 0);
  if (counting) {
    int32_t n = core_counter_count();
    for (int32_t i = 0; i < n && i < NCOUNTERS; i++) if (core_counter(i)) counter_hits[i]++;
  }
  return 0;
}
