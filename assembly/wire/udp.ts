// UDP header view (RFC 768): a view over (p, len) gated by udpCheck.
//
//  0        2        4        6        8
//  +--------+--------+--------+--------+-----------
//  |src port|dst port| length |checksum| data …
//  +--------+--------+--------+--------+-----------
// length counts header and data; checksum covers the pseudo-header, header and data, and 0 means
// "not computed" (RFC 768; RFC 1122 4.1.3.4: accepted). A computed 0 is sent as 0xFFFF.
import { be16, put16, put16c } from "./bytes";
import { csumAdd, csumFinish, csumPseudo } from "./checksum";

// @ts-ignore: decorator
@inline export const UDP_HDR_LEN: i32 = 8;
// @ts-ignore: decorator
@inline export const IPPROTO_UDP: u8 = 17;

/** udpCheck results below zero: why the datagram is dropped (one counter each). */
// @ts-ignore: decorator
@inline export const UDP_SHORT: i32 = -1;        // fewer than 8 bytes, or length field < 8
// @ts-ignore: decorator
@inline export const UDP_BAD_LENGTH: i32 = -2;   // length field past the IP payload
// @ts-ignore: decorator
@inline export const UDP_BAD_CHECKSUM: i32 = -3;

// @ts-ignore: decorator
@inline const OFF_SRC_PORT: usize = 0;
// @ts-ignore: decorator
@inline const OFF_DST_PORT: usize = 2;
// @ts-ignore: decorator
@inline const OFF_LEN: usize = 4;
// @ts-ignore: decorator
@inline const OFF_CSUM: usize = 6;

/**
 * The only gate of the view: `len` is the IP payload length, src/dst the IP addresses. Returns the
 * data length (length field − 8; bytes past the length field are ignored) or UDP_SHORT /
 * UDP_BAD_LENGTH / UDP_BAD_CHECKSUM.
 */
export function udpCheck(p: usize, len: i32, src: u32, dst: u32): i32 {
  if (len < UDP_HDR_LEN) return UDP_SHORT;
  const ulen = be16(p + OFF_LEN);
  if (ulen < UDP_HDR_LEN) return UDP_SHORT;
  if (ulen > len) return UDP_BAD_LENGTH;
  if (be16(p + OFF_CSUM) != 0 &&
      csumFinish(csumAdd(csumPseudo(src, dst, IPPROTO_UDP, <u32>ulen), p, ulen)) != 0) return UDP_BAD_CHECKSUM;
  return ulen - UDP_HDR_LEN;
}

// @ts-ignore: decorator
@inline export function udpSrcPort(p: usize): i32 { return be16(p + OFF_SRC_PORT); }
// @ts-ignore: decorator
@inline export function udpDstPort(p: usize): i32 { return be16(p + OFF_DST_PORT); }
// @ts-ignore: decorator
@inline export function udpLength(p: usize): i32 { return be16(p + OFF_LEN); }
// @ts-ignore: decorator
@inline export function udpChecksum(p: usize): i32 { return be16(p + OFF_CSUM); }
// @ts-ignore: decorator
@inline export function udpData(p: usize): usize { return p + <usize>UDP_HDR_LEN; }

/** Write the header for `dataLen` bytes already at p + 8, with the checksum. Returns 8 + dataLen. */
export function udpEmit(p: usize, src: u32, dst: u32, srcPort: u16, dstPort: u16, dataLen: i32): i32 {
  const n = UDP_HDR_LEN + dataLen;
  put16(p + OFF_SRC_PORT, srcPort);
  put16(p + OFF_DST_PORT, dstPort);
  put16(p + OFF_LEN, <u16>n);
  put16c(p + OFF_CSUM, 0);
  const c = csumFinish(csumAdd(csumPseudo(src, dst, IPPROTO_UDP, <u32>n), p, n));
  put16(p + OFF_CSUM, c == 0 ? 0xffff : c);
  return n;
}
