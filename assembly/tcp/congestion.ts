// Congestion control, in one place: RFC 5681 (slow start, congestion avoidance, fast retransmit
// and fast recovery, restart after idle, the loss window after a timeout), RFC 6582 (NewReno: full
// and partial acknowledgments), RFC 3042 (Limited Transmit) and RFC 6675 5 (loss recovery driven by
// the SACK scoreboard of sack.ts). input.ts calls it for every ACK, output.ts for the send window,
// timers.ts on a retransmission timeout; emit.ts and sack.ts send what it decides.
import { C, count } from "../counters";
import { ringLen } from "../storage/ring";
import { Flag } from "../wire/tcp";
import { seg, has } from "./segment";
import { Tcb, TF, synchronized, flagsOn, flagsOff, flagged } from "./tcb";
import { seqLt, seqGt, seqGe } from "./seq";
import { segWindow } from "./options";
import { dataBase, retransmitAt, retransmitFirst, sendNewSegment, armRtx } from "./emit";
import { sackFirstLost, sackSend, sackStart } from "./sack";

/** RFC 5681 3.1: the initial window, IW = min(4·SMSS, max(2·SMSS, 4380 bytes)). */
function initialWindow(t: Tcb): u32 {
  const m = t.mss;
  const hi = 4 * m, lo = 2 * m > 4380 ? 2 * m : <u32>4380;
  return hi < lo ? hi : lo;
}

/** What the sender may have in flight: min(cwnd, the peer's window) (RFC 5681 2). cwnd starts at
 *  the initial window with the first data; RFC 5681 4.1: after an idle period longer than the RTO
 *  it restarts from there (the ACK clock is gone: a full cwnd at once would be a burst the path
 *  has not been probed for). */
export function sendWindow(t: Tcb, now: u32): u32 {
  if (t.cwnd == 0) t.cwnd = initialWindow(t);
  else if (t.sndMax == t.sndUna && ringLen(t.tx) > 0 && now - t.lastDataAt > t.rto && !seqLt(t.sndNxt, dataBase(t))) {
    const iw = initialWindow(t);
    if (t.cwnd > iw) t.cwnd = iw;
  }
  return t.cwnd < t.sndWnd ? t.cwnd : t.sndWnd;
}

/** max(FlightSize / 2, 2·SMSS) (RFC 5681 (4)). */
function flightHalf(t: Tcb): u32 {
  const half = (t.sndMax - t.sndUna) >> 1;
  return half > 2 * t.mss ? half : 2 * t.mss;
}

/** RFC 5681 3.1 (slow start, congestion avoidance) and RFC 6582 3.2 (NewReno full/partial ACK). */
export function congestionOnAck(t: Tcb, newly: u32, now: u32): void {
  t.dupAcks = 0;
  if (t.cwnd == 0 || !synchronized(t.state)) return;
  if (flagged(t, TF.RECOVERY)) {
    if (seqGe(seg.ack, t.recover)) {
      // full acknowledgment: leave recovery. NewReno deflates to min(ssthresh, FlightSize + SMSS)
      // (RFC 6582 3.2 step 3, option 1); SACK recovery (RFC 6675) kept cwnd = ssthresh all along and
      // stays there — deflating to a nearly empty flight would restart slow start after every loss
      const flight = t.sndMax - t.sndUna + t.mss;
      if (!flagged(t, TF.SACK_OK) && flight < t.ssthresh) t.cwnd = flight;
      else t.cwnd = t.ssthresh;
      flagsOff(t, TF.RECOVERY);
    } else if (flagged(t, TF.SACK_OK)) {
      sackRecoveryAck(t, true, now);
    } else {
      // partial acknowledgment: resend the next hole, deflate by what was acked, add one SMSS (step 4)
      fastRetransmit(t, now);
      t.cwnd = (newly < t.cwnd ? t.cwnd - newly : 0) + t.mss;
    }
    return;
  }
  if (t.cwnd < t.ssthresh) t.cwnd += newly < t.mss ? newly : t.mss;          // slow start
  else t.cwnd += (t.mss * t.mss / t.cwnd) > 0 ? t.mss * t.mss / t.cwnd : 1;  // congestion avoidance
  if (t.cwnd > 0x3fffffff) t.cwnd = 0x3fffffff;
}

/** RFC 5681 2 "duplicate acknowledgment": same ACK, no data, no SYN/FIN, same window, data
 *  outstanding. The third starts fast retransmit (3.2), later ones inflate the window. */
export function congestionOnDupAck(t: Tcb, now: u32): void {
  if (seg.dataLen != 0 || has(Flag.SYN) || has(Flag.FIN) || segWindow(t) != t.sndWnd || t.sndMax == t.sndUna
      || !synchronized(t.state) || t.cwnd == 0 || zeroWindowAck(t)) return;
  count(C.TCP_DUP_ACKS);
  t.dupAcksTotal++;
  t.dupAcks++;
  const sack = flagged(t, TF.SACK_OK);
  if (flagged(t, TF.RECOVERY)) {
    // RFC 6675 5: inside SACK recovery the pipe, not an inflated cwnd, lets segments go
    if (sack) sackRecoveryAck(t, false, now);
    else t.cwnd += t.mss;                                                    // RFC 5681 3.2 (4): inflate
    return;
  }
  // RFC 6675 5: SACK recovery starts on the DupThresh-th duplicate or as soon as the scoreboard says
  // the first hole is lost; NewReno on the third duplicate (RFC 5681 3.2), both only past the
  // recovery point (RFC 6582 3.2 step 2). Otherwise Limited Transmit (for the first two).
  const loss = sack ? t.dupAcks >= 3 || sackFirstLost(t) : t.dupAcks == 3;
  if (loss && seqGt(seg.ack, t.recover)) enterRecovery(t, sack, now);
  else limitedTransmit(t, now);
}

/** Enter loss recovery (RFC 5681 3.2 (2)-(3), RFC 6582 3.2, RFC 6675 5 (4.1)-(4.3) and (C)): the
 *  first hole goes at once. NewReno inflates cwnd by the three segments that left the network; SACK
 *  recovery keeps cwnd = ssthresh and lets the scoreboard's pipe decide what else goes. */
function enterRecovery(t: Tcb, sack: bool, now: u32): void {
  t.ssthresh = flightHalf(t);                // RFC 5681 (4)
  t.recover = t.sndMax;                      // RecoveryPoint = HighData
  flagsOn(t, TF.RECOVERY);
  if (sack) {
    t.cwnd = t.ssthresh;
    t.sackRecoveries++;
    count(C.TCP_SACK_RECOVERIES);
    fastRetransmitted(t);
    const first = t.sackCount > 0 ? sackStart(t, 0) - t.sndUna : 0xffffffff;
    t.highRxt = t.sndUna + retransmitAt(t, t.sndUna, first, now);
    sackSend(t, now);
  } else {
    fastRetransmit(t, now);
    t.cwnd = t.ssthresh + 3 * t.mss;
  }
  armRtx(t, now);
}

/** A fast retransmission went (RFC 5681 3.2, RFC 6582 3.2, RFC 6675 5): counted for the connection
 *  (tcp_info) and the stack. */
function fastRetransmitted(t: Tcb): void {
  t.fastRetransmits++;
  count(C.TCP_FAST_RETRANSMITS);
}

/** Resend the first unacknowledged segment now, as a fast retransmission. */
function fastRetransmit(t: Tcb, now: u32): void {
  retransmitFirst(t, now);
  fastRetransmitted(t);
}

/** An ACK that keeps the window at zero answers a window probe (RFC 9293 3.8.6.1) or repeats that
 *  the receiver is full: nothing was lost, and the only byte outstanding is the probe's, sent past
 *  the window. Counted as duplicates, three probe ACKs started a fast retransmit into the shut
 *  window; the persist timer alone handles a zero window. */
function zeroWindowAck(t: Tcb): bool { return t.sndWnd == 0 || flagged(t, TF.ZWP); }

/** RFC 3042 Limited Transmit: the first and second duplicate ACKs each let one new segment go, as
 *  far as the peer's window allows and with at most cwnd + 2·SMSS outstanding (cwnd unchanged). A
 *  small window then still draws the third duplicate ACK that starts fast recovery, instead of
 *  ending in a timeout. */
function limitedTransmit(t: Tcb, now: u32): void {
  if (t.dupAcks > 2 || t.sndMax - t.sndUna + t.mss > t.cwnd + 2 * t.mss) return;
  sendNewSegment(t, now);
}

/** An ACK during SACK recovery that did not end it: holes below SND.UNA are done; without any
 *  SACK information left the next hole is resent as NewReno would (RFC 6582 3.2 step 4), then
 *  the pipe decides what else may go. */
function sackRecoveryAck(t: Tcb, advanced: bool, now: u32): void {
  if (seqLt(t.highRxt, t.sndUna)) t.highRxt = t.sndUna;
  if (advanced && t.sackCount == 0 && t.highRxt == t.sndUna) {
    t.highRxt = t.sndUna + retransmitAt(t, t.sndUna, 0xffffffff, now);
    fastRetransmitted(t);
  }
  sackSend(t, now);
}

/** RFC 5681 3.1 (4), a retransmission timeout: ssthresh = max(FlightSize / 2, 2·SMSS), cwnd = 1
 *  segment (the loss window); RFC 6582 4.1: duplicate ACKs of data sent before the timeout must
 *  not start a fast retransmit. */
export function congestionOnTimeout(t: Tcb): void {
  t.ssthresh = flightHalf(t);
  t.cwnd = t.mss;
  t.recover = t.sndMax;
  t.dupAcks = 0;
}
