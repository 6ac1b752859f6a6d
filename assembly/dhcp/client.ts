// The DHCP client (RFC 2131 4.4, figure 5), on a core-owned UDP socket bound to port 68:
//
//   INIT → SELECTING → REQUESTING → PROBING → BOUND → RENEWING → REBINDING
//   REBOOTING (INIT-REBOOT with a remembered address) → PROBING; NAK and expiry → INIT;
//   a conflict found by the ARP probe (RFC 5227) → DECLINE → INIT after a wait.
//
// One deadline drives every state (retransmission, probe step, T1, T2, expiry); dhcpPollAt() reports
// it like TCP's timers. Randomness (xid, backoff jitter, probe spacing) comes from the core's keyed
// hash, never a clock. Lease times count from the first REQUEST of the exchange (RFC 2131 4.4.1).
import { DHCP_INIT_DELAY_MS } from "../config";
import { C, count } from "../counters";
import { Err } from "../errors";
import { eventPush } from "../storage/events";
import { Ev } from "../storage/events";
import { Region, regionAlloc } from "../storage/layout";
import { timeLe, earliest, NO_DEADLINE } from "../time";
import { keyedHash } from "../siphash";
import { ifaceIp, ifaceMac } from "../iface/iface";
import { addressSet, learnedDnsSet, learnedDnsCount } from "../iface/address";
import { probeConflict, probeSend, probeWatch } from "../iface/probe";
import { UDP_OWNER_DHCP, META_SRC_PORT, META_FLAGS, META_SIZE, udpOpen, udpBind, udpClose, udpSendTo, udpRecvFrom } from "../udp/socket";
import {
  DHCP_BAD_XID, DHCP_CLIENT_PORT, DHCP_DNS_MAX, DHCP_MAX_LEN, DHCP_SERVER_PORT, DhcpType, dhcpDnsCopy, dhcpEmit,
  dhcpHasLease, dhcpLease, dhcpMask, dhcpParse, dhcpRouter, dhcpServerId, dhcpT1, dhcpT2, dhcpYiaddr,
} from "../wire/dhcp";

/** Client states (docs/abi.md, dhcp_info). */
export namespace DhcpState {
  @inline export const STOPPED: i32 = 0;
  @inline export const INIT: i32 = 1;
  @inline export const SELECTING: i32 = 2;
  @inline export const REQUESTING: i32 = 3;
  @inline export const PROBING: i32 = 4;
  @inline export const BOUND: i32 = 5;
  @inline export const RENEWING: i32 = 6;
  @inline export const REBINDING: i32 = 7;
  @inline export const REBOOTING: i32 = 8;
}

// RFC 2131 4.1: retransmission after 4 s, doubling to 64 s, each randomised by ±1 s.
@inline const BACKOFF_FIRST_MS: u32 = 4000;
@inline const BACKOFF_MAX_MS: u32 = 64000;
// backoff() doubles 4 times at most: the cap is reached exactly there
if (BACKOFF_FIRST_MS << 4 != BACKOFF_MAX_MS) ERROR("BACKOFF_MAX_MS must be BACKOFF_FIRST_MS << 4");
@inline const JITTER_MS: u32 = 1000;
/** REQUESTs (REQUESTING, REBOOTING) without an answer before starting over in INIT (4 + 8 + 16 + 32 s). */
@inline const REQUEST_TRIES: u32 = 4;
@inline const REBOOT_TRIES: u32 = 2;
/** RFC 2131 4.4.5: RENEWING and REBINDING retransmit after half the remaining time, at least 60 s. */
@inline const RENEW_MIN_MS: u32 = 60000;
/** RFC 5227 1.1: PROBE_WAIT, PROBE_NUM, PROBE_MIN, PROBE_MAX, ANNOUNCE_WAIT, MAX_CONFLICTS, RATE_LIMIT_INTERVAL. */
@inline const PROBE_WAIT_MS: u32 = 1000;
@inline const PROBE_NUM: u32 = 3;
@inline const PROBE_MIN_MS: u32 = 1000;
@inline const PROBE_MAX_MS: u32 = 2000;
@inline const ANNOUNCE_WAIT_MS: u32 = 2000;
@inline const MAX_CONFLICTS: u32 = 10;
@inline const RATE_LIMIT_MS: u32 = 60000;
/** RFC 5227 1.1: ANNOUNCE_INTERVAL (2 s between the two announcements), DEFEND_INTERVAL. */
@inline const ANNOUNCE_INTERVAL_MS: u32 = 2000;
@inline const DEFEND_INTERVAL_MS: u32 = 10000;
/** After a NAK, an expiry or a failed INIT-REBOOT, INIT waits 0–1 s (a server that NAKs everything
 *  cannot make the client spin). */
@inline const RESTART_DELAY_MS: u32 = 1000;
/** RFC 2131 3.1.5: after a DECLINE, wait at least 10 s before starting again. */
@inline const DECLINE_WAIT_MS: u32 = 10000;
/** Lease bounds: a lying server's 0-second lease must not spin the client; the core's clock compares
 *  deadlines within ±24.8 days, so longer leases are held as 20 days (renewed early, never lost). */
@inline const LEASE_MIN_S: u32 = 30;
@inline const LEASE_MAX_S: u32 = 20 * 86400;
@inline const INFINITE: u32 = 0xffffffff;

let msg: usize = 0;    // DHCP_MAX_LEN bytes (Region.DHCP): the message being sent or read, then udpRecvFrom's record
const DNS = memory.data(DHCP_DNS_MAX * 4);

let st: i32 = DhcpState.STOPPED;
let initDelay: u32 = DHCP_INIT_DELAY_MS;
let sock: i32 = 0;
let xid: u32 = 0;
let seq: u64 = 0;
let tries: u32 = 0;
let deadline: u32 = 0;
let armed = false;
let startAt: u32 = 0;     // first message of the exchange (secs field; lease base)
let server: u32 = 0;      // the server we hold (or asked) the lease from
let offered: u32 = 0;     // the address of the exchange: offered, requested at reboot, or held
let conflicts: u32 = 0;
let arpLeft: u32 = 0;      // ARP probes still to send (PROBING), or 1: the second announcement (BOUND, RFC 5227 2.3)
let defended = false;     // we defended the address at defendedAt (RFC 5227 2.4)
let defendedAt: u32 = 0;
// the lease (valid from PROBING on)
let prefix: i32 = 0;
let router: u32 = 0;
let dnsCount: i32 = 0;
let leaseS: u32 = 0;
let t1At: u32 = 0;
let t2At: u32 = 0;
let expireAt: u32 = 0;

/** The client's buffers, carved from the memory map once (init). */
export function dhcpInit(): void {
  msg = regionAlloc(Region.DHCP, <usize>DHCP_MAX_LEN + 16);
}

// ── what the host and the resolver read ────────────────────────────────────────────────────────
export function dhcpState(): i32 { return st; }
/** BOUND, RENEWING or REBINDING (consecutive). */
function dhcpHolds(): bool { return <u32>(st - DhcpState.BOUND) <= <u32>(DhcpState.REBINDING - DhcpState.BOUND); }

/**
 * dhcp_info's 52-byte record (little-endian u32s): state, address, prefix, gateway, server, DNS
 * count, 3 DNS servers, then ms until T1, T2 and expiry (0xFFFFFFFF: infinite or no lease), and the
 * lease in seconds.
 */
export function dhcpInfo(p: usize, now: u32): void {
  memory.fill(p, 0, 52);                         // address, prefix, gateway, DNS, lease: 0 without a lease
  store<u32>(p, <u32>st);
  store<u32>(p, server, 16);
  const holds = dhcpHolds();
  if (holds) {                                   // what configure() gave the interface and the resolver
    store<u32>(p, offered, 4);
    store<u32>(p, <u32>prefix, 8);
    store<u32>(p, router, 12);
    store<u32>(p, <u32>dnsCount, 20);
    memory.copy(p + 24, DNS, <usize>dnsCount << 2);
    store<u32>(p, leaseS, 48);
  }
  const timed = holds && leaseS != INFINITE;
  store<u32>(p, remaining(timed, t1At, now), 36);
  store<u32>(p, remaining(timed, t2At, now), 40);
  store<u32>(p, remaining(timed, expireAt, now), 44);
}
function remaining(timed: bool, at: u32, now: u32): u32 { return !timed ? INFINITE : timeLe(at, now) ? 0 : at - now; }

// ── randomness, state, timers ─────────────────────────────────────────────────────────────────
function random(): u32 { return <u32>keyedHash(0x4448_4350, seq++); }
/** A uniform draw in [lo, hi]. */
function between(lo: u32, hi: u32): u32 { return lo + random() % (hi - lo + 1); }

function setState(s: i32): void {
  st = s;
  eventPush(Ev.DHCP_STATE, s, <i32>(dhcpHolds() ? offered : 0));
}
function arm(at: u32): void { deadline = at; armed = true; }

/** RFC 2131 4.1: 4, 8, 16, 32, 64, 64 … s after the tries-th transmission, ±1 s. */
function backoff(now: u32): u32 {
  const n = tries > 5 ? 5 : tries;
  const d = BACKOFF_FIRST_MS << (n - 1);            // at most 4 s << 4: BACKOFF_MAX_MS
  return now + d - JITTER_MS + between(0, 2 * JITTER_MS);
}

/** Next retransmission while RENEWING (until T2) or REBINDING (until expiry): RFC 2131 4.4.5. */
function renewTimer(now: u32, limit: u32): void {
  let wait = (limit - now) >> 1;
  if (wait < RENEW_MIN_MS) wait = RENEW_MIN_MS;
  arm(timeLe(limit, now + wait) ? limit : now + wait);
}

// ── messages ───────────────────────────────────────────────────────────────────────────────────
function send(type: i32, ciaddr: u32, requested: u32, srv: u32, to: u32, now: u32): void {
  let secs = (now - startAt) / 1000;
  if (secs > 0xffff) secs = 0xffff;
  const n = dhcpEmit(msg, type, xid, <u16>secs, ifaceMac(), ciaddr, requested, srv, 0, 0);
  if (udpSendTo(sock, to, DHCP_SERVER_PORT, msg, <u32>n, now) >= 0) count(C.DHCP_TX);
}

/** RENEWING or REBINDING (consecutive). */
function renewing(): bool { return <u32>(st - DhcpState.RENEWING) <= 1; }

/** The message of the current state and its retransmission timer: DISCOVER in SELECTING (offered is
 *  0 there), else the REQUEST of RFC 2131 4.3.2 table 4: the requested address (50) but for ciaddr
 *  while RENEWING or REBINDING, the server id (54) in REQUESTING, unicast to the server in RENEWING;
 *  retransmitted with backoff (4.1), or after half the time left while renewing (4.4.5). */
function transmit(now: u32): void {
  tries++;
  const renew = renewing();
  send(st == DhcpState.SELECTING ? DhcpType.DISCOVER : DhcpType.REQUEST, renew ? offered : 0, renew ? 0 : offered,
       st == DhcpState.REQUESTING ? server : 0, st == DhcpState.RENEWING ? server : 0xffffffff, now);
  if (renew) renewTimer(now, st == DhcpState.RENEWING ? t2At : expireAt); else arm(backoff(now));
}

/** A new exchange: a fresh xid (RFC 2131 4.4.1) and no transmission yet. */
function exchange(s: i32, now: u32): void {
  xid = random();
  tries = 0;
  startAt = now;
  setState(s);
}

// ── the calls ─────────────────────────────────────────────────────────────────────────────────

/** Start in INIT, or in REBOOTING when `requested` is a remembered address. 0, Err.EALREADY,
 *  Err.EINVAL (requested is not a usable unicast address), Err.EMFILE/EADDRINUSE (no socket, port 68). */
export function dhcpStart(requested: u32, now: u32): i32 {
  if (st != DhcpState.STOPPED) return Err.EALREADY;
  if (requested != 0 && !usable(requested)) return Err.EINVAL;
  const h = udpOpen(UDP_OWNER_DHCP);
  if (h < 0) return h;
  const rc = udpBind(h, DHCP_CLIENT_PORT);
  if (rc < 0) { udpClose(h); return rc; }
  sock = h;
  conflicts = 0;
  server = 0;
  offered = requested;
  if (requested != 0) { exchange(DhcpState.REBOOTING, now); arm(now); } else restart(now, initDelay);
  dhcpPoll(now);                                     // the first message at once when it is due now
  return 0;
}

/** The longest random wait before the first DISCOVER of the next dhcpStart (RFC 2131 4.4.1: the
 *  wait is drawn in [ms/10, ms]); 0 = at once. 0, or Err.EINVAL above 60 s. */
export function dhcpSetInitDelay(ms: i32): i32 {
  if (<u32>ms > 60_000) return Err.EINVAL;
  initDelay = ms;
  return 0;
}

/** Stop without telling the server (the lease stays recorded there); the address goes. */
export function dhcpStop(now: u32): i32 {
  if (st == DhcpState.STOPPED) return Err.EALREADY;
  const held = dhcpHolds();
  probeWatch(0);
  udpClose(sock);
  sock = 0;
  armed = false;
  setState(DhcpState.STOPPED);
  if (held) unconfigure();
  return 0;
}

/** RFC 2131 4.4.6: give the address back with a DHCPRELEASE (unicast to the server), then stop. */
export function dhcpRelease(now: u32): i32 {
  if (dhcpHolds()) { xid = random(); send(DhcpType.RELEASE, offered, 0, server, server, now); }
  return dhcpStop(now);
}

/** Timers: returns ms until the next deadline, or NO_DEADLINE. */
export function dhcpPoll(now: u32): i32 {
  if (st == DhcpState.STOPPED) return NO_DEADLINE;
  // an address is watched only while PROBING or holding it (probeWatch(0) everywhere else)
  if (probeConflict()) { count(C.DHCP_CONFLICTS); if (st == DhcpState.PROBING) decline(now); else defend(now); }
  if (armed && timeLe(deadline, now)) { armed = false; onTimer(now); }
  return armed ? earliest(NO_DEADLINE, deadline, now) : NO_DEADLINE;
}

function onTimer(now: u32): void {
  switch (st) {
    case DhcpState.INIT: exchange(DhcpState.SELECTING, now); break;
    case DhcpState.REQUESTING: if (tries >= REQUEST_TRIES) { startOver(now); return; } break;
    case DhcpState.REBOOTING: if (tries >= REBOOT_TRIES) { startOver(now); return; } break;
    case DhcpState.PROBING: probeStep(now); return;
    case DhcpState.BOUND:
      if (arpLeft != 0) { announce(); leaseTimer(); return; }
      exchange(DhcpState.RENEWING, now);
      break;
    case DhcpState.RENEWING: if (timeLe(t2At, now)) exchange(DhcpState.REBINDING, now); break;
    case DhcpState.REBINDING: if (timeLe(expireAt, now)) { leaseLost(now); return; } break;
  }
  transmit(now);
}

/** Back to INIT without an address: a NAK, an unanswered REQUEST, an expired or lost lease. */
function startOver(now: u32): void {
  offered = 0;
  restart(now, RESTART_DELAY_MS);
}

/** INIT, then a DISCOVER after a random wait of at most max ms (RFC 2131 4.4.1: 1–10 s at start). */
function restart(now: u32, max: u32): void {
  probeWatch(0);
  exchange(DhcpState.INIT, now);
  arm(now + between(max / 10, max));
}

/** The address goes: expiry in REBINDING, or a NAK while holding it (RFC 2131 4.4.5). */
function leaseLost(now: u32): void {
  count(C.DHCP_LEASES_LOST);
  startOver(now);
  unconfigure();
}

/** The address and the DNS servers configure() gave go (the client's own lease record stays: a
 *  renewal granting another address has just filled it for the probe and bind to come). */
function unconfigure(): void {
  addressSet(0, 0, 0);
  if (learnedDnsCount() != 0) eventPush(Ev.DNS, 0, 0);
  learnedDnsSet(0, 0);
}

// ── RFC 5227: probe, then bind or decline ─────────────────────────────────────────────────────
function probeStart(now: u32): void {
  setState(DhcpState.PROBING);
  probeWatch(offered);
  arpLeft = PROBE_NUM;
  arm(now + between(0, PROBE_WAIT_MS));
}

function probeStep(now: u32): void {
  if (arpLeft == 0) { bind(now); return; }
  probeSend(offered, false);
  arpLeft--;
  arm(now + (arpLeft > 0 ? between(PROBE_MIN_MS, PROBE_MAX_MS) : ANNOUNCE_WAIT_MS));
}

/** RFC 2131 3.1.5 / RFC 5227 2.1.1: the address is in use: DHCPDECLINE, and start over after 10 s
 *  (60 s once MAX_CONFLICTS conflicts happened). */
function decline(now: u32): void {
  conflicts++;
  send(DhcpType.DECLINE, 0, offered, server, 0xffffffff, now);
  offered = 0;
  probeWatch(0);
  exchange(DhcpState.INIT, now);
  arm(now + (conflicts >= MAX_CONFLICTS ? RATE_LIMIT_MS : DECLINE_WAIT_MS));
}

/** The address is ours: configure the interface, announce it twice ANNOUNCE_INTERVAL apart (RFC 5227
 *  2.3; the lease timer waits for the second), watch for conflicts (2.4), run T1/T2/expiry. */
function bind(now: u32): void {
  defended = false;
  setState(DhcpState.BOUND);
  configure();
  announce();
  arpLeft = 1;
  arm(now + ANNOUNCE_INTERVAL_MS);
}

function leaseTimer(): void { arpLeft = 0; if (leaseS == INFINITE) armed = false; else arm(t1At); }

/** RFC 5227 2.4: another host claims our address. The first time in DEFEND_INTERVAL we defend it
 *  with an announcement (b); a second conflict within DEFEND_INTERVAL gives it up (c): RFC 2131 has
 *  the client start again in INIT (no DECLINE: the lease was good), and the connections end with
 *  EADDRNOTAVAIL as on expiry. */
function defend(now: u32): void {
  if (defended && !timeLe(defendedAt + DEFEND_INTERVAL_MS, now)) { leaseLost(now); return; }
  defended = true;
  defendedAt = now;
  announce();
}

/** RFC 5227 2.3: an announcement of our address; from now on only a claim to it conflicts (2.4). */
function announce(): void {
  probeWatch(offered, true);
  probeSend(offered, true);
}

function configure(): void {
  addressSet(offered, prefix, router);
  learnedDnsSet(DNS, dnsCount);
  eventPush(Ev.DNS, dnsCount, dnsCount > 0 ? <i32>load<u32>(DNS) : 0);
}

// ── input ──────────────────────────────────────────────────────────────────────────────────────

/** A unicast address a host may hold: not 0/8, loopback, multicast, broadcast or class E. */
function usable(ip: u32): bool {
  const top = ip >>> 24;
  return top - 1 < 223 && top != 127;               // 1..223 but 127
}

/** Drain the socket: every reply checked, then handled by state. */
export function dhcpInput(now: u32): void {
  for (;;) {                                          // (stopped: sock is 0, which udpRecvFrom refuses)
    const meta = msg + <usize>DHCP_MAX_LEN;
    const n = udpRecvFrom(sock, msg, <u32>DHCP_MAX_LEN, meta);
    if (n == Err.EAGAIN || n == Err.EBADF) return;
    if (n < 0) continue;                              // an ICMP error reported once: nothing to do
    if ((load<u16>(meta + META_SRC_PORT) != DHCP_SERVER_PORT) || (load<u16>(meta + META_FLAGS) & 1)) {
      count(C.DROP_DHCP_MALFORMED); continue;        // not from a server's port, or longer than we take
    }
    const t = dhcpParse(msg, n, xid, ifaceMac());
    if (t < 0) { count(t == DHCP_BAD_XID ? C.DROP_DHCP_XID : C.DROP_DHCP_MALFORMED); continue; }
    if (reply(t, now)) count(C.DHCP_RX); else count(C.DROP_DHCP_UNEXPECTED);
  }
}

/** One parsed reply; false when the state does not take it. */
function reply(t: i32, now: u32): bool {
  const srv = dhcpServerId();
  const yi = dhcpYiaddr();
  // RFC 2131 4.4.1: an OFFER or ACK must offer a usable address and name its server (option 54)
  if (t != DhcpType.NAK && (!usable(yi) || srv == 0)) return false;
  if (st == DhcpState.SELECTING) {
    // the first OFFER
    if (t != DhcpType.OFFER) return false;
    offered = yi;
    server = srv;
    tries = 0;
    startAt = now;                                   // the REQUEST's secs and the lease count from here
    setState(DhcpState.REQUESTING);
    transmit(now);
    return true;
  }
  const renew = renewing();
  if (!renew && st != DhcpState.REQUESTING && st != DhcpState.REBOOTING) return false;
  // RFC 2131 4.4.1: only the selected server answers a REQUESTING client; a RENEWING client's NAK
  // comes from the server of its lease.
  if ((st == DhcpState.REQUESTING || (st == DhcpState.RENEWING && t == DhcpType.NAK)) && srv != server) return false;
  if (t == DhcpType.NAK) { if (renew) leaseLost(now); else startOver(now); return true; }
  // An ACK grants the address asked for (any one while renewing) with a lease time.
  if (t != DhcpType.ACK || (yi != offered && !renew) || !lease(now)) return false;
  server = srv;
  if (renew && yi == offered) {
    setState(DhcpState.BOUND);
    configure();
    leaseTimer();
    return true;
  }
  if (renew) unconfigure();                          // another address: the old one goes, the new one is probed
  offered = yi;
  probeStart(now);
  return true;
}

/**
 * Take the lease parameters of an ACK (RFC 2132): lease time required; T1/T2 default to 0.5 and
 * 0.875 of it (RFC 2131 4.4.5) and are replaced by the defaults unless T1 < T2 < lease; no mask: the
 * classful one; a router that is not on-link is ignored. false when the ACK has no lease time.
 */
function lease(now: u32): bool {
  if (!dhcpHasLease()) return false;
  let l = dhcpLease();
  if (l != INFINITE) {
    if (l < LEASE_MIN_S) l = LEASE_MIN_S;
    if (l > LEASE_MAX_S) l = LEASE_MAX_S;
  }
  leaseS = l;
  const ip = dhcpYiaddr();
  let mask = dhcpMask();
  if (mask == 0) mask = classfulMask(ip);            // absent (a mask present is never 0)
  prefix = <i32>popcnt(mask);
  const gw = dhcpRouter();
  router = gw != ip && ((gw ^ ip) & mask) == 0 ? gw : 0;            // (0 stays 0)
  dnsCount = dhcpDnsCopy(DNS);
  if (l == INFINITE) return true;
  let t1 = dhcpT1();
  let t2 = dhcpT2();
  if (!(t1 > 0 && t1 < t2 && t2 < l)) { t1 = l >> 1; t2 = (l * 7) >> 3; }   // l ≤ LEASE_MAX_S: no overflow
  t1At = startAt + t1 * 1000;
  t2At = startAt + t2 * 1000;
  expireAt = startAt + l * 1000;
  if (timeLe(t1At, now)) t1At = now + 1000;        // an exchange that took longer than T1
  return true;
}

function classfulMask(ip: u32): u32 {
  const top = ip >>> 24;
  return <u32>0xffffffff << (top < 128 ? 24 : top < 192 ? 16 : 8);  // class A, B, C
}
