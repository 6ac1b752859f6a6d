// Round-trip time estimation and the retransmission timeout (RFC 6298), in fixed point:
// srtt8 = SRTT × 8 and rttvar4 = RTTVAR × 4, in milliseconds (clock granularity G = 1 ms).
import { RTO_MIN_MS, RTO_MAX_MS } from "../config";
import { Tcb, TF } from "./tcb";
import { seqGe } from "./seq";

/** An ACK up to `ack` arrived at `now`: if it covers the timed segment, that is a sample (Karn:
 *  the timing was dropped if the segment was resent). */
export function rttAcked(t: Tcb, ack: u32, now: u32): void {
  if (!(t.flags & TF.RTT_TIMING) || !seqGe(ack, t.rttSeq)) return;
  t.flags &= ~TF.RTT_TIMING;
  rttSample(t, now - t.rttAt);
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
