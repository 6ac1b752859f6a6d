// The options of a connection: what the SYNs negotiate (RFC 7323 window scale and timestamps,
// RFC 2018 SACK-permitted), the options each segment we send carries, and the timestamp checks on
// arrival (RFC 7323 PAWS). An extension is on only when both SYNs carried it.
import { RX_BUF, MSS_LOCAL, PAWS_IDLE_MS } from "../config";
import { C, count } from "../counters";
import { put32 } from "../wire/bytes";
import { OPT_NOP, OPT_MSS, OPT_WS, OPT_SACK_OK, OPT_SACK, OPT_TS, SACK_BLOCKS_MAX, Flag } from "../wire/tcp";
import { timeLt } from "../time";
import { seg, opts, has } from "./segment";
import { Tcb, TF, withheld, flagged } from "./tcb";
import { seqLe } from "./seq";
import { tupleHash } from "./isn";
import { TS_OPT_BITS, TS_NO_WSCALE, TS_SACK_BIT } from "./cookie";
import { oooByRecency, oooStart, oooEnd } from "./assembler";

@inline const EXTENSIONS: u32 = TF.SACK_OK | TF.TS_OK | TF.WS_OK;
/** NOP, NOP, TS (10 bytes): what timestamps add to every segment. */
@inline const TS_LEN: i32 = 12;

/** The shift that fits RX_BUF into the 16-bit window field (RFC 7323 2.2: at most 14). */
function rcvShiftNeeded(): u32 {
  let s: u32 = 0;
  while (s < 14 && (<u32>RX_BUF >> s) > 0xffff) s++;
  return s;
}

/** Active open: the SYN offers every extension the stack has on (tcp_set_default). */
export function optionsOffer(t: Tcb, now: u32): void {
  const offered = EXTENSIONS & ~withheld;
  t.flags = (t.flags & ~EXTENSIONS) | offered;
  t.sndShift = 0;
  t.rcvShift = (offered & TF.WS_OK) ? rcvShiftNeeded() : 0;
  // RFC 7323 5.4: TSval starts at a per-connection offset, so TSvals reveal no uptime and differ
  // between connections (the high half of the keyed hash whose low half makes the ISN)
  t.tsOffset = <u32>(tupleHash(t.lip, t.lport, t.rip, t.rport) >> 32);
  t.rtxTs = tsNow(t, now);
}

/** A SYN arrived (in LISTEN after optionsOffer, or in SYN-SENT): keep what both sides offered. */
export function optionsNegotiate(t: Tcb, now: u32): void {
  let f = t.flags & EXTENSIONS;
  if (!opts.sackOk) f &= ~TF.SACK_OK;
  if (!opts.hasTs) f &= ~TF.TS_OK;
  if (opts.wscale < 0) f &= ~TF.WS_OK;
  agree(t, f, <u32>opts.wscale, now);
}

/** The extensions `f` are on for t; the peer's window shift is `shift` (with WS_OK) and its TSval
 *  the first TS.Recent (with TS_OK). */
function agree(t: Tcb, f: u32, shift: u32, now: u32): void {
  t.flags = (t.flags & ~EXTENSIONS) | f;
  if (f & TF.WS_OK) {
    t.sndShift = shift > 14 ? 14 : shift;                    // RFC 7323 2.3: a larger shift is used as 14
  } else {
    t.sndShift = 0; t.rcvShift = 0;                          // 2.2: scaling needs both SYNs
  }
  if (f & TF.TS_OK) { t.tsRecent = opts.tsVal; t.tsRecentAt = now; }
}

/** A SYN cookie came back (cookie.ts, RFC 4987 3.6): the extensions the SYN agreed, from the low
 *  bits of the ACK's TSecr (our cookie TSval); without timestamps the cookie carried none. Our
 *  TSval clock is moved on, if needed, so that it never goes below the cookie's (RFC 7323 5.4). */
export function optionsFromCookie(t: Tcb, now: u32): void {
  let f = t.flags & EXTENSIONS;
  const bits = opts.tsEcr & TS_OPT_BITS;
  if (!opts.hasTs) f = 0;
  if ((bits & TS_NO_WSCALE) == TS_NO_WSCALE) f &= ~TF.WS_OK;
  if (!(bits & TS_SACK_BIT)) f &= ~TF.SACK_OK;
  agree(t, f, bits & TS_NO_WSCALE, now);
  if ((f & TF.TS_OK) && <i32>(opts.tsEcr - tsNow(t, now)) > 0) t.tsOffset = opts.tsEcr - now;
}

/** The peer's window in this segment: scaled, except in a SYN (RFC 7323 2.2). */
export function segWindow(t: Tcb): u32 { return has(Flag.SYN) ? seg.wnd : seg.wnd << t.sndShift; }

/** Our timestamp clock: ms (RFC 7323 5.4 allows 1 ms to 1 s per tick) plus the connection's offset. */
// @ts-ignore: decorator
@inline export function tsNow(t: Tcb, now: u32): u32 { return now + t.tsOffset; }

/** Option bytes every non-SYN segment of t carries (the data of a full segment shrinks by this). */
export function optionsFixedLen(t: Tcb): i32 { return flagged(t, TF.TS_OK) ? TS_LEN : 0; }

/** Two option bytes `lead` (NOP, NOP or SACK-permitted) and then the timestamps option (RFC 7323
 *  3.2): 12 bytes at p. */
function putTs(t: Tcb, p: usize, lead: u32, flags: u32, now: u32): void {
  put32(p, lead << 16 | (<u32>OPT_TS << 8) | 10);
  put32(p + 4, tsNow(t, now));
  put32(p + 8, (flags & Flag.ACK) ? t.tsRecent : 0);       // RFC 7323 3.2: TSecr only with ACK
}

@inline const NOP_NOP: u32 = <u32>OPT_NOP << 8 | OPT_NOP;
@inline const SACK_PERMITTED: u32 = <u32>OPT_SACK_OK << 8 | 2;

/** Write the options of a segment with `flags` at p and return their length (a multiple of 4).
 *  A SYN carries MSS (RFC 9293 MUST-14) and the extensions t has on (offered, or agreed for a
 *  SYN-ACK); later segments carry timestamps, and ACKs SACK blocks for the data held past a hole,
 *  the latest arrival first (RFC 2018 4), as many as fit in `room` bytes. */
export function optionsWrite(t: Tcb, p: usize, flags: u32, now: u32, room: i32): i32 {
  let n = 0;
  const sackOk = flagged(t, TF.SACK_OK);
  if (flags & Flag.SYN) {
    // MSS; then SACK-permitted in the two bytes before the timestamps, or padded by NOPs; then WS
    put32(p, <u32>OPT_MSS << 24 | 4 << 16 | <u32>MSS_LOCAL);
    n = 4;
    if (flagged(t, TF.TS_OK)) { putTs(t, p + 4, sackOk ? SACK_PERMITTED : NOP_NOP, flags, now); n = 16; }
    else if (sackOk) { put32(p + 4, NOP_NOP << 16 | SACK_PERMITTED); n = 8; }
    if (flagged(t, TF.WS_OK)) {
      put32(p + <usize>n, <u32>OPT_NOP << 24 | <u32>OPT_WS << 16 | 3 << 8 | t.rcvShift);
      n += 4;
    }
    return n;
  }
  if (flagged(t, TF.TS_OK)) { putTs(t, p, NOP_NOP, flags, now); n = TS_LEN; }
  if (sackOk && (flags & (Flag.ACK | Flag.RST)) == Flag.ACK && t.oooCount > 0) {
    let blocks = (room - n - 4) >> 3;
    if (blocks > t.oooCount) blocks = t.oooCount;
    if (blocks > SACK_BLOCKS_MAX) blocks = SACK_BLOCKS_MAX;
    if (blocks > 0) {
      const q = p + <usize>n;
      put32(q, NOP_NOP << 16 | <u32>OPT_SACK << 8 | <u32>(2 + 8 * blocks));
      for (let b = 0; b < blocks; b++) {
        const i = oooByRecency(t, b);
        put32(q + 4 + (<usize>b << 3), oooStart(t, i));
        put32(q + 8 + (<usize>b << 3), oooEnd(t, i));
      }
      n += 4 + 8 * blocks;
    }
  }
  return n;
}

/** RFC 7323 5.3 R1 (PAWS) and 3.2, before the sequence check: 1 = drop and ACK (a TSval older than
 *  TS.Recent: an old duplicate), 2 = drop silently (no TSopt although both sides agreed to send one),
 *  0 = go on. An RST is never refused for its timestamp (5.3). */
export function pawsCheck(t: Tcb, now: u32): i32 {
  if (!flagged(t, TF.TS_OK) || has(Flag.RST)) return 0;
  if (!opts.hasTs) { count(C.DROP_TCP_NO_TS); return 2; }
  // 5.5: after 24 days of silence TS.Recent may have wrapped, and no longer judges anything
  if (<i32>(opts.tsVal - t.tsRecent) < 0 && timeLt(now, t.tsRecentAt + PAWS_IDLE_MS)) {
    count(C.DROP_TCP_PAWS);
    return 1;
  }
  return 0;
}

/** RFC 7323 4.3 (2): an acceptable segment that starts at or below Last.ACK.sent and is not older
 *  than TS.Recent gives the TSval our next ACKs echo. */
export function tsRecentUpdate(t: Tcb, now: u32): void {
  if (!flagged(t, TF.TS_OK) || !opts.hasTs) return;
  if (seqLe(seg.seq, t.lastAckSent) && <i32>(opts.tsVal - t.tsRecent) >= 0) {
    t.tsRecent = opts.tsVal;
    t.tsRecentAt = now;
  }
}
