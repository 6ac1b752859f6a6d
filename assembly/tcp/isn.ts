// Initial sequence numbers (RFC 6528 3): ISN = M + F(localip, localport, remoteip, remoteport, key),
// M a 4-microsecond clock (derived from the host's `now` in ms), F SipHash-2-4 keyed by the host's
// seed. The core has no random source of its own: the seed is the only secret.

import { keyInit, keyedHash } from "../siphash";
export { keyedHash } from "../siphash";

/** Key the hash with the host's seed (init). */
export function isnInit(seedLo: u32, seedHi: u32): void { keyInit(seedLo, seedHi); }

/** RFC 6528: the ISN for a connection's 4-tuple at time `now` (ms → 4 µs ticks: ×250). */
export function isnFor(lip: u32, lport: u16, rip: u32, rport: u16, now: u32): u32 {
  const f = keyedHash((<u64>lip << 32) | <u64>rip, (<u64>lport << 16) | <u64>rport);
  return <u32>f + now * 250;
}
