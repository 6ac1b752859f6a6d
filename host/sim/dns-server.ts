// A scripted DNS server (RFC 1035) for the simulator: it sits on a Link (a switch port), speaks raw
// frames, and answers A queries over UDP from a record table — following CNAME records as a
// recursive server does, NXDOMAIN for a name it does not know, and a truncated reply (TC, no
// records) when the answer does not fit 512 bytes. It also listens on TCP port 53 (RFC 7766) with
// a minimal TCP of its own (no retransmission: the simulator's wire is lossless unless a test says
// otherwise), where the whole answer goes behind its 2-byte length and the server then closes.
// A script decides per message to drop it or change the reply (id, source address or port,
// question, RCODE, records, TTL, TC, raw bytes, a lying TCP length, a reset or a close instead of an
// answer); `tcp` refuses or ignores connections. Every rule of the resolver has a replayable test
// (tests/sim/dns.test.ts). Runs anywhere (no node: import).
import type { Link } from "../link/link.ts";
import { buildArpFrame, buildTcpFrame, buildUdpFrame, parseFrame, type ParsedFrame } from "../packet/packet.ts";

export interface DnsRecord {
  name: string;
  type: "A" | "CNAME";
  /** A: the dotted address; CNAME: the target name. */
  data: string;
  /** Seconds (default 300). */
  ttl?: number;
}

/** A query as the server saw it. */
export interface DnsSeen {
  timeMs: number;
  proto: "udp" | "tcp";
  id: number;
  /** RD and the rest of the flags word. */
  flags: number;
  name: string;
  qtype: number;
  qclass: number;
  srcIp: string;
  srcPort: number;
  /** The DNS message (without TCP's length prefix). */
  raw: Uint8Array;
}

/** What the script does with one query: the default reply, none ("drop"), or another reply. */
export type DnsAction = void | "drop" | {
  /** RCODE (2 SERVFAIL, 3 NXDOMAIN, 5 REFUSED). */
  rcode?: number;
  /** Reply with this id instead of the query's. */
  id?: number;
  /** Reply from this address or UDP port instead of the server's and 53. */
  srcIp?: string;
  srcPort?: number;
  /** Put this name in the reply's question. */
  qname?: string;
  /** These records instead of the table's. */
  answers?: DnsRecord[];
  /** Every record's TTL. */
  ttl?: number;
  /** Set TC (over UDP the records are left out, as a server does when they do not fit). */
  tc?: boolean;
  /** Rewrite the finished message (a compression loop, a length past the end, …). */
  raw?: (b: Uint8Array) => Uint8Array;
  /** TCP: announce this length instead of the message's. */
  lengthPrefix?: number;
  /** TCP: answer nothing and reset, or close, the connection. */
  tcp?: "reset" | "close";
};

export interface SimDnsServerOptions {
  link: Link;
  now: () => number;
  mac: string;
  ip: string;
  records?: DnsRecord[];
  /** How the TCP port answers a SYN: a connection (default), RST ("refuse"), nothing ("silent"). */
  tcp?: "serve" | "refuse" | "silent";
  script?: (m: DnsSeen, index: number) => DnsAction;
}

/** A reply the server sent. */
export interface DnsSent {
  timeMs: number;
  proto: "udp" | "tcp";
  id: number;
  rcode: number;
  tc: boolean;
  answers: number;
  length: number;
}

/** One TCP connection to port 53 (the server's side). */
interface Conn {
  ip: string;
  mac: string;
  port: number;
  rcvNxt: number;
  sndNxt: number;
  buf: number[];
  closed: boolean;
}

const UDP_MAX = 512;
const MSS = 536;

export function encodeName(name: string): number[] {
  const out: number[] = [];
  for (const label of name.replace(/\.$/, "").split(".")) {
    out.push(label.length);
    for (let i = 0; i < label.length; i++) out.push(label.charCodeAt(i));
  }
  out.push(0);
  return out;
}

const u16 = (v: number): number[] => [(v >> 8) & 255, v & 255];
const u32 = (v: number): number[] => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
const ipBytes = (ip: string): number[] => ip.split(".").map(Number);
const same = (a: string, b: string): boolean => a.replace(/\.$/, "").toLowerCase() === b.replace(/\.$/, "").toLowerCase();

/** The question of a query (uncompressed name), or null. */
export function parseQuery(b: Uint8Array): { id: number; flags: number; name: string; qtype: number; qclass: number } | null {
  if (b.length < 12 || ((b[4]! << 8) | b[5]!) !== 1) return null;
  const labels: string[] = [];
  let o = 12;
  while (o < b.length && b[o] !== 0) {
    const n = b[o]!;
    if (n > 63 || o + 1 + n > b.length) return null;
    labels.push(String.fromCharCode(...b.subarray(o + 1, o + 1 + n)));
    o += 1 + n;
  }
  if (o + 5 > b.length) return null;
  return { id: (b[0]! << 8) | b[1]!, flags: (b[2]! << 8) | b[3]!, name: labels.join("."), qtype: (b[o + 1]! << 8) | b[o + 2]!, qclass: (b[o + 3]! << 8) | b[o + 4]! };
}

export class SimDnsServer {
  /** Every query received (UDP and TCP), in order. */
  readonly seen: DnsSeen[] = [];
  /** Every reply sent. */
  readonly sent: DnsSent[] = [];
  /** SYNs to port 53 received. */
  synsSeen = 0;
  /** How the TCP port answers a SYN (may be changed between queries). */
  tcp: "serve" | "refuse" | "silent";
  records: DnsRecord[];
  private conns = new Map<string, Conn>();

  constructor(private readonly o: SimDnsServerOptions) {
    this.tcp = o.tcp ?? "serve";
    this.records = o.records ?? [];
    o.link.onFrame((f) => this.onFrame(f));
  }

  /** Open TCP connections (not yet closed by both sides or reset). */
  get tcpOpen(): number { return [...this.conns.values()].filter((c) => !c.closed).length; }

  /** The records answering `name` as a recursive server gives them: the CNAME chain (at most 16
   *  links, so a loop ends), then the A records of the name reached; null when the name is unknown. */
  lookup(name: string): DnsRecord[] | null {
    const out: DnsRecord[] = [];
    let cur = name;
    for (let hop = 0; hop < 16; hop++) {
      const cname = this.records.find((r) => r.type === "CNAME" && same(r.name, cur));
      if (!cname) break;
      out.push(cname);
      cur = cname.data;
    }
    out.push(...this.records.filter((r) => r.type === "A" && same(r.name, cur)));
    return out.length === 0 && !this.records.some((r) => same(r.name, name)) ? null : out;
  }

  private onFrame(frame: Uint8Array): void {
    const p = parseFrame(frame);
    if (p.arp && p.arp.op === 1 && p.arp.targetIp === this.o.ip) {
      this.o.link.send(buildArpFrame({ op: "reply", senderMac: this.o.mac, senderIp: this.o.ip, targetMac: p.arp.senderMac, targetIp: p.arp.senderIp }));
      return;
    }
    if (!p.ip || p.ip.dst !== this.o.ip || !p.eth) return;
    if (p.udp && p.udp.dport === 53) this.onUdp(p);
    else if (p.tcp && p.tcp.dport === 53) this.onTcp(p);
  }

  private see(proto: "udp" | "tcp", m: Uint8Array, ip: string, port: number): { q: DnsSeen; action: DnsAction } | null {
    const h = parseQuery(m);
    if (!h) return null;
    const q: DnsSeen = { timeMs: this.o.now(), proto, ...h, srcIp: ip, srcPort: port, raw: m.slice() };
    this.seen.push(q);
    return { q, action: this.o.script?.(q, this.seen.length - 1) };
  }

  /** The reply message to q (over UDP a too long one is sent truncated, RFC 1035 4.2.1). */
  private reply(q: DnsSeen, a: Exclude<DnsAction, void | "drop">): Uint8Array {
    const found = this.lookup(q.name);
    const records = a.answers ?? found ?? [];
    const rcode = a.rcode ?? (a.answers || found ? 0 : 3);
    const build = (tc: boolean, rs: DnsRecord[]): number[] => {
      const b = [...u16(a.id ?? q.id), 0x80 | (q.flags >> 8 & 0x01) | (tc ? 0x02 : 0), 0x80 | rcode, 0, 1, ...u16(rs.length), 0, 0, 0, 0,
        ...encodeName(a.qname ?? q.name), ...u16(q.qtype), ...u16(q.qclass)];
      for (const r of rs) {
        const data = r.type === "A" ? ipBytes(r.data) : encodeName(r.data);
        b.push(...(same(r.name, q.name) && !a.qname ? [0xc0, 12] : encodeName(r.name)), 0, r.type === "A" ? 1 : 5, 0, 1,
          ...u32(a.ttl ?? r.ttl ?? 300), ...u16(data.length), ...data);
      }
      return b;
    };
    let m = build(!!a.tc, rcode === 0 && !(a.tc && q.proto === "udp") ? records : []);
    if (q.proto === "udp" && m.length > UDP_MAX) m = build(true, []);
    const out = new Uint8Array(m);
    return a.raw ? a.raw(out) : out;
  }

  private record(proto: "udp" | "tcp", m: Uint8Array): void {
    this.sent.push({ timeMs: this.o.now(), proto, id: m.length >= 2 ? (m[0]! << 8) | m[1]! : -1, rcode: (m[3] ?? 0) & 15,
      tc: !!((m[2] ?? 0) & 2), answers: m.length >= 8 ? (m[6]! << 8) | m[7]! : 0, length: m.length });
  }

  private onUdp(p: ParsedFrame): void {
    const s = this.see("udp", p.udp!.payload, p.ip!.src, p.udp!.sport);
    if (!s || s.action === "drop") return;
    const a = s.action ?? {};
    const m = this.reply(s.q, a);
    this.o.link.send(buildUdpFrame({ srcMac: this.o.mac, dstMac: p.eth!.src, src: a.srcIp ?? this.o.ip, dst: p.ip!.src, sport: a.srcPort ?? 53, dport: p.udp!.sport, payload: m }));
    this.record("udp", m);
  }

  // ── TCP port 53 ─────────────────────────────────────────────────────────────────────────────

  private seg(c: Conn, flags: string, payload?: Uint8Array, seq = c.sndNxt): void {
    this.o.link.send(buildTcpFrame({ srcMac: this.o.mac, dstMac: c.mac, src: this.o.ip, dst: c.ip, sport: 53, dport: c.port, seq, ack: c.rcvNxt, flags, win: 65535, payload }));
  }

  private onTcp(p: ParsedFrame): void {
    const t = p.tcp!;
    const key = `${p.ip!.src}:${t.sport}`;
    let c = this.conns.get(key);
    const syn = (t.flags & 0x12) === 0x02, rst = !!(t.flags & 0x04), fin = !!(t.flags & 0x01);
    if (syn) {
      this.synsSeen++;
      if (this.tcp === "silent") return;
      c = { ip: p.ip!.src, mac: p.eth!.src, port: t.sport, rcvNxt: (t.seq + 1) >>> 0, sndNxt: 1000, buf: [], closed: false };
      if (this.tcp === "refuse") { this.seg(c, "R.", undefined, 0); return; }
      this.conns.set(key, c);
      this.seg(c, "S.");
      c.sndNxt = 1001;
      return;
    }
    if (!c) return;
    if (rst) { c.closed = true; this.conns.delete(key); return; }
    if (t.seq !== c.rcvNxt) { if (t.payload.length || fin) this.seg(c, "."); return; }
    c.buf.push(...t.payload);
    c.rcvNxt = (c.rcvNxt + t.payload.length + (fin ? 1 : 0)) >>> 0;
    if (t.payload.length || fin) this.seg(c, ".");
    if (fin) { c.closed = true; this.conns.delete(key); }
    while (c.buf.length >= 2 && c.buf.length >= 2 + ((c.buf[0]! << 8) | c.buf[1]!)) {
      const n = (c.buf[0]! << 8) | c.buf[1]!;
      const m = new Uint8Array(c.buf.splice(0, 2 + n).slice(2));
      this.onTcpQuery(c, m);
    }
  }

  private onTcpQuery(c: Conn, m: Uint8Array): void {
    const s = this.see("tcp", m, c.ip, c.port);
    if (!s || s.action === "drop") return;
    const a = s.action ?? {};
    if (a.tcp === "reset") { this.seg(c, "R."); c.closed = true; return; }
    if (a.tcp !== "close") {
      const r = this.reply(s.q, a);
      const out = new Uint8Array([...u16(a.lengthPrefix ?? r.length), ...r]);
      for (let o = 0; o < out.length; o += MSS) {
        const part = out.subarray(o, o + MSS);
        this.seg(c, "P.", part);
        c.sndNxt = (c.sndNxt + part.length) >>> 0;
      }
      this.record("tcp", r);
    }
    this.seg(c, "F.");                 // one query a connection: the server closes (RFC 7766 6.2.3 lets it)
    c.sndNxt = (c.sndNxt + 1) >>> 0;
  }
}
