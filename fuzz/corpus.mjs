#!/usr/bin/env node
// Write the seed corpus (fuzz/corpus/*.bin) from named scenarios, in the script language that
// fuzz/petrel_fuzz.c reads (fuzz/README.md). Each encoder below consumes exactly the bytes its
// operation reads there, in the same order; `PETREL_FUZZ_TRACE=1 build/fuzz/petrel-fuzz FILE`
// shows what a seed does.
//   node fuzz/corpus.mjs            rewrite fuzz/corpus/
//   node fuzz/corpus.mjs --check    exit 1 when fuzz/corpus/ differs from what the scenarios give
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const DIR = new URL("./corpus/", import.meta.url).pathname;

const OP = { SYN: 0, SEG: 1, DATA: 2, ACK: 3, MUTATE: 4, RAW: 5, ARP: 6, ICMP: 7, IP: 8, TIME: 9, CALL: 10, MISC: 12, UDP: 13, DHCP: 240, DNS: 241 };
const CALL = { listen: 0, accept: 1, connect: 2, send: 3, recv: 4, sendIo: 5, recvIo: 6, shutdown: 7, close: 8, abort: 9,
  state: 10, error: 11, info: 12, readable: 13, writable: 14, setOption: 15, setDefault: 16, counter: 17, config: 18,
  regions: 19, memInfo: 20, rxLen: 21, init: 22, misc: 23, listenRaw: 24, connectRaw: 25, evPeek: 26, sweep: 27 };
// option mask bits (options() in petrel_fuzz.c)
export const O = { MSS: 1, WS: 2, SACKOK: 4, TS: 8, SACK: 16, ODD: 32, BAD: 64, NOTS: 128 };
// TCP flags
const F = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16, URG: 32 };

class Script {
  constructor(setup = 0) { this.b = [setup & 0xff]; }
  u8(v) { this.b.push(v & 0xff); return this; }
  u16(v) { return this.u8(v >>> 8).u8(v); }
  u32(v) { return this.u16(v >>> 16).u16(v & 0xffff); }
  /** a 32-bit argument (arg32): raw form */
  arg(v) { return this.u8(2).u32(v >>> 0); }
  /** a handle: index into the harness's table of handles seen (listener first) */
  h(i) { return this.u8(i); }
  /** option arguments in the order options() reads them; `ts` says whether the segment carries
   *  timestamps (needed only to size SACK blocks the way the harness does). */
  opts(mask, o = {}, ts = false) {
    let n = 0;
    if (mask & O.MSS) { if (o.mss !== undefined) this.u8(1).u16(o.mss); else this.u8(0); n += 4; }
    if (mask & O.WS) { this.u8(o.ws ?? 7); n += 4; }
    if (mask & O.SACKOK) n += 4;
    if (ts) { if (mask & O.NOTS) this.u32(o.tsBack ?? 1000); n += 12; }
    if (mask & O.SACK) {
      const blocks = o.sack ?? [[0, 100]];
      this.u8(blocks.length - 1);
      let count = blocks.length;
      if (n + 4 + 8 * count > 40) count = Math.floor((40 - n - 4) / 8);
      for (const [back, len] of blocks.slice(0, count)) this.u16(back).u8(1).u16(len - 1);
      if (count) n += 4 + 8 * count;
    }
    if (mask & O.ODD) this.u8(o.oddKind ?? 19).u8(o.oddLen ?? 2);
    if (mask & O.BAD) this.u8(o.badKind ?? 0).u8(o.badLen ?? 0).u8(0).u8(0);
    return this;
  }
  /** a peer opens: peer index, peer port, listen-port index (or a raw port), options */
  syn({ peer = 0, rport = 40000, port, listen = 0, tsOff = 5000, isn = 0x1000, mask = O.MSS | O.WS | O.SACKOK | O.TS,
        o = {}, extra = 0, ack = 0, win = 65535, paylen = 0 } = {}) {
    this.u8(OP.SYN).u8(peer).u16(rport);
    if (port !== undefined) this.u8(0xc0).u16(port); else this.u8(listen);
    this.u32(tsOff).u32(isn).u8(mask).u8(extra);
    if (extra & 0x10) this.u32(ack);
    this.u16(win);
    if (extra & 0x08) this.u8(paylen);
    // the SYN carries timestamps unless NOTS (f->ts)
    return this.opts(mask & ~O.NOTS, o, !(mask & O.NOTS) || !!(mask & O.TS));
  }
  /** any segment: seq mode 0 exact / 1 ±byte / 2 ±16-bit×8 / 3 raw; ack mode 0 exact / 1 −byte / 2 ±16-bit / 3 raw */
  seg(flow, flags, { seqMode = 0, seq = 0, ackMode = 0, ack = 0, win, mask, o = {}, ts = false, paylen = 0, urg } = {}) {
    const modes = seqMode | (ackMode << 2) | (win !== undefined ? 0x10 : 0) | (mask !== undefined ? 0x20 : 0)
      | (paylen ? 0x40 : 0) | (urg !== undefined ? 0x80 : 0);
    this.u8(OP.SEG).u8(flow).u8(flags).u8(modes);
    if (seqMode === 1) this.u8(seq); else if (seqMode === 2) this.u16(seq); else if (seqMode === 3) this.u32(seq);
    if (ackMode === 1) this.u8(ack); else if (ackMode === 2) this.u16(ack); else if (ackMode === 3) this.u32(ack);
    if (win !== undefined) this.u16(win);
    if (mask !== undefined) this.u8(mask);
    if (paylen) this.u8(Math.ceil(paylen / 6));
    if (urg !== undefined) this.u16(urg);
    if (mask !== undefined) this.opts(mask, o, ts || !!(mask & O.TS));
    return this;
  }
  /** in-order data (1 + 12·n bytes), FIN with it when fin */
  data(flow, n = 10, fin = false) { return this.u8(OP.DATA).u8(flow).u8((n & 0x7f) | (fin ? 0x80 : 0)); }
  /** a pure ACK of all the core sent; win16 sets the window (a byte, ×16); back acks older data; fin/rst add flags */
  ack(flow, { win, back, sack, fin = false, rst = false, ts = true } = {}) {
    const b = (win !== undefined ? 1 : 0) | (back !== undefined ? 2 : 0) | (fin ? 4 : 0) | (rst ? 8 : 0) | (sack ? 0x10 : 0);
    this.u8(OP.ACK).u8(flow).u8(b);
    if (win !== undefined) this.u8(win);
    if (back !== undefined) this.u16(back);
    if (sack) this.opts(O.SACK, { sack }, ts);
    return this;
  }
  mutate(changes, { resize, fix = true } = {}) {
    this.u8(OP.MUTATE).u8((changes.length - 1) | (resize !== undefined ? 0x10 : 0) | (fix ? 0x20 : 0));
    for (const [at, v] of changes) this.u16(at).u8(v);
    if (resize !== undefined) this.u16(resize - 14);
    return this;
  }
  raw(bytes) { this.u8(OP.RAW).u16(bytes.length); for (const x of bytes) this.u8(x); return this; }
  /** ARP from peer i: request (reply=false) for our address or `target` */
  arp({ peer = 0, reply = false, broadcast = false, target, poke } = {}) {
    const b = (peer & 3) | (broadcast ? 0x40 : 0) | (reply ? 0x20 : 0) | (target !== undefined ? 0x10 : 0) | (poke ? 0x08 : 0);
    this.u8(OP.ARP).u8(b);
    if (target !== undefined) this.u32(target);
    if (poke) this.u8(poke[0]).u8(poke[1]);
    return this;
  }
  echo(n = 8) { return this.u8(OP.ICMP).u8(0x40).u8(n); }
  /** an ICMP error quoting the last segment the core sent: kind 0..2 unreachable, 3 time exceeded, 4 quench */
  icmpError(kind, code, { mtu, seqDelta, short = false } = {}) {
    const b = kind | (mtu !== undefined ? 0x20 : 0) | (seqDelta !== undefined ? 0x10 : 0) | (short ? 0x08 : 0);
    this.u8(OP.ICMP).u8(b).u8(code);
    if (mtu !== undefined) this.u16(mtu);
    if (seqDelta !== undefined) this.u16(seqDelta);
    return this;
  }
  /** a segment on flow with one IPv4 field made odd: field 0 frag, 1 IHL, 2 total length, 3 dst, 4 src, 5 proto, 6 TTL, 7 version */
  ipOdd(flow, paylen, field, value) {
    this.u8(OP.IP).u8(flow).u8(paylen).u8(field);
    if (field === 0 || field === 2) this.u16(value);
    else if (field === 1 || field === 5 || field === 7) this.u8(value);
    else if (field === 3 || field === 4) this.u32(value);
    return this;
  }
  /** advance the clock: ms, or "due" (to the next deadline) */
  time(ms) {
    if (ms === "due") return this.u8(OP.TIME).u8(2);
    if (ms < 256) return this.u8(OP.TIME).u8(0).u8(ms);
    if (ms < 65536) return this.u8(OP.TIME).u8(1).u16(ms);
    return this.u8(OP.TIME).u8(3).u32(ms);
  }
  due(times = 1) { for (let i = 0; i < times; i++) this.time("due"); return this; }
  call(which, ...args) { this.u8(OP.CALL).u8(which); for (const a of args) a(this); return this; }
  accept(h = 0) { return this.call(CALL.accept, (s) => s.h(h)); }
  recv(h) { return this.call(CALL.recvIo, (s) => s.h(h)); }
  send(h, shift = 0) { return this.call(CALL.sendIo, (s) => s.h(h).u8(shift)); }
  close(h) { return this.call(CALL.close, (s) => s.h(h)); }
  shutdown(h) { return this.call(CALL.shutdown, (s) => s.h(h)); }
  abort(h) { return this.call(CALL.abort, (s) => s.h(h)); }
  /** tcp_connect to peer i, port 80+k, ephemeral local port */
  connect(peer = 1, k = 0) { return this.call(CALL.connect, (s) => s.u8((peer & 3) | ((k & 3) << 2))); }
  setOption(h, opt, value) { return this.call(CALL.setOption, (s) => s.h(h).u8(opt).arg(value)); }
  setDefault(opt, value) { return this.call(CALL.setDefault, (s) => s.u8(opt).arg(value)); }
  muteArp() { return this.u8(OP.MISC).u8(1); }
  /** OP_UDP: open a socket and bind it to udp_ports[i] (the harness's 7, 53, 68, 5000) */
  udpOpen(i = 0) { return this.u8(OP.UDP).u8(0 | (i << 4) | (i << 6)); }
  /** OP_UDP: a datagram of n bytes from peer to udp_ports[port]; to a broadcast (limited or the
   *  subnet's), without checksum, or with a byte corrupted */
  udpIn(peer, port, n, { broadcast, noSum = false, corrupt = false, sport = 40000 } = {}) {
    const b = 1 | (broadcast ? 8 : 0) | (broadcast === "limited" ? 16 : 0) | (noSum ? 64 : 0) | (corrupt ? 128 : 0);
    this.u8(OP.UDP).u8(b).u8(peer).u16(n).u16(sport).u8(port);
    return corrupt ? this.u8(0) : this;
  }
  /** OP_UDP: the app sends n bytes from its io buffer to peer:udp_ports[port] (or the broadcast) */
  udpSend(h, peer, port, n, broadcast = false) {
    this.u8(OP.UDP).u8(3 | (broadcast ? 8 : 0)).h(h);
    if (!broadcast) this.u8(peer);
    return this.u8(port).u16(n);
  }
  /** OP_UDP: recvfrom into the io buffer (cap = io size − 12 − less) */
  udpRecv(h, less = 0) { return this.u8(OP.UDP).u8(5).h(h).u8(less); }
  /** OP_UDP: sendto / recvfrom with raw (ptr, len) arguments */
  udpHostile(h) {
    return this.u8(OP.UDP).u8(2 | 8 | 32).h(h).arg(0xc6120001).arg(7).u8(2).u32(0xfffffff0).arg(16)
      .u8(OP.UDP).u8(4).h(h).u8(3).arg(0x7fffffff).arg(16).u8(4).u8(8);
  }
  /** OP_UDP: pending, local port, then close */
  udpClose(h) { return this.u8(OP.UDP).u8(7 | 8).h(h); }
  bytes() { return Uint8Array.from(this.b); }
}

const MSS_WS_SACK_TS = O.MSS | O.WS | O.SACKOK | O.TS;
/** DHCP reply options (op_dhcp): 54 server id, 51 lease, 1 mask, 3 router, 6 DNS, 58/59, 52 overload, any option */
export const D = { SERVER: 1, LEASE: 2, MASK: 4, ROUTER: 8, DNS: 16, T1T2: 32, OVERLOAD: 64, EXTRA: 128 };
const D_LEASE = D.SERVER | D.LEASE | D.MASK | D.ROUTER | D.DNS;

Object.assign(Script.prototype, {
  /** OP_DHCP: dhcp_start, with a remembered address (INIT-REBOOT) when given */
  dhcpStart(requested) {
    this.u8(OP.DHCP).u8(requested === undefined ? 0 : 4 | 8);
    return requested === undefined ? this : this.u32(requested);
  },
  /** OP_DHCP: a server's reply to the client's last message (OFFER a DISCOVER, ACK a REQUEST unless
   *  `type`), with the client's xid unless `xid`, yiaddr 198.18.0.100 unless `yiaddr` */
  dhcpReply({ type, yiaddr, xid, opts = D_LEASE, lease = 3600, dns = 2, t1 = 0, t2 = 0, overload = 1, mask, router,
              extra, sport, unicast = false, mutate } = {}) {
    const b = 1 | (type !== undefined ? 4 : 0) | (yiaddr !== undefined ? 8 : 0) | (xid !== undefined ? 16 : 0) |
      (mutate ? 32 : 0) | (unicast ? 64 : 0) | (sport !== undefined ? 128 : 0);
    const o = opts | (extra ? D.EXTRA : 0);
    this.u8(OP.DHCP).u8(b);
    if (type !== undefined) this.u8(type);
    if (yiaddr !== undefined) this.u32(yiaddr);
    this.u8(o);
    if (xid !== undefined) this.u32(xid);
    if (o & D.LEASE) this.arg(lease);
    if ((o & D.MASK) && (o & D.EXTRA)) this.u32(mask ?? 0xffffff00);
    if ((o & D.ROUTER) && (o & D.EXTRA)) this.u32(router ?? 0xc6120001);
    if (o & D.DNS) this.u8(dns - 1);
    if (o & D.T1T2) this.u16(t1).u16(t2);
    if (o & D.OVERLOAD) this.u8(overload - 1);
    if (o & D.EXTRA) { const [code, ...bytes] = extra ?? [12]; this.u8(code).u8(bytes.length); for (const x of bytes) this.u8(x); }
    if (sport !== undefined) this.u16(sport);
    if (mutate) { this.u8(mutate.length - 1); for (const [at, v] of mutate) this.u16(at).u8(v); }
    return this;
  },
  /** OP_DHCP: dhcp_stop (or dhcp_release), then dhcp_info and dhcp_dns_server(0) */
  dhcpStop(release = false) { return this.u8(OP.DHCP).u8(2 | (release ? 4 : 8)).arg(0); },
  /** OP_DHCP: dhcp_info and dhcp_dns_server(i) only */
  dhcpInfo(i = 0) { return this.u8(OP.DHCP).u8(2).arg(i); },
  /** OP_DHCP: another host's ARP for the address being probed: a request or reply claiming it, or a probe */
  dhcpConflict({ reply = false, probe = false } = {}) { return this.u8(OP.DHCP).u8(3 | (reply ? 4 : 0) | (probe ? 8 : 0)); },
  /** OP_DNS: dns_server(i, peer k) (k: PEERS index), or 198.18.0.53 when k is undefined */
  dnsServer(i, k) { return k === undefined ? this.u8(OP.DNS).u8(8).u8(i) : this.u8(OP.DNS).u8(0).u8(i).u8(k); },
  /** OP_DNS: dns_query of names[k] (example.com, petrel.test., a.b.c.d, x, -bad..name, www.example.org) or of raw bytes */
  dnsQuery(k = 0) {
    if (typeof k === "number") return this.u8(OP.DNS).u8(1).u8(k);
    const b = Buffer.from(k);
    this.u8(OP.DNS).u8(5).u8(b.length);
    for (const x of b) this.u8(x);
    return this;
  },
  /** OP_DNS: an answer to the last query. records: { a: ip?, ttl } | { cname: true, ttl } | { loop: true } |
   *  { forward: n } | { raw: { type, cls, ttl, rdlen?, data } } */
  dnsAnswer({ id, flags, records = [], ancount, cut, from, sport, mutate } = {}) {
    const b = 2 | (id !== undefined ? 4 : 0) | (flags !== undefined ? 8 : 0) | (ancount !== undefined ? 16 : 0) |
      (mutate ? 32 : 0) | (from !== undefined ? 64 : 0) | (sport !== undefined ? 128 : 0);
    this.u8(OP.DNS).u8(b);
    if (id !== undefined) this.u16(id);
    if (flags !== undefined) this.u16(flags);
    this.u8(records.length | (cut !== undefined ? 0x80 : 0));
    for (const r of records) {
      if (r.cname) this.u8(1).u16(r.ttl ?? 300);
      else if (r.loop) this.u8(2 | 4);
      else if (r.forward !== undefined) this.u8(2).u8(r.forward);
      else if (r.raw) {
        const { type = 1, cls = 1, ttl = 60, rdlen, data = [] } = r.raw;
        this.u8(3 | (rdlen !== undefined ? 4 : 0)).u8(data.length).u16(type).u16(cls).u32(ttl);
        if (rdlen !== undefined) this.u16(rdlen);
        for (const x of data) this.u8(x);
      } else { this.u8(r.a !== undefined ? 4 : 0).u16(r.ttl ?? 300); if (r.a !== undefined) this.u32(r.a); }
    }
    if (ancount !== undefined) this.u16(ancount);
    if (cut !== undefined) this.u8(cut);
    if (from !== undefined) this.u8(from);
    if (sport !== undefined) this.u16(sport);
    if (mutate) { this.u8(mutate.length - 1); for (const [at, v] of mutate) this.u16(at).u8(v); }
    return this;
  },
  /** OP_DNS: dns_result of a raw handle (the first query is 0x100) into the io buffer (4 + 4·k bytes), then dns_close */
  dnsResult(h = 0x100, { k = 4, close = true } = {}) { return this.u8(OP.DNS).u8(3 | (close ? 8 : 0)).u8(0xff).u32(h).u8(k); },
});

/** The DHCP client from start to BOUND on 198.18.0.100 (the first DISCOVER, OFFER, REQUEST, ACK, three probes, ANNOUNCE_WAIT). */
const leased = (opts = {}) => new Script().dhcpStart().due().dhcpReply(opts).dhcpReply(opts).due(5);

/** A connection from peer 0 accepted: listener = handle 0, connection = handle 1, flow 0. */
const accepted = (setup = 0, syn = {}) => new Script(setup).syn(syn).ack(0).accept(0);

const scenarios = {
  "handshake": () => new Script().syn().ack(0),
  "handshake-no-options": () => new Script().syn({ mask: O.NOTS }).ack(0, { ts: false }).accept(0),
  "handshake-mss-only": () => new Script().syn({ mask: O.MSS | O.NOTS, o: { mss: 536 } }).ack(0).accept(0),
  "handshake-big-wscale": () => new Script().syn({ mask: O.WS | O.SACKOK | O.NOTS, o: { ws: 15 } }).ack(0).accept(0),
  "data-in": () => accepted().data(0, 40).data(0, 40).recv(1).data(0, 100).recv(1).time(250),
  "data-out": () => accepted().send(1).ack(0).send(1, 1).time(50).ack(0).due(2).ack(0),
  "echo-both-ways": () => accepted().data(0, 20).recv(1).send(1, 6).ack(0).data(0, 5).recv(1).send(1, 6).ack(0),
  "peer-closes": () => accepted().data(0, 10, true).recv(1).recv(1).close(1).ack(0).due(1),
  "app-closes-first": () => accepted().close(1).ack(0).ack(0, { fin: true }).due(3).time(130000),
  "time-wait-new-syn": () => accepted().close(1).ack(0).ack(0, { fin: true }).time(1000)
    .seg(0, F.SYN, { seqMode: 2, seq: 1000, mask: MSS_WS_SACK_TS }).ack(0).accept(0),
  "time-wait-connect-same-tuple": () => accepted().close(1).ack(0).ack(0, { fin: true })
    .call(CALL.connect, (s) => s.u8(0x60).arg(40000).arg(80)).time(130000),
  "events-overflow": () => {
    const s = accepted().u8(OP.MISC).u8(2);
    for (let i = 0; i < 300; i++) s.data(0, 0);
    return s.u8(OP.MISC).u8(2).recv(1);
  },
  "shutdown-then-data": () => accepted().shutdown(1).ack(0).data(0, 30).recv(1).data(0, 1, true).recv(1).close(1),
  "simultaneous-close": () => accepted().close(1).seg(0, F.FIN | F.ACK, { ackMode: 1, ack: 1 }).ack(0).due(2),
  "close-with-unread-data": () => accepted().data(0, 50).close(1).due(1),
  "abort": () => accepted().send(1).abort(1).due(1),
  "rst-in-window": () => accepted().seg(0, F.RST).accept(0),
  "rst-off-window": () => accepted().seg(0, F.RST, { seqMode: 2, seq: 100 }).seg(0, F.RST | F.ACK, { seqMode: 1, seq: 10 }).time(10),
  "syn-in-established": () => accepted().seg(0, F.SYN, { seqMode: 1, seq: 5 }).time(10).ack(0),
  "rst-in-syn-received": () => new Script().syn().seg(0, F.RST).due(1),
  "sack-recovery": () => accepted({}, {}).send(1).send(1).ack(0, { back: 6000 })
    .ack(0, { back: 6000, sack: [[4000, 1000]] }).ack(0, { back: 6000, sack: [[3000, 2000]] })
    .ack(0, { back: 6000, sack: [[2000, 1500], [500, 300]] }).due(1).ack(0).due(2),
  "rto-backoff": () => accepted().send(1).due(6).ack(0),
  "out-of-order-in": () => accepted().seg(0, F.ACK | F.PSH, { seqMode: 2, seq: 100, paylen: 600 })
    .seg(0, F.ACK | F.PSH, { seqMode: 2, seq: 300, paylen: 600 }).data(0, 66).recv(1).time(300),
  "zero-window-persist": () => accepted().ack(0, { win: 0 }).send(1).due(4).ack(0, { win: 255 }).due(1).ack(0),
  "zero-window-probes-acked": () => accepted().ack(0, { win: 0 }).send(1).due(1).ack(0, { win: 0, back: 1 })
    .due(1).ack(0, { win: 0, back: 1 }).due(1).ack(0, { win: 0, back: 1 }).due(1).ack(0, { win: 0, back: 1 }).due(2),
  "active-open": () => new Script().connect(1, 0).seg(0, F.SYN | F.ACK, { seqMode: 3, seq: 777, mask: MSS_WS_SACK_TS })
    .ack(0).send(1).ack(0).data(0, 10).recv(1),
  "active-open-refused": () => new Script().connect(1, 0).seg(0, F.RST | F.ACK).due(1),
  "active-open-icmp-unreachable": () => new Script().connect(1, 0).icmpError(0, 3).due(3),
  "active-open-arp-silent": () => new Script().muteArp().connect(2, 1).due(6).time(200000),
  "active-open-off-link": () => new Script().connect(3, 0).seg(0, F.SYN | F.ACK, { seqMode: 3, seq: 5, mask: O.MSS }).ack(0).close(1).due(3),
  "simultaneous-open": () => new Script().connect(1, 0).seg(0, F.SYN, { seqMode: 3, seq: 99, mask: O.MSS }).ack(0).due(1),
  "icmp-echo": () => new Script().echo(16).echo(200).arp({ peer: 1 }),
  "icmp-frag-needed": () => accepted().send(1).icmpError(0, 4, { mtu: 576 }).due(2).ack(0),
  "icmp-host-unreachable": () => accepted().send(1).icmpError(0, 1).due(4).icmpError(3, 0).icmpError(4, 0, { short: true }),
  "arp-variants": () => new Script().arp({ peer: 1 }).arp({ peer: 2, reply: true }).arp({ peer: 1, broadcast: true, target: 0xc6120009 })
    .arp({ peer: 0, poke: [4, 7] }).connect(2, 0).due(2),
  "ip-oddities": () => accepted().ipOdd(0, 10, 0, 0x2001).ipOdd(0, 10, 1, 6).ipOdd(0, 10, 2, 30).ipOdd(0, 3, 3, 0)
    .ipOdd(0, 3, 4, 0x7f000001).ipOdd(0, 3, 5, 17).ipOdd(0, 3, 6, 0).ipOdd(0, 3, 7, 6),
  "mutated-segments": () => accepted().data(0, 10).mutate([[46, 0xff]]).mutate([[47, 0x02], [20, 0]], { fix: false })
    .mutate([[0, 0]], { resize: 40 }),
  "raw-frames": () => new Script().raw([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 8, 6]).raw([]),
  "syn-flood": () => {
    const s = new Script();
    for (let i = 0; i < 20; i++) s.syn({ peer: i % 4, rport: 1000 + i, isn: i * 7919 });
    return s.due(4).syn({ peer: 1, rport: 5555 }).ack(4);
  },
  "table-full": () => {
    const s = accepted();
    for (let i = 0; i < 18; i++) s.connect(i % 3, i % 4);
    return s.due(3).time(70000);
  },
  "listeners": () => new Script().call(CALL.listen, (s) => s.u8(2).u8(4)).call(CALL.listen, (s) => s.u8(0x80 | 4).arg(0))
    .syn({ listen: 1 }).ack(0).close(0).call(CALL.listenRaw, (s) => s.arg(0).arg(5)),
  "keepalive": () => accepted().setOption(1, 2, 10000).setOption(1, 3, 1000).setOption(1, 4, 2).due(5),
  "user-timeout": () => accepted().setOption(1, 5, 3000).send(1).ack(0, { win: 0 }).due(8),
  "time-wrap": () => new Script(1).syn().ack(0).accept(0).send(1).time(5000).ack(0).data(0, 20).recv(1).time(0xfffff000),
  "defaults-off": () => new Script(4 | 8).setDefault(7, 0).syn().ack(0).accept(0).data(0, 10),
  "paws-old-timestamp": () => accepted().seg(0, F.ACK | F.PSH, { mask: O.TS | O.NOTS, o: { tsBack: 100000 }, paylen: 60 }).time(10),
  "urgent-data": () => accepted().seg(0, F.ACK | F.PSH | F.URG, { paylen: 30, urg: 10 }).recv(1),
  "hostile-calls": () => accepted()
    .call(CALL.send, (s) => s.h(1).u8(2).u32(0xfffffff0).arg(16)).call(CALL.info, (s) => s.h(1).u8(2).u32(0xffffffff))
    .call(CALL.recv, (s) => s.h(1).u8(4).u8(8).arg(0x7fffffff)).call(CALL.info, (s) => s.u8(0xff).u32(0x80000000).u8(0))
    .call(CALL.rxLen, (s) => s.arg(0xffffffff)).call(CALL.init, (s) => s.u32(0).u32(0).u32(0).arg(24).u32(0).u32(0).u32(0))
    .call(CALL.counter, (s) => s.arg(0x80000000)).call(CALL.config, (s) => s.arg(99)).call(CALL.sweep),
  "udp-echo-both-ways": () => new Script().udpOpen(0).udpIn(0, 0, 100).udpIn(1, 0, 0).udpRecv(1).udpSend(1, 0, 0, 100)
    .udpRecv(1, 200).udpIn(0, 0, 1472).udpRecv(1, 255).udpClose(1).udpRecv(1),
  "udp-broadcast-and-checksums": () => new Script().udpOpen(2).udpIn(0, 2, 300, { broadcast: "limited" })
    .udpIn(1, 2, 20, { broadcast: "subnet" }).udpIn(0, 2, 30, { noSum: true }).udpIn(0, 2, 30, { corrupt: true })
    .udpSend(1, 0, 1, 10, true).udpRecv(1).udpRecv(1).udpRecv(1),
  "udp-port-unreachable": () => new Script().udpIn(0, 3, 12).time(50).udpIn(1, 3, 12).time(200).udpIn(0, 3, 12)
    .udpIn(0, 3, 12, { broadcast: "limited" }),
  "udp-icmp-error-and-queue-full": () => {
    const s = new Script().udpOpen(3).udpSend(1, 0, 0, 40).icmpError(0, 3).udpRecv(1);
    for (let i = 0; i < 8; i++) s.udpIn(1, 3, 1000);
    return s.udpRecv(1).udpHostile(1).udpClose(1);
  },
  "dhcp-lease-renew-release": () => leased({ opts: D_LEASE | D.T1T2, lease: 600, t1: 100, t2: 500 }).dhcpInfo(1)
    .due().dhcpReply({ opts: D_LEASE | D.T1T2, lease: 600, t1: 100, t2: 500 }).due().dhcpReply({ type: 6 }).due(2)
    .dhcpReply().dhcpReply().due(5).dhcpStop(true),
  "dhcp-rebind-expire": () => leased({ lease: 120 }).due(8).dhcpInfo().dhcpStop(),
  "dhcp-conflicts": () => new Script().dhcpStart().due().dhcpReply().dhcpReply().due().dhcpConflict()
    .due().dhcpReply().dhcpReply().due(2).dhcpConflict({ probe: true }).due().dhcpReply().dhcpReply().due()
    .dhcpConflict({ reply: true }).due(6),
  "dhcp-reboot-nak": () => new Script().dhcpStart(0xc6120077).dhcpReply({ type: 6 }).due().dhcpReply()
    .dhcpReply({ type: 5, yiaddr: 0xc6120077 }).dhcpReply().due(5).dhcpStart(),
  "dhcp-hostile-replies": () => new Script().dhcpStart().due()
    .dhcpReply({ xid: 12345 }).dhcpReply({ sport: 1067 }).dhcpReply({ yiaddr: 0x7f000001 }).dhcpReply({ opts: D.LEASE })
    .dhcpReply({ mutate: [[241, 200]] }).dhcpReply({ mutate: [[0, 1], [236, 0]] }).dhcpReply({ type: 8 })
    .dhcpReply({ opts: D_LEASE | D.OVERLOAD, overload: 3 }).dhcpReply({ extra: [55, 1, 2, 3] })
    .dhcpReply({ opts: D_LEASE | D.T1T2, lease: 0, t1: 900, t2: 100, unicast: true })
    .dhcpReply({ opts: D_LEASE, extra: [1, 0xff, 0, 0xff, 0], mask: 0xff00ff00, router: 0x0a000001 }).due(6).dhcpInfo(7),
  "dhcp-address-lost-with-frame-waiting": () => leased().muteArp().connect(1, 0).dhcpStop().muteArp()
    .arp({ peer: 1, reply: true }).due(2),
  "dns-answer-and-cache": () => new Script().dnsServer(0, 1).dnsQuery(0).dnsAnswer({ records: [{ a: 0xc6120009, ttl: 60 }, {}] })
    .dnsResult(0x100).dnsQuery(0).dnsResult(0x200, { close: false }).dnsQuery(5)
    .dnsAnswer({ records: [{ cname: true }, { cname: true }, { a: 0xc612000a }] }).dnsResult(0x101, { k: 0 }).dnsResult(0x200),
  "dns-hostile-answers": () => new Script().dnsServer(0, 1).dnsServer(1).dnsQuery(1)
    .dnsAnswer({ id: 7, records: [{}] }).dnsAnswer({ sport: 5353, records: [{}] }).dnsAnswer({ from: 2, records: [{}] })
    .dnsAnswer({ records: [{ loop: true }] }).dnsAnswer({ records: [{ forward: 30 }] })
    .dnsAnswer({ records: [{}, {}], cut: 9 }).dnsAnswer({ records: [{}], ancount: 40 })
    .dnsAnswer({ records: [{ raw: { type: 1, rdlen: 300, data: [1, 2, 3, 4] } }, { raw: { type: 28, data: [1, 2] } }] })
    .dnsAnswer({ flags: 0x8182 }).dnsAnswer({ mutate: [[12, 0xc0], [13, 12]], records: [{}] }).dnsAnswer({ flags: 0x8380, records: [{}] })
    .due(3).dnsResult(0x100).dnsQuery(2).dnsAnswer({ flags: 0x8183 }).dnsResult(0x100)
    .dnsQuery("0123456789012345678901234567890123456789012345678901234567890123.x").dnsQuery("a..b").dnsQuery(3).due(6).dnsResult(0x101),
  "dns-from-the-lease": () => leased({ dns: 1 }).dnsQuery(0).dnsAnswer({ records: [{ a: 0xc6120011 }] }).dnsResult(0x100)
    .dhcpStop(true).dnsQuery(1),
  "window-update-and-dup-acks": () => accepted().send(1).ack(0, { back: 2000 }).ack(0, { back: 2000 }).ack(0, { back: 2000 })
    .ack(0, { back: 2000 }).due(1).ack(0),
};

const check = process.argv.includes("--check");
const want = new Map(Object.entries(scenarios).map(([name, f]) => [`${name}.bin`, f().bytes()]));
if (check) {
  const have = readdirSync(DIR).filter((f) => f.endsWith(".bin")).sort();
  const bad = [...want.keys()].filter((f) => !have.includes(f) || Buffer.compare(readFileSync(join(DIR, f)), want.get(f)) !== 0);
  const extra = have.filter((f) => !want.has(f));
  if (bad.length || extra.length) {
    console.error(`fuzz/corpus differs from fuzz/corpus.mjs: ${[...bad, ...extra].join(", ")} (run node fuzz/corpus.mjs)`);
    process.exit(1);
  }
} else {
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  for (const [f, b] of want) writeFileSync(join(DIR, f), b);
  console.log(`fuzz/corpus: ${want.size} seeds`);
}
