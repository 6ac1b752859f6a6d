// Ethernet II / ARP / IPv4 / ICMP / TCP in TypeScript: builders with correct checksums (to craft
// segments in tests) and a checked parser (for the trace formatter and packet assertions).
// Host-side only; the core has its own wire/ layer.

export const ETH_HLEN = 14;
export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const PSH = 0x08;
export const ACK = 0x10;
export const URG = 0x20;
export const ECE = 0x40;
export const CWR = 0x80;

export const BROADCAST_MAC = "ff:ff:ff:ff:ff:ff";

// ── addresses ──────────────────────────────────────────────────────────────────────────────
export type Ip = string | number;
export type Mac = string | Uint8Array;

/** "198.18.0.1" → 0xC6120001 (a number is passed through as u32). */
export function ipToU32(ip: Ip): number {
  if (typeof ip === "number") return ip >>> 0;
  const parts = ip.split(".");
  if (parts.length !== 4) throw new Error(`bad IPv4 address ${JSON.stringify(ip)}`);
  let v = 0;
  for (const p of parts) {
    const n = Number(p);
    if (!/^\d{1,3}$/.test(p) || n > 255) throw new Error(`bad IPv4 address ${JSON.stringify(ip)}`);
    v = v * 256 + n;
  }
  return v >>> 0;
}

export function u32ToIp(v: number): string {
  v >>>= 0;
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

export function macToBytes(mac: Mac): Uint8Array {
  if (mac instanceof Uint8Array) {
    if (mac.length !== 6) throw new Error("a MAC address has 6 bytes");
    return mac;
  }
  const parts = mac.split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) throw new Error(`bad MAC address ${JSON.stringify(mac)}`);
  return Uint8Array.from(parts.map((p) => parseInt(p, 16)));
}

export function macToString(b: Uint8Array, off = 0): string {
  const out: string[] = [];
  for (let i = 0; i < 6; i++) out.push(b[off + i]!.toString(16).padStart(2, "0"));
  return out.join(":");
}

// ── byte helpers ───────────────────────────────────────────────────────────────────────────
export const be16 = (b: Uint8Array, o: number): number => (b[o]! << 8) | b[o + 1]!;
export const be32 = (b: Uint8Array, o: number): number => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 8) & 255;
  b[o + 1] = v & 255;
}
function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 24) & 255;
  b[o + 1] = (v >>> 16) & 255;
  b[o + 2] = (v >>> 8) & 255;
  b[o + 3] = v & 255;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === "string" ? new TextEncoder().encode(data) : data;
}

/** RFC 1071 one's-complement sum, folded, not inverted; `initial` carries a pseudo-header sum. */
export function onesSum(b: Uint8Array, off = 0, len = b.length - off, initial = 0): number {
  let s = initial;
  let i = off;
  const end = off + len;
  for (; i + 1 < end; i += 2) s += (b[i]! << 8) | b[i + 1]!;
  if (i < end) s += b[i]! << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

/** Internet checksum of b[off, off+len) (the value to store in the header). */
export function checksum(b: Uint8Array, off = 0, len = b.length - off, initial = 0): number {
  return ~onesSum(b, off, len, initial) & 0xffff;
}

function pseudoSum(src: number, dst: number, proto: number, len: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + proto + len;
}

// ── TCP flags ──────────────────────────────────────────────────────────────────────────────
/** tcpdump's order and letters: F S R P U E W, then "." for ACK. */
const FLAG_LETTERS: [number, string][] = [[FIN, "F"], [SYN, "S"], [RST, "R"], [PSH, "P"], [URG, "U"], [ECE, "E"], [CWR, "W"], [ACK, "."]];

/** 0x12 → "S." (tcpdump's Flags [..] text); 0 → "none". */
export function flagsToString(f: number): string {
  let s = "";
  for (const [bit, ch] of FLAG_LETTERS) if (f & bit) s += ch;
  return s || "none";
}

/** "S." / "P." / "FA" → flag bits ("A" and "." both mean ACK). A number is passed through. */
export function parseFlags(f: number | string): number {
  if (typeof f === "number") return f & 0xff;
  let v = 0;
  for (const ch of f) {
    if (ch === "." || ch === "A") v |= ACK;
    else {
      const e = FLAG_LETTERS.find(([, c]) => c === ch);
      if (!e) throw new Error(`unknown TCP flag letter ${JSON.stringify(ch)} in ${JSON.stringify(f)}`);
      v |= e[0];
    }
  }
  return v;
}

// ── TCP options ────────────────────────────────────────────────────────────────────────────
export type TcpOption =
  | { kind: "mss"; value: number }
  | { kind: "wscale"; value: number }
  | { kind: "sackOK" }
  | { kind: "sack"; blocks: [number, number][] }
  | { kind: "ts"; val: number; ecr: number }
  | { kind: "nop" }
  | { kind: "eol" }
  | { kind: "unknown"; type: number; data: Uint8Array };

export function encodeOptions(opts: TcpOption[]): Uint8Array {
  const out: number[] = [];
  for (const o of opts) {
    switch (o.kind) {
      case "mss": out.push(2, 4, (o.value >>> 8) & 255, o.value & 255); break;
      case "wscale": out.push(3, 3, o.value & 255); break;
      case "sackOK": out.push(4, 2); break;
      case "sack": {
        out.push(5, 2 + 8 * o.blocks.length);
        for (const [l, r] of o.blocks) for (const v of [l, r]) out.push((v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
        break;
      }
      case "ts": {
        out.push(8, 10);
        for (const v of [o.val, o.ecr]) out.push((v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
        break;
      }
      case "nop": out.push(1); break;
      case "eol": out.push(0); break;
      case "unknown": out.push(o.type, 2 + o.data.length, ...o.data); break;
    }
  }
  while (out.length % 4) out.push(0); // pad with EOL to a 32-bit boundary
  if (out.length > 40) throw new Error(`TCP options too long (${out.length} bytes)`);
  return Uint8Array.from(out);
}

/** Parse the options area; returns null if an option's length is malformed. */
export function decodeOptions(b: Uint8Array, off: number, len: number): TcpOption[] | null {
  const out: TcpOption[] = [];
  let i = off;
  const end = off + len;
  while (i < end) {
    const kind = b[i]!;
    if (kind === 0) {
      out.push({ kind: "eol" });
      break;
    }
    if (kind === 1) {
      out.push({ kind: "nop" });
      i++;
      continue;
    }
    if (i + 1 >= end) return null;
    const olen = b[i + 1]!;
    if (olen < 2 || i + olen > end) return null;
    switch (kind) {
      case 2:
        if (olen !== 4) return null;
        out.push({ kind: "mss", value: be16(b, i + 2) });
        break;
      case 3:
        if (olen !== 3) return null;
        out.push({ kind: "wscale", value: b[i + 2]! });
        break;
      case 4:
        if (olen !== 2) return null;
        out.push({ kind: "sackOK" });
        break;
      case 5: {
        if ((olen - 2) % 8 !== 0) return null;
        const blocks: [number, number][] = [];
        for (let j = i + 2; j < i + olen; j += 8) blocks.push([be32(b, j), be32(b, j + 4)]);
        out.push({ kind: "sack", blocks });
        break;
      }
      case 8:
        if (olen !== 10) return null;
        out.push({ kind: "ts", val: be32(b, i + 2), ecr: be32(b, i + 6) });
        break;
      default:
        out.push({ kind: "unknown", type: kind, data: b.slice(i + 2, i + olen) });
    }
    i += olen;
  }
  return out;
}

// ── builders ───────────────────────────────────────────────────────────────────────────────
export function buildEthernet(f: { dst: Mac; src: Mac; type: number; payload: Uint8Array }): Uint8Array {
  const out = new Uint8Array(ETH_HLEN + f.payload.length);
  out.set(macToBytes(f.dst), 0);
  out.set(macToBytes(f.src), 6);
  put16(out, 12, f.type);
  out.set(f.payload, ETH_HLEN);
  return out;
}

export interface ArpFields {
  op: "request" | "reply" | number;
  senderMac: Mac;
  senderIp: Ip;
  targetMac?: Mac;
  targetIp: Ip;
}

export function buildArp(a: ArpFields): Uint8Array {
  const b = new Uint8Array(28);
  put16(b, 0, 1); // Ethernet
  put16(b, 2, ETHERTYPE_IPV4);
  b[4] = 6;
  b[5] = 4;
  put16(b, 6, a.op === "request" ? 1 : a.op === "reply" ? 2 : a.op);
  b.set(macToBytes(a.senderMac), 8);
  put32(b, 14, ipToU32(a.senderIp));
  b.set(macToBytes(a.targetMac ?? "00:00:00:00:00:00"), 18);
  put32(b, 24, ipToU32(a.targetIp));
  return b;
}

/** An ARP frame: requests go to broadcast, replies to targetMac. */
export function buildArpFrame(a: ArpFields & { dstMac?: Mac }): Uint8Array {
  const dst = a.dstMac ?? (a.op === "request" ? BROADCAST_MAC : a.targetMac ?? BROADCAST_MAC);
  return buildEthernet({ dst, src: a.senderMac, type: ETHERTYPE_ARP, payload: buildArp(a) });
}

export interface Ipv4Fields {
  src: Ip;
  dst: Ip;
  proto: number;
  payload: Uint8Array;
  ttl?: number;
  id?: number;
  tos?: number;
  /** Don't-fragment bit (default true, like most stacks). */
  df?: boolean;
  /** Raw flags+fragment offset field, overrides df. */
  fragField?: number;
  /** Override the computed header checksum (e.g. to craft a bad one). */
  checksum?: number;
}

export function buildIpv4(f: Ipv4Fields): Uint8Array {
  const b = new Uint8Array(20 + f.payload.length);
  b[0] = 0x45;
  b[1] = f.tos ?? 0;
  put16(b, 2, b.length);
  put16(b, 4, f.id ?? 0);
  put16(b, 6, f.fragField ?? ((f.df ?? true) ? 0x4000 : 0));
  b[8] = f.ttl ?? 64;
  b[9] = f.proto;
  put32(b, 12, ipToU32(f.src));
  put32(b, 16, ipToU32(f.dst));
  put16(b, 10, f.checksum ?? checksum(b, 0, 20));
  b.set(f.payload, 20);
  return b;
}

export interface TcpFields {
  src: Ip;
  dst: Ip;
  sport: number;
  dport: number;
  seq?: number;
  ack?: number;
  /** Bits, or tcpdump letters: "S", "S.", ".", "P.", "F.", "R", "R.". */
  flags?: number | string;
  win?: number;
  urp?: number;
  options?: TcpOption[];
  payload?: Uint8Array | string;
  /** Override the computed TCP checksum (e.g. to craft a bad one). */
  checksum?: number;
}

/** A TCP segment (header + options + payload) with the checksum over the pseudo-header. */
export function buildTcp(f: TcpFields): Uint8Array {
  const opts = encodeOptions(f.options ?? []);
  const payload = toBytes(f.payload ?? new Uint8Array(0));
  const hlen = 20 + opts.length;
  const b = new Uint8Array(hlen + payload.length);
  put16(b, 0, f.sport);
  put16(b, 2, f.dport);
  put32(b, 4, (f.seq ?? 0) >>> 0);
  put32(b, 8, (f.ack ?? 0) >>> 0);
  b[12] = (hlen / 4) << 4;
  b[13] = parseFlags(f.flags ?? 0);
  put16(b, 14, f.win ?? 65535);
  put16(b, 18, f.urp ?? 0);
  b.set(opts, 20);
  b.set(payload, hlen);
  const src = ipToU32(f.src);
  const dst = ipToU32(f.dst);
  put16(b, 16, f.checksum ?? checksum(b, 0, b.length, pseudoSum(src, dst, IPPROTO_TCP, b.length)));
  return b;
}

export interface FrameAddrs {
  srcMac: Mac;
  dstMac: Mac;
}

/** Ethernet + IPv4 + TCP, every checksum correct unless overridden. */
export function buildTcpFrame(f: TcpFields & FrameAddrs & { ttl?: number; id?: number; ipChecksum?: number }): Uint8Array {
  const ip = buildIpv4({ src: f.src, dst: f.dst, proto: IPPROTO_TCP, payload: buildTcp(f), ttl: f.ttl, id: f.id, checksum: f.ipChecksum });
  return buildEthernet({ dst: f.dstMac, src: f.srcMac, type: ETHERTYPE_IPV4, payload: ip });
}

export interface UdpFields {
  src: Ip;
  dst: Ip;
  sport: number;
  dport: number;
  payload?: Uint8Array | string;
  /** Override the computed checksum (0 = none, RFC 768; or a bad one). */
  checksum?: number;
}

/** A UDP datagram (header + payload) with the checksum over the pseudo-header (0 sent as 0xFFFF). */
export function buildUdp(f: UdpFields): Uint8Array {
  const payload = toBytes(f.payload ?? new Uint8Array(0));
  const b = new Uint8Array(8 + payload.length);
  put16(b, 0, f.sport);
  put16(b, 2, f.dport);
  put16(b, 4, b.length);
  b.set(payload, 8);
  const ck = checksum(b, 0, b.length, pseudoSum(ipToU32(f.src), ipToU32(f.dst), IPPROTO_UDP, b.length));
  put16(b, 6, f.checksum ?? (ck === 0 ? 0xffff : ck));
  return b;
}

/** Ethernet + IPv4 + UDP. */
export function buildUdpFrame(f: UdpFields & FrameAddrs & { ttl?: number; id?: number }): Uint8Array {
  const ip = buildIpv4({ src: f.src, dst: f.dst, proto: IPPROTO_UDP, payload: buildUdp(f), ttl: f.ttl, id: f.id });
  return buildEthernet({ dst: f.dstMac, src: f.srcMac, type: ETHERTYPE_IPV4, payload: ip });
}

export interface IcmpEchoFields {
  type?: "request" | "reply";
  id: number;
  seq: number;
  data?: Uint8Array | string;
}

export function buildIcmpEcho(f: IcmpEchoFields): Uint8Array {
  const data = toBytes(f.data ?? new Uint8Array(0));
  const b = new Uint8Array(8 + data.length);
  b[0] = f.type === "reply" ? 0 : 8;
  put16(b, 4, f.id);
  put16(b, 6, f.seq);
  b.set(data, 8);
  put16(b, 2, checksum(b));
  return b;
}

export function buildIcmpEchoFrame(f: IcmpEchoFields & FrameAddrs & { src: Ip; dst: Ip; ttl?: number }): Uint8Array {
  const ip = buildIpv4({ src: f.src, dst: f.dst, proto: IPPROTO_ICMP, payload: buildIcmpEcho(f), ttl: f.ttl });
  return buildEthernet({ dst: f.dstMac, src: f.srcMac, type: ETHERTYPE_IPV4, payload: ip });
}

// ── parser ─────────────────────────────────────────────────────────────────────────────────
export interface EthHeader {
  dst: string;
  src: string;
  type: number;
}
export interface ArpPacket {
  op: number;
  senderMac: string;
  senderIp: string;
  targetMac: string;
  targetIp: string;
}
export interface Ipv4Packet {
  src: string;
  dst: string;
  proto: number;
  ttl: number;
  id: number;
  tos: number;
  ihl: number;
  totalLength: number;
  fragField: number;
  checksum: number;
  checksumOk: boolean;
}
export interface TcpSegment {
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  flags: number;
  /** tcpdump letters, e.g. "S." */
  flagStr: string;
  win: number;
  urp: number;
  dataOffset: number;
  options: TcpOption[] | null;
  payload: Uint8Array;
  checksum: number;
  checksumOk: boolean;
  /** The checksum the segment should carry. */
  expectedChecksum: number;
}
export interface UdpDatagram {
  sport: number;
  dport: number;
  /** The length field (header + data). */
  length: number;
  payload: Uint8Array;
  checksum: number;
  /** True for a zero checksum (none, RFC 768) too. */
  checksumOk: boolean;
}
export interface IcmpPacket {
  type: number;
  code: number;
  id: number;
  seq: number;
  checksumOk: boolean;
  payload: Uint8Array;
}
export interface ParsedFrame {
  length: number;
  eth?: EthHeader;
  arp?: ArpPacket;
  ip?: Ipv4Packet;
  tcp?: TcpSegment;
  udp?: UdpDatagram;
  icmp?: IcmpPacket;
  /** Why parsing stopped early (truncated, malformed); the fields parsed so far are kept. */
  error?: string;
}

/** Parse a frame; never throws: malformed parts are reported in `error`. */
export function parseFrame(b: Uint8Array): ParsedFrame {
  const r: ParsedFrame = { length: b.length };
  if (b.length < ETH_HLEN) return { ...r, error: `truncated ethernet (${b.length} bytes)` };
  r.eth = { dst: macToString(b, 0), src: macToString(b, 6), type: be16(b, 12) };
  const p = b.subarray(ETH_HLEN);
  if (r.eth.type === ETHERTYPE_ARP) {
    if (p.length < 28) return { ...r, error: "truncated arp" };
    r.arp = { op: be16(p, 6), senderMac: macToString(p, 8), senderIp: u32ToIp(be32(p, 14)), targetMac: macToString(p, 18), targetIp: u32ToIp(be32(p, 24)) };
    return r;
  }
  if (r.eth.type !== ETHERTYPE_IPV4) return r;
  if (p.length < 20) return { ...r, error: "truncated ip" };
  const ver = p[0]! >> 4;
  const ihl = (p[0]! & 15) * 4;
  const total = be16(p, 2);
  if (ver !== 4 || ihl < 20 || total < ihl || total > p.length) return { ...r, error: `malformed ip (version ${ver}, ihl ${ihl}, total ${total}, have ${p.length})` };
  const ipck = be16(p, 10);
  r.ip = {
    src: u32ToIp(be32(p, 12)), dst: u32ToIp(be32(p, 16)), proto: p[9]!, ttl: p[8]!, id: be16(p, 4), tos: p[1]!, ihl,
    totalLength: total, fragField: be16(p, 6), checksum: ipck, checksumOk: onesSum(p, 0, ihl) === 0xffff,
  };
  const frag = r.ip.fragField & 0x3fff;
  if (frag !== 0) return { ...r, error: "ip fragment" };
  const l4 = p.subarray(ihl, total);
  if (r.ip.proto === IPPROTO_TCP) {
    if (l4.length < 20) return { ...r, error: "truncated tcp" };
    const doff = (l4[12]! >> 4) * 4;
    if (doff < 20 || doff > l4.length) return { ...r, error: `malformed tcp (data offset ${doff})` };
    const src = be32(p, 12);
    const dst = be32(p, 16);
    const ps = pseudoSum(src, dst, IPPROTO_TCP, l4.length);
    const ck = be16(l4, 16);
    const ok = onesSum(l4, 0, l4.length, ps) === 0xffff;
    // expected: recompute with the checksum field zeroed
    const copy = l4.slice();
    copy[16] = 0;
    copy[17] = 0;
    const flags = l4[13]!;
    r.tcp = {
      sport: be16(l4, 0), dport: be16(l4, 2), seq: be32(l4, 4), ack: be32(l4, 8), flags, flagStr: flagsToString(flags),
      win: be16(l4, 14), urp: be16(l4, 18), dataOffset: doff, options: decodeOptions(l4, 20, doff - 20),
      payload: l4.slice(doff), checksum: ck, checksumOk: ok, expectedChecksum: checksum(copy, 0, copy.length, ps),
    };
    return r;
  }
  if (r.ip.proto === IPPROTO_UDP) {
    if (l4.length < 8) return { ...r, error: "truncated udp" };
    const ulen = be16(l4, 4);
    if (ulen < 8 || ulen > l4.length) return { ...r, error: `malformed udp (length ${ulen}, have ${l4.length})` };
    const ck = be16(l4, 6);
    const ok = ck === 0 || onesSum(l4, 0, ulen, pseudoSum(be32(p, 12), be32(p, 16), IPPROTO_UDP, ulen)) === 0xffff;
    r.udp = { sport: be16(l4, 0), dport: be16(l4, 2), length: ulen, payload: l4.slice(8, ulen), checksum: ck, checksumOk: ok };
    return r;
  }
  if (r.ip.proto === IPPROTO_ICMP) {
    if (l4.length < 8) return { ...r, error: "truncated icmp" };
    r.icmp = { type: l4[0]!, code: l4[1]!, id: be16(l4, 4), seq: be16(l4, 6), checksumOk: onesSum(l4) === 0xffff, payload: l4.slice(8) };
  }
  return r;
}

/** Sequence-space length of a segment: payload + SYN + FIN. */
export function segLen(t: TcpSegment): number {
  return t.payload.length + (t.flags & SYN ? 1 : 0) + (t.flags & FIN ? 1 : 0);
}
