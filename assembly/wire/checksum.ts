// The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of 16-bit
// big-endian words. Partial sums are carried in a u32 and folded at the end, so a header, a
// pseudo-header and a payload can be summed separately and combined.

/**
 * Add `len` bytes at `p` to a partial sum. An odd trailing byte is padded with a zero byte.
 *
 * RFC 1071 2(B): the ones' complement sum does not depend on byte order, so the bytes are added as
 * the little-endian 32-bit words wasm loads (16 bytes per turn, into a 64-bit accumulator that
 * cannot overflow below 2^34 bytes) and the folded 16-bit result is byte-swapped once. It is the
 * same value as adding big-endian 16-bit words one by one, at a fraction of the loads.
 */
export function csumAdd(sum: u32, p: usize, len: i32): u32 {
  if (len <= 0) return fold(<u64>sum);
  let acc: u64 = 0;
  let q = p;
  const end = p + <usize>len;
  for (; q + 16 <= end; q += 16) {
    acc += <u64>load<u32>(q) + <u64>load<u32>(q, 4) + <u64>load<u32>(q, 8) + <u64>load<u32>(q, 12);
  }
  for (; q + 4 <= end; q += 4) acc += <u64>load<u32>(q);
  if (q + 2 <= end) {
    acc += <u64>load<u16>(q);
    q += 2;
  }
  if (q < end) acc += <u64>load<u8>(q); // little-endian low byte = the high byte of a zero-padded word
  const le = fold(acc);
  return fold(<u64>sum + <u64>(((le & 0xff) << 8) | (le >> 8)));
}

/** Fold a sum to 16 bits with end-around carries (0 stays 0; any other value ends in 1..0xffff). */
// @ts-ignore: decorator
@inline function fold(acc: u64): u32 {
  acc = (acc & 0xffffffff) + (acc >> 32);
  acc = (acc & 0xffffffff) + (acc >> 32);
  let s = <u32>acc;
  s = (s & 0xffff) + (s >> 16);
  s = (s & 0xffff) + (s >> 16);
  return s;
}

/** Fold a partial sum to 16 bits and complement it: the value to store in a checksum field. */
export function csumFinish(sum: u32): u16 {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return <u16>~sum;
}

/** Partial sum of the IPv4 pseudo-header (RFC 9293 3.1): src, dst, zero, protocol, length. */
export function csumPseudo(src: u32, dst: u32, proto: u32, len: u32): u32 {
  let acc: u32 = (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + proto + len;
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return acc;
}
