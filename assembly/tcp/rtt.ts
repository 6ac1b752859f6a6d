// Round-trip time estimation and the retransmission timeout (RFC 6298), in fixed point:
// srtt8 = SRTT × 8 and rttvar4 = RTTVAR × 4, in milliseconds (clock granularity G = 1 ms).
import { RTO_MIN_MS, RTO_MAX_MS } from "../config";
import { C, count } from "../counters";
import { Tcb, TF, flagsOn, flagsOff, flagged } from "./tcb";
import { seqGe } from "./seq";
import { opts } from "./segment";
import { tsNow } from "./options";

/** An ACK up to `ack` arrived at `now`: if it covers the timed segment, that is a sample (Karn:
 *  the timing was dropped if the segment was resent). With timestamps (RFC 7323 4.1) the sample is
 *  now − TSecr, taken once per flight (when the ACK covers the timed segment) or on the first ACK
 *  after a retransmission — but only from an echo at least as new as our latest retransmission.
 *  An older echo belongs to an original whose ACKs were lost while we retransmitted (the peer echoes
 *  TS.Recent to a duplicate): it would measure the losses, not the path, and one such sample of
 *  seconds inflates the RTO for a long time. Karn's rule, applied to timestamps. */
export function rttAcked(t: Tcb, ack: u32, now: u32): void {
  if (flagged(t, TF.TS_OK) && opts.hasTs && opts.tsEcr != 0) {
    if (flagged(t, TF.RTT_TIMING) && !seqGe(ack, t.rttSeq)) return;
    // (RESENT: rtxTs is compared only while it is recent, never ~25 days later when it has wrapped)
    if (flagged(t, TF.RESENT) && <i32>(opts.tsEcr - t.rtxTs) < 0) return;
    flagsOff(t, TF.RTT_TIMING | TF.RESENT);
    const r = tsNow(t, now) - opts.tsEcr;
    if (r <= RTO_MAX_MS) rttSample(t, r);     // an echo from the future is no sample
    return;
  }
  if (!flagged(t, TF.RTT_TIMING) || !seqGe(ack, t.rttSeq)) return;
  flagsOff(t, TF.RTT_TIMING);
  rttSample(t, now - t.rttAt);
}

/** A segment goes out again (a retransmission, or the timeout's go-back): count it, and by Karn's
 *  rule no sample from the segment being timed; with timestamps only echoes at least as new as
 *  this one sample again (rttAcked). */
export function noteRetransmit(t: Tcb, now: u32): void {
  flagsOff(t, TF.RTT_TIMING);
  t.rtxTs = tsNow(t, now);
  flagsOn(t, TF.RESENT);
  t.retransmits++;
  count(C.TCP_RETRANSMITS);
}

/** Take one RTT measurement R (ms) and recompute the RTO (RFC 6298 2.2, 2.3, 2.4, 2.5). */
export function rttSample(t: Tcb, r: u32): void {
  if (t.srtt8 == 0) {
    // 2.2: SRTT = R, RTTVAR = R/2
    t.srtt8 = (r << 3) | 1;                 // | 1: a zero RTT still counts as "measured"
    t.rttvar4 = r << 1;
  } else {
    // 2.3: RTTVAR = 3/4 RTTVAR + 1/4 |SRTT − R|, SRTT = 7/8 SRTT + 1/8 R
    const srtt = t.srtt8 >> 3;
    const delta = r > srtt ? r - srtt : srtt - r;
    t.rttvar4 = t.rttvar4 - (t.rttvar4 >> 2) + delta;
    t.srtt8 = t.srtt8 - srtt + r;
  }
  t.rto = rtoFrom(t.srtt8 >> 3, t.rttvar4);
}

/** RTO = SRTT + max(G, 4·RTTVAR), clamped to [RTO_MIN_MS, RTO_MAX_MS] (2.3, 2.4, 2.5). */
export function rtoFrom(srtt: u32, rttvar4: u32): u32 {
  let rto = srtt + (rttvar4 > 1 ? rttvar4 : 1);
  if (rto < RTO_MIN_MS) rto = RTO_MIN_MS;
  if (rto > RTO_MAX_MS) rto = RTO_MAX_MS;
  return rto;
}
