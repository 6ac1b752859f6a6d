// Timeouts (RFC 9293 3.10.8): retransmission (RTO from the RFC 6298 estimator in rtt.ts, backed off
// exponentially), the persist timer, TIME-WAIT, and the orphaned FIN-WAIT-2 timeout; keepalive and
// the user timeout are in liveness.ts. Deadlines are absolute times in the TCB.
import { RTO_MAX_MS, SYN_RETRIES, SYNACK_RETRIES, SYNACK_RETRIES_PRESSURE, DATA_RETRIES, R1_RETRIES, MAX_CONNS } from "../config";
import { C, count } from "../counters";
import { Err } from "../errors";
import { State } from "./state";
import { earliest, timeLt } from "../time";
import { Tcb, TF, tcbClose, synchronized, halfOpenCount, flagsOn, flagsOff, flagged, tcbAt, tcbNext, tcpTouched, TOUCHED_MANY } from "./tcb";
import { tcpOutput, tcpProbe } from "./output";
import { dataBase, mayTransmit, windowClosed } from "./emit";
import { sackClear } from "./sack";
import { congestionOnTimeout } from "./congestion";
import { ipNegativeAdvice, ipNextHopFailed } from "../iface/output";
import { noteRetransmit } from "./rtt";
import { timedOut, userTimeoutExpired, userTimeoutNext, keepaliveTimer, persistLimitExpired, persistLimitNext } from "./liveness";
import { pathMtuTimer, softError, softErrorReport } from "./icmp";

// No connection's deadline comes before dueAt (when dueSet): a full walk sets it, a touched
// connection's walk lowers it. A deadline disarmed since leaves it early, which costs one full walk.
let dueAt: u32 = 0;
let dueSet = false;

/** poll()'s TCP part: the timers due at `now` run; returns the ms until the next deadline or -1.
 *  Every connection is walked when one may be due, else only the one touched since the last poll. */
export function tcpPoll(now: u32): i32 {
  let next: i32 = -1;
  const touched = tcpTouched;
  if (touched == TOUCHED_MANY || (dueSet && !timeLt(now, dueAt))) {
    for (let i = tcbNext(0); i < MAX_CONNS; i = tcbNext(i + 1)) next = tcpTimers(tcbAt(i), now, next);
  } else {
    // (a slot freed since has no flags and is CLOSED: nothing runs)
    if (touched != 0) next = tcpTimers(changetype<Tcb>(touched), now, -1);
    if (dueSet) next = earliest(next, dueAt, now);
  }
  dueSet = next >= 0;
  dueAt = now + <u32>next;
  tcpTouched = 0;
  return next;
}

/** Run the timers of t that are due at `now`; returns the ms until its next deadline or `acc`. */
export function tcpTimers(t: Tcb, now: u32, acc: i32): i32 {
  if (flagged(t, TF.CLOSE_ARMED) && !timeLt(now, t.closeAt)) {
    // TIME-WAIT timeout, or an orphaned FIN-WAIT-2 that waited long enough: delete the TCB
    tcbClose(t, 0);
    return acc;
  }
  if (userTimeoutExpired(t, now)) return acc;   // before a retransmission that would come too late
  if (persistLimitExpired(t, now)) return acc;
  if (flagged(t, TF.RTX_ARMED) && !timeLt(now, t.rtxAt)) retransmissionTimeout(t, now);
  if (t.state == State.CLOSED) return acc;
  if (flagged(t, TF.DELACK) && !timeLt(now, t.delAckAt)) {
    count(C.TCP_DELAYED_ACKS);
    flagsOn(t, TF.ACK_NOW);                   // the delayed ACK is due (it may ride on data)
  }
  // an owed ACK goes now: the delayed one just due, or a window update after a read (user.ts)
  // that no segment of the app's turn carried
  if (flagged(t, TF.ACK_NOW)) tcpOutput(t, now);
  if (flagged(t, TF.DELACK)) acc = earliest(acc, t.delAckAt, now);
  acc = keepaliveTimer(t, now, acc);             // keepalive and user timeout: liveness.ts
  if (t.state == State.CLOSED) return acc;
  acc = userTimeoutNext(t, now, acc);
  acc = persistLimitNext(t, now, acc);
  acc = pathMtuTimer(t, now, acc);              // RFC 1191 6.3: icmp.ts
  if (flagged(t, TF.CLOSE_ARMED)) acc = earliest(acc, t.closeAt, now);
  if (flagged(t, TF.RTX_ARMED)) acc = earliest(acc, t.rtxAt, now);
  return acc;
}

/** RFC 4987 3.2/3.3: a half-open connection that times out while half the table is half-open (a
 *  SYN flood) gets fewer SYN-ACK retransmissions from then on, so that its slot is free sooner for a
 *  peer that answers. The mark stays: slots freed one by one must not lift the pressure for the rest. */
function synackRetries(t: Tcb): i32 {
  if (halfOpenCount() * 2 >= MAX_CONNS) flagsOn(t, TF.SYN_FLOOD);
  return flagged(t, TF.SYN_FLOOD) ? SYNACK_RETRIES_PRESSURE : SYNACK_RETRIES;
}

export function backoff(t: Tcb): void {
  t.rto = t.rto >= RTO_MAX_MS / 2 ? RTO_MAX_MS : t.rto * 2;  // RFC 6298 5.5
}

function retransmissionTimeout(t: Tcb, now: u32): void {
  flagsOff(t, TF.RTX_ARMED);
  const s = t.state;
  if (windowClosed(t)) {
    // persist timer: probe the zero window with one byte; probing goes on for as long as the peer
    // keeps the window closed (RFC 1122 4.2.2.17, MUST-n): no retry limit here
    flagsOn(t, TF.ZWP);
    t.sndNxt = dataBase(t);
    if (t.zwpProbes < 16) t.zwpProbes++;       // SHLD-30: the probe interval doubles (persistInterval)
    tcpProbe(t, now);
    return;
  }
  flagsOff(t, TF.ZWP);                          // the window is open: this is a retransmission
  const limit = s == State.SYN_SENT ? SYN_RETRIES : s == State.SYN_RECEIVED ? synackRetries(t) : DATA_RETRIES;
  if (ipNextHopFailed(t.rip)) {
    // the next hop did not answer ARP: a soft error (RFC 1122 4.2.3.9). An active open ends with
    // EHOSTUNREACH (as Linux, for which the failure is a locally generated host unreachable) when
    // it is the second time — once the retransmission has asked ARP again and that failed too — so
    // that a lossy link that swallowed three ARP exchanges does not end an open that would succeed
    if (s == State.SYN_SENT && t.softErr == Err.EHOSTUNREACH) { timedOut(t); return; }
    softError(t, Err.EHOSTUNREACH);
  }
  // a user timeout (liveness.ts) ends a synchronized connection instead of the retry count
  if (t.retries >= limit && !(t.userTimeout > 0 && synchronized(s))) {
    // RFC 9293 3.8.3 (R2), MUST-20; a passive half-open one just goes. A soft error seen meanwhile
    // (ICMP unreachable, ARP failure) names the cause (RFC 1122 4.2.3.9, RFC 5927 4.1)
    timedOut(t);
    return;
  }
  t.retries++;
  if (s == State.SYN_SENT || s == State.SYN_RECEIVED) flagsOn(t, TF.SYN_RESENT);
  // R1 (RFC 9293 3.8.3, MUST-20; RFC 1122 4.2.3.5: at least 3 retransmissions, SHLD-10): negative
  // advice to IP — the next hop is asked for its address again, in case it went stale; again
  // at every later timeout, since the answer to that request may itself be lost or damaged
  if (t.retries >= R1_RETRIES) ipNegativeAdvice(t.rip);
  if (t.retries == R1_RETRIES) softErrorReport(t);   // RFC 1122 4.2.3.5: tell the app (icmp.ts)
  t.timeouts++;
  count(C.TCP_RTO_TIMEOUTS);
  backoff(t);
  noteRetransmit(t, now);                       // Karn (RFC 6298 5.7 note)
  flagsOff(t, TF.RECOVERY);                     // recovery is over
  if (mayTransmit(s)) {
    congestionOnTimeout(t);
    sackClear(t);   // RFC 2018 8: after a timeout the SACKed data is resent too (the peer may renege)
  }
  // go back to the oldest unacknowledged sequence number and send again from there
  t.sndNxt = t.sndUna;   // = ISS while the SYN is unacknowledged: output() sends it again
  tcpOutput(t, now);
}
