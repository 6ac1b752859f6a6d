// SEGMENT ARRIVES for no connection (RFC 9293 3.10.7.1, CLOSED) and for a listener (3.10.7.2,
// LISTEN), with SYN cookies (RFC 4987 3.6). socket/demux.ts finds the listener and applies the
// listen queues and the table limits (which SYN gets a TCB, a cookie or nothing); what a segment
// does to LISTEN is here.
import { MSS_LOCAL, RX_BUF, RTO_INITIAL_MS, SYN_RECEIVED_MS } from "../config";
import { C, count } from "../counters";
import { Ring, ringInit } from "../storage/ring";
import { Flag } from "../wire/tcp";
import { seg, has } from "./segment";
import { Tcb, TF, setState, armClose, issFrom, flagsOn, flagged } from "./tcb";
import { State } from "./state";
import { emitReset, emitSegment } from "./emit";
import { tcpOutput } from "./output";
import { optionsOffer, optionsNegotiate, optionsFromCookie, tsNow } from "./options";
import { cookieIss, cookieTsval } from "./cookie";
import { isnFor } from "./isn";
import { peerMss, synFrom, windowFrom, tcpSegmentArrives } from "./input";

/** RFC 9293 3.10.7.1, CLOSED (no connection): RST for anything but an RST. */
export function tcpNoConnection(now: u32): void {
  count(C.TCP_NO_LISTENER);
  if (has(Flag.RST)) return;
  emitReset(now);
}

/** What a segment for a listening port asks for (RFC 9293 3.10.7.2). */
export namespace Listen {
  @inline export const DROP: i32 = 0;   // an RST (first check), or neither ACK nor SYN (fourth)
  @inline export const RESET: i32 = 1;  // an ACK (second check): <SEQ=SEG.ACK><CTL=RST>, unless it returns a SYN cookie
  @inline export const SYN: i32 = 2;    // a SYN (third check): a connection request
}

/** RFC 9293 3.10.7.2, LISTEN: first check for an RST (ignored), second for an ACK (reset), third
 *  for a SYN; any other segment is dropped. */
export function listenCheck(): i32 {
  if (has(Flag.RST)) return Listen.DROP;
  if (has(Flag.ACK)) return Listen.RESET;
  return has(Flag.SYN) ? Listen.SYN : Listen.DROP;
}

/** RFC 9293 3.10.7.2, second check: an ACK to a listener is answered <SEQ=SEG.ACK><CTL=RST>. */
export function listenReset(now: u32): void {
  emitReset(now);
}

/** RFC 9293 3.10.7.2, third check: a SYN the listener `l` admitted gets the fresh TCB t, which
 *  answers SYN-ACK. The caller (socket/demux.ts: synAdmit) has applied the backlog and the table
 *  limits. */
export function listenOpen(t: Tcb, l: i32, now: u32): void {
  passiveOpen(t, l, seg.seq, isnFor(seg.dst, <u16>seg.dport, seg.src, <u16>seg.sport, now), now);
  optionsNegotiate(t, now);
  windowFrom(t, seg.wnd, 0);
  t.mss = peerMss();
  tcpOutput(t, now);  // <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>; data on the SYN is not queued (peer resends)
}

/** A passive open (RFC 9293 3.10.7.2, LISTEN, third check): a fresh TCB of listener `l` takes the
 *  SYN with sequence number `irs` and our ISS, and enters SYN-RECEIVED. */
function passiveOpen(t: Tcb, l: i32, irs: u32, iss: u32, now: u32): void {
  t.listener = l;
  t.rto = RTO_INITIAL_MS;
  count(C.TCP_PASSIVE_OPENS);
  synFrom(t, irs);
  optionsOffer(t, now);
  issFrom(t, iss);
  flagsOn(t, TF.PASSIVE);
  setState(t, State.SYN_RECEIVED);
  armClose(t, now, SYN_RECEIVED_MS);   // RFC 4987 3.2: a bounded half-open life, whatever comes
}

// A TCB outside the pool for the stateless cookie SYN-ACK: emitSegment reads its fields, and its
// receive ring only for the free space (empty, no storage behind it).
const scratch = changetype<Tcb>(memory.data(<i32>offsetof<Tcb>(), 8));
const scratchRx = changetype<Ring>(memory.data(<i32>offsetof<Ring>(), 8));

/** RFC 4987 3.6, LISTEN with a full backlog or table: answer the SYN with a SYN cookie
 *  <SEQ=cookie><ACK=SEG.SEQ+1><CTL=SYN,ACK> and keep nothing (cookie.ts). The options are what a
 *  stateful SYN-ACK would carry; with timestamps our TSval carries the peer's window shift and SACK. */
export function tcpCookieSynAck(now: u32): void {
  const t = scratch;
  ringInit(scratchRx, 0, <u32>RX_BUF);
  t.rx = scratchRx;
  t.flags = 0; t.oooCount = 0;
  synFrom(t, seg.seq);
  optionsOffer(t, now);
  optionsNegotiate(t, now);
  t.mss = peerMss();
  if (flagged(t, TF.TS_OK)) {
    t.tsOffset = cookieTsval(tsNow(t, now), flagged(t, TF.WS_OK), t.sndShift, flagged(t, TF.SACK_OK)) - now;
  }
  emitSegment(t, cookieIss(now), Flag.SYN | Flag.ACK, 0, 0, now);
}

/** RFC 4987 3.6: the ACK in `seg` returned a valid cookie (MSS `mss`): rebuild the TCB the SYN-ACK
 *  would have made — SYN-RECEIVED with our SYN in flight — and let the ACK complete the handshake
 *  (RFC 9293 3.10.7.4), with any data it carries. */
export function listenCookieOpen(t: Tcb, l: i32, mss: u32, now: u32): void {
  passiveOpen(t, l, seg.seq - 1, seg.ack - 1, now);   // the SYN the cookie answered came just before
  optionsFromCookie(t, now);
  t.sndNxt = seg.ack; t.sndMax = seg.ack;                // our SYN is in flight
  windowFrom(t, 0, 0);
  t.mss = mss < <u32>MSS_LOCAL ? mss : <u32>MSS_LOCAL;
  tcpSegmentArrives(t, now);
}
