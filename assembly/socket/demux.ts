// Segment demultiplexing: a checked segment goes to its connection, to a listener, or is answered
// as CLOSED; what LISTEN and CLOSED do with it is tcp/listen.ts (RFC 9293 3.10.7.1, 3.10.7.2).
// Here are the table's limits under load: SYN admission (synAdmit: half-open connections take at
// most half the table, SYN cookies past that, RFC 4987 3.6), TIME-WAIT slots reused (RFC 9293
// 3.6.1, RFC 6191), the oldest stale half-open connection evicted for a peer that returned a cookie
// and found no free slot.
//
// Eviction order when a new connection needs a slot and the table is full: (1) the oldest TIME-WAIT
// slot the app has let go; (2) only for a peer that returned a valid cookie, the oldest half-open
// (SYN-RECEIVED) connection, if it is stale (its SYN-ACK has timed out once). Established
// connections are never evicted: a peer that holds one with a shut window is ended by the persist
// limit (tcp_set_default PERSIST_TIMEOUT) or a user timeout.
import { C, count } from "../counters";
import { Err } from "../errors";
import { Flag, tcpSrcPort, tcpDstPort, tcpSeq } from "../wire/tcp";
import { ifaceIp } from "../iface/iface";
import { tcpIcmpError } from "../tcp/icmp";
import { seg, opts, has, tcpParse } from "../tcp/segment";
import { Tcb, tcbAlloc, tcbAllocReusing, tcbLookup, tcbOldest, tcbClose, tcbFree, halfOpenCount, TF, flagged } from "../tcp/tcb";
import { seqGt } from "../tcp/seq";
import { cookieCheck, cookieMss, cookiesRecent } from "../tcp/cookie";
import { tcpSegmentArrives, tcpSynSent } from "../tcp/input";
import { Listen, listenCheck, listenReset, listenOpen, listenCookieOpen, tcpNoConnection, tcpCookieSynAck } from "../tcp/listen";
import { State } from "../tcp/state";
import { MAX_CONNS } from "../config";
import { listenerForPort, backlogFull, acceptQueueFull, halfOpenFull, connectionReady } from "./listeners";

/** One TCP segment of `len` bytes at p, from src to dst (our address). 0, or a negative drop code. */
export function tcpRx(src: u32, dst: u32, p: usize, len: i32, now: u32): i32 {
  if (!tcpParse(src, dst, p, len)) return Err.EINVAL;
  const t = tcbLookup(seg.dst, seg.dport, seg.src, seg.sport);
  if (t != null && !(t.state == State.TIME_WAIT && timeWaitReopen(t))) {
    const before = t.state;
    if (before == State.SYN_SENT) tcpSynSent(t, now);
    else tcpSegmentArrives(t, now);
    if (before == State.SYN_RECEIVED) queueIfReady(t);
    return 0;
  }
  const l = listenerForPort(seg.dport);
  if (l < 0) { tcpNoConnection(now); return 0; }
  const check = listenCheck();              // RFC 9293 3.10.7.2 (tcp/listen.ts)
  if (check == Listen.RESET) {
    if (!has(Flag.SYN) && cookieArrives(l, now)) return 0;
    listenReset(now);
    return 0;
  }
  if (check != Listen.SYN) return 0;
  return synAdmit(l, now);
}

/** A SYN for listener l (RFC 9293 3.10.7.2, third check): a TCB, a SYN cookie, or nothing. Its
 *  admission under load (RFC 4987):
 *  - a backlog full of connections waiting for accept() drops it without an answer (nothing a
 *    cookie's ACK could take; as Linux): the client's retransmission gets in once the app accepts;
 *  - a SYN takes a slot as a half-open connection (SYN-ACK retransmitted, every option kept) while
 *    half-open connections hold less than half the table and half the listener's backlog, and a
 *    slot is free (a TIME-WAIT one is taken first);
 *  - otherwise it is answered with a SYN cookie (RFC 4987 3.6): no state until the peer's ACK
 *    returns it, and then the free half of the table (or the oldest stale half-open connection)
 *    takes it. A flood fills the half-open half within a few SYNs; every SYN after that, a real
 *    client's among them, gets its SYN-ACK at once;
 *  - only when nothing could take the cookie's ACK — no free slot and no half-open connection to
 *    make room from (a table of established connections) — is the SYN dropped (counted), so that
 *    its retransmission finds the slot that frees instead of a handshake the server cannot keep. */
function synAdmit(l: i32, now: u32): i32 {
  if (acceptQueueFull(l)) { count(C.DROP_TCP_BACKLOG); return Err.EAGAIN; }
  const full = backlogFull(l);
  const n = !full && halfOpenRoom(l) ? tcbAllocOrRecycle(false) : null;
  if (n == null) {
    if (!cookieCouldLand(l, full)) {
      count(full ? C.DROP_TCP_BACKLOG : C.DROP_TCP_TABLE_FULL);
      return full ? Err.EAGAIN : Err.EMFILE;
    }
    count(C.TCP_SYN_COOKIES_SENT);
    tcpCookieSynAck(now);
    return 0;
  }
  listenOpen(n, l, now);
  return 0;
}

/** Half-open connections hold less than half the table and half listener l's backlog. */
function halfOpenRoom(l: i32): bool {
  return !halfOpenFull(l) && halfOpenCount() * 2 < (MAX_CONNS > 1 ? MAX_CONNS : 2);
}

/** The ACK of a cookie sent now could take something: with the backlog full, one of l's half-open
 *  connections (once stale); else a free slot, or any half-open connection (once stale). */
function cookieCouldLand(l: i32, backlogIsFull: bool): bool {
  if (backlogIsFull) return tcbOldest(State.SYN_RECEIVED, l) != null;
  return tcbFree() || tcbOldest(State.SYN_RECEIVED, -1) != null;
}

/** A passive connection that has left SYN-RECEIVED for a synchronized state joins its accept queue. */
function queueIfReady(t: Tcb): void {
  if (t.listener >= 0 && flagged(t, TF.IN_USE) && t.state != State.SYN_RECEIVED && t.state != State.CLOSED) connectionReady(t);
}

/** RFC 9293 3.6.1 (RFC 1122 4.2.2.13) and RFC 6191: a SYN for a 4-tuple in TIME-WAIT may reopen it
 *  when it cannot be an old duplicate — its TSval is above TS.Recent (timestamps agreed), or else its
 *  sequence number is above RCV.NXT — and a listener takes the port. The TIME-WAIT TCB goes, and
 *  the SYN is processed as in LISTEN. */
function timeWaitReopen(t: Tcb): bool {
  if ((seg.flags & (Flag.SYN | Flag.ACK | Flag.RST)) != Flag.SYN || flagged(t, TF.APP_OWNED)) return false;
  if (listenerForPort(seg.dport) < 0) return false;
  const newer = flagged(t, TF.TS_OK) && opts.hasTs ? <i32>(opts.tsVal - t.tsRecent) > 0 : seqGt(seg.seq, t.rcvNxt);
  if (!newer) return false;
  count(C.TCP_TIME_WAIT_RECYCLED);
  tcbClose(t, 0);
  return true;
}

/** A free TCB, or else the oldest TIME-WAIT slot (tcb.ts), or else, when `evict` (a peer proved its
 *  address with a cookie), the slot of the oldest half-open connection. */
function tcbAllocOrRecycle(evict: bool): Tcb | null {
  const n = tcbAllocReusing();
  if (n != null || !evict) return n;
  return evictHalfOpen(-1) ? tcbAlloc() : null;
}

/** The oldest half-open connection (of listener l, or any when l < 0) if it is stale: its SYN-ACK
 *  went unanswered for a whole retransmission timeout (a real peer answers within a round trip). */
function staleHalfOpen(l: i32): Tcb | null {
  const h = tcbOldest(State.SYN_RECEIVED, l);
  return h != null && flagged(h, TF.SYN_RESENT) ? h : null;
}

/** Drop the oldest half-open connection (of listener l, or any when l < 0) if it is stale; false
 *  when there is none. */
function evictHalfOpen(l: i32): bool {
  const h = staleHalfOpen(l);
  if (h == null) return false;
  count(C.TCP_HALF_OPEN_EVICTED);
  tcbClose(h, 0);
  return true;
}

/** RFC 4987 3.6: an ACK to a listener that returns one of our SYN cookies opens the connection.
 *  Room is made by evicting the oldest stale half-open connection (its peer has not answered; this
 *  one has). True when the segment is consumed here: a valid cookie (used, or dropped for lack of
 *  room), or data that may follow one; false lets LISTEN answer it with an RST. */
function cookieArrives(l: i32, now: u32): bool {
  if (!cookiesRecent(now)) return false;
  const idx = cookieCheck(now);
  if (idx < 0) {
    count(C.DROP_TCP_BAD_COOKIE);
    // Data past the first byte cannot carry the cookie (it is checked against SEG.SEQ − 1): it is
    // what a peer whose cookie ACK found no room sends next. Its retransmission restarts at the
    // first byte, which does carry it, so drop it quietly instead of resetting that peer.
    return seg.dataLen > 0;
  }
  if (backlogFull(l) && !evictHalfOpen(l)) { count(C.DROP_TCP_BACKLOG); return true; }
  const t = tcbAllocOrRecycle(true);
  if (t == null) { count(C.DROP_TCP_TABLE_FULL); return true; }
  count(C.TCP_SYN_COOKIES_OK);
  listenCookieOpen(t, l, cookieMss(idx), now);
  queueIfReady(t);
  return true;
}

/** RFC 9293 3.9.2.2 (MUST-54), RFC 1122 4.2.3.9: an ICMP error quoting a segment we sent (to `dst`,
 *  its first 8 bytes at q; meaning err, iface/input.ts icmpErrno) goes to the connection that sent it (tcp/icmp.ts). */
export function tcpIcmp(dst: u32, q: usize, err: i32, mtu: u32, now: u32): i32 {
  const t = tcbLookup(ifaceIp(), <u32>tcpSrcPort(q), dst, <u32>tcpDstPort(q));
  if (t == null) { count(C.DROP_ICMP_STALE); return 0; }
  tcpIcmpError(t, err, tcpSeq(q), mtu, now);
  return 0;
}
