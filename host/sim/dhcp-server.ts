// A scripted DHCP server (RFC 2131) and a host that holds an address (RFC 5227's other party), for
// the simulator: each sits on a Link (a switch port) and speaks raw frames. By default the server
// offers addresses from a pool and ACKs what it offered; a script decides per message to drop it,
// NAK it, or change the reply (other address, other or broken options, raw bytes) — so that every
// rule of the client has a replayable test (tests/sim/dhcp.test.ts).
import type { Link } from "../link/link.ts";
import { buildArpFrame, buildEthernet, buildIpv4, ipToU32, macToBytes, macToString, parseFrame, u32ToIp } from "../packet/packet.ts";

export const DHCP_TYPES = ["", "DISCOVER", "OFFER", "REQUEST", "DECLINE", "ACK", "NAK", "RELEASE", "INFORM"] as const;
const MAGIC = 0x63825363;

/** A client message as the server saw it. */
export interface DhcpSeen {
  timeMs: number;
  type: number;
  typeName: string;
  xid: number;
  secs: number;
  ciaddr: string;
  chaddr: string;
  /** Option 50, 54, 61 (hex), 55 (codes), 12 when present. */
  requested?: string;
  serverId?: string;
  clientId?: string;
  params?: number[];
  hostname?: string;
  srcIp: string;
  dstIp: string;
  /** The whole option list, code → bytes. */
  options: Map<number, Uint8Array>;
}

/** What the script does with one message: nothing (default reply), drop it, NAK it, or reply otherwise. */
export type DhcpAction = void | "drop" | "nak" | {
  /** Reply type (default OFFER for a DISCOVER, ACK for a REQUEST). */
  type?: number;
  yiaddr?: string;
  leaseS?: number;
  /** Options to add or replace (code → bytes; null removes a default one). */
  options?: Record<number, number[] | null>;
  /** Rewrite the finished DHCP message (a lying or broken server). */
  raw?: (b: Uint8Array) => Uint8Array;
  /** Reply from another transaction id. */
  xid?: number;
  /** Send from this UDP source port instead of 67. */
  srcPort?: number;
};

export interface SimDhcpServerOptions {
  link: Link;
  now: () => number;
  mac: string;
  ip: string;
  /** First address handed out; the next client (or the next after a DECLINE) gets the next one. */
  pool: string;
  prefix?: number;
  router?: string | null;
  dns?: string[];
  leaseS?: number;
  /** Options 58/59 (absent by default: the client's defaults 0.5 and 0.875 apply). */
  t1S?: number;
  t2S?: number;
  script?: (m: DhcpSeen, index: number) => DhcpAction;
}

function be32(b: Uint8Array, o: number): number { return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0; }
function u32Bytes(v: number): number[] { return [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255]; }
function ipBytes(ip: string): number[] { return u32Bytes(ipToU32(ip)); }

/** A UDP datagram (checksum 0: none, RFC 768) in IPv4 in Ethernet. */
export function udpFrame(f: { srcMac: string; dstMac: string; src: string; dst: string; sport: number; dport: number; data: Uint8Array }): Uint8Array {
  const u = new Uint8Array(8 + f.data.length);
  u[0] = f.sport >> 8; u[1] = f.sport & 255; u[2] = f.dport >> 8; u[3] = f.dport & 255;
  u[4] = u.length >> 8; u[5] = u.length & 255;
  u.set(f.data, 8);
  return buildEthernet({ dst: f.dstMac, src: f.srcMac, type: 0x0800, payload: buildIpv4({ src: f.src, dst: f.dst, proto: 17, payload: u, df: false }) });
}

/** Parse a BOOTREQUEST in a frame (UDP to port 67), or null. */
export function parseDhcpRequest(frame: Uint8Array, timeMs: number): DhcpSeen | null {
  const p = parseFrame(frame);
  if (!p.ip || p.ip.proto !== 17) return null;
  const ihl = (frame[14]! & 15) * 4;
  const u = frame.subarray(14 + ihl);
  if (u.length < 8 || ((u[2]! << 8) | u[3]!) !== 67) return null;
  const b = u.subarray(8);
  if (b.length < 240 || b[0] !== 1 || be32(b, 236) !== MAGIC) return null;
  const options = new Map<number, Uint8Array>();
  for (let i = 240; i < b.length;) {
    const code = b[i]!;
    if (code === 255) break;
    if (code === 0) { i++; continue; }
    const len = b[i + 1] ?? 0;
    options.set(code, b.slice(i + 2, i + 2 + len));
    i += 2 + len;
  }
  const type = options.get(53)?.[0] ?? 0;
  const ip4 = (c: number) => { const v = options.get(c); return v && v.length === 4 ? u32ToIp(be32(v, 0)) : undefined; };
  return {
    timeMs, type, typeName: DHCP_TYPES[type] ?? `TYPE_${type}`, xid: be32(b, 4), secs: (b[8]! << 8) | b[9]!,
    ciaddr: u32ToIp(be32(b, 12)), chaddr: macToString(b, 28),
    requested: ip4(50), serverId: ip4(54),
    clientId: options.has(61) ? [...options.get(61)!].map((x) => x.toString(16).padStart(2, "0")).join("") : undefined,
    params: options.has(55) ? [...options.get(55)!] : undefined,
    hostname: options.has(12) ? String.fromCharCode(...options.get(12)!) : undefined,
    srcIp: p.ip.src, dstIp: p.ip.dst, options,
  };
}

export class SimDhcpServer {
  /** Every client message received, in order. */
  readonly seen: DhcpSeen[] = [];
  /** Every reply sent: type and time. */
  readonly sent: { timeMs: number; type: number; typeName: string; yiaddr: string; xid: number }[] = [];
  /** Addresses given to each client MAC. */
  readonly leases = new Map<string, string>();
  private next: number;
  private declined = new Set<number>();

  constructor(private readonly o: SimDhcpServerOptions) {
    this.next = ipToU32(o.pool);
    o.link.onFrame((f) => this.onFrame(f));
  }

  private addressFor(mac: string): string {
    let a = this.leases.get(mac);
    if (a && !this.declined.has(ipToU32(a))) return a;
    while (this.declined.has(this.next)) this.next++;
    a = u32ToIp(this.next++);
    this.leases.set(mac, a);
    return a;
  }

  private onFrame(frame: Uint8Array): void {
    const arp = parseFrame(frame).arp;
    if (arp && arp.op === 1 && arp.targetIp === this.o.ip) {   // the client's unicasts (renew, release) ask for us
      this.o.link.send(buildArpFrame({ op: "reply", senderMac: this.o.mac, senderIp: this.o.ip, targetMac: arp.senderMac, targetIp: arp.senderIp }));
      return;
    }
    const m = parseDhcpRequest(frame, this.o.now());
    if (!m) return;
    this.seen.push(m);
    const action = this.o.script?.(m, this.seen.length - 1);
    if (m.type === 4 && m.requested) { this.declined.add(ipToU32(m.requested)); this.leases.delete(m.chaddr); }
    if (action === "drop" || m.type === 4 || m.type === 7) return;
    if (m.type !== 1 && m.type !== 3) return;
    const yi = this.addressFor(m.chaddr);
    if (action === "nak") { this.reply(m, 6, "0.0.0.0", {}); return; }
    const a = typeof action === "object" ? action : {};
    if (m.type === 3 && !a.type && !a.yiaddr) {
      const asked = m.requested ?? m.ciaddr;
      const forOther = m.serverId !== undefined && m.serverId !== this.o.ip;
      if (forOther) return;                                    // the client chose another server
      if (asked !== yi) { this.reply(m, 6, "0.0.0.0", {}); return; }
    }
    this.reply(m, a.type ?? (m.type === 1 ? 2 : 5), a.yiaddr ?? yi, a);
  }

  private reply(m: DhcpSeen, type: number, yiaddr: string, a: Exclude<DhcpAction, void | "drop" | "nak">): void {
    const o = this.o;
    const opts = new Map<number, number[]>();
    opts.set(53, [type]);
    opts.set(54, ipBytes(o.ip));
    if (type !== 6) {
      opts.set(51, u32Bytes(a.leaseS ?? o.leaseS ?? 3600));
      if (o.t1S !== undefined) opts.set(58, u32Bytes(o.t1S));
      if (o.t2S !== undefined) opts.set(59, u32Bytes(o.t2S));
      const prefix = o.prefix ?? 24;
      opts.set(1, u32Bytes(prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0));
      if (o.router !== null) opts.set(3, ipBytes(o.router ?? o.ip));
      if (o.dns?.length) opts.set(6, o.dns.flatMap(ipBytes));
    }
    for (const [k, v] of Object.entries(a.options ?? {})) {
      if (v === null) opts.delete(Number(k)); else opts.set(Number(k), v);
    }
    const optBytes: number[] = [];
    for (const [k, v] of opts) optBytes.push(k, v.length, ...v);
    optBytes.push(255);
    let b: Uint8Array = new Uint8Array(Math.max(300, 240 + optBytes.length));
    b[0] = 2; b[1] = 1; b[2] = 6;
    const xid = a.xid ?? m.xid;
    b.set(u32Bytes(xid >>> 0), 4);
    b.set(ipBytes(yiaddr), 16);
    b.set(ipBytes(o.ip), 20);
    b.set(macToBytes(m.chaddr), 28);
    b.set(u32Bytes(MAGIC), 236);
    b.set(optBytes, 240);
    if (a.raw) b = a.raw(b);
    const unicast = m.ciaddr !== "0.0.0.0";
    o.link.send(udpFrame({
      srcMac: o.mac, dstMac: unicast ? m.chaddr : "ff:ff:ff:ff:ff:ff", src: o.ip, dst: unicast ? m.ciaddr : "255.255.255.255",
      sport: a.srcPort ?? 67, dport: 68, data: b,
    }));
    this.sent.push({ timeMs: o.now(), type, typeName: DHCP_TYPES[type] ?? `TYPE_${type}`, yiaddr, xid });
  }
}

/** A host that holds `ip` and answers ARP for it, probes included (RFC 5227 2.1.1: the defender). */
export class SimArpHost {
  answered = 0;
  constructor(private readonly o: { link: Link; mac: string; ip: string }) {
    o.link.onFrame((f) => {
      const p = parseFrame(f);
      if (!p.arp || p.arp.op !== 1 || p.arp.targetIp !== o.ip || p.arp.senderMac === o.mac) return;
      this.answered++;
      o.link.send(buildArpFrame({ op: "reply", senderMac: o.mac, senderIp: o.ip, targetMac: p.arp.senderMac, targetIp: p.arp.senderIp }));
    });
  }
}
