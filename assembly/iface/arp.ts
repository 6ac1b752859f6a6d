// ARP cache and pending-ARP queue (RFC 826, RFC 1122 2.3.2). Fixed tables carved in init.
//
// ArpEntry (32 bytes each, ARP_ENTRIES of them in Region.ARP):
//   0 ip        u32  protocol address (0 = free slot)
//   4 state     u32  FREE / INCOMPLETE (request sent, no answer yet) / RESOLVED / FAILED (no answer
//                    to ARP_RETRIES requests: kept ARP_RETRY_MS × ARP_RETRIES so that TCP can tell)
//   8 deadline  u32  INCOMPLETE: time of the next request; RESOLVED: expiry (ARP_TTL_MS after learning);
//                    FAILED: when the entry is freed
//  12 used      u32  last time the entry was created, refreshed or used (LRU replacement)
//  16 tries     u32  requests sent for an INCOMPLETE entry
//  20 mac       6 bytes (RESOLVED)
//
// Pending slot (PENDING_SLOT bytes each, ARP_PENDING of them in Region.ARP_PENDING):
//   0 hop       u32  next-hop address the frame waits for
//   4 len       u32  frame length (0 = free slot)
//   8 seq       u32  arrival order (drop-oldest, FIFO flush)
//  16 frame     FRAME_MAX bytes, a complete Ethernet frame whose destination MAC is filled on flush
import { ARP_ENTRIES, ARP_PENDING, ARP_RETRIES, ARP_RETRY_MS, ARP_TTL_MS, FRAME_MAX } from "../config";
import { C, count } from "../counters";
import { hostTx } from "../abi";
import { Err } from "../errors";
import { Region, regionAlloc } from "../storage/layout";
import { timeLe, timeLt, earliest } from "../time";
import {
  ETH_HDR_LEN, MAC_BROADCAST, MAC_ZERO, macCopy, macIsMulticast, macIsZero,
} from "../wire/ethernet";
import { ARP_REPLY, ARP_REQUEST, arpCheck, arpOper, arpSha, arpSpa, arpTpa } from "../wire/arp";
import { IPV4_HDR_LEN, ipv4Proto, ipv4Src } from "../wire/ipv4";
import { IPPROTO_UDP, udpSrcPort } from "../wire/udp";
import { DHCP_CLIENT_PORT } from "../wire/dhcp";
import { ifaceIp, ifaceMac } from "./iface";
import { arpSend, probeObserve } from "./probe";

// @ts-ignore: decorator
@inline export const ARP_FREE: u32 = 0;
// @ts-ignore: decorator
@inline export const ARP_INCOMPLETE: u32 = 1;
// @ts-ignore: decorator
@inline export const ARP_RESOLVED: u32 = 2;
// @ts-ignore: decorator
@inline export const ARP_FAILED_STATE: u32 = 3;

@unmanaged export class ArpEntry {
  ip: u32;
  state: u32;
  deadline: u32;
  used: u32;
  tries: u32;
}
// @ts-ignore: decorator
@inline const ENTRY_MAC: usize = 20;
// @ts-ignore: decorator
@inline const ENTRY_SIZE: usize = 32;

@unmanaged class PendingSlot {
  hop: u32;
  len: u32;
  seq: u32;
}
// @ts-ignore: decorator
@inline const SLOT_FRAME: usize = 16;
// @ts-ignore: decorator
@inline const SLOT_SIZE: usize = (SLOT_FRAME + <usize>FRAME_MAX + 15) & ~15;

let table: usize = 0;
let pending: usize = 0;
let pendingSeq: u32 = 0;

// arpPoll walks the table only when an entry got a deadline since its last walk (a resolution
// started, an answer learned: arpWalk) or the earliest deadline that walk found is due; otherwise
// it answers from what the walk found (poll() asks twice per call).
let arpWalk = true;
let arpNone = true;        // the last walk found no deadline; else arpDue is the earliest
let arpDue: u32 = 0;

export function arpTableInit(): void {
  table = regionAlloc(Region.ARP, <usize>ARP_ENTRIES * ENTRY_SIZE);
  pending = regionAlloc(Region.ARP_PENDING, <usize>ARP_PENDING * SLOT_SIZE);
  pendingSeq = 0;
  arpWalk = true;
}

// @ts-ignore: decorator
@inline export function arpEntryAt(i: i32): ArpEntry {
  return changetype<ArpEntry>(table + <usize>i * ENTRY_SIZE);
}
// @ts-ignore: decorator
@inline export function arpEntryMac(e: ArpEntry): usize { return changetype<usize>(e) + ENTRY_MAC; }
function slotAt(i: i32): PendingSlot { return changetype<PendingSlot>(pending + <usize>i * SLOT_SIZE); }

/** The entry for ip (any state but FREE), or 0. */
export function arpFind(ip: u32): usize {
  for (let i = 0; i < ARP_ENTRIES; i++) {
    const e = arpEntryAt(i);
    if (e.state != ARP_FREE && e.ip == ip) return changetype<usize>(e);
  }
  return 0;
}

/** A RESOLVED, unexpired entry's MAC for ip, or 0. Marks the entry used. */
export function arpLookup(ip: u32, now: u32): usize {
  const p = arpFind(ip);
  if (p == 0) return 0;
  const e = changetype<ArpEntry>(p);
  if (e.state != ARP_RESOLVED || timeLe(e.deadline, now)) return 0;
  e.used = now;
  return arpEntryMac(e);
}

/** Negative advice (RFC 1122 2.3.2.1, 4.2.3.5): an upper layer sees no progress towards ip, so a
 *  resolved entry is checked: a request goes out now, and the answer (merged by arpInput) replaces
 *  a wrong MAC — a changed or spoofed neighbour, ARP has no checksum — long before ARP_TTL_MS.
 *  Meanwhile frames still use the entry (Linux's NUD "probe"): expiring it instead would hold every
 *  retransmission until the re-resolution, and on a lossy link lose it when that fails. */
export function arpRevalidate(ip: u32): void {
  const p = arpFind(ip);
  if (p != 0 && changetype<ArpEntry>(p).state == ARP_RESOLVED) sendRequest(ip);
}

/** Resolution of ip failed recently (no answer to ARP_RETRIES requests): the neighbour is not there.
 *  TCP ends a connection attempt with EHOSTUNREACH on it (RFC 1122 4.2.3.9 / Linux). */
export function arpFailed(ip: u32): bool {
  const p = arpFind(ip);
  return p != 0 && changetype<ArpEntry>(p).state == ARP_FAILED_STATE;
}

/** Number of entries in a state (tests, diagnostics). */
export function arpCount(state: u32): i32 {
  let n = 0;
  for (let i = 0; i < ARP_ENTRIES; i++) if (arpEntryAt(i).state == state) n++;
  return n;
}

/** Frames waiting in the pending queue (for hop, or all when hop is 0). */
export function arpPendingCount(hop: u32): i32 {
  let n = 0;
  for (let i = 0; i < ARP_PENDING; i++) {
    const s = slotAt(i);
    if (s.len != 0 && (hop == 0 || s.hop == hop)) n++;
  }
  return n;
}

/** Drop every frame waiting for hop, counting each under `counter`. */
function pendingDrop(hop: u32, counter: i32): void {
  for (let i = 0; i < ARP_PENDING; i++) {
    const s = slotAt(i);
    if (s.len != 0 && s.hop == hop) { s.len = 0; count(counter); }
  }
}

/** A queued frame's IPv4 source is no longer our address (it went while the frame waited: a lease
 *  lost, an address defended in vain, iface_set): it is dropped, as RFC 5227 2.4 (c) has a host
 *  cease using such an address at once — but for a DHCP client's message (UDP from port 68: the
 *  DHCPRELEASE that gave the address back). The core writes no IP options: the UDP header follows
 *  at IPV4_HDR_LEN. */
function staleSource(frame: usize): bool {
  const ip = frame + <usize>ETH_HDR_LEN;
  return ipv4Src(ip) != ifaceIp() &&
    !(ipv4Proto(ip) == IPPROTO_UDP && udpSrcPort(ip + <usize>IPV4_HDR_LEN) == DHCP_CLIENT_PORT);
}

/** Send every frame waiting for hop to mac, oldest first, and free their slots. */
function pendingFlush(hop: u32, mac: usize): void {
  for (;;) {
    let best = -1;
    let bestSeq: u32 = 0;
    for (let i = 0; i < ARP_PENDING; i++) {
      const s = slotAt(i);
      if (s.len != 0 && s.hop == hop && (best < 0 || <i32>(s.seq - bestSeq) < 0)) { best = i; bestSeq = s.seq; }
    }
    if (best < 0) return;
    const s = slotAt(best);
    const frame = changetype<usize>(s) + SLOT_FRAME;
    const len = <i32>s.len;
    s.len = 0;
    if (staleSource(frame)) { count(C.ARP_PENDING_DROPPED); continue; }
    macCopy(frame, mac);
    hostTx(frame, len);
    count(C.TX_FRAMES);
  }
}

/** Queue the len-byte frame at p until hop resolves; when full the oldest frame is dropped. */
export function arpPendingPush(hop: u32, p: usize, len: i32): void {
  let slot = -1;
  let oldestSeq: u32 = 0;
  for (let i = 0; i < ARP_PENDING; i++) {
    const s = slotAt(i);
    if (s.len == 0) { slot = i; break; }
    if (slot < 0 || <i32>(s.seq - oldestSeq) < 0) { slot = i; oldestSeq = s.seq; }
  }
  const s = slotAt(slot);
  if (s.len != 0) count(C.ARP_PENDING_DROPPED);
  s.hop = hop;
  s.len = <u32>len;
  s.seq = pendingSeq++;
  memory.copy(changetype<usize>(s) + SLOT_FRAME, p, <usize>len);
}

/**
 * A slot for a new entry: a free one, else the least recently used unresolved one (FAILED, or
 * INCOMPLETE with its first request at least ARP_RETRY_MS old: its waiting frames are dropped), else
 * — when no resolution is in progress — the least recently used resolved one; null while every
 * unresolved entry is a resolution younger than ARP_RETRY_MS (for a neighbour that `learned` us —
 * it asked for our address — any unresolved entry may go). So a resolved neighbour is never
 * pushed out by a stream of addresses that do not answer (a SYN flood from forged on-link sources
 * sends a SYN-ACK to each), as Linux keeps reachable neighbours when its table is full; and such a
 * stream gets at most ARP_ENTRIES requests per ARP_RETRY_MS, instead of one broadcast per frame
 * (RFC 1122 2.3.2.1's flooding guard, for many addresses at once, as Linux's full neighbour table
 * refuses new entries), so that answering it costs no more than the frames it sends us.
 */
function entryAlloc(ip: u32, now: u32, learned: bool): ArpEntry | null {
  let victim = -1;
  let oldest: u32 = 0;
  let victimResolved = true;
  let young = false;
  for (let i = 0; i < ARP_ENTRIES; i++) {
    const e = arpEntryAt(i);
    if (e.state == ARP_FREE) { victim = i; young = false; break; }
    const resolved = e.state == ARP_RESOLVED;
    if (!learned && e.state == ARP_INCOMPLETE && <i32>(now - e.used) < <i32>ARP_RETRY_MS) { young = true; continue; }
    if (victim < 0 || (victimResolved && !resolved) || (resolved == victimResolved && <i32>(e.used - oldest) < 0)) {
      victim = i; oldest = e.used; victimResolved = resolved;
    }
  }
  if (victim < 0 || (young && victimResolved)) return null;
  const e = arpEntryAt(victim);
  if (e.state == ARP_INCOMPLETE) pendingDrop(e.ip, C.ARP_PENDING_DROPPED);
  e.ip = ip;
  e.state = ARP_FREE;
  e.deadline = now;
  e.used = now;
  e.tries = 0;
  return e;
}

function entryFree(e: ArpEntry): void {
  e.state = ARP_FREE;
  e.ip = 0;
}

/** Record ip → mac as RESOLVED and send what waited for it. */
function entryResolve(e: ArpEntry, mac: usize, now: u32): void {
  macCopy(arpEntryMac(e), mac);
  e.state = ARP_RESOLVED;
  e.deadline = now + ARP_TTL_MS;
  arpWalk = true;
  e.used = now;
  e.tries = 0;
  pendingFlush(e.ip, mac);
}

/** Broadcast a request for ip. */
function sendRequest(ip: u32): void { arpSend(ARP_REQUEST, MAC_BROADCAST, ifaceIp(), MAC_ZERO, ip); }

/**
 * ipOutput's miss path: make sure an INCOMPLETE entry exists for hop and a request went out
 * (at most one per ARP_RETRY_MS; ifacePoll sends the retries). False when the cache has no room
 * for hop now (entryAlloc): the frame for it is dropped, and no request goes out.
 */
export function arpResolve(hop: u32, now: u32): bool {
  const p = arpFind(hop);
  let e: ArpEntry;
  if (p != 0) {
    e = changetype<ArpEntry>(p);
    if (e.state == ARP_INCOMPLETE) return true; // a request is out; ifacePoll retries
    // RESOLVED but expired: resolve again.
  } else {
    const n = entryAlloc(hop, now, false);
    if (n == null) return false;
    e = n;
  }
  e.state = ARP_INCOMPLETE;
  e.tries = 1;
  e.deadline = now + ARP_RETRY_MS;
  arpWalk = true;
  e.used = now;
  sendRequest(hop);
  return true;
}

/** An ARP packet of len bytes at p (after the Ethernet header). Returns 0 or a drop code. */
export function arpInput(p: usize, len: i32, now: u32): i32 {
  if (!arpCheck(p, len)) { count(C.DROP_ARP_MALFORMED); return Err.EINVAL; }
  count(C.ARP_RX);
  probeObserve(p);
  const spa = arpSpa(p);
  const tpa = arpTpa(p);
  const sha = arpSha(p);
  const me = ifaceIp();
  // A sender with no address (RFC 5227 probe), a group or zero hardware address, or claiming
  // our own address teaches us nothing we could use.
  const learnable = spa != 0 && spa != me && !macIsMulticast(sha) && !macIsZero(sha) && spa < 0xe0000000;
  // Unconfigured, nothing is ours to answer for.
  const target = me != 0 && tpa == me;
  // RFC 826 "Packet Reception": merge — update an existing entry for the sender — and, if we are
  // the target, add the sender when it was not there.
  if (learnable) {
    const q = arpFind(spa);
    const e = q != 0 ? changetype<ArpEntry>(q) : target ? entryAlloc(spa, now, true) : null;
    if (e != null) entryResolve(e, sha, now);
  }
  if (!target) return 0;
  if (arpOper(p) == ARP_REQUEST) {
    // Reply to the requester directly: swap the addresses, our MAC as sender.
    arpSend(ARP_REPLY, sha, me, sha, spa);
  }
  return 0;
}

/**
 * ARP timers: retries of INCOMPLETE entries (after ARP_RETRIES requests without an answer the
 * entry is freed and its waiting frames dropped, each counted ARP_FAILED) and expiry of RESOLVED
 * ones. Returns ms until the next deadline, or -1.
 */
export function arpPoll(now: u32): i32 {
  if (!arpWalk && (arpNone || timeLt(now, arpDue))) return arpNone ? -1 : <i32>(arpDue - now);
  let next: i32 = -1;
  for (let i = 0; i < ARP_ENTRIES; i++) {
    const e = arpEntryAt(i);
    if (e.state == ARP_INCOMPLETE) {
      if (timeLe(e.deadline, now)) {
        if (<i32>e.tries >= ARP_RETRIES) {
          pendingDrop(e.ip, C.ARP_FAILED);
          e.state = ARP_FAILED_STATE;            // remembered a while: arpFailed() answers TCP
          e.deadline = now + ARP_RETRY_MS * <u32>ARP_RETRIES;
          next = earliest(next, e.deadline, now);
          continue;
        }
        e.tries++;
        e.deadline = now + ARP_RETRY_MS;
        sendRequest(e.ip);
      }
      next = earliest(next, e.deadline, now);
    } else if (e.state == ARP_RESOLVED || e.state == ARP_FAILED_STATE) {
      if (timeLe(e.deadline, now)) { entryFree(e); continue; }
      next = earliest(next, e.deadline, now);
    }
  }
  arpWalk = false;
  arpNone = next < 0;
  arpDue = now + <u32>next;
  return next;
}
