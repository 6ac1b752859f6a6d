// The user calls of RFC 9293 3.10.1–3.10.6 (OPEN, SEND, RECEIVE, CLOSE, ABORT, STATUS), per state,
// on one connection. socket/api.ts has checked the handle and the pointer range before calling.
import { MSS_DEFAULT, MSS_LOCAL, RX_BUF, RTO_INITIAL_MS, FIN_WAIT2_MS } from "../config";
import { C, count } from "../counters";
import { Err } from "../errors";
import { ringLen, ringRead, ringWrite } from "../storage/ring";
import { Tcb, TF, setState, synchronized, armClose, tcbClose, tcbRelease, issFrom, flagsOn, flagsOff, flagged } from "./tcb";
import { tcpOutput } from "./output";
import { sendRst, rcvWindow } from "./emit";
import { oooBytes } from "./assembler";
import { optionsOffer } from "./options";
import { isnFor } from "./isn";
import { State } from "./state";

/** RFC 9293 3.10.1, OPEN (active) in CLOSED: a fresh TCB for the 4-tuple, ISS selected, a SYN
 *  sent, SYN-SENT. */
export function userOpen(t: Tcb, lip: u32, lport: u32, rip: u32, rport: u32, now: u32): void {
  t.lip = lip; t.lport = lport; t.rip = rip; t.rport = rport;
  issFrom(t, isnFor(lip, <u16>lport, rip, <u16>rport, now));   // (SND.WND is 0 from tcbAlloc)
  t.mss = <u32>MSS_DEFAULT;
  t.rto = RTO_INITIAL_MS;
  flagsOn(t, TF.APP_OWNED);
  optionsOffer(t, now);
  count(C.TCP_ACTIVE_OPENS);
  setState(t, State.SYN_SENT);
  tcpOutput(t, now);     // <SEQ=ISS><CTL=SYN>
}

/** RFC 9293 3.10.2, SEND: queued in SYN-SENT and SYN-RECEIVED (sent once ESTABLISHED), sent in
 *  ESTABLISHED and CLOSE-WAIT; "connection closing" (EPIPE) once CLOSE was given or in the closing
 *  states; in CLOSED the reason it closed. Returns the bytes taken (a short write when the ring
 *  is full). */
export function userSend(t: Tcb, ptr: usize, len: i32, now: u32): i32 {
  const s = t.state;
  if (s == State.CLOSED) return t.err != 0 ? t.err : Err.ENOTCONN;
  if (flagged(t, TF.FIN_QUEUED) || (s != State.SYN_SENT && s != State.SYN_RECEIVED && s != State.ESTABLISHED && s != State.CLOSE_WAIT)) return Err.EPIPE;
  if (len == 0) return 0;
  const n = ringWrite(t.tx, ptr, len);
  if (n < len) flagsOn(t, TF.WANT_WRITE);
  if (n == 0) return Err.EAGAIN;
  if (synchronized(s)) tcpOutput(t, now);
  return n;
}

/** RFC 9293 3.10.3, RECEIVE: queued data in any state; 0 = end of stream after the peer's FIN;
 *  in CLOSED the reason it closed; else nothing yet (EAGAIN). */
export function userReceive(t: Tcb, ptr: usize, len: i32, now: u32): i32 {
  if (ringLen(t.rx) > 0) {
    if (len == 0) return 0;
    const n = ringRead(t.rx, ptr, len);
    windowUpdate(t);
    return n;
  }
  if (flagged(t, TF.FIN_RCVD)) return 0;
  if (t.state == State.CLOSED) return t.err;
  return Err.EAGAIN;
}

/** After the app frees receive space: rcvWindow() moves the right edge only in steps of
 *  min(RCV.BUFF / 2, MSS) (receiver SWS avoidance, RFC 9293 3.8.6.2.2), and a moved edge is owed
 *  at once: it rides on the next segment sent — the data the app writes in the same turn (an echo:
 *  RFC 1122 4.2.3.2, the ACK should ride on data) — and goes bare at the latest from the poll that
 *  ends the turn (timers.ts; the host polls after every call). Holding it for the next ACK (Linux
 *  sends only when the window doubles) was measured to hurt: with small rings the sender is
 *  window-limited, fewer segments in flight give fewer duplicate ACKs, and a loss more often ends
 *  in a timeout (40 seeded 2 %-loss runs, default profile, no extensions: 4.3 timeouts a run
 *  instead of 1.4). */
function windowUpdate(t: Tcb): void {
  if (!synchronized(t.state) || flagged(t, TF.FIN_RCVD)) return;
  const open = <i32>(t.rcvAdv - t.rcvNxt);
  // with 8 full segments or more still open the sender is not window-limited: the moved edge rides
  // on the next ACK (every second segment) instead of a bare update per read, which halves the
  // frames sent while receiving into a large ring (measured: kernel → board 100 MB, server profile:
  // 72 097 frames sent, lwIP 35 998); rings under 8 segments (tiny, default: folded at compile time)
  // always update at once, and so does a read of more than a full segment not yet acked (as Linux's
  // tcp_cleanup_rbuf: a segment and a tail, the sender's Nagle holding more until they are acked)
  const big = RX_BUF >= 8 * MSS_LOCAL;
  if (<i32>rcvWindow(t) > open && (!big || open < 8 * MSS_LOCAL || t.rcvNxt - t.lastAckSent > t.rcvMss)) flagsOn(t, TF.ACK_NOW);
}

/** RFC 9293 3.10.4, CLOSE of the sending side (tcp_shutdown): in SYN-SENT, and in SYN-RECEIVED
 *  with data queued, the FIN waits until ESTABLISHED; SYN-RECEIVED and ESTABLISHED send a FIN after
 *  the queued data and go to FIN-WAIT-1; CLOSE-WAIT goes to LAST-ACK; elsewhere ENOTCONN. */
export function userShutdown(t: Tcb, now: u32): i32 {
  if (flagged(t, TF.FIN_QUEUED)) return 0;
  const s = t.state;
  if (s == State.SYN_SENT || (s == State.SYN_RECEIVED && ringLen(t.tx) > 0)) {
    flagsOn(t, TF.FIN_QUEUED);      // queued until ESTABLISHED (then FIN-WAIT-1)
    return 0;
  }
  // SYN-RECEIVED with nothing to send: FIN now, FIN-WAIT-1 (RFC 9293 3.10.4)
  if (s == State.ESTABLISHED || s == State.SYN_RECEIVED) setState(t, State.FIN_WAIT_1);
  else if (s == State.CLOSE_WAIT) setState(t, State.LAST_ACK);
  else return Err.ENOTCONN;
  flagsOn(t, TF.FIN_QUEUED);
  flagsOff(t, TF.WANT_WRITE);
  tcpOutput(t, now);
  return 0;
}

/** RFC 9293 3.10.4, CLOSE (tcp_close): the app lets the connection go and the core finishes the
 *  close by itself. CLOSED and SYN-SENT delete the TCB; unread data is lost and said so with an
 *  RST (RFC 1122 4.2.2.13); otherwise as userShutdown, with FIN-WAIT-2 bounded. */
export function userClose(t: Tcb, now: u32): void {
  const s = t.state;
  flagsOff(t, TF.APP_OWNED);
  if (s == State.CLOSED || s == State.SYN_SENT) {
    // SYN-SENT: delete the TCB (RFC 9293 3.10.4); a late SYN-ACK is answered with RST as CLOSED
    setState(t, State.CLOSED);
    tcbRelease(t);
    return;
  }
  flagsOn(t, TF.ORPHAN);
  if (ringLen(t.rx) > 0 && synchronized(s) && s != State.TIME_WAIT) {
    // unread data is lost: say so with RST (RFC 1122 4.2.2.13)
    count(C.DROP_TCP_ORPHAN_DATA);
    sendRst(t, now);
    tcbClose(t, Err.ECONNABORTED);
    return;
  }
  if (s == State.FIN_WAIT_2) armClose(t, now, FIN_WAIT2_MS);
  userShutdown(t, now);
}

/** RFC 9293 3.10.5, ABORT: RST in the states that have a peer, then the TCB goes. */
export function userAbort(t: Tcb, now: u32): void {
  const s = t.state;
  if (s >= State.SYN_RECEIVED && s <= State.CLOSE_WAIT) {   // SYN-RECEIVED, ESTABLISHED, FIN-WAIT-1, -2, CLOSE-WAIT
    sendRst(t, now);
  }
  flagsOff(t, TF.APP_OWNED);
  tcbClose(t, Err.ECONNABORTED);
}

/** Bytes userStatus writes: 29 u32 (docs/abi.md, tcp_info). */
@inline export const STATUS_BYTES: i32 = 29 * 4;

/** tcp_info's 29 slots: the Tcb field each copies as it is, or COMPUTED (filled by userStatus). */
@inline const COMPUTED: u16 = 0xffff;
const STATUS_FIELDS = memory.data<u16>([
  <u16>offsetof<Tcb>("lip"), <u16>offsetof<Tcb>("lport"), <u16>offsetof<Tcb>("rip"), <u16>offsetof<Tcb>("rport"),
  <u16>offsetof<Tcb>("state"), <u16>offsetof<Tcb>("sndUna"), <u16>offsetof<Tcb>("sndNxt"), <u16>offsetof<Tcb>("sndWnd"),
  <u16>offsetof<Tcb>("rcvNxt"), COMPUTED /* receive window */, <u16>offsetof<Tcb>("mss"), <u16>offsetof<Tcb>("rto"),
  <u16>offsetof<Tcb>("retransmits"), COMPUTED /* rx queued */, COMPUTED /* tx queued */, <u16>offsetof<Tcb>("cwnd"),
  <u16>offsetof<Tcb>("ssthresh"), COMPUTED /* srtt */, COMPUTED /* rttvar */, <u16>offsetof<Tcb>("sndShift"),
  <u16>offsetof<Tcb>("rcvShift"), <u16>offsetof<Tcb>("fastRetransmits"), <u16>offsetof<Tcb>("timeouts"),
  <u16>offsetof<Tcb>("sackRecoveries"), <u16>offsetof<Tcb>("dupAcksTotal"), COMPUTED /* out-of-order bytes */,
  COMPUTED /* extensions */, <u16>offsetof<Tcb>("sndMax"), <u16>offsetof<Tcb>("softErr") /* 0 when none (icmp.ts) */,
]);

/** RFC 9293 3.10.6, STATUS (tcp_info): the connection's variables as 29 u32 at p (docs/abi.md). */
export function userStatus(t: Tcb, p: usize): void {
  for (let i: usize = 0; i < <usize>(STATUS_BYTES >> 2); i++) {
    const off = <usize>load<u16>(STATUS_FIELDS + (i << 1));
    if (off != COMPUTED) store<u32>(p + (i << 2), load<u32>(changetype<usize>(t) + off));
  }
  store<u32>(p, rcvWindow(t), 36);
  store<u32>(p, <u32>ringLen(t.rx), 52); store<u32>(p, <u32>ringLen(t.tx), 56);
  store<u32>(p, t.srtt8 >> 3, 68); store<u32>(p, t.rttvar4 >> 2, 72);
  store<u32>(p, oooBytes(t), 100);
  store<u32>(p, (flagged(t, TF.SACK_OK) ? 1 : 0) | (flagged(t, TF.TS_OK) ? 2 : 0) | (flagged(t, TF.WS_OK) ? 4 : 0)
    | (flagged(t, TF.RECOVERY) ? 8 : 0), 104);
}
