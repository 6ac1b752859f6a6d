// ICMP errors for a connection (RFC 9293 3.9.2.2, MUST-54; RFC 1122 4.2.3.9; RFC 5927; RFC 1191).
// iface/ hands up a Destination Unreachable, Time Exceeded or Parameter Problem that quotes one of
// our TCP segments; socket/demux finds the connection by the quoted 4-tuple and calls here. RFC 5927
// 4.1: the quoted sequence number must be in flight (SND.UNA ≤ SEG.SEQ < SND.MAX), or a blind
// attacker could reset or slow connections.
//   - port or protocol unreachable (hard errors) abort a connection in SYN-SENT with ECONNREFUSED;
//     in the other states they are soft, as RFC 5927 4.1 recommends (MUST-56: never abort on soft);
//   - net and host unreachable (and the other codes), Time Exceeded (EHOSTUNREACH, as Linux) and
//     Parameter Problem (EPROTO) are soft errors: remembered, reported to the application as a
//     SOFT_ERROR event once the retransmissions reach R1 (connection kept: RFC 1122 4.2.3.5 and
//     4.2.3.9 SHOULD), shown in tcp_info, and given as the connection's error in place of ETIMEDOUT
//     when R2 ends it (timers.ts, liveness.ts);
//   - fragmentation needed (code 4) lowers the connection's MSS to the next-hop MTU − 40 (RFC 1191
//     6.3; not below 536, so a forged message cannot shrink segments to nothing) and resends at once;
//     10 minutes after the last lowering the MSS goes back up to what the handshake agreed (RFC 1191
//     6.3's recommended timer), and a path still too small for it says so again.
import { R1_RETRIES } from "../config";
import { C, count } from "../counters";
import { Err } from "../errors";
import { State } from "./state";
import { Ev } from "../storage/events";
import { earliest, timeLt } from "../time";
import { Tcb, TF, tcbClose, synchronized, appEvent, flagsOn, flagsOff, flagged } from "./tcb";
import { seqLe, seqLt } from "./seq";
import { tcpOutput } from "./output";
import { noteRetransmit } from "./rtt";

/** The smallest path MTU a fragmentation-needed message may set (RFC 1122 3.3.3: 576). */
@inline const PMTU_MIN: u32 = 576;
/** RFC 1191 6.3: try a larger path MTU again this long after the last decrease (10 minutes). */
@inline export const PMTU_RAISE_MS: u32 = 600_000;

/** The error `err` the message means (iface/input.ts icmpErrno maps type and code: ECONNREFUSED for
 *  port and protocol unreachable, EMSGSIZE for fragmentation needed). */
export function tcpIcmpError(t: Tcb, err: i32, seq: u32, mtu: u32, now: u32): void {
  if (!(seqLe(t.sndUna, seq) && seqLt(seq, t.sndMax))) { count(C.DROP_ICMP_STALE); return; }
  count(C.TCP_ICMP_ERRORS);
  if (err == Err.EMSGSIZE) { pathMtuLower(t, mtu, now); return; }
  if (err == Err.ECONNREFUSED && t.state == State.SYN_SENT) { tcbClose(t, err); return; }
  softError(t, err);
}

/** Remember a soft error; past R1 already (the path is failing now), a new one is reported at once. */
export function softError(t: Tcb, err: i32): void {
  const was = t.softErr;
  t.softErr = err;
  if (t.retries >= R1_RETRIES && err != was) softErrorReport(t);
}

/** RFC 1122 4.2.3.5 (R1 reached: "TCP SHOULD inform the application of the delivery problem") and
 *  4.2.3.9: the pending soft error as a SOFT_ERROR event; the connection goes on. */
export function softErrorReport(t: Tcb): void {
  if (t.softErr != 0) appEvent(t, Ev.SOFT_ERROR, t.softErr);
}

/** RFC 1191 6.3/6.5: a smaller path MTU lowers the send MSS; the segments in flight were too big
 *  and are resent at once (not a congestion signal: cwnd stays). */
function pathMtuLower(t: Tcb, mtu: u32, now: u32): void {
  if (mtu < PMTU_MIN) mtu = PMTU_MIN;
  const mss = mtu - 40;
  if (mss >= t.mss) return;
  if (!flagged(t, TF.PMTU_LOW)) { t.pmtuMss = t.mss; flagsOn(t, TF.PMTU_LOW); }
  t.pmtuAt = now + PMTU_RAISE_MS;
  t.mss = mss;
  count(C.TCP_PMTU_UPDATES);
  if (!synchronized(t.state)) return;
  t.sndNxt = t.sndUna;
  noteRetransmit(t, now);
  tcpOutput(t, now);
}

/** RFC 1191 6.3: PMTU_RAISE_MS after the last decrease, the MSS the handshake agreed is tried again
 *  (segments of that size go out with DF set; a path still too small answers with a new
 *  fragmentation-needed). Returns the ms until t's deadline merged into `acc`. */
export function pathMtuTimer(t: Tcb, now: u32, acc: i32): i32 {
  if (!flagged(t, TF.PMTU_LOW)) return acc;
  if (timeLt(now, t.pmtuAt)) return earliest(acc, t.pmtuAt, now);
  flagsOff(t, TF.PMTU_LOW);
  if (t.pmtuMss > t.mss) t.mss = t.pmtuMss;
  return acc;
}
