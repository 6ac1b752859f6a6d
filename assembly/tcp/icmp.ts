// ICMP errors for a connection (RFC 9293 3.9.2.2, MUST-54; RFC 1122 4.2.3.9; RFC 5927; RFC 1191).
// iface/ hands up a Destination Unreachable that quotes one of our TCP segments; socket/demux finds
// the connection by the quoted 4-tuple and calls here. RFC 5927 4.1: the quoted sequence number must
// be in flight (SND.UNA ≤ SEG.SEQ < SND.MAX), or a blind attacker could reset or slow connections.
//   - port or protocol unreachable (hard errors) abort a connection in SYN-SENT with ECONNREFUSED;
//     in the other states they are soft, as RFC 5927 4.1 recommends (MUST-56: never abort on soft);
//   - net and host unreachable (and the other codes) are soft: remembered, and reported as the
//     connection's error (ENETUNREACH / EHOSTUNREACH) in place of ETIMEDOUT if it times out (R2);
//   - fragmentation needed (code 4) lowers the connection's MSS to the next-hop MTU − 40 (RFC 1191
//     6.3; not below 536, so a forged message cannot shrink segments to nothing) and resends at once.
import { C, count } from "../counters";
import { Err } from "../errors";
import { State } from "./state";
import { ICMP_UNREACH_NET, ICMP_UNREACH_PROTO, ICMP_UNREACH_PORT, ICMP_UNREACH_NEEDFRAG } from "../wire/icmp";
import { Tcb, tcbClose, synchronized } from "./tcb";
import { seqLe, seqLt } from "./seq";
import { tcpOutput } from "./output";
import { noteRetransmit } from "./rtt";

/** The smallest path MTU a fragmentation-needed message may set (RFC 1122 3.3.3: 576). */
@inline const PMTU_MIN: u32 = 576;

export function tcpIcmpError(t: Tcb, code: u8, seq: u32, mtu: u32, now: u32): void {
  if (!(seqLe(t.sndUna, seq) && seqLt(seq, t.sndMax))) { count(C.DROP_ICMP_STALE); return; }
  count(C.TCP_ICMP_ERRORS);
  if (code == ICMP_UNREACH_NEEDFRAG) { pathMtuLower(t, mtu, now); return; }
  const hard = code == ICMP_UNREACH_PROTO || code == ICMP_UNREACH_PORT;
  if (hard && t.state == State.SYN_SENT) { tcbClose(t, Err.ECONNREFUSED); return; }
  t.softErr = hard ? Err.ECONNREFUSED : code == ICMP_UNREACH_NET ? Err.ENETUNREACH : Err.EHOSTUNREACH;
}

/** RFC 1191 6.3/6.5: a smaller path MTU lowers the send MSS; the segments in flight were too big
 *  and are resent at once (not a congestion signal: cwnd stays). */
function pathMtuLower(t: Tcb, mtu: u32, now: u32): void {
  if (mtu < PMTU_MIN) mtu = PMTU_MIN;
  const mss = mtu - 40;
  if (mss >= t.mss) return;
  t.mss = mss;
  count(C.TCP_PMTU_UPDATES);
  if (!synchronized(t.state)) return;
  t.sndNxt = t.sndUna;
  noteRetransmit(t, now);
  tcpOutput(t, now);
}
