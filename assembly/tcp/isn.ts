// Initial sequence numbers (RFC 6528 3): ISN = M + F(localip, localport, remoteip, remoteport, key),
// M a 4-microsecond clock (derived from the host's `now` in ms), F SipHash-2-4 keyed by the host's
// seed. The core has no random source of its own: the seed is the only secret.

import { keyInit, keyedHash } from "../siphash";
export { keyedHash } from "../siphash";

// The last 4-tuple hashed and its hash: an open asks twice (its ISN from the low half, its TSval
// offset from the high half, options.ts), and the hash costs some 300 instructions.
let memoA: u64 = 0;
let memoB: u64 = 0;
let memoH: u64 = 0;

/** Key the hash with the host's seed (init). */
export function isnInit(seedLo: u32, seedHi: u32): void {
  keyInit(seedLo, seedHi);
  memoA = 0; memoB = 0; memoH = keyedHash(0, 0);
}

/** The keyed hash of a connection's 4-tuple. */
export function tupleHash(lip: u32, lport: u32, rip: u32, rport: u32): u64 {
  const a = (<u64>lip << 32) | <u64>rip;
  const b = (<u64>lport << 16) | <u64>rport;
  if (a != memoA || b != memoB) { memoA = a; memoB = b; memoH = keyedHash(a, b); }
  return memoH;
}

/** RFC 6528: the ISN for a connection's 4-tuple at time `now` (ms → 4 µs ticks: ×250). */
export function isnFor(lip: u32, lport: u16, rip: u32, rport: u16, now: u32): u32 {
  return <u32>tupleHash(lip, lport, rip, rport) + now * 250;
}
