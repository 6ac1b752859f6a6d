// UDP sockets (RFC 768, RFC 1122 4.1): a fixed table of UDP_SOCKETS slots, each with a bounded
// queue of received datagrams in its own UDP_QUEUE-byte slice of one region. Used by the ABI's app
// calls (socket/udp.ts checks ownership and pointer ranges first) and by the core's own clients
// (DHCP, DNS), which own their sockets.
//
// A handle is (generation << 8) | slot, like a TCP handle: closing bumps the generation, so a stale
// handle is refused (EBADF). Time is the core's u32 ms (time.ts).
//
// Queue of one socket: records packed from the start of its slice, oldest first, each
//   0        4        6        8
//   | src ip | s.port | length | data …, padded to a multiple of 4
// Reading the oldest moves the rest down (a slice is at most a few KiB; no holes, no wrap).
import { UDP_SOCKETS, UDP_QUEUE, EPHEMERAL_FIRST } from "../config";
import { C, count } from "../counters";
import { Err } from "../errors";
import { Region, regionAlloc } from "../storage/layout";
import { handleSlot, nextGen } from "../storage/handle";
import { Ev, eventPush } from "../storage/events";
import { keyedHash } from "../siphash";
import { ifaceIp, ifaceIsBroadcast } from "../iface/iface";
import { ipOutput, ipTxPayload, ipTxPayloadMax, ipNextHopFailed } from "../iface/output";
import { IPPROTO_UDP, UDP_HDR_LEN, udpEmit } from "../wire/udp";

/** Who holds a socket: the ABI's app calls touch only UDP_OWNER_APP sockets. */
@inline export const UDP_OWNER_APP: u8 = 0;
@inline export const UDP_OWNER_DHCP: u8 = 1;
@inline export const UDP_OWNER_DNS: u8 = 2;

/** udpRecvFrom's meta record (12 bytes, little-endian like every ABI struct): */
@inline export const META_SRC_IP: usize = 0;    // u32
@inline export const META_SRC_PORT: usize = 4;  // u16
@inline export const META_FLAGS: usize = 6;     // u16, bit 0: truncated (the datagram was longer than cap)
@inline export const META_LEN: usize = 8;       // u32, the datagram's full length
@inline export const META_SIZE: i32 = 12;
@inline export const META_TRUNCATED: u16 = 1;

@inline const REC_HDR: u32 = 8;
@inline const F_IN_USE: u8 = 1;
@inline const F_BOUND: u8 = 2;
@inline const F_CONNECTED: u8 = 4;

@unmanaged class UdpSock {
  flags: u8;
  owner: u8;
  gen: u16;          // 1..127, bumped on close
  localPort: u16;
  remotePort: u16;   // when connected
  remoteIp: u32;
  err: i32;          // pending error from an ICMP message, returned once by udpRecvFrom
  used: u32;         // bytes of queue in use
  queue: usize;      // this socket's UDP_QUEUE bytes
}
@inline const SOCK_SIZE: usize = offsetof<UdpSock>();

let base: usize = 0;
let portSeq: u32 = 0;

export function udpInit(): void {
  base = regionAlloc(Region.UDP_SOCKETS, <usize>UDP_SOCKETS * SOCK_SIZE);
  const q = regionAlloc(Region.UDP_QUEUES, <usize>UDP_SOCKETS * <usize>UDP_QUEUE);
  for (let i = 0; i < UDP_SOCKETS; i++) {
    const s = sockAt(i);
    s.gen = 1;
    s.queue = q + <usize>i * <usize>UDP_QUEUE;
  }
  portSeq = 0;
}

function sockAt(i: i32): UdpSock { return changetype<UdpSock>(base + <usize>i * SOCK_SIZE); }
function handleOf(i: i32): i32 { return (<i32>sockAt(i).gen << 8) | i; }

/** The live socket a handle names, or null for a stale or forged one. */
function fromHandle(h: i32): UdpSock | null {
  const i = handleSlot(h, UDP_SOCKETS);
  if (i < 0) return null;
  const s = sockAt(i);
  if (!(s.flags & F_IN_USE) || <i32>s.gen != (h >> 8)) return null;
  return s;
}

/** A new unbound socket for `owner`: its handle, or Err.EMFILE when the table is full. */
export function udpOpen(owner: u8): i32 {
  for (let i = 0; i < UDP_SOCKETS; i++) {
    const s = sockAt(i);
    if (s.flags & F_IN_USE) continue;
    s.flags = F_IN_USE;
    s.owner = owner;
    memory.fill(changetype<usize>(s) + offsetof<UdpSock>("localPort"), 0, offsetof<UdpSock>("queue") - offsetof<UdpSock>("localPort"));   // ports, peer, err, used
    return handleOf(i);
  }
  return Err.EMFILE;
}

/** The owner of a live handle, or -1. */
export function udpOwner(h: i32): i32 {
  const s = fromHandle(h);
  return s == null ? -1 : <i32>s.owner;
}

/** The slot of the socket bound to port, or -1. */
function boundTo(port: u32): i32 {
  for (let i = 0; i < UDP_SOCKETS; i++) {
    const s = sockAt(i);
    if ((s.flags & F_BOUND) && <u32>s.localPort == port) return i;
  }
  return -1;
}
function portInUse(port: u32): bool { return boundTo(port) >= 0; }

/** RFC 6056 3.3.1 (algorithm 1): a port drawn from the seeded hash, the next free one after it. */
function ephemeralPort(): u32 {
  const start = <u32>keyedHash(0x5544_5000, <u64>portSeq);
  portSeq++;
  for (let i: u32 = 0; i < 16384; i++) {
    const port = <u32>EPHEMERAL_FIRST + ((start + i) & 16383);
    if (!portInUse(port)) return port;
  }
  return 0;
}

/** Bind to `port` (0: an ephemeral port). 0, or Err.EBADF, Err.EINVAL (already bound),
 *  Err.EADDRINUSE (another socket has the port, or no ephemeral port is free). */
export function udpBind(h: i32, port: i32): i32 {
  const s = fromHandle(h);
  if (s == null) return Err.EBADF;
  if (s.flags & F_BOUND) return Err.EINVAL;
  let p = <u32>port;
  if (p == 0) p = ephemeralPort();
  if (p == 0 || portInUse(p)) return Err.EADDRINUSE;
  s.localPort = <u16>p;
  s.flags |= F_BOUND;
  return 0;
}

/** The local port of a socket (0 while unbound), or Err.EBADF. */
export function udpLocalPort(h: i32): i32 {
  const s = fromHandle(h);
  return s == null ? Err.EBADF : <i32>s.localPort;
}

/** Fix the peer: sends default to it and only its datagrams are received (binds an ephemeral
 *  port first if needed). ip 0 and port 0 dissolve the association. 0, or Err.EBADF/EINVAL/EADDRINUSE. */
export function udpConnect(h: i32, ip: u32, port: u16): i32 {
  const s = fromHandle(h);
  if (s == null) return Err.EBADF;
  if (ip == 0 && port == 0) { s.flags &= ~F_CONNECTED; s.remoteIp = 0; s.remotePort = 0; return 0; }
  if (ip == 0 || port == 0) return Err.EINVAL;
  if (!(s.flags & F_BOUND)) { const rc = udpBind(h, 0); if (rc < 0) return rc; }
  s.remoteIp = ip; s.remotePort = port;
  s.flags |= F_CONNECTED;
  return 0;
}

/**
 * Send `len` bytes at ptr to ip:port (ip 0 and port 0: the connected peer). Returns len, or
 * Err.EBADF; Err.EDESTADDRREQ-like Err.ENOTCONN (no address and not connected); Err.EINVAL (port
 * 0, address 0); Err.EMSGSIZE (more than MTU − 28 bytes: no fragmentation); Err.ENETUNREACH (no
 * route; unicast before the interface has an address); Err.EHOSTUNREACH (the next hop did not
 * answer ARP). 255.255.255.255 goes to the broadcast MAC without ARP, also from source 0.0.0.0.
 * A datagram waiting for ARP counts as sent (RFC 1122 4.1.3.3 leaves reporting to ICMP).
 */
export function udpSendTo(h: i32, ip: u32, port: i32, ptr: usize, len: u32, now: u32): i32 {
  const s = fromHandle(h);
  if (s == null) return Err.EBADF;
  if (ip == 0 && port == 0) {
    if (!(s.flags & F_CONNECTED)) return Err.ENOTCONN;
    ip = s.remoteIp; port = <i32>s.remotePort;
  }
  if (ip == 0 || port == 0) return Err.EINVAL;
  if (len > <u32>(ipTxPayloadMax() - UDP_HDR_LEN)) return Err.EMSGSIZE;
  if (!ifaceIsBroadcast(ip)) {
    if (ifaceIp() == 0) return Err.ENETUNREACH;
    if (ipNextHopFailed(ip)) return Err.EHOSTUNREACH;
  }
  if (!(s.flags & F_BOUND)) { const rc = udpBind(h, 0); if (rc < 0) return rc; }
  const seg = ipTxPayload();
  memory.copy(seg + <usize>UDP_HDR_LEN, ptr, <usize>len);
  const n = udpEmit(seg, ifaceIp(), ip, s.localPort, <u16>port, <i32>len);
  const rc = ipOutput(ip, IPPROTO_UDP, n, now);
  if (rc < 0) return rc;
  count(C.UDP_TX);
  return <i32>len;
}

/**
 * Take the oldest datagram: copy at most cap bytes to ptr and describe it in the 12-byte record at
 * meta (source ip, source port, flags bit 0 = truncated, full length). Returns the bytes copied;
 * a pending ICMP error first (once); Err.EAGAIN when the queue is empty; Err.EBADF.
 * A datagram longer than cap is never silently cut: the flag and the full length say so.
 */
export function udpRecvFrom(h: i32, ptr: usize, cap: u32, meta: usize): i32 {
  const s = fromHandle(h);
  if (s == null) return Err.EBADF;
  if (s.err != 0) { const e = s.err; s.err = 0; return e; }
  if (s.used == 0) return Err.EAGAIN;
  const q = s.queue;
  const len = <u32>load<u16>(q, 6);
  const n = len < cap ? len : cap;
  memory.copy(ptr, q + <usize>REC_HDR, <usize>n);
  store<u64>(meta + META_SRC_IP, load<u64>(q));    // source ip and port (the record's length under the flags)
  store<u16>(meta + META_FLAGS, n < len ? META_TRUNCATED : 0);
  store<u32>(meta + META_LEN, len);
  const rec = REC_HDR + ((len + 3) & ~3);
  s.used -= rec;
  memory.copy(q, q + <usize>rec, <usize>s.used);
  return <i32>n;
}

/** Length of the oldest queued datagram (0 may be an empty datagram), Err.EAGAIN when none, Err.EBADF. */
export function udpPending(h: i32): i32 {
  const s = fromHandle(h);
  if (s == null) return Err.EBADF;
  return s.used == 0 ? Err.EAGAIN : <i32>load<u16>(s.queue, 6);
}

/** Release the socket; its handle becomes stale and its queued datagrams are dropped. 0 or Err.EBADF. */
export function udpClose(h: i32): i32 {
  const s = fromHandle(h);
  if (s == null) return Err.EBADF;
  s.flags = 0;
  s.used = 0;
  s.gen = <u16>nextGen(s.gen);
  return 0;
}

/** Sockets in use (tests, leak checks). */
export function udpSocketsInUse(): i32 {
  let n = 0;
  for (let i = 0; i < UDP_SOCKETS; i++) if (sockAt(i).flags & F_IN_USE) n++;
  return n;
}

// ── delivery (udp/input.ts) ───────────────────────────────────────────────────────────────────

/** The socket that takes a datagram to port dport from src:sport: bound to dport and, if connected,
 *  to that peer. Its slot index, or -1. */
export function udpLookup(dport: i32, src: u32, sport: i32): i32 {
  const i = boundTo(<u32>dport);
  if (i < 0) return -1;
  const s = sockAt(i);
  return (s.flags & F_CONNECTED) && (s.remoteIp != src || s.remotePort != sport) ? -1 : i;
}

/** Queue `len` bytes at data from src:sport on slot i. false (counted) when the queue has no room. */
export function udpDeliver(i: i32, src: u32, sport: i32, data: usize, len: i32): bool {
  const s = sockAt(i);
  const rec = REC_HDR + ((<u32>len + 3) & ~3);
  if (s.used + rec > <u32>UDP_QUEUE) { count(C.DROP_UDP_QUEUE_FULL); return false; }
  const r = s.queue + <usize>s.used;
  store<u32>(r, src);
  store<u16>(r, sport, 4);
  store<u16>(r, <u16>len, 6);
  memory.copy(r + <usize>REC_HDR, data, <usize>len);
  const wasEmpty = s.used == 0;
  s.used += rec;
  count(C.UDP_RX);
  if (wasEmpty && s.owner == UDP_OWNER_APP) eventPush(Ev.UDP_READABLE, handleOf(i), len);   // the core's own clients read theirs
  return true;
}

/** RFC 1122 4.1.3.3: an ICMP error quoting a datagram we sent from sport to dst:dport goes to the
 *  socket bound to sport (a connected one only for its peer): remembered as its pending error and
 *  reported as an event. false when no socket matches. */
export function udpError(sport: i32, dst: u32, dport: i32, err: i32): bool {
  const i = udpLookup(sport, dst, dport);
  if (i < 0) return false;
  const s = sockAt(i);
  s.err = err;
  if (s.owner == UDP_OWNER_APP) eventPush(Ev.UDP_ERROR, handleOf(i), err);
  return true;
}
