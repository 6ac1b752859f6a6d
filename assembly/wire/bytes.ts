// Network-order loads and stores. Every wire view is built from these three-line accessors over a
// pointer that its check function has already validated against the buffer length.

// @ts-ignore: decorator
@inline export function get16(p: usize): u16 { return bswap<u16>(load<u16>(p)); }
// @ts-ignore: decorator
@inline export function get32(p: usize): u32 { return bswap<u32>(load<u32>(p)); }
// @ts-ignore: decorator
@inline export function put16(p: usize, v: u16): void { store<u16>(p, bswap<u16>(v)); }
/** put16 of a constant: swapped at compile time (std's bswap is a call the optimizer cannot fold). */
// @ts-ignore: decorator
@inline export function put16c(p: usize, v: u16): void { store<u16>(p, <u16>(v << 8 | v >> 8)); }
// @ts-ignore: decorator
@inline export function put32(p: usize, v: u32): void { store<u32>(p, bswap<u32>(v)); }

/** get16 as a call, its value an i32 (already in range: the caller does not mask it again). The
 *  inlined get16 costs ten bytes a use: the headers read on the receive path use this. */
export function be16(p: usize): i32 { return <i32>get16(p); }
