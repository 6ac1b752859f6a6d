// Is the peer still there? Two per-connection options (tcp_set_option) answer it:
// - keepalive (RFC 1122 4.2.3.6, RFC 9293 3.8.4): an idle connection is probed, and dies when the
//   probes go unanswered;
// - the user timeout (RFC 9293 3.8.3 "USER TIMEOUT", in RFC 5482's and Linux TCP_USER_TIMEOUT's
//   sense): data the peer does not acknowledge for that long ends the connection.
// Both are deadlines computed from TCB fields; tcpTimers (timers.ts) runs them and merges them into
// the poll deadline.
import { C, count } from "../counters";
import { Err } from "../errors";
import { ringLen } from "../storage/ring";
import { State } from "./state";
import { Flag } from "../wire/tcp";
import { earliest, timeLt } from "../time";
import { Tcb, TF, tcbClose, synchronized, persistLimit, flagged } from "./tcb";
import { emitSegment, sendRst, windowClosed } from "./emit";

/** A timer gave up on the peer (RFC 9293 3.8.3 R2, the user timeout): counted, and the connection
 *  closed with the soft error seen meanwhile (ICMP unreachable, ARP failure: RFC 1122 4.2.3.9,
 *  RFC 5927 4.1) or else ETIMEDOUT. */
export function timedOut(t: Tcb): void {
  count(C.TCP_TIMEOUTS);
  tcbClose(t, t.softErr != 0 ? t.softErr : Err.ETIMEDOUT);
}

/** Keepalive or the persist limit gave up (counted as `why` and as a timeout): ETIMEDOUT, and an
 *  RST, as Linux: a peer that hears us but whose ACKs are lost learns it. */
function abort(t: Tcb, why: i32, now: u32): void {
  count(why);
  count(C.TCP_TIMEOUTS);
  sendRst(t, now);
  tcbClose(t, Err.ETIMEDOUT);
}

/** An acceptable segment came from the peer (it passed the sequence check, RFC 9293 3.10.7.4): the
 *  connection is not idle, and every probe so far is answered. Unacceptable segments do not count,
 *  so that blind out-of-window spoofing cannot keep a dead connection alive. */
export function peerHeard(t: Tcb, now: u32): void {
  t.heardAt = now;
  t.keepProbes = 0;
}

// ── user timeout ─────────────────────────────────────────────────────────────────────────────
// With userTimeout > 0, data or a FIN that stays unacknowledged for userTimeout ms closes the
// connection with ETIMEDOUT. The clock (unaSince) starts when a flight begins (output.ts: output) and
// restarts whenever SND.UNA advances (input.ts: ackSyn, ackData), so it measures how long the oldest
// unacknowledged byte has waited (from its first transmission, or from the last ACK progress if
// that is later). It replaces the DATA_RETRIES count (timers.ts: retransmissionTimeout): with a user
// timeout, retransmission goes on until the deadline, however few or many retransmissions that is.
// It applies in the synchronized states only, as in Linux; an active open keeps SYN_RETRIES.
// Zero window: the persist timer's probe byte is transmitted data that stays unacknowledged while
// the window stays shut, so the user timeout also ends a connection whose peer keeps its window
// closed for that long, even while it answers the probes (RFC 5482's definition, and Linux since
// 2021). Without a user timeout the persist timer probes forever (RFC 9293 MUST-37).

/** The user-timeout deadline runs: set, synchronized, and something unacknowledged. */
function userTimeoutOn(t: Tcb): bool {
  return t.userTimeout > 0 && synchronized(t.state) && t.sndMax != t.sndUna;
}

/** Close t with ETIMEDOUT if its user timeout has expired at `now`. True when it was closed. */
export function userTimeoutExpired(t: Tcb, now: u32): bool {
  if (!userTimeoutOn(t) || timeLt(now, t.unaSince + t.userTimeout)) return false;
  count(C.TCP_USER_TIMEOUTS);
  timedOut(t);   // RFC 9293 3.10.8 USER TIMEOUT: flush, signal the user, CLOSED
  return true;
}

/** Merge the user-timeout deadline into `acc` (ms from now, -1 = none). */
export function userTimeoutNext(t: Tcb, now: u32, acc: i32): i32 {
  return userTimeoutOn(t) ? earliest(acc, t.unaSince + t.userTimeout, now) : acc;
}

// ── persist limit ────────────────────────────────────────────────────────────────────────────
// A peer that never reads holds its slot (and our send ring) for as long as it answers the window
// probes (RFC 9293 MUST-37). With a persist limit (tcp_set_default PERSIST_TIMEOUT, stack-wide, as
// a server sets it to stay fair to other peers; Linux's TCP_USER_TIMEOUT applied to the persist
// timer), a window kept shut on waiting data for that long ends the connection with ETIMEDOUT and
// an RST, whatever the per-connection user timeout says. The clock (zwSince) starts when the window
// shuts (output.ts: noteWindowShut) and stops when it opens or the data is gone.

function persistLimitOn(t: Tcb): bool {
  return persistLimit > 0 && flagged(t, TF.WND_SHUT) && windowClosed(t);
}

/** Close t if its peer has kept the window shut past the persist limit. True when it was closed. */
export function persistLimitExpired(t: Tcb, now: u32): bool {
  if (!persistLimitOn(t) || timeLt(now, t.zwSince + persistLimit)) return false;
  abort(t, C.TCP_PERSIST_TIMEOUTS, now);
  return true;
}

/** Merge the persist-limit deadline into `acc` (ms from now, -1 = none). */
export function persistLimitNext(t: Tcb, now: u32, acc: i32): i32 {
  return persistLimitOn(t) ? earliest(acc, t.zwSince + persistLimit, now) : acc;
}

// ── keepalive ────────────────────────────────────────────────────────────────────────────────
// Probes run while keepIdle > 0 in ESTABLISHED and CLOSE-WAIT, and (as Linux) FIN-WAIT-2, and only
// with nothing outstanding or queued (MUST-26): unacknowledged data has the retransmission timer,
// data held by a closed window the persist timer. The first probe goes keepIdle after the last
// acceptable segment from the peer, then one every keepIntvl (probeAt + keepIntvl, so a late poll
// sends one probe, not a burst); keepCount unanswered probes (default 9, so one lost ACK never ends
// a connection: MUST-29) close it with ETIMEDOUT. An idle time set on a connection that has
// already been idle that long gives a probe at the next poll.

function keepaliveOn(t: Tcb): bool {
  const s = t.state;
  return t.keepIdle > 0 && (s == State.ESTABLISHED || s == State.CLOSE_WAIT || s == State.FIN_WAIT_2)
    && t.sndMax == t.sndUna && ringLen(t.tx) == 0;
}

function keepaliveAt(t: Tcb): u32 {
  return t.keepProbes == 0 ? t.heardAt + t.keepIdle : t.probeAt + t.keepIntvl;
}

/** Run t's keepalive at `now` if due; returns the ms until its next deadline merged into `acc`. The
 *  connection may be closed on return (check t.state). */
export function keepaliveTimer(t: Tcb, now: u32, acc: i32): i32 {
  if (!keepaliveOn(t)) return acc;
  if (!timeLt(now, keepaliveAt(t))) {
    if (t.keepProbes >= t.keepCount) {
      abort(t, C.TCP_KEEPALIVE_TIMEOUTS, now);
      return acc;
    }
    // RFC 1122 4.2.3.6: <SEQ=SND.NXT−1><ACK=RCV.NXT>, no data (SHLD-12). The peer has acknowledged
    // that sequence number already, so its first check finds the segment unacceptable and answers
    // with an ACK (RFC 9293 3.10.7.4).
    emitSegment(t, t.sndMax - 1, Flag.ACK, 0, 0, now);
    t.keepProbes++;
    t.probeAt = now;
    count(C.TCP_KEEPALIVE_PROBES);
  }
  return earliest(acc, keepaliveAt(t), now);
}
