// Sequence-number arithmetic on plain u32 (RFC 9293 3.4): comparisons modulo 2^32.

export function seqLt(a: u32, b: u32): bool { return <i32>(a - b) < 0; }
export function seqLe(a: u32, b: u32): bool { return <i32>(a - b) <= 0; }
export function seqGt(a: u32, b: u32): bool { return <i32>(a - b) > 0; }
// @ts-ignore: decorator
@inline export function seqGe(a: u32, b: u32): bool { return <i32>(a - b) >= 0; }
/** lo ≤ x < hi */
// @ts-ignore: decorator
@inline export function seqInWindow(x: u32, lo: u32, hi: u32): bool { return seqLe(lo, x) && seqLt(x, hi); }
