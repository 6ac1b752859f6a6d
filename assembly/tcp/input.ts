// SEGMENT ARRIVES (RFC 9293 3.10.7), one function per group of states. The segment is in `seg`
// (segment.ts), already checked. Each rule carries its RFC section.
import { MSS_DEFAULT, MSS_LOCAL, MSL_MS, FIN_WAIT2_MS, DELACK_MS } from "../config";
import { C, count } from "../counters";
import { Err } from "../errors";
import { ringLen, ringFree, ringWrite, ringWriteAt, ringCommit, ringConsume } from "../storage/ring";
import { Ev } from "../storage/events";
import { State } from "./state";
import { Flag } from "../wire/tcp";
import { seg, opts, has } from "./segment";
import { Tcb, TF, setState, tcbClose, synchronized, armClose, appEvent, flagsOn, flagsOff, flagged } from "./tcb";
import { seqLt, seqLe, seqGt } from "./seq";
import { emitReset, sendAck, sendRst, rcvWindow, dataBase, armRtx } from "./emit";
import { tcpOutput } from "./output";
import { rttAcked } from "./rtt";
import { oooInsert, oooRemove, oooStart, oooEnd } from "./assembler";
import { optionsNegotiate, segWindow, pawsCheck, tsRecentUpdate } from "./options";
import { sackUpdate, sackTrim } from "./sack";
import { congestionOnAck, congestionOnDupAck } from "./congestion";
import { limitedAck, challengeAck } from "./challenge";
import { peerHeard } from "./liveness";

/** RFC 9293 3.7.1: the send MSS is the peer's option (or 536, MUST-15) capped by our own MSS.
 *  A hostile tiny MSS is raised to 64 so it cannot turn one write into thousands of segments. */
export function peerMss(): u32 {
  let m: u32 = opts.mss != 0 ? opts.mss : <u32>MSS_DEFAULT;
  if (m > <u32>MSS_LOCAL) m = <u32>MSS_LOCAL;
  if (m < 64) m = 64;
  return m;
}

/** A SYN arrived with initial sequence number `irs` (RFC 9293 3.10.7.2/3.10.7.3): the connection
 *  takes the segment's addresses and ports, and RCV.NXT = IRS + 1. */
export function synFrom(t: Tcb, irs: u32): void {
  t.lip = seg.dst; t.lport = seg.dport; t.rip = seg.src; t.rport = seg.sport;
  t.irs = irs; t.rcvNxt = irs + 1; t.rcvUp = t.rcvNxt; t.rcvAdv = t.rcvNxt;
}

/** The send window this segment gives (RFC 9293 3.10.7.4: SND.WND, SND.WL1 = SEG.SEQ, SND.WL2). */
export function windowFrom(t: Tcb, wnd: u32, wl2: u32): void { t.sndWnd = wnd; t.sndWl1 = seg.seq; t.sndWl2 = wl2; }

/** RFC 9293 3.10.7.3, SYN-SENT. */
export function tcpSynSent(t: Tcb, now: u32): void {
  // first: the ACK bit
  if (has(Flag.ACK) && (seqLe(seg.ack, t.iss) || seqGt(seg.ack, t.sndNxt))) {
    if (!has(Flag.RST)) emitReset(now);
    count(C.DROP_TCP_BAD_ACK);
    return;
  }
  // second: the RST bit — acceptable only with an acceptable ACK
  if (has(Flag.RST)) {
    if (has(Flag.ACK)) { count(C.TCP_RST_RX); tcbClose(t, Err.ECONNREFUSED); }
    else count(C.DROP_TCP_RST_IGNORED);
    return;
  }
  // fourth: the SYN bit
  if (!has(Flag.SYN)) return;
  peerHeard(t, now);
  synFrom(t, seg.seq);                      // (the addresses and ports are the connection's already)
  t.mss = peerMss();
  optionsNegotiate(t, now);
  if (has(Flag.ACK)) ackSyn(t, now);
  if (seqGt(t.sndUna, t.iss)) {
    windowFrom(t, seg.wnd, seg.ack);
    establish(t);
    flagsOn(t, TF.ACK_NOW);
  } else {
    // simultaneous open: SYN_RECEIVED, answer <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>
    windowFrom(t, seg.wnd, 0);
    setState(t, State.SYN_RECEIVED);
    t.sndNxt = t.iss;
  }
  tcpOutput(t, now);
}

function ackSyn(t: Tcb, now: u32): void {
  t.sndUna = seg.ack;
  t.unaSince = now;                         // SND.UNA advanced: the user-timeout clock restarts
  t.retries = 0;
  flagsOff(t, TF.RTX_ARMED);
  rttAcked(t, seg.ack, now);                // the SYN's round trip (RFC 6298 2.2)
}

function establish(t: Tcb): void {
  flagsOff(t, TF.CLOSE_ARMED);              // the half-open life (listen.ts: passiveOpen) is over
  // RFC 6298 5.7: after a SYN (or SYN-ACK) timed out, data transfer starts with an RTO of at least 3 s
  if (flagged(t, TF.SYN_RESENT) && t.rto < 3000) t.rto = 3000;
  setState(t, State.ESTABLISHED);
  count(C.TCP_ESTABLISHED);
  appEvent(t, Ev.CONNECTED, 0);
  // a CLOSE issued before the handshake finished (simultaneous open) takes effect now
  if (flagged(t, TF.FIN_QUEUED)) setState(t, State.FIN_WAIT_1);
}

/** RFC 9293 3.10.7.4, first check: is the segment acceptable? (the four cases of the table) Each
 *  test "RCV.NXT ≤ x < RCV.NXT+RCV.WND" is taken as x − RCV.NXT < RCV.WND, unsigned: the offset
 *  from RCV.NXT modulo 2^32, with a window below 2^30 (RFC 7323 2.3). A zero window admits nothing
 *  but an empty segment at RCV.NXT. */
function acceptable(t: Tcb): bool {
  const wnd = rcvWindow(t);
  const off = seg.seq - t.rcvNxt;
  // RFC 9293 says RCV.NXT ≤ SEG.SEQ < RCV.NXT+RCV.WND for an empty segment; like Linux we also take
  // SEG.SEQ at the right edge: a bare ACK from a peer whose data filled our window sits exactly
  // there, and refusing it makes both ends answer each other's ACKs forever (an "ACK war")
  if (seg.len == 0) return off <= wnd;
  return off < wnd || off + seg.len - 1 < wnd;   // the first or the last octet in the window
}

/** RFC 9293 3.10.7.4, first check: an unacceptable segment (not RST) is answered with an ACK. Every
 *  one that carries data or a FIN gets its ACK: it is a retransmission after a lost ACK (or a
 *  keepalive probe with a byte), and the sender needs the answer. Only empty ones share the per-
 *  connection limit (challenge.ts, one per OOW_ACK_MS), so duplicated or hostile bare ACKs cannot
 *  make us send an ACK each — Linux's rule (tcp_oow_rate_limited) too. A SYN's ACK is RFC 5961
 *  4.2's challenge ACK, limited as such. */
function unacceptableAck(t: Tcb, now: u32): void {
  if (has(Flag.SYN)) challengeAck(t, now);
  else if (seg.len > 0) sendAck(t, now);
  else limitedAck(t, now);
}

/** ESTABLISHED, FIN-WAIT-1 or FIN-WAIT-2: the states that take segment text (RFC 9293 3.10.7.4). */
function receiving(s: i32): bool { return s >= State.ESTABLISHED && s <= State.FIN_WAIT_2; }

/** Set by reassemble() when RCV.NXT reaches a FIN that arrived ahead of it. */
let finReached = false;

/** RFC 9293 3.10.7.4: SYN-RECEIVED and every synchronized state. */
export function tcpSegmentArrives(t: Tcb, now: u32): void {
  // A retransmitted SYN in SYN-RECEIVED means our SYN-ACK was lost: send it again at once rather
  // than only the ACK the acceptability test would give (which a SYN-SENT peer ignores).
  if (t.state == State.SYN_RECEIVED && (seg.flags & (Flag.SYN | Flag.ACK | Flag.RST)) == Flag.SYN && seg.seq == t.irs) {
    t.sndNxt = t.iss;
    tcpOutput(t, now);
    return;
  }
  // first: timestamps (RFC 7323 5.3 R1, PAWS), then the sequence number
  const paws = pawsCheck(t, now);
  if (paws == 2) return;
  if (paws == 1 || !acceptable(t)) {
    if (paws == 0) count(has(Flag.RST) ? C.DROP_TCP_RST_IGNORED : C.DROP_TCP_OUT_OF_WINDOW);
    if (!has(Flag.RST)) {
      unacceptableAck(t, now);
      if (t.state == State.TIME_WAIT) restartTimeWait(t, now);
    }
    return;
  }
  tsRecentUpdate(t, now);
  peerHeard(t, now);                         // keepalive: the connection is not idle (liveness.ts)
  // second: RST. RFC 5961 3.2 (RFC 9293 3.10.7.4 second check), in SYN-RECEIVED too: only an RST
  // exactly at RCV.NXT resets; one elsewhere in the window draws a challenge ACK and is dropped
  if (has(Flag.RST)) {
    if (seg.seq == t.rcvNxt) resetArrives(t);
    else challengeAck(t, now);
    return;
  }
  // fourth: SYN in a synchronized state or SYN-RECEIVED → challenge ACK (RFC 9293 3.10.7.4, RFC 5961 4.2)
  if (has(Flag.SYN)) { challengeAck(t, now); return; }
  // fifth: ACK
  if (!has(Flag.ACK)) return;
  if (!ackArrives(t, now)) return;
  if (t.state == State.CLOSED) return;
  // sixth: URG (RFC 9293 3.8.5): remember the urgent pointer; urgent data is delivered inline
  if (has(Flag.URG) && receiving(t.state)) {
    const up = seg.seq + seg.up;
    if (seqGt(up, t.rcvUp)) t.rcvUp = up;
  }
  // seventh: segment text
  finReached = false;
  if (seg.dataLen > 0 && !textArrives(t, now)) return;
  // eighth: FIN — only in order: right after this segment's data, or a FIN that was held ahead
  const finInOrder = finReached || (has(Flag.FIN) && seg.seq + <u32>seg.dataLen == t.rcvNxt);
  if (finInOrder) finArrives(t, now);
  tcpOutput(t, now);
}

/** RFC 9293 3.10.7.4, second check. */
function resetArrives(t: Tcb): void {
  count(C.TCP_RST_RX);
  const s = t.state;
  let err = 0;
  if (s == State.SYN_RECEIVED) {
    // a passive open goes back to LISTEN: the listener is untouched, this half-open TCB goes
    if (!flagged(t, TF.PASSIVE)) err = Err.ECONNREFUSED;
  } else if (s >= State.ESTABLISHED && s <= State.CLOSE_WAIT) {   // ESTABLISHED, FIN-WAIT-1, -2, CLOSE-WAIT
    count(C.TCP_RESETS);
    err = Err.ECONNRESET;
  }
  tcbClose(t, err);          // CLOSING, LAST-ACK, TIME-WAIT: without an error
}

/** RFC 9293 3.10.7.4, fifth check. Returns false when the segment is to be dropped. */
function ackArrives(t: Tcb, now: u32): bool {
  if (t.state == State.SYN_RECEIVED) {
    if (!(seqLt(t.sndUna, seg.ack) && seqLe(seg.ack, t.sndMax))) {
      emitReset(now);
      count(C.DROP_TCP_BAD_ACK);
      return false;
    }
    ackSyn(t, now);
    windowFrom(t, segWindow(t), seg.ack);
    establish(t);
  }
  // An ACK of something never sent (SND.MAX: SND.NXT may have gone back), and (RFC 5961 5.2, RFC
  // 9293 3.10.7.4 MAY-12) one below SND.UNA − MAX.SND.WND, older than any the peer could still send:
  // blind data injection. Challenge ACK (RFC 5961 5.2: rate-limited like every challenge ACK), and
  // drop (its data too). An old ACK within MAX.SND.WND is merely a duplicate and the segment goes on.
  const maxWnd = t.maxSndWnd > t.sndWnd ? t.maxSndWnd : t.sndWnd;
  const bad = seqGt(seg.ack, t.sndMax) ? C.DROP_TCP_BAD_ACK : seqLt(seg.ack, t.sndUna - maxWnd) ? C.DROP_TCP_OLD_ACK : 0;
  if (bad != 0) {
    count(bad);
    challengeAck(t, now);
    return false;
  }
  if (flagged(t, TF.SACK_OK) && opts.sackCount > 0) sackUpdate(t);   // RFC 6675 Update()
  // window update (RFC 9293 3.10.7.4: SND.WL1 < SEG.SEQ, or equal and SND.WL2 ≤ SEG.ACK)
  const update = seqLe(t.sndUna, seg.ack) && (seqLt(t.sndWl1, seg.seq) || (t.sndWl1 == seg.seq && seqLe(t.sndWl2, seg.ack)));
  if (seqGt(seg.ack, t.sndUna)) {
    if (update) t.sndWnd = segWindow(t);     // a partial ACK's retransmission stays inside this ACK's window (SHLD-16)
    ackData(t, now);
  } else if (seg.ack == t.sndUna) {
    congestionOnDupAck(t, now);              // (compares the window with the previous one: RFC 5681 2)
  }
  if (update) {
    windowFrom(t, segWindow(t), seg.ack);
    if (t.sndWnd > 0 && flagged(t, TF.ZWP)) windowReopened(t);
  }
  if (t.sndWnd > t.maxSndWnd) t.maxSndWnd = t.sndWnd;   // MAX.SND.WND (RFC 5961 5.2)
  const finAcked = flagged(t, TF.FIN_SENT) && seqGt(t.sndUna, t.finSeq);
  const s = t.state;
  if (finAcked) {
    if (s == State.FIN_WAIT_1) {
      setState(t, State.FIN_WAIT_2);
      if (flagged(t, TF.ORPHAN)) armClose(t, now, FIN_WAIT2_MS);
    } else if (s == State.CLOSING) {
      enterTimeWait(t, now);
    } else if (s == State.LAST_ACK) {
      tcbClose(t, 0);
      return false;
    }
  }
  if (s == State.TIME_WAIT && has(Flag.FIN)) {
    sendAck(t, now);                      // a retransmitted FIN: ack it, restart the 2MSL timeout
    restartTimeWait(t, now);
    return false;
  }
  return true;
}

/** The window opens while the persist timer runs (RFC 9293 3.8.6.1): probing ends; a probe byte
 *  the peer did not take is sent again with the data after it (SND.NXT back to SND.UNA), and the
 *  persist deadline gives way to the retransmission timer that output() arms for the new flight. */
function windowReopened(t: Tcb): void {
  flagsOff(t, TF.ZWP | TF.RTX_ARMED);
  if (seg.ack == t.sndUna) t.sndNxt = t.sndUna;
}

/** SND.UNA < SEG.ACK ≤ SND.MAX: release acknowledged bytes from the send ring, take an RTT
 *  sample, grow the congestion window or continue NewReno recovery. */
function ackData(t: Tcb, now: u32): void {
  const newly = seg.ack - t.sndUna;
  let acked = <i32>(seg.ack - dataBase(t));   // data bytes acked (the SYN and FIN are not in the ring)
  const queued = <i32>ringLen(t.tx);
  if (acked > queued) acked = queued;
  if (acked > 0) ringConsume(t.tx, acked);
  t.sndUna = seg.ack;
  t.unaSince = now;                          // the user-timeout clock restarts (liveness.ts)
  t.softErr = 0;                             // the path works: an earlier soft error is stale
  if (seqLt(t.sndNxt, t.sndUna)) t.sndNxt = t.sndUna;   // acked past a timeout's rewind
  sackTrim(t);
  t.retries = 0;
  rttAcked(t, seg.ack, now);                // RFC 6298 2.2/2.3: a sample ends the backoff
  congestionOnAck(t, newly, now);
  flagsOff(t, TF.RTX_ARMED | TF.ZWP);
  if (t.sndMax != t.sndUna) armRtx(t, now);                                      // RFC 6298 5.3
  if ((t.flags & (TF.WANT_WRITE | TF.FIN_QUEUED)) == TF.WANT_WRITE) {
    flagsOff(t, TF.WANT_WRITE);
    appEvent(t, Ev.WRITABLE, ringFree(t.tx));
  }
}

/** RFC 9293 3.10.7.4, seventh check. In-order data goes into the receive ring; data past a hole
 *  is placed in the ring's free space at its offset and remembered as a range (at most OOO_RANGES)
 *  until the hole fills. Returns false when the connection was reset. */
function textArrives(t: Tcb, now: u32): bool {
  const s = t.state;
  if (!receiving(s)) return true; // ignored
  if (flagged(t, TF.ORPHAN)) {
    // the application closed the connection: nobody will read this (RFC 1122 4.2.2.13)
    count(C.DROP_TCP_ORPHAN_DATA);
    sendRst(t, now);
    tcbClose(t, Err.ECONNRESET);
    return false;
  }
  if (seqGt(seg.seq, t.rcvNxt)) {
    flagsOn(t, TF.ACK_NOW);                  // RFC 5681 4.2: out-of-order data is acked at once
    outOfOrder(t);
    return true;
  }
  const skip = <i32>(t.rcvNxt - seg.seq);            // bytes already received
  let n = seg.dataLen - skip;
  const room = <i32>ringFree(t.rx);
  if (n > room) { n = room; count(C.DROP_TCP_RX_FULL); seg.flags &= ~Flag.FIN; }
  if (n <= 0) { flagsOn(t, TF.ACK_NOW); return true; }
  ringWrite(t.rx, seg.data + <usize>skip, n);
  t.rcvNxt += <u32>n;
  if (t.oooCount > 0) {
    reassemble(t);
    flagsOn(t, TF.ACK_NOW);                  // 4.2: a segment that fills (part of) a hole, at once
  } else {
    ackLater(t, seg.dataLen, now);
  }
  appEvent(t, Ev.READABLE, ringLen(t.rx));
  return true;
}

/** Delayed ACK (RFC 9293 3.8.6.3 SHLD-18, MUST-40; RFC 5681 4.2): in-order data is acked within
 *  DELACK_MS, or at once when two full-sized segments (the largest seen) are unacknowledged, or
 *  when less than one is left of the receive buffer (the sender is about to stall on our window). */
function ackLater(t: Tcb, len: i32, now: u32): void {
  if (<u32>len > t.rcvMss) t.rcvMss = <u32>len < <u32>MSS_LOCAL ? <u32>len : <u32>MSS_LOCAL;
  if (DELACK_MS == 0 || t.rcvNxt - t.lastAckSent >= 2 * t.rcvMss || <u32>ringFree(t.rx) < t.rcvMss) {
    flagsOn(t, TF.ACK_NOW);
    return;
  }
  if (!flagged(t, TF.DELACK)) { t.delAckAt = now + DELACK_MS; flagsOn(t, TF.DELACK); }
}

function outOfOrder(t: Tcb): void {
  const off = <i32>(seg.seq - t.rcvNxt);
  const n = ringWriteAt(t.rx, off, seg.data, seg.dataLen);   // trimmed to the window
  const fin = has(Flag.FIN) && n == seg.dataLen;
  seg.flags &= ~Flag.FIN;
  if (n <= 0) return;
  if (!oooInsert(t, seg.seq, seg.seq + <u32>n)) { count(C.DROP_TCP_OUT_OF_ORDER); return; }
  count(C.TCP_OOO_SEGMENTS);
  if (fin) { t.rcvFinSeq = seg.seq + <u32>n; flagsOn(t, TF.FIN_PENDING); }
}

/** RCV.NXT advanced: make the ranges it reached readable (their bytes are already in place). */
function reassemble(t: Tcb): void {
  while (t.oooCount > 0 && seqLe(oooStart(t, 0), t.rcvNxt)) {
    const e = oooEnd(t, 0);
    if (seqGt(e, t.rcvNxt)) t.rcvNxt += <u32>ringCommit(t.rx, <i32>(e - t.rcvNxt));
    oooRemove(t, 0);
  }
  if (flagged(t, TF.FIN_PENDING) && t.rcvNxt == t.rcvFinSeq) {
    flagsOff(t, TF.FIN_PENDING);
    finReached = true;                       // the eighth check processes it now
  }
}

/** RFC 9293 3.10.7.4, eighth check. */
function finArrives(t: Tcb, now: u32): void {
  const s = t.state;
  if (s <= State.SYN_SENT) return;           // CLOSED, LISTEN, SYN-SENT
  if (!flagged(t, TF.FIN_RCVD)) {
    t.rcvNxt += 1;
    flagsOn(t, TF.FIN_RCVD);
    appEvent(t, Ev.EOF, 0);
  }
  flagsOn(t, TF.ACK_NOW);
  if (s == State.SYN_RECEIVED || s == State.ESTABLISHED) {
    setState(t, State.CLOSE_WAIT);
  } else if (s == State.FIN_WAIT_1) {
    // our FIN not yet acked (else the ACK check moved us to FIN_WAIT_2): simultaneous close
    setState(t, State.CLOSING);
  } else if (s == State.FIN_WAIT_2) {
    enterTimeWait(t, now);
  } else if (s == State.TIME_WAIT) {
    restartTimeWait(t, now);
  }
}

/** TIME-WAIT for 2 MSL (RFC 9293 3.4.2, 3.10.7.4); the retransmission timer stops. */
function enterTimeWait(t: Tcb, now: u32): void {
  setState(t, State.TIME_WAIT);
  flagsOff(t, TF.RTX_ARMED);
  armClose(t, now, 2 * MSL_MS);
}

function restartTimeWait(t: Tcb, now: u32): void { armClose(t, now, 2 * MSL_MS); }
