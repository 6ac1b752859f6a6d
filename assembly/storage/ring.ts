// A byte ring for per-connection receive and send buffers (smoltcp's RingBuffer without the
// generics). Capacity is a power of two so positions wrap with a mask. Every operation clamps its
// length to what the ring holds (or has free) and copies with memory.copy in at most two pieces;
// nothing here can trap or write outside [buf, buf + cap).
//
// Layout (16 bytes, reached with changetype<Ring>(ptr) over a region carved in init):
//   0 buf    usize  first byte of the storage
//   4 mask   u32    capacity − 1
//   8 start  u32    index of the first queued byte (0 ≤ start < cap)
//  12 len    u32    bytes queued (0 ≤ len ≤ cap)
import { Err } from "../errors";

@unmanaged export class Ring {
  buf: usize;
  mask: u32;
  start: u32;
  len: u32;
}

/** Bytes to reserve for one Ring struct. */
// @ts-ignore: decorator
@inline export const RING_SIZE: usize = offsetof<Ring>();

/** Bind r to `cap` bytes at buf (cap a power of two, ≥ 1) and empty it. 0 or Err.EINVAL. */
export function ringInit(r: Ring, buf: usize, cap: u32): i32 {
  if (cap == 0 || (cap & (cap - 1)) != 0 || cap > 0x80000000) return Err.EINVAL;
  r.buf = buf;
  r.mask = cap - 1;
  r.start = 0;
  r.len = 0;
  return 0;
}

// @ts-ignore: decorator
@inline export function ringCap(r: Ring): u32 { return r.mask + 1; }
// @ts-ignore: decorator
@inline export function ringLen(r: Ring): u32 { return r.len; }
export function ringFree(r: Ring): u32 { return r.mask + 1 - r.len; }

/** Copy n bytes from src into the ring starting at ring index pos (wrapping). */
function copyIn(r: Ring, pos: u32, src: usize, n: u32): void {
  const cap = r.mask + 1;
  pos &= r.mask;
  let first = cap - pos;
  if (first > n) first = n;
  memory.copy(r.buf + <usize>pos, src, <usize>first);
  if (n > first) memory.copy(r.buf, src + <usize>first, <usize>(n - first));
}

/** Copy n bytes out of the ring starting at ring index pos (wrapping) to dst. */
function copyOut(r: Ring, pos: u32, dst: usize, n: u32): void {
  const cap = r.mask + 1;
  pos &= r.mask;
  let first = cap - pos;
  if (first > n) first = n;
  memory.copy(dst, r.buf + <usize>pos, <usize>first);
  if (n > first) memory.copy(dst + <usize>first, r.buf, <usize>(n - first));
}

/** Append min(n, free) bytes from src; returns how many (0 when full or n ≤ 0). */
export function ringWrite(r: Ring, src: usize, n: i32): i32 {
  if (n <= 0) return 0;
  let k = <u32>n;
  const free = ringFree(r);
  if (k > free) k = free;
  if (k == 0) return 0;
  copyIn(r, r.start + r.len, src, k);
  r.len += k;
  return <i32>k;
}

/**
 * Copy min(n, free − offset) bytes into the free space `offset` bytes past the end of the queued
 * data, without queueing them (out-of-order data: smoltcp's write_unallocated). ringCommit later
 * makes the bytes up to a contiguous point readable. Returns how many were copied.
 */
export function ringWriteAt(r: Ring, offset: i32, src: usize, n: i32): i32 {
  if (n <= 0 || offset < 0) return 0;
  const free = ringFree(r);
  if (<u32>offset >= free) return 0;
  let k = <u32>n;
  if (k > free - <u32>offset) k = free - <u32>offset;
  copyIn(r, r.start + r.len + <u32>offset, src, k);
  return <i32>k;
}

/** Queue min(n, free) bytes already placed with ringWriteAt; returns how many. */
export function ringCommit(r: Ring, n: i32): i32 {
  if (n <= 0) return 0;
  let k = <u32>n;
  const free = ringFree(r);
  if (k > free) k = free;
  r.len += k;
  return <i32>k;
}

/** Copy min(n, len − offset) bytes starting `offset` bytes past the first queued one to dst, without consuming. */
export function ringPeek(r: Ring, offset: i32, dst: usize, n: i32): i32 {
  if (n <= 0 || <u32>offset >= r.len) return 0;   // (unsigned: a negative offset too)
  let k = <u32>n;
  const avail = r.len - <u32>offset;
  if (k > avail) k = avail;
  copyOut(r, r.start + <u32>offset, dst, k);
  return <i32>k;
}

/** Drop min(n, len) bytes from the front; returns how many. */
export function ringConsume(r: Ring, n: i32): i32 {
  if (n <= 0) return 0;
  let k = <u32>n;
  if (k > r.len) k = r.len;
  r.start = (r.start + k) & r.mask;
  r.len -= k;
  return <i32>k;
}

/** Copy and consume min(n, len) bytes to dst; returns how many. */
export function ringRead(r: Ring, dst: usize, n: i32): i32 {
  const k = ringPeek(r, 0, dst, n);
  ringConsume(r, k);
  return k;
}

/** Empty the ring (the storage keeps its bytes). */
export function ringClear(r: Ring): void {
  r.start = 0;
  r.len = 0;
}
