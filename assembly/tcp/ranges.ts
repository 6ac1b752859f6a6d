// A fixed table of sorted, disjoint [start, end) ranges of sequence numbers: entries of `stride`
// bytes with start at +0 and end at +4 (the rest is the owner's). The receive assembler (12-byte
// entries with an arrival stamp) and the SACK scoreboard (8-byte entries) are two such tables.
import { seqLe, seqLt, seqGt } from "./seq";

// @ts-ignore: decorator
@inline function rangeStart(base: usize, stride: usize, i: i32): u32 { return load<u32>(base + <usize>i * stride); }
// @ts-ignore: decorator
@inline function rangeEnd(base: usize, stride: usize, i: i32): u32 { return load<u32>(base + <usize>i * stride, 4); }

/** Remove entry i of count; returns the new count. */
export function rangeRemove(base: usize, stride: usize, count: i32, i: i32): i32 {
  memory.copy(base + <usize>i * stride, base + <usize>(i + 1) * stride, <usize>(count - i - 1) * stride);
  return count - 1;
}

/** Whether [s, e) overlaps or touches some entry (adding it would merge, not take a new entry). */
export function rangeTouches(base: usize, stride: usize, count: i32, s: u32, e: u32): bool {
  for (let i = 0; i < count; i++) if (seqLe(rangeStart(base, stride, i), e) && seqLe(s, rangeEnd(base, stride, i))) return true;
  return false;
}

/** [start, end) of the last rangeAbsorb. */
export let absorbedStart: u32 = 0;
export let absorbedEnd: u32 = 0;

/** Take every entry that overlaps or touches [s, e) out of the table, widening [s, e) to cover it
 *  (the result in absorbedStart/absorbedEnd); returns the new count. */
export function rangeAbsorb(base: usize, stride: usize, count: i32, s: u32, e: u32): i32 {
  for (let i = 0; i < count; ) {
    const rs = rangeStart(base, stride, i), re = rangeEnd(base, stride, i);
    if (seqLe(rs, e) && seqLe(s, re)) {
      if (seqLt(rs, s)) s = rs;
      if (seqGt(re, e)) e = re;
      count = rangeRemove(base, stride, count, i);
    } else i++;
  }
  absorbedStart = s;
  absorbedEnd = e;
  return count;
}

/** Insert [s, e) (disjoint from every entry) in order; the caller has made room. Returns its index. */
export function rangePlace(base: usize, stride: usize, count: i32, s: u32, e: u32): i32 {
  let pos = 0;
  while (pos < count && seqLt(rangeStart(base, stride, pos), s)) pos++;
  memory.copy(base + <usize>(pos + 1) * stride, base + <usize>pos * stride, <usize>(count - pos) * stride);
  store<u32>(base + <usize>pos * stride, s);
  store<u32>(base + <usize>pos * stride, e, 4);
  return pos;
}
