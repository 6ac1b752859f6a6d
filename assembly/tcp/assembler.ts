// The receive assembler: data that arrived past a hole is already in the rx ring at its offset
// (ringWriteAt); this table remembers where, as at most OOO_RANGES sorted, disjoint ranges
// [start, end) of absolute sequence numbers. Each range carries the stamp of the arrival that last
// grew it, so that SACK blocks can be reported most recent first (RFC 2018 4).
//
//   t.ooo ─► ┌───────┬───────┬───────┐
//            │ start │  end  │ stamp │  × oooCount (sorted by start), u32 each
//            └───────┴───────┴───────┘
import { OOO_RANGES } from "../config";
import { Tcb } from "./tcb";
import { rangeTouches, rangeAbsorb, rangePlace, rangeRemove, absorbedStart, absorbedEnd } from "./ranges";

@inline const STRIDE: usize = 12;

// @ts-ignore: decorator
@inline function at(t: Tcb, i: i32): usize { return t.ooo + <usize>i * STRIDE; }
// @ts-ignore: decorator
@inline export function oooStart(t: Tcb, i: i32): u32 { return load<u32>(at(t, i)); }
// @ts-ignore: decorator
@inline export function oooEnd(t: Tcb, i: i32): u32 { return load<u32>(at(t, i), 4); }
// @ts-ignore: decorator
@inline function oooStampAt(t: Tcb, i: i32): u32 { return load<u32>(at(t, i), 8); }

/** Add [s, e), merging the ranges it overlaps or touches. False (nothing changed) when it needs a
 *  new range and all OOO_RANGES are in use. */
export function oooInsert(t: Tcb, s: u32, e: u32): bool {
  if (t.oooCount >= OOO_RANGES && !rangeTouches(t.ooo, STRIDE, t.oooCount, s, e)) return false;
  t.oooCount = rangeAbsorb(t.ooo, STRIDE, t.oooCount, s, e);
  const pos = rangePlace(t.ooo, STRIDE, t.oooCount, absorbedStart, absorbedEnd);
  store<u32>(at(t, pos), ++t.oooStamp, 8);
  t.oooCount++;
  return true;
}

export function oooRemove(t: Tcb, i: i32): void {
  if (i < 0 || i >= t.oooCount) return;
  t.oooCount = rangeRemove(t.ooo, STRIDE, t.oooCount, i);
  if (t.oooCount == 0) t.oooStamp = 0;     // stamps only order the ranges held together
}

/** Bytes held past RCV.NXT. */
export function oooBytes(t: Tcb): u32 {
  let n: u32 = 0;
  for (let i = 0; i < t.oooCount; i++) n += oooEnd(t, i) - oooStart(t, i);
  return n;
}

/** Index of the range with the rank-th most recent stamp (0 = the latest arrival), or -1. */
export function oooByRecency(t: Tcb, rank: i32): i32 {
  let below: u32 = 0xffffffff;  // stamps are unique: pick the largest below the previous pick
  let pick = -1;
  for (let r = 0; r <= rank; r++) {
    pick = -1;
    let best: u32 = 0;
    for (let i = 0; i < t.oooCount; i++) {
      const st = oooStampAt(t, i);
      if (st < below && (pick < 0 || st > best)) { best = st; pick = i; }
    }
    if (pick < 0) return -1;
    below = best;
  }
  return pick;
}
