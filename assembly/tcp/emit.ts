// Segment emission: building segments from a TCB and its send ring, and RSTs without a TCB.
// Data is (re)sent straight from the tx ring by sequence number: byte `seq` of the stream lives at
// ring offset seq − sndUna (after the SYN is acknowledged). What to send when is output.ts (and
// congestion.ts, sack.ts for loss recovery).
import { RX_BUF } from "../config";
import { noteRetransmit } from "./rtt";
import { C, count } from "../counters";
import { ipOutput, ipTxPayload, ipTxPayloadMax } from "../iface/output";
import { ringLen, ringFree, ringPeek } from "../storage/ring";
import { tcpEmit, tcpFillChecksum, TCP_HDR_MIN, TCP_HDR_MAX, IPPROTO_TCP, Flag } from "../wire/tcp";
import { State } from "./state";
import { Tcb, TF, flagsOn, flagsOff, flagged } from "./tcb";
import { seqGt, seqLt } from "./seq";
import { optionsWrite, optionsFixedLen } from "./options";
import { seg, has } from "./segment";

/** The window we advertise (RFC 9293 3.8.6): the free space of the receive ring, up to what the
 *  16-bit field can say with our window shift. Receiver SWS avoidance (3.8.6.2.2, MUST-39): the
 *  right edge we advertised stays where it is until it can move by min(RCV.BUFF / 2, MSS), so
 *  reading a few bytes never opens a few-byte window. The edge never moves left either: free
 *  space shrinks only by what RCV.NXT advances. */
export function rcvWindow(t: Tcb): u32 {
  const max = <u32>0xffff << t.rcvShift;
  let free = <u32>ringFree(t.rx);
  if (free > max) free = max;
  const cur = <i32>(t.rcvAdv - t.rcvNxt);      // what the last ACK still allows
  // Eff.snd.MSS: the data a full segment of the peer carries, the MSS less the options every
  // segment has (with a step of the bare MSS, reading one 1448-byte segment would move nothing)
  const mss = t.mss - <u32>optionsFixedLen(t);
  const step = <u32>RX_BUF / 2 < mss ? <u32>RX_BUF / 2 : mss;
  if (cur >= 0 && <u32>cur <= free && free - <u32>cur < step) return <u32>cur;
  return free;
}

/** Emit one segment of connection t: `flags`, sequence `seq`, `len` bytes taken from the send ring
 *  at offset `off`, with the options of options.ts. Every segment with ACK settles an owed ACK. */
export function emitSegment(t: Tcb, seq: u32, flags: u32, off: i32, len: i32, now: u32): void {
  const p = ipTxPayload();
  let room = ipTxPayloadMax() - TCP_HDR_MIN - len;
  if (room > TCP_HDR_MAX - TCP_HDR_MIN) room = TCP_HDR_MAX - TCP_HDR_MIN;
  const optLen = optionsWrite(t, p + TCP_HDR_MIN, flags, now, room);
  const hdr = TCP_HDR_MIN + optLen;
  if (len > 0) ringPeek(t.tx, off, p + <usize>hdr, len);
  let ack: u32 = 0;
  if (flags & Flag.ACK) {
    ack = t.rcvNxt;
    t.lastAckSent = ack;
    flagsOff(t, TF.ACK_NOW | TF.DELACK);
  }
  // the window field: unscaled in a SYN (RFC 7323 2.2), else rounded up to the shift's unit so
  // that the edge does not creep left (a byte or three past free space is trimmed if it comes)
  const wnd = rcvWindow(t);
  let field: u32;
  if (flags & Flag.SYN) field = wnd > 0xffff ? 0xffff : wnd;
  else field = (wnd + (<u32>1 << t.rcvShift) - 1) >> t.rcvShift;
  if (field > 0xffff) field = 0xffff;
  tcpEmit(p, <u16>t.lport, <u16>t.rport, seq, ack, flags, <u16>field, 0, optLen);
  tcpFillChecksum(p, hdr + len, t.lip, t.rip);
  t.rcvAdv = t.rcvNxt + ((flags & Flag.SYN) ? field : field << t.rcvShift);
  count(C.TCP_TX);
  ipOutput(t.rip, IPPROTO_TCP, hdr + len, now);
}

/** The RST answering the segment in `seg` (RFC 9293 3.10.7.1, 3.10.7.2, 3.10.7.3): <SEQ=SEG.ACK><CTL=RST>
 *  for one with an ACK, else <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>. */
export function emitReset(now: u32): void {
  const p = ipTxPayload();
  const withAck = !has(Flag.ACK);
  tcpEmit(p, <u16>seg.dport, <u16>seg.sport, withAck ? 0 : seg.ack, withAck ? seg.seq + seg.len : 0,
          withAck ? Flag.RST | Flag.ACK : Flag.RST, 0, 0, 0);
  tcpFillChecksum(p, TCP_HDR_MIN, seg.dst, seg.src);
  count(C.TCP_RST_TX);
  count(C.TCP_TX);
  ipOutput(seg.src, IPPROTO_TCP, TCP_HDR_MIN, now);
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

/** The largest payload one segment may carry: RFC 9293 3.7.1, min(SendMSS + 20, MMS_S) − the TCP
 *  header with the options every segment carries (timestamps). SACK blocks only ride along when
 *  they fit besides the data. */
function segMax(t: Tcb): i32 {
  const mms = ipTxPayloadMax();
  const m = <i32>t.mss + TCP_HDR_MIN < mms ? <i32>t.mss + TCP_HDR_MIN : mms;
  return m - TCP_HDR_MIN - optionsFixedLen(t);
}

/** The peer has acknowledged our SYN. */
export function synAcked(t: Tcb): bool { return seqGt(t.sndUna, t.iss); }

/** Sequence number of the first byte in the send ring: ISS+1 until the SYN is acked, then SND.UNA. */
export function dataBase(t: Tcb): u32 { return synAcked(t) ? t.sndUna : t.iss + 1; }

/** Send new data from SND.NXT up to `wndEnd`, at most `limit` segments; returns how many went.
 *  The caller has applied the congestion window (congestion.ts). */
export function sendData(t: Tcb, now: u32, probe: bool, wndEnd: u32, limit: i32): i32 {
  const queued = <i32>ringLen(t.tx);
  const base = dataBase(t);
  if (seqLt(t.sndNxt, base)) return 0;      // the SYN itself is still to be (re)sent
  const dataEnd = base + <u32>queued;        // first sequence number past the queued data
  const max = segMax(t);
  let sent = 0;
  for (; sent < limit; sent++) {
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
    const finNow = flagged(t, TF.FIN_QUEUED) && t.sndNxt + <u32>len == dataEnd && !finDone(t);
    if (len <= 0 && !finNow) break;
    let flags = Flag.ACK;
    if (len > 0 && t.sndNxt + <u32>len == dataEnd) flags |= Flag.PSH;
    if (finNow) flags |= Flag.FIN;
    if (len > 0) {
      // RFC 6298 3: time one segment per window; never a retransmitted one (Karn). Below SND.MAX
      // this is data sent before (a zero-window probe's byte again): whatever is timed is dropped.
      if (seqLt(t.sndNxt, t.sndMax)) flagsOff(t, TF.RTT_TIMING);
      else if (!flagged(t, TF.RTT_TIMING)) { t.rttSeq = t.sndNxt + <u32>len; t.rttAt = now; flagsOn(t, TF.RTT_TIMING); }
    }
    emitSegment(t, t.sndNxt, flags, off, len, now);
    if (len > 0) t.lastDataAt = now;
    t.sndNxt += <u32>len;
    if (finNow) { t.finSeq = t.sndNxt; t.sndNxt += 1; flagsOn(t, TF.FIN_SENT); }
    if (seqGt(t.sndNxt, t.sndMax)) t.sndMax = t.sndNxt;
    if (finNow) { sent++; break; }
  }
  return sent;
}

/** RFC 6675 NextSeg() rule 2: one new segment, as far as the peer's window allows (the caller has
 *  checked the congestion window against the pipe). */
export function sendNewSegment(t: Tcb, now: u32): bool {
  return mayTransmit(t.state) && sendData(t, now, false, t.sndUna + t.sndWnd, 1) > 0;
}

/** Retransmit from `seq` (at or above SND.UNA) at most one segment and at most `limit` sequence
 *  numbers, whatever the congestion window says but never past the peer's right edge (RFC 9293
 *  3.8.6, SHLD-16: only data inside SND.UNA..SND.UNA+SND.WND) nor past SND.MAX (data sent before
 *  only); the FIN goes along when the data before it does. Returns the sequence numbers covered
 *  (0: nothing there). */
export function retransmitAt(t: Tcb, seq: u32, limit: u32, now: u32): u32 {
  if (!synAcked(t)) return 0;
  const room = <i32>(t.sndUna + t.sndWnd - seq);
  if (room <= 0) return 0;
  if (<u32>room < limit) limit = <u32>room;
  const queued = <i32>ringLen(t.tx);
  const off = <i32>(seq - t.sndUna);
  if (off < 0 || off > queued) return 0;
  let len = queued - off;
  // only what was sent before: data past SND.MAX goes through sendData (window, cwnd, SND.MAX)
  const sentAfter = <i32>(t.sndMax - seq);
  if (!flagged(t, TF.FIN_SENT) && len > sentAfter) len = sentAfter > 0 ? sentAfter : 0;
  const max = segMax(t);
  if (len > max) len = max;
  if (<u32>len > limit) len = <i32>limit;
  const fin = flagged(t, TF.FIN_SENT) && off + len == queued && <u32>len < limit;
  if (len == 0 && !fin) return 0;
  let flags = Flag.ACK;
  if (len > 0 && off + len == queued) flags |= Flag.PSH;
  if (fin) flags |= Flag.FIN;
  emitSegment(t, seq, flags, off, len, now);
  noteRetransmit(t, now);
  return <u32>len + (fin ? 1 : 0);
}

/** Retransmit the first unacknowledged segment now (fast retransmit, RFC 5681 3.2; NewReno
 *  partial ACK, RFC 6582 3.2). */
export function retransmitFirst(t: Tcb, now: u32): void {
  const end = t.sndUna + retransmitAt(t, t.sndUna, 0xffffffff, now);
  if (seqLt(t.sndNxt, end)) t.sndNxt = end;
}

/** Our FIN already occupies the sequence number after the data (sent, perhaps not yet acked). */
function finDone(t: Tcb): bool {
  return flagged(t, TF.FIN_SENT) && seqGt(t.sndNxt, t.finSeq);
}

export function armRtx(t: Tcb, now: u32): void {
  t.rtxAt = now + t.rto;
  flagsOn(t, TF.RTX_ARMED);
}

/** The peer's window is shut while we have data for it: the persist timer's case, not a loss. */
export function windowClosed(t: Tcb): bool { return t.sndWnd == 0 && ringLen(t.tx) > 0 && mayTransmit(t.state); }

/** Data and FIN go out in ESTABLISHED and the closing states that still owe them. */
export function mayTransmit(s: i32): bool { return s >= State.ESTABLISHED && s != State.TIME_WAIT; }
