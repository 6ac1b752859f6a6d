// Segment output (RFC 9293 3.8.6, 3.10.7.4): what goes out after every event — our SYN or SYN-ACK,
// new data as far as the congestion and the peer's windows allow (congestion.ts), the FIN, an owed
// ACK — and the retransmission or persist timer armed. Building the segments is emit.ts.
import { RTO_INITIAL_MS, RTO_MAX_MS } from "../config";
import { rtoFrom } from "./rtt";
import { Flag } from "../wire/tcp";
import { State } from "./state";
import { Tcb, TF, flagsOn, flagsOff, flagged } from "./tcb";
import { seqGt } from "./seq";
import { emitSegment, sendAck, sendData, synAcked, armRtx, windowClosed, mayTransmit } from "./emit";
import { sendWindow } from "./congestion";

/** Send what the window allows from the send ring, then the FIN once every byte is out; otherwise
 *  an owed ACK. Arms the retransmission timer whenever something is in flight. */
export function tcpOutput(t: Tcb, now: u32): void { output(t, now, false); }

/** Zero-window probe (RFC 9293 3.8.6.1): send one byte past a closed window. */
export function tcpProbe(t: Tcb, now: u32): void { output(t, now, true); }

function output(t: Tcb, now: u32, probe: bool): void {
  const s = t.state;
  const idle = t.sndMax == t.sndUna;        // nothing in flight yet: a flight may begin now
  if (t.sndNxt == t.iss && !synAcked(t) && s != State.CLOSED) {
    // our SYN (SYN-SENT) or SYN-ACK (having received theirs), first or again after a timeout
    // time the first SYN; one sent again (for the peer's SYN again, or after a timeout) is not (Karn)
    if (t.sndMax == t.iss) { t.rttSeq = t.iss + 1; t.rttAt = now; flagsOn(t, TF.RTT_TIMING); }
    else flagsOff(t, TF.RTT_TIMING);
    emitSegment(t, t.iss, s == State.SYN_SENT ? Flag.SYN : Flag.SYN | Flag.ACK, 0, 0, now);
    t.sndNxt = t.iss + 1;
    if (seqGt(t.sndNxt, t.sndMax)) t.sndMax = t.sndNxt;
  }
  if (mayTransmit(s)) sendData(t, now, probe, t.sndUna + sendWindow(t, now), 1024);
  if (flagged(t, TF.ACK_NOW)) sendAck(t, now);
  if (idle && t.sndMax != t.sndUna) t.unaSince = now;   // the user-timeout clock (liveness.ts)
  noteWindowShut(t, now);
  if (!flagged(t, TF.RTX_ARMED)) {
    if (windowClosed(t)) {
      if (!flagged(t, TF.ZWP)) t.zwpProbes = 0;   // the window has just closed
      t.rtxAt = now + persistInterval(t);         // the persist timer
      flagsOn(t, TF.RTX_ARMED);
    } else if (t.sndMax != t.sndUna) {
      armRtx(t, now);                             // the retransmission timer
    }
  }
}

/** The persist limit's clock (liveness.ts): when the peer's window shut on data we have for it. */
function noteWindowShut(t: Tcb, now: u32): void {
  if (!windowClosed(t)) flagsOff(t, TF.WND_SHUT);
  else if (!flagged(t, TF.WND_SHUT)) { flagsOn(t, TF.WND_SHUT); t.zwSince = now; }
}

/** The persist timer (RFC 9293 3.8.6.1): the first probe one RTO after the window closed (SHLD-29),
 *  doubling per probe up to RTO_MAX (SHLD-30). The RTO is the estimator's, not a retransmission
 *  backoff's: a window closes while nothing is lost, and a minute-long backoff left over from
 *  earlier losses would turn one lost window update into a minute's stall. */
function persistInterval(t: Tcb): u32 {
  let v: u32 = t.srtt8 != 0 ? rtoFrom(t.srtt8 >> 3, t.rttvar4) : RTO_INITIAL_MS;
  for (let i: u32 = 0; i < t.zwpProbes && v < RTO_MAX_MS; i++) v <<= 1;
  return v < RTO_MAX_MS ? v : RTO_MAX_MS;
}
