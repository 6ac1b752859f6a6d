// Segment output: building segments from a TCB and its send ring, and RSTs without a TCB.
// Data is (re)sent straight from the tx ring by sequence number: byte `seq` of the stream lives at
// ring offset seq − sndUna (after the SYN is acknowledged).
import { MSS_LOCAL } from "../config";
import { C, count } from "../counters";
import { ipOutput, ipTxPayload, ipTxPayloadMax } from "../iface/output";
import { ringLen, ringFree, ringPeek } from "../storage/ring";
import { tcpEmit, tcpEmitMss, tcpFillChecksum, TCP_HDR_MIN, IPPROTO_TCP, Flag } from "../wire/tcp";
import { State } from "../socket/constants";
import { Tcb, TF } from "./tcb";
import { seqGt, seqLt } from "./seq";
import { timeLt } from "../time";

/** The window we advertise: free space in the receive ring (RFC 9293 3.8.6), at most 65535
 *  (no window scaling yet). The right edge never moves left: free space only shrinks by what
 *  rcvNxt advances. */
export function rcvWindow(t: Tcb): u32 {
  const w = <u32>ringFree(t.rx);
  return w > 0xffff ? 0xffff : w;
}

/** Emit one segment of connection t: `flags`, sequence `seq`, `len` bytes taken from the send ring
 *  at offset `off`. SYNs carry the MSS option (RFC 9293 3.7.1, MUST-14). */
export function emitSegment(t: Tcb, seq: u32, flags: u32, off: i32, len: i32, now: u32): void {
  const p = ipTxPayload();
  let optLen = 0;
  if (flags & Flag.SYN) optLen = tcpEmitMss(p + TCP_HDR_MIN, <u16>MSS_LOCAL);
  const hdr = TCP_HDR_MIN + optLen;
  if (len > 0) ringPeek(t.tx, off, p + <usize>hdr, len);
  let ack: u32 = 0;
  if (flags & Flag.ACK) ack = t.rcvNxt;
  const wnd = rcvWindow(t);
  tcpEmit(p, <u16>t.lport, <u16>t.rport, seq, ack, flags, <u16>wnd, 0, optLen);
  tcpFillChecksum(p, hdr + len, t.lip, t.rip);
  t.rcvAdv = t.rcvNxt + wnd;
  t.flags &= ~TF.ACK_NOW;
  count(C.TCP_TX);
  ipOutput(t.rip, IPPROTO_TCP, hdr + len, now);
}

/** An RST (or RST+ACK) for a segment that has no connection to go to (RFC 9293 3.10.7.1). */
export function emitReset(lip: u32, lport: u32, rip: u32, rport: u32, seq: u32, ack: u32, withAck: bool, now: u32): void {
  const p = ipTxPayload();
  tcpEmit(p, <u16>lport, <u16>rport, seq, withAck ? ack : 0, withAck ? Flag.RST | Flag.ACK : Flag.RST, 0, 0, 0);
  tcpFillChecksum(p, TCP_HDR_MIN, lip, rip);
  count(C.TCP_RST_TX);
  count(C.TCP_TX);
  ipOutput(rip, IPPROTO_TCP, TCP_HDR_MIN, now);
}

/** A bare ACK <SEQ=SND.NXT><ACK=RCV.NXT> (RFC 9293 3.10.7.4), with SND.MAX for SND.NXT: after a
 *  timeout SND.NXT goes back to SND.UNA, but the peer's RCV.NXT may already be past it, and an ACK
 *  that starts below RCV.NXT is unacceptable there — both ends would then drop each other's ACKs. */
export function sendAck(t: Tcb, now: u32): void { emitSegment(t, t.sndMax, Flag.ACK, 0, 0, now); }

/** <SEQ=SND.NXT><CTL=RST> for ABORT and for data arriving after CLOSE (RFC 9293 3.10.5, 3.10.4). */
export function sendRst(t: Tcb, now: u32): void {
  emitSegment(t, t.sndMax, Flag.RST | Flag.ACK, 0, 0, now);
  count(C.TCP_RST_TX);
}

/** The largest payload one segment may carry on this connection. */
function segMax(t: Tcb): i32 {
  const room = ipTxPayloadMax() - TCP_HDR_MIN;
  return <i32>t.mss < room ? <i32>t.mss : room;
}

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
    if (t.sndMax == t.iss) { t.rttSeq = t.iss + 1; t.rttAt = now; t.flags |= TF.RTT_TIMING; } // time the first SYN
    emitSegment(t, t.iss, s == State.SYN_SENT ? Flag.SYN : Flag.SYN | Flag.ACK, 0, 0, now);
    t.sndNxt = t.iss + 1;
    if (seqGt(t.sndNxt, t.sndMax)) t.sndMax = t.sndNxt;
  }
  if (mayTransmit(s)) sendData(t, now, probe);
  if (t.flags & TF.ACK_NOW) sendAck(t, now);
  if (idle && t.sndMax != t.sndUna) t.unaSince = now;   // the user-timeout clock (liveness.ts)
  if (!(t.flags & TF.RTX_ARMED)) {
    if (t.sndMax != t.sndUna) armRtx(t, now);
    else if (t.sndWnd == 0 && ringLen(t.tx) > 0 && mayTransmit(t.state)) armRtx(t, now); // persist
  }
}

/** Data and FIN go out in ESTABLISHED and the closing states that still owe them. */
export function mayTransmit(s: i32): bool { return s >= State.ESTABLISHED && s != State.TIME_WAIT; }

/** The peer has acknowledged our SYN. */
// @ts-ignore: decorator
@inline export function synAcked(t: Tcb): bool { return seqGt(t.sndUna, t.iss); }

/** Sequence number of the first byte in the send ring: ISS+1 until the SYN is acked, then SND.UNA. */
export function dataBase(t: Tcb): u32 { return synAcked(t) ? t.sndUna : t.iss + 1; }

/** RFC 5681 3.1: the initial window, IW = min(4·SMSS, max(2·SMSS, 4380 bytes)). */
function initialWindow(t: Tcb): u32 {
  const m = t.mss;
  const hi = 4 * m, lo = 2 * m > 4380 ? 2 * m : <u32>4380;
  return hi < lo ? hi : lo;
}

/** What the sender may have in flight: min(cwnd, the peer's window) (RFC 5681 2). */
export function sendWindow(t: Tcb): u32 {
  if (t.cwnd == 0) t.cwnd = initialWindow(t);
  return t.cwnd < t.sndWnd ? t.cwnd : t.sndWnd;
}

function sendData(t: Tcb, now: u32, probe: bool): void {
  const queued = <i32>ringLen(t.tx);
  const base = dataBase(t);
  if (seqLt(t.sndNxt, base)) return;        // the SYN itself is still to be (re)sent
  const dataEnd = base + <u32>queued;        // first sequence number past the queued data
  const wndEnd = t.sndUna + sendWindow(t);
  const max = segMax(t);
  for (let guard = 0; guard < 1024; guard++) {
    const off = <i32>(t.sndNxt - base);
    if (off > queued) break;                   // our FIN is in flight: nothing after it
    const rest = queued - off;
    let len = rest;
    let room = <i32>(wndEnd - t.sndNxt);
    if (seqGt(t.sndNxt, wndEnd)) room = 0;
    if (probe && room <= 0) { room = 1; probe = false; }
    if (len > room) len = room;
    if (len > max) len = max;
    if (len > 0 && len < max && t.sndNxt != t.sndUna) {
      // Sender SWS avoidance (RFC 9293 3.8.6.2.1) and Nagle (RFC 9293 3.7.4, SHLD-7): while data is
      // unacknowledged, send less than a full segment only when it is the end of what the app
      // wrote and the app asked for no delay. With nothing in flight a small segment goes at once.
      if (len < rest || !t.noDelay) break;
    }
    const finNow = (t.flags & TF.FIN_QUEUED) != 0 && t.sndNxt + <u32>len == dataEnd && !finDone(t);
    if (len <= 0 && !finNow) break;
    let flags = Flag.ACK;
    if (len > 0 && t.sndNxt + <u32>len == dataEnd) flags |= Flag.PSH;
    if (finNow) flags |= Flag.FIN;
    if (!seqLt(t.sndNxt, t.sndMax) && !(t.flags & TF.RTT_TIMING) && len > 0) {
      // RFC 6298 3: time one segment per window; never a retransmitted one (Karn)
      t.rttSeq = t.sndNxt + <u32>len; t.rttAt = now; t.flags |= TF.RTT_TIMING;
    }
    emitSegment(t, t.sndNxt, flags, off, len, now);
    t.sndNxt += <u32>len;
    if (finNow) { t.finSeq = t.sndNxt; t.sndNxt += 1; t.flags |= TF.FIN_SENT; }
    if (seqGt(t.sndNxt, t.sndMax)) t.sndMax = t.sndNxt;
    if (finNow) break;
  }
}

/** Retransmit the first unacknowledged segment now, whatever the windows say (fast retransmit,
 *  RFC 5681 3.2; NewReno partial ACK, RFC 6582 3.2). */
export function retransmitFirst(t: Tcb, now: u32): void {
  if (!synAcked(t)) return;
  const queued = <i32>ringLen(t.tx);
  const max = segMax(t);
  const len = queued < max ? queued : max;
  let flags = Flag.ACK;
  const fin = (t.flags & TF.FIN_SENT) != 0 && len == queued;
  if (len > 0 && len == queued) flags |= Flag.PSH;
  if (fin) flags |= Flag.FIN;
  if (len == 0 && !fin) return;
  emitSegment(t, t.sndUna, flags, 0, len, now);
  t.flags &= ~TF.RTT_TIMING;                 // Karn: this sample would be ambiguous
  t.retransmits++;
  count(C.TCP_RETRANSMITS);
  const end = t.sndUna + <u32>len + (fin ? 1 : 0);
  if (seqLt(t.sndNxt, end)) t.sndNxt = end;
}

/** Our FIN already occupies the sequence number after the data (sent, perhaps not yet acked). */
function finDone(t: Tcb): bool {
  return (t.flags & TF.FIN_SENT) != 0 && seqGt(t.sndNxt, t.finSeq);
}

export function armRtx(t: Tcb, now: u32): void {
  t.rtxAt = now + t.rto;
  t.flags |= TF.RTX_ARMED;
}

export function rtxDue(t: Tcb, now: u32): bool {
  return (t.flags & TF.RTX_ARMED) != 0 && !timeLt(now, t.rtxAt);
}
