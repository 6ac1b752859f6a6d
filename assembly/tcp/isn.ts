// Initial sequence numbers (RFC 6528 3): ISN = M + F(localip, localport, remoteip, remoteport, key),
// M a 4-microsecond clock (derived from the host's `now` in ms), F SipHash-2-4 keyed by the host's
// seed. The core has no random source of its own: the seed is the only secret.

let k0: u64 = 0;
let k1: u64 = 0;

export function isnInit(seedLo: u32, seedHi: u32): void {
  const s = (<u64>seedHi << 32) | <u64>seedLo;
  // Spread the 64-bit seed into a 128-bit key (splitmix64 finaliser), so that nearby seeds differ.
  k0 = mix(s ^ 0x9e3779b97f4a7c15);
  k1 = mix(s + 0x632be59bd9b4e019);
}

function mix(z: u64): u64 {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}

// SipHash-2-4 state in globals: no allocation, no closures.
let v0: u64 = 0; let v1: u64 = 0; let v2: u64 = 0; let v3: u64 = 0;

// @ts-ignore: decorator
@inline function round(): void {
  v0 += v1; v1 = rotl<u64>(v1, 13); v1 ^= v0; v0 = rotl<u64>(v0, 32);
  v2 += v3; v3 = rotl<u64>(v3, 16); v3 ^= v2;
  v0 += v3; v3 = rotl<u64>(v3, 21); v3 ^= v0;
  v2 += v1; v1 = rotl<u64>(v1, 17); v1 ^= v2; v2 = rotl<u64>(v2, 32);
}

function absorb(m: u64): void { v3 ^= m; round(); round(); v0 ^= m; }

/** SipHash-2-4 of two 64-bit words (16 bytes) under the seed's key. */
export function keyedHash(a: u64, b: u64): u64 {
  v0 = k0 ^ 0x736f6d6570736575; v1 = k1 ^ 0x646f72616e646f6d;
  v2 = k0 ^ 0x6c7967656e657261; v3 = k1 ^ 0x7465646279746573;
  absorb(a); absorb(b); absorb(<u64>16 << 56);
  v2 ^= 0xff; round(); round(); round(); round();
  return v0 ^ v1 ^ v2 ^ v3;
}

/** RFC 6528: the ISN for a connection's 4-tuple at time `now` (ms → 4 µs ticks: ×250). */
export function isnFor(lip: u32, lport: u16, rip: u32, rport: u16, now: u32): u32 {
  const f = keyedHash((<u64>lip << 32) | <u64>rip, (<u64>lport << 16) | <u64>rport);
  return <u32>f + now * 250;
}
