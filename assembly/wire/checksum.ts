// The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of 16-bit
// big-endian words. Partial sums are carried in a u32 and folded at the end, so a header, a
// pseudo-header and a payload can be summed separately and combined.
import { get16 } from "./bytes";

/** Add `len` bytes at `p` to a partial sum. An odd trailing byte is padded with a zero byte. */
export function csumAdd(sum: u32, p: usize, len: i32): u32 {
  let acc: u64 = sum;
  let i: i32 = 0;
  for (; i + 1 < len; i += 2) acc += get16(p + <usize>i);
  if (i < len) acc += <u32>load<u8>(p + <usize>i) << 8;
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return <u32>acc;
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
