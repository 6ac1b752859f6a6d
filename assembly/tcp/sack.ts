// The sender's side of SACK: the scoreboard of what the peer holds past SND.UNA (RFC 2018) and
// what loss recovery (RFC 6675, congestion.ts) retransmits and sends next, in fixed memory.
//
//   t.sack ─► ┌───────┬───────┐
//             │ start │  end  │  × sackCount: sorted, disjoint, within (SND.UNA, SND.MAX]
//             └───────┴───────┘
//
//   SND.UNA        hole 0        block 0    hole 1    block 1        tail
//      ├───────────────────────┼█████████┼─────────┼██████████┼─────────────┤ SND.MAX
//
// A hole is lost (IsLost, RFC 6675 4) when DupThresh blocks or more than (DupThresh − 1)·SMSS
// SACKed bytes lie above it; every byte of a hole has the same SACKed data above it, so the test
// is per hole. The tail above the highest block is never lost: nothing is known about it.
import { SACK_RANGES } from "../config";
import { sackBlock } from "../wire/tcp";
import { seg, opts } from "./segment";
import { Tcb } from "./tcb";
import { seqLe, seqLt, seqGt } from "./seq";
import { retransmitAt, sendNewSegment } from "./emit";
import { rangeAbsorb, rangePlace, rangeRemove, absorbedStart, absorbedEnd } from "./ranges";

/** RFC 6675 2: DupThresh. */
@inline const DUP_THRESH: i32 = 3;

// @ts-ignore: decorator
@inline function at(t: Tcb, i: i32): usize { return t.sack + (<usize>i << 3); }
export function sackStart(t: Tcb, i: i32): u32 { return load<u32>(at(t, i)); }
// @ts-ignore: decorator
@inline export function sackEnd(t: Tcb, i: i32): u32 { return load<u32>(at(t, i), 4); }

export function sackClear(t: Tcb): void { t.sackCount = 0; }

/** RFC 6675 Update(): take the SACK blocks of the arriving ACK into the scoreboard. A block must
 *  lie above SEG.ACK and within what we sent; anything else (a D-SACK of RFC 2883, a stale or
 *  forged block) is ignored. */
export function sackUpdate(t: Tcb): void {
  for (let b = 0; b < opts.sackCount; b++) {
    const l = load<u32>(sackBlock(b)), r = load<u32>(sackBlock(b), 4);
    if (!seqLt(l, r) || seqLt(l, seg.ack) || seqGt(r, t.sndMax) || !seqGt(l, t.sndUna)) continue;
    sackInsert(t, l, r);
  }
}

/** Add [s, e) to the scoreboard, merging what it overlaps or touches. When every range is in use,
 *  the highest is forgotten (it matters last for retransmission; forgetting costs at most a
 *  needless resend, RFC 6675 allows a conservative scoreboard). */
export function sackInsert(t: Tcb, s: u32, e: u32): void {
  t.sackCount = rangeAbsorb(t.sack, 8, t.sackCount, s, e);
  s = absorbedStart; e = absorbedEnd;
  if (t.sackCount >= SACK_RANGES) {
    if (seqGt(s, sackStart(t, t.sackCount - 1))) return;
    t.sackCount--;
  }
  rangePlace(t.sack, 8, t.sackCount, s, e);
  t.sackCount++;
}

function remove(t: Tcb, i: i32): void { t.sackCount = rangeRemove(t.sack, 8, t.sackCount, i); }

/** SND.UNA advanced: forget what it covers. */
export function sackTrim(t: Tcb): void {
  while (t.sackCount > 0 && seqLe(sackEnd(t, 0), t.sndUna)) remove(t, 0);
  if (t.sackCount > 0 && seqLt(sackStart(t, 0), t.sndUna)) store<u32>(at(t, 0), t.sndUna);
}

/** SACKed bytes on the scoreboard. */
export function sackedBytes(t: Tcb): u32 {
  let n: u32 = 0;
  for (let i = 0; i < t.sackCount; i++) n += sackEnd(t, i) - sackStart(t, i);
  return n;
}

/** IsLost() for a hole with `blocks` ranges and `bytes` SACKed bytes above it. */
function lost(t: Tcb, blocks: i32, bytes: u32): bool {
  return blocks >= DUP_THRESH || bytes > <u32>(DUP_THRESH - 1) * t.mss;
}

/** IsLost(SND.UNA): enough has been SACKed above the first hole to call it lost. */
export function sackFirstLost(t: Tcb): bool { return t.sackCount > 0 && lost(t, t.sackCount, sackedBytes(t)); }

/** RFC 6675 SetPipe(): the bytes still in the network. An unSACKed byte counts unless its hole is
 *  lost; a retransmitted byte (below HighRxt) counts once more. */
export function sackPipe(t: Tcb): u32 {
  let pipe: u32 = 0;
  let above = sackedBytes(t);
  let hs = t.sndUna;
  for (let k = 0; k < t.sackCount; k++) {
    const he = sackStart(t, k);
    const len = he - hs;
    const rtx = !seqGt(t.highRxt, hs) ? 0 : seqLt(t.highRxt, he) ? t.highRxt - hs : len;
    pipe += lost(t, t.sackCount - k, above) ? rtx : len + rtx;
    above -= sackEnd(t, k) - he;
    hs = sackEnd(t, k);
  }
  // the tail is in flight; what of it was resent (a fallback resend from SND.UNA) counts again
  const rtxTail = !seqGt(t.highRxt, hs) ? 0 : seqLt(t.highRxt, t.sndMax) ? t.highRxt - hs : t.sndMax - hs;
  return pipe + (t.sndMax - hs) + rtxTail;
}

/** Retransmit the first not yet retransmitted part of a hole (only of lost ones when `lostOnly`):
 *  NextSeg() rule 1, and rule 3 without it. */
function holeResend(t: Tcb, now: u32, lostOnly: bool): bool {
  let above = sackedBytes(t);
  let hs = t.sndUna;
  for (let k = 0; k < t.sackCount; k++) {
    const he = sackStart(t, k);
    if (!lostOnly || lost(t, t.sackCount - k, above)) {
      const s = seqLt(hs, t.highRxt) ? t.highRxt : hs;
      if (seqLt(s, he)) {
        const n = retransmitAt(t, s, he - s, now);
        if (n > 0) { t.highRxt = s + n; return true; }
      }
    }
    above -= sackEnd(t, k) - he;
    hs = sackEnd(t, k);
  }
  return false;
}

/** RFC 6675 5 (C): while cwnd − pipe ≥ 1 SMSS, send what NextSeg() names: a lost hole (rule 1),
 *  new data (rule 2), another unSACKed hole below the highest SACKed byte (rule 3). */
export function sackSend(t: Tcb, now: u32): void {
  for (let guard = 0; guard < 256; guard++) {
    const pipe = sackPipe(t);
    if (pipe >= t.cwnd || t.cwnd - pipe < t.mss) return;
    if (!holeResend(t, now, true) && !sendNewSegment(t, now) && !holeResend(t, now, false)) return;
  }
}
