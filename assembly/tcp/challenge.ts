// ACKs that answer bad segments, rate-limited per connection (RFC 5961 7). Two kinds share one
// limiter (t.oowAckAt, at most one ACK per OOW_ACK_MS, configurable as PETREL_CHALLENGE_ACK_MS):
// - the ACK to an unacceptable segment (RFC 9293 3.10.7.4, first check);
// - the challenge ACK of RFC 5961: an in-window RST that is not exactly at RCV.NXT (3.2), a SYN on a
//   synchronized connection (4.2), an ACK outside SND.UNA − MAX.SND.WND .. SND.NXT (5.2).
// Both are <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> (sendAck). The limit is per connection, never global:
// Linux's global challenge-ACK counter (tcp_challenge_ack_limit) was a side channel, CVE-2016-5696 —
// an off-path attacker who exhausts it and counts the challenge ACKs it still sees learns whether a
// guessed 4-tuple and sequence window exist. A per-connection limit tells him nothing about others.
import { OOW_ACK_MS } from "../config";
import { C, count } from "../counters";
import { timeLt } from "../time";
import { Tcb, TF, flagsOn, flagged } from "./tcb";
import { sendAck } from "./emit";

/** Send the ACK unless one answered a bad segment less than OOW_ACK_MS ago. True when sent. */
export function limitedAck(t: Tcb, now: u32): bool {
  if (flagged(t, TF.OOW_ACKED) && timeLt(now, t.oowAckAt + OOW_ACK_MS)) return false;
  sendAck(t, now);
  t.oowAckAt = now;
  flagsOn(t, TF.OOW_ACKED);
  return true;
}

/** RFC 5961 3.2, 4.2, 5.2: a challenge ACK, counted as sent or as suppressed by the limit (7). */
export function challengeAck(t: Tcb, now: u32): void {
  count(limitedAck(t, now) ? C.TCP_CHALLENGE_ACKS : C.TCP_CHALLENGE_ACKS_LIMITED);
}
