// The core's one secret: a 128-bit key derived from the host's seed, and SipHash-2-4 under it. Every
// layer that needs an unpredictable number hashes with it (TCP's ISNs, timestamps offsets and SYN
// cookies, the ephemeral ports of TCP and UDP); the core has no random source of its own.

let k0: u64 = 0;
let k1: u64 = 0;

export function keyInit(seedLo: u32, seedHi: u32): void {
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

/** One SipRound. A call, not inlined: keyedHash runs per connection, never per byte. */
function round(): void {
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

