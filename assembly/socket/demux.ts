// Segment demultiplexing: a checked segment goes to its connection, to a listener (RFC 9293
// 3.10.7.2, LISTEN), or is answered as CLOSED (3.10.7.1).
import { C, count } from "../counters";
import { Err } from "../errors";
import { Flag } from "../wire/tcp";
import { seg, has, tcpParse } from "../tcp/segment";
import { tcbAlloc, tcbLookup, TF } from "../tcp/tcb";
import { emitReset } from "../tcp/output";
import { tcpNoConnection, tcpPassiveOpen, tcpSegmentArrives, tcpSynSent } from "../tcp/input";
import { isnFor } from "../tcp/isn";
import { RTO_INITIAL_MS } from "../config";
import { State } from "./constants";
import { listenerForPort, backlogFull, connectionReady } from "./listen";

/** One TCP segment of `len` bytes at p, from src to dst (our address). 0, or a negative drop code. */
export function tcpRx(src: u32, dst: u32, p: usize, len: i32, now: u32): i32 {
  if (!tcpParse(src, dst, p, len)) return Err.EINVAL;
  const t = tcbLookup(seg.dst, seg.dport, seg.src, seg.sport);
  if (t != null) {
    const before = t.state;
    if (before == State.SYN_SENT) tcpSynSent(t, now);
    else tcpSegmentArrives(t, now);
    if (before == State.SYN_RECEIVED && t.listener >= 0 && (t.flags & TF.IN_USE)
        && t.state != State.SYN_RECEIVED && t.state != State.CLOSED) connectionReady(t);
    return 0;
  }
  const l = listenerForPort(seg.dport);
  if (l < 0) { tcpNoConnection(now); return 0; }
  // LISTEN: first check for an RST, second for an ACK, third for a SYN (RFC 9293 3.10.7.2)
  if (has(Flag.RST)) return 0;
  if (has(Flag.ACK)) { emitReset(seg.dst, seg.dport, seg.src, seg.sport, seg.ack, 0, false, now); return 0; }
  if (!has(Flag.SYN)) return 0;
  // Past the backlog or out of TCBs, the SYN is dropped without an answer, so that the client's
  // retransmission gets in once the application has accepted (or a slot is free again).
  if (backlogFull(l)) { count(C.DROP_TCP_BACKLOG); return Err.EAGAIN; }
  const n = tcbAlloc();
  if (n == null) { count(C.DROP_TCP_TABLE_FULL); return Err.EMFILE; }
  n.listener = l;
  n.rto = RTO_INITIAL_MS;
  count(C.TCP_PASSIVE_OPENS);
  tcpPassiveOpen(n, isnFor(seg.dst, <u16>seg.dport, seg.src, <u16>seg.sport, now), now);
  return 0;
}
