// The DNS stub resolver (RFC 1035 7, RFC 1123 6.1.3, RFC 5452): A records over UDP from the
// configured servers, with retries, timeouts, a small cache, and results reported through the event
// ring (Ev.DNS_RESULT) and read with dnsResult.
//
// A query is a slot of a fixed table (DNS_QUERIES); its handle is (generation << 8) | slot. Every
// attempt opens its own UDP socket on a port drawn from the seeded hash and sends a fresh id from it
// (RFC 5452 9.2: both random), to the next server in turn; a reply counts only when it comes from
// that server's port 53 to that port with that id and our question (RFC 5452 9.1); anything else is
// counted and dropped and the query keeps waiting. A round over all servers doubles the timeout;
// after DNS_ROUNDS rounds the query fails. SERVFAIL and REFUSED move on to the next server at once.
// A truncated reply (TC) asks the same server again over TCP (RFC 1035 4.2.2, RFC 7766 5) on a
// connection of the core's own (TF.CORE: no events, no handle for the host): a fresh id, the query
// behind its 2-byte length; the answer's length is read first and one over DNS_TCP_MAX ends the
// query with EMSGSIZE (counted, never cut short); then the whole answer, checked as over UDP. A TCP
// exchange that fails (refused, reset, no answer within DNS_TCP_TIMEOUT_MS) moves on to the next
// server as a UDP timeout does; its error is the query's if no server answers.
//
// One slot:
//   0      1     2      3      4    6         8     12        16    20       24    28         284   288
//   |state |gen  |tries |index |id  |(pad)    |sock |deadline |err  |server  |tcb  | name 256 | ttl | addrs
// (ttl then addrs: dnsResult's record)
import { DHCP, DNS_QUERIES, DNS_ADDRS, DNS_SERVERS, DNS_TIMEOUT_MS, DNS_ROUNDS, DNS_CNAME_MAX, DNS_CACHE, DNS_TCP_MAX,
         DNS_TCP_TIMEOUT_MS, RX_BUF } from "../config";
import { learnedDns } from "../iface/address";
import { C, count } from "../counters";
import { Err } from "../errors";
import { Region, regionAlloc } from "../storage/layout";
import { handleSlot, nextGen } from "../storage/handle";
import { eventPush, Ev } from "../storage/events";
import { keyedHash } from "../siphash";
import { udpOpen, udpBind, udpSendTo, udpRecvFrom, udpClose, UDP_OWNER_DNS, META_SRC_IP, META_SRC_PORT, META_FLAGS } from "../udp/socket";
import { DNS_PORT, DNS_UDP_MAX, dnsId, dnsNameEncode, dnsQueryEmit, dnsParse } from "../wire/dns";
import { be16, put16 } from "../wire/bytes";
import { Tcb, TF, tcbAllocReusing, tcbLookup, tcbRelease, tcbTouch, flagged, flagsOn, flagsOff } from "../tcp/tcb";
import { userOpen, userSend, userReceive, userClose } from "../tcp/user";
import { State } from "../tcp/state";
import { ringLen, ringPeek, ringConsume } from "../storage/ring";
import { ifaceIp } from "../iface/iface";
import { cacheInit, cacheGet, cachePut, CACHE_ENTRY } from "./cache";
import { timeLe, earliest, NO_DEADLINE } from "../time";

@inline const FREE: u8 = 0;
@inline const DONE: u8 = 1;      // result ready (addresses or err) until dnsClose
@inline const WAITING: u8 = 2;   // a query is out over UDP (WAITING and up: in flight)
@inline const TCP: u8 = 3;       // asked again over TCP after a truncated reply

@inline const Q_STATE: usize = 0;
@inline const Q_GEN: usize = 1;
@inline const Q_TRIES: usize = 2;
@inline const Q_INDEX: usize = 3;   // the slot's index (for its handle)
@inline const Q_ID: usize = 4;
@inline const Q_SOCK: usize = 8;
@inline const Q_DEADLINE: usize = 12;
@inline const Q_ERR: usize = 16;   // the error to report if the attempts run out (ETIMEDOUT, or what a server said); once DONE, the result (count or error)
@inline const Q_SERVER: usize = 20;  // the server this attempt went to
@inline const Q_TCB: usize = 24;   // the TCP connection while TCP (0: none); TF.CORE keeps it ours until closeSock
@inline const Q_NAME: usize = 28;
@inline const Q_TTL: usize = Q_NAME + 256;
@inline const Q_ADDRS: usize = Q_TTL + 4;
@inline const SLOT: usize = Q_ADDRS + <usize>DNS_ADDRS * 4;
/** dnsResult's record: TTL (s, u32) then the addresses (u32 each, host order, little-endian). */
@inline export const RESULT_TTL: usize = 0;
@inline export const RESULT_ADDRS: usize = 4;

// The region: the slots, the servers, then the message buffer and what follows it.
let slots: usize = 0;
@inline const SERVERS: usize = <usize>DNS_QUERIES * SLOT;   // from slots: DNS_SERVERS × u32
let msg: usize = 0;       // DNS_TCP_MAX bytes: a query being built or a reply being read
@inline const META: usize = <usize>DNS_TCP_MAX;             // from msg: udpRecvFrom's record (16 B)
@inline const NAMES: usize = META + 16;                      // from msg: 512 bytes of names for dnsParse
let at: u32 = 0;          // now: every entry point (dnsQuery, dnsStep) sets it, the work below reads it (dnsClose too)
/** The longest TCP answer taken: the message buffer, and it must fit the receive ring whole. */
@inline const TCP_MAX: i32 = DNS_TCP_MAX < RX_BUF - 2 ? DNS_TCP_MAX : RX_BUF - 2;
let seq: u64 = 0;
let inFlight: i32 = 0;    // slots WAITING or TCP: dnsStep has nothing to do while there are none

export function dnsInit(): void {
  slots = regionAlloc(Region.DNS, SERVERS + <usize>DNS_SERVERS * 4 + NAMES + 512);
  cacheInit(regionAlloc(Region.DNS_CACHE, <usize>DNS_CACHE * CACHE_ENTRY));
  msg = slots + SERVERS + <usize>DNS_SERVERS * 4;
  for (let i = 0; i < DNS_QUERIES; i++) {
    store<u8>(slotAt(i), 1, Q_GEN);
    store<u8>(slotAt(i), <u8>i, Q_INDEX);
  }
  seq = 0;
  inFlight = 0;
}

/** Every change of a slot's state: keeps inFlight. */
function setQState(q: usize, s: u8): void {
  const was = load<u8>(q, Q_STATE) >= WAITING;
  if (was != (s >= WAITING)) inFlight += was ? -1 : 1;
  store<u8>(q, s, Q_STATE);
}

function slotAt(i: i32): usize { return slots + <usize>i * SLOT; }
function handleOf(q: usize): i32 { return (<i32>load<u8>(q, Q_GEN) << 8) | <i32>load<u8>(q, Q_INDEX); }
function fromHandle(h: i32): usize {
  const i = handleSlot(h, DNS_QUERIES);
  if (i < 0) return 0;
  const q = slotAt(i);
  if (load<u8>(q, Q_STATE) == FREE || <i32>load<u8>(q, Q_GEN) != (h >> 8)) return 0;
  return q;
}

// ── servers ─────────────────────────────────────────────────────────────────────────────────

/** Set server i (0..DNS_SERVERS-1) to ip (0 removes it). 0 or Err.EINVAL. */
export function dnsSetServer(i: i32, ip: u32): i32 {
  if (<u32>i >= <u32>DNS_SERVERS || ip == 0xffff_ffff) return Err.EINVAL;
  store<u32>(slots + (<usize>i << 2), ip, SERVERS);
  return 0;
}
/** Server i: the one the host set, else the one learned with the address (DHCP option 6; none once
 *  the lease is gone). */
export function dnsServer(i: i32): u32 {
  if (<u32>i >= <u32>DNS_SERVERS) return 0;
  const ip = load<u32>(slots + (<usize>i << 2), SERVERS);
  return ip != 0 || !DHCP ? ip : learnedDns(i);
}
/** The k-th configured server (0 ≤ k < serverCount()); for k = -1, how many there are. */
function nthServer(k: i32): u32 {
  let n: u32 = 0;
  for (let i = 0; i < DNS_SERVERS; i++) {
    const ip = dnsServer(i);
    if (ip == 0) continue;
    if (n == <u32>k) return ip;
    n++;
  }
  return n;
}
// @ts-ignore: decorator
@inline function serverCount(): i32 { return <i32>nthServer(-1); }

// ── the app's calls ─────────────────────────────────────────────────────────────────────────

/**
 * Start resolving the dotted name at (ptr, len) to IPv4 addresses. Returns a query handle; the
 * result comes as an Ev.DNS_RESULT event (at once from the cache). Err.EINVAL (not a valid name),
 * Err.EMFILE (every slot busy), Err.ENOTCONN (no DNS server configured), or an error of the send.
 */
export function dnsQuery(ptr: usize, len: i32, now: u32): i32 {
  at = now;
  let i = 0;
  while (i < DNS_QUERIES && load<u8>(slotAt(i), Q_STATE) != FREE) i++;
  if (i == DNS_QUERIES) return Err.EMFILE;
  const q = slotAt(i);
  if (dnsNameEncode(q + Q_NAME, ptr, len) < 0) return Err.EINVAL;
  const hit = cacheGet(q + Q_NAME, q + Q_ADDRS, q + Q_TTL, now);
  if (hit > 0) {
    count(C.DNS_CACHE_HITS);
    finish(q, hit);
    return handleOf(q);
  }
  if (serverCount() == 0) return Err.ENOTCONN;
  store<u8>(q, 0, Q_TRIES);
  store<i32>(q, Err.ETIMEDOUT, Q_ERR);
  const rc = attempt(q);
  if (rc < 0) { release(q); return rc; }
  return handleOf(q);
}

/**
 * The result of a finished query: writes the TTL (s) and at most (cap − 4) / 4 addresses at ptr
 * (RESULT_TTL, RESULT_ADDRS) and returns how many it wrote; the query's error (ENOTFOUND, ESERVFAIL,
 * EREFUSED, ENODATA, ELOOP, EBADMSG, ETIMEDOUT, …); Err.EAGAIN while it runs; Err.EBADF.
 */
export function dnsResult(h: i32, ptr: usize, cap: i32): i32 {
  const q = fromHandle(h);
  if (q == 0) return Err.EBADF;
  if (load<u8>(q, Q_STATE) != DONE) return Err.EAGAIN;
  let n = load<i32>(q, Q_ERR);
  if (n < 0) return n;
  const room = (cap - 4) >> 2;
  if (room < n) n = room;
  if (n < 0) return Err.EINVAL;
  memory.copy(ptr, q + Q_TTL, RESULT_ADDRS + (<usize>n << 2));   // the TTL and the addresses, as kept
  return n;
}

/** Forget a query (cancelling it if it still runs). 0 or Err.EBADF. */
export function dnsClose(h: i32): i32 {
  const q = fromHandle(h);
  if (q == 0) return Err.EBADF;
  release(q);
  return 0;
}

/** Queries in use (tests, leak checks). */
export function dnsQueriesInUse(): i32 {
  let n = 0;
  for (let i = 0; i < DNS_QUERIES; i++) if (load<u8>(slotAt(i), Q_STATE) != FREE) n++;
  return n;
}

// ── the work: attempts, replies, timeouts ───────────────────────────────────────────────────

function release(q: usize): void {
  closeSock(q);
  setQState(q, FREE);
  store<u8>(q, <u8>nextGen(load<u8>(q, Q_GEN)), Q_GEN);
}
/** Close q's socket or TCP connection (a FREE or DONE slot holds neither). */
function closeSock(q: usize): void {
  const s = load<i32>(q, Q_SOCK);
  if (s > 0) udpClose(s);
  store<i32>(q, 0, Q_SOCK);
  const t = tcpOf(q);
  if (t != null) {
    tcbTouch(t);
    if (t.state == State.CLOSED) tcbRelease(t);
    else userClose(t, at);          // FIN (RST if an answer is left unread); the core finishes alone
  }
  store<u32>(q, 0, Q_TCB);
}

/** q's TCP connection, or null. */
// @ts-ignore: decorator
@inline function tcpOf(q: usize): Tcb | null { return changetype<Tcb | null>(load<usize>(q, Q_TCB)); }

/** Done with n addresses (already at Q_ADDRS) or the error err (n < 0). */
function finish(q: usize, n: i32): void {
  closeSock(q);
  setQState(q, DONE);
  store<i32>(q, n, Q_ERR);
  eventPush(Ev.DNS_RESULT, handleOf(q), n);
}

/** The next draw from the seeded hash, for `tag`. */
function draw(tag: u64): u64 { return keyedHash(tag, seq++); }
/** RFC 5452 9.2: a source port from the seeded hash (UDP and TCP alike). */
function randomPort(): u32 { return 1024 + <u32>(draw(0x444e_5350) % 64512); }

/** RFC 5452 9.2: bind the socket s to a random port (the next free draw, at most 8 draws; then any). */
function bindRandomPort(s: i32): i32 {
  for (let k = 0; k < 8; k++) if (udpBind(s, <i32>randomPort()) == 0) return 0;
  return udpBind(s, 0);
}

/** Send the next attempt of q over UDP, to the next server in turn; after a round over all of
 *  them the wait doubles. Err once DNS_ROUNDS rounds are spent (what a server said, or ETIMEDOUT). */
function attempt(q: usize): i32 {
  const n = serverCount();
  const tries = <i32>load<u8>(q, Q_TRIES);
  if (n == 0 || tries >= n * DNS_ROUNDS) { closeSock(q); return load<i32>(q, Q_ERR); }
  store<u8>(q, <u8>(tries + 1), Q_TRIES);
  store<u32>(q, nthServer(tries % n), Q_SERVER);
  return ask(q, WAITING, DNS_TIMEOUT_MS << <u32>(tries / n));
}

/** The next attempt, or the end of the query when none is left. */
function moveOn(q: usize): void {
  const rc = attempt(q);
  if (rc < 0) finish(q, rc);
}

/**
 * Ask q's server (Q_SERVER) with a fresh id, from a fresh random port (RFC 5452 9.2), waiting at
 * most `wait` ms. Over UDP (state WAITING) the query goes out at once; over TCP (state TCP, RFC 1035
 * 4.2.2, RFC 7766) it opens the core's own connection to port 53 (TF.CORE: no events, no handle for
 * the host) and queues the same query behind its 2-byte length, sent once ESTABLISHED.
 */
function ask(q: usize, state: i32, wait: u32): i32 {
  closeSock(q);
  const server = load<u32>(q, Q_SERVER);
  let s: i32 = 0;
  let t: Tcb | null = null;
  if (state == WAITING) {
    s = udpOpen(UDP_OWNER_DNS);
    if (s < 0) return s;
    store<i32>(q, s, Q_SOCK);          // closed with the query, also when this fails
    const rc = bindRandomPort(s);
    if (rc < 0) return rc;
  } else {
    const port = randomPort();
    if (tcbLookup(ifaceIp(), port, server, DNS_PORT) != null) return Err.EADDRINUSE;   // 1 in 64512
    t = tcbAllocReusing();
    if (t == null) return Err.EMFILE;
    flagsOn(t, TF.CORE);
    userOpen(t, ifaceIp(), port, server, DNS_PORT, at);
    flagsOff(t, TF.APP_OWNED);
    store<usize>(q, changetype<usize>(t), Q_TCB);
    count(C.DNS_TCP_QUERIES);
  }
  const id = <u16>(draw(0x444e_5349) >> 24);
  store<u16>(q, id, Q_ID);
  setQState(q, <u8>state);
  store<u32>(q, at + wait, Q_DEADLINE);
  const len = dnsQueryEmit(msg + 2, id, q + Q_NAME);
  put16(msg, <u16>len);
  if (t != null) userSend(t, msg, len + 2, at);
  else {
    const rc = udpSendTo(s, server, DNS_PORT, msg + 2, <u32>len, at);
    if (rc < 0) return rc;
  }
  count(C.DNS_QUERIES_TX);
  return 0;
}

/** The reply in msg (len bytes, over UDP or TCP): its id and question checked, then acted on.
 *  Returns true when it ended the query (an answer, NXDOMAIN, …) or moved it on (SERVFAIL,
 *  REFUSED, TC). */
function answer(q: usize, len: i32): bool {
  if (len < 2 || dnsId(msg) != <i32>load<u16>(q, Q_ID)) { count(C.DROP_DNS_ID); return false; }
  const n = dnsParse(msg, len, load<u16>(q, Q_ID), q + Q_NAME, q + Q_ADDRS, DNS_ADDRS, DNS_CNAME_MAX, q + Q_TTL, msg + NAMES);
  if (n == Err.EBADMSG) { count(C.DROP_DNS_MALFORMED); return false; }
  count(C.DNS_REPLIES);
  if (n == Err.EMSGSIZE && load<u8>(q, Q_STATE) == WAITING) {   // RFC 1035 4.2.2: ask again over TCP
    const rc = ask(q, TCP, DNS_TCP_TIMEOUT_MS);
    if (rc < 0) finish(q, rc);
  } else if (n == Err.ESERVFAIL || n == Err.EREFUSED) {   // RFC 1035 7.3: try another server
    store<i32>(q, n, Q_ERR);
    moveOn(q);
  } else {
    cachePut(q + Q_NAME, q + Q_ADDRS, n, load<u32>(q, Q_TTL), at);   // (an answer; an error is not cached)
    finish(q, n);
  }
  return true;
}

/** Read the TCP answer when it is all there: its length first (over TCP_MAX: EMSGSIZE), then the
 *  message. A connection that ends first (refused, reset, timed out) moves on to the next server,
 *  as a UDP timeout does, its error kept for the end. */
function tcpStep(q: usize): void {
  const t = changetype<Tcb>(load<usize>(q, Q_TCB));    // set while TCP
  const got = <i32>ringLen(t.rx);
  if (got >= 2) {
    ringPeek(t.rx, 0, msg, 2);
    const want = be16(msg);
    if (want > TCP_MAX) { count(C.DROP_DNS_OVERSIZE); finish(q, Err.EMSGSIZE); return; }
    if (want == 0) { count(C.DROP_DNS_MALFORMED); finish(q, Err.EBADMSG); return; }
    if (got >= want + 2) {
      tcbTouch(t);                  // the read may owe a window update (tcpPoll)
      ringConsume(t.rx, 2);
      userReceive(t, msg, want, at);
      if (!answer(q, want)) finish(q, Err.EBADMSG);
      return;
    }
  }
  if (t.state == State.CLOSED || flagged(t, TF.FIN_RCVD)) tcpFailed(q, t.err < 0 ? t.err : Err.ECONNRESET);
}

/** The TCP exchange failed with err: the next server (over UDP), or the end with err. */
function tcpFailed(q: usize, err: i32): void {
  store<i32>(q, err, Q_ERR);
  moveOn(q);
}

/** What dnsStep looks at. */
@inline const STEP_TCP: i32 = 1;      // the TCP answers
@inline const STEP_UDP: i32 = 2;      // the UDP replies
@inline const STEP_TIMERS: i32 = 4;   // the deadlines

/** Read what arrived for the waiting queries and retry or fail those whose wait is over (as `what`
 *  says); the next deadline (ms from now) or NO_DEADLINE. */
function dnsStep(now: u32, what: i32): i32 {
  at = now;
  let next: i32 = NO_DEADLINE;
  if (inFlight == 0) return next;   // (the walk below would find nothing to do)
  for (let i = 0; i < DNS_QUERIES; i++) {
    const q = slotAt(i);
    if ((what & STEP_TCP) && load<u8>(q, Q_STATE) == TCP) tcpStep(q);
    // a reply on q's socket counts only from its server's port 53, whole, with its id and question
    for (let k = 0; (what & STEP_UDP) && k < 64 && load<u8>(q, Q_STATE) == WAITING; k++) {
      const len = udpRecvFrom(load<i32>(q, Q_SOCK), msg, <u32>DNS_UDP_MAX, msg + META);
      if (len == Err.EAGAIN || len == Err.EBADF) break;
      if (len < 0) continue;                 // an ICMP error: the timeout moves on
      if (load<u32>(msg, META + META_SRC_IP) != load<u32>(q, Q_SERVER) || load<u16>(msg, META + META_SRC_PORT) != DNS_PORT) {
        count(C.DROP_DNS_SOURCE); continue;
      }
      if (load<u16>(msg, META + META_FLAGS) != 0) { count(C.DROP_DNS_MALFORMED); continue; }
      if (answer(q, len)) break;
    }
    const s = load<u8>(q, Q_STATE);
    if (!(what & STEP_TIMERS) || s < WAITING) continue;   // not in flight
    if (timeLe(load<u32>(q, Q_DEADLINE), now)) {
      count(C.DNS_TIMEOUTS);
      if (s == TCP) tcpFailed(q, Err.ETIMEDOUT);
      else moveOn(q);
      if (load<u8>(q, Q_STATE) == DONE) continue;
    }
    next = earliest(next, load<u32>(q, Q_DEADLINE), now);
  }
  return next;
}

/** After a UDP datagram was delivered: the replies on the queries' sockets. */
export function dnsRx(now: u32): void { dnsStep(now, STEP_UDP); }

/** After a TCP segment was delivered: the answers on the queries' TCP connections. */
export function dnsTcpRx(now: u32): void { dnsStep(now, STEP_TCP); }

/** Retry or fail the queries whose wait is over (TCP's timers may have ended a connection too);
 *  the next deadline (ms from now) or NO_DEADLINE. */
export function dnsPoll(now: u32): i32 { return dnsStep(now, STEP_TCP | STEP_TIMERS); }
