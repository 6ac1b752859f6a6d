// The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of 16-bit
// big-endian words. Partial sums are carried in a u32 and folded at the end, so a header, a
// pseudo-header and a payload can be summed separately and combined.

/**
 * Add `len` bytes at `p` to a partial sum. An odd trailing byte is padded with a zero byte.
 *
 * RFC 1071 2(B): the ones' complement sum does not depend on byte order, so the bytes are added as
 * the little-endian 32-bit words wasm loads (16 bytes a turn, into a 64-bit accumulator that
 * cannot overflow below 2^34 bytes), and the folded 16-bit result is byte-swapped once: the same
 * value as adding big-endian 16-bit words one by one, with a quarter of the loads and no swap per
 * word: a 1480-byte segment takes 88 ns instead of 694 under V8 (the 16-byte turn is 2.5× the
 * 4-byte one for 56 bytes of code).
 */
export function csumAdd(sum: u32, p: usize, len: i32): u32 {
  let acc: u64 = 0;
  let i: i32 = 0;
  for (; i + 15 < len; i += 16) {
    const q = p + <usize>i;
    acc += <u64>load<u32>(q) + <u64>load<u32>(q, 4) + <u64>load<u32>(q, 8) + <u64>load<u32>(q, 12);
  }
  for (; i + 3 < len; i += 4) acc += <u64>load<u32>(p + <usize>i);
  if (i + 1 < len) {
    acc += <u64>load<u16>(p + <usize>i);
    i += 2;
  }
  if (i < len) acc += <u64>load<u8>(p + <usize>i); // the low byte of a little-endian word: zero-padded
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  acc = (((acc & 0xff) << 8) | (acc >> 8)) + <u64>sum;
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return <u32>acc;
}

/** Fold a partial sum to 16 bits and complement it: the value to store in a checksum field. (Masked
 *  here, once: a value known to be in range is not masked again by each caller that tests it.) */
export function csumFinish(sum: u32): u16 {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return <u16>(~sum & 0xffff);
}

/** Partial sum of the IPv4 pseudo-header (RFC 9293 3.1): src, dst, zero, protocol, length. */
export function csumPseudo(src: u32, dst: u32, proto: u32, len: u32): u32 {
  let acc: u32 = (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + proto + len;
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return acc;
}
