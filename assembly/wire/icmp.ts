// ICMP for IPv4 (RFC 792): the 8-byte header shared by every message, echo and destination
// unreachable. The checksum covers the whole message.
//
//  0      1      2        4        6        8
//  +------+------+--------+--------+--------+------------
//  | type | code | csum   | id     | seq    | data …        (echo / echo reply)
//  |  3   | code | csum   | unused (0)      | IP header + 8 bytes of its payload  (unreachable)
//  +------+------+--------+--------+--------+------------
import { be16, get16, put16, put16c } from "./bytes";
import { csumAdd, csumFinish } from "./checksum";

// @ts-ignore: decorator
@inline export const ICMP_HDR_LEN: i32 = 8;
// @ts-ignore: decorator
@inline export const ICMP_ECHO_REPLY: u8 = 0;
// @ts-ignore: decorator
@inline export const ICMP_DEST_UNREACH: u8 = 3;
// @ts-ignore: decorator
@inline export const ICMP_ECHO_REQUEST: u8 = 8;
/** Time Exceeded and Parameter Problem (RFC 792): like Destination Unreachable, they quote the
 *  offending datagram after the 8-byte header. */
// @ts-ignore: decorator
@inline export const ICMP_TIME_EXCEEDED: u8 = 11;
// @ts-ignore: decorator
@inline export const ICMP_PARAM_PROBLEM: u8 = 12;
/** Destination unreachable codes (RFC 792, RFC 1122 3.2.2.1). */
// @ts-ignore: decorator
@inline export const ICMP_UNREACH_NET: u8 = 0;
// @ts-ignore: decorator
@inline export const ICMP_UNREACH_HOST: u8 = 1;
// @ts-ignore: decorator
@inline export const ICMP_UNREACH_PROTO: u8 = 2;
// @ts-ignore: decorator
@inline export const ICMP_UNREACH_PORT: u8 = 3;
// @ts-ignore: decorator
@inline export const ICMP_UNREACH_NEEDFRAG: u8 = 4;

// @ts-ignore: decorator
@inline const OFF_TYPE: usize = 0;
// @ts-ignore: decorator
@inline const OFF_CODE: usize = 1;
// @ts-ignore: decorator
@inline const OFF_CSUM: usize = 2;
// @ts-ignore: decorator
@inline const OFF_ID: usize = 4;
// @ts-ignore: decorator
@inline const OFF_SEQ: usize = 6;
// @ts-ignore: decorator
@inline const OFF_DATA: usize = 8;

/** The only gate: a full header and a checksum over the whole message that verifies. */
export function icmpCheck(p: usize, len: i32): bool {
  if (len < ICMP_HDR_LEN) return false;
  return csumFinish(csumAdd(0, p, len)) == 0;
}

// @ts-ignore: decorator
@inline export function icmpType(p: usize): u8 { return load<u8>(p + OFF_TYPE); }
// @ts-ignore: decorator
@inline export function icmpCode(p: usize): u8 { return load<u8>(p + OFF_CODE); }
// @ts-ignore: decorator
@inline export function icmpChecksum(p: usize): u16 { return get16(p + OFF_CSUM); }
// @ts-ignore: decorator
@inline export function icmpId(p: usize): u16 { return get16(p + OFF_ID); }
// @ts-ignore: decorator
@inline export function icmpSeq(p: usize): u16 { return get16(p + OFF_SEQ); }
/** Unreachable messages: the quoted datagram (IP header + 8 bytes). */
// @ts-ignore: decorator
@inline export function icmpData(p: usize): usize { return p + OFF_DATA; }

/**
 * Write the echo reply (RFC 792: type 0, same id, seq and data) to the checked echo request
 * `req` of `len` bytes at p. p may equal req. Returns the reply length (= len).
 */
export function icmpEmitEchoReply(p: usize, req: usize, len: i32): i32 {
  if (p != req) memory.copy(p, req, <usize>len);
  store<u8>(p + OFF_TYPE, ICMP_ECHO_REPLY);
  store<u8>(p + OFF_CODE, 0);
  store<u16>(p + OFF_CSUM, 0);
  put16(p + OFF_CSUM, csumFinish(csumAdd(0, p, len)));
  return len;
}

/**
 * Write a destination unreachable message at p quoting the datagram at `orig` (its IP header of
 * `origHdrLen` bytes and the first 8 bytes of its payload, fewer if `origLen` is shorter).
 * `mtu` is the next-hop MTU for code 4 (RFC 1191), ignored otherwise. Returns the message length.
 */
export function icmpEmitUnreach(p: usize, code: u8, orig: usize, origHdrLen: i32, origLen: i32, mtu: u16): i32 {
  let n = origHdrLen + 8;
  if (n > origLen) n = origLen;
  if (n < 0) n = 0;
  memory.copy(p + OFF_DATA, orig, <usize>n);
  store<u8>(p + OFF_TYPE, ICMP_DEST_UNREACH);
  store<u8>(p + OFF_CODE, code);
  store<u16>(p + OFF_CSUM, 0);
  put16c(p + OFF_ID, 0);
  put16(p + OFF_SEQ, code == ICMP_UNREACH_NEEDFRAG ? mtu : 0);
  const len = ICMP_HDR_LEN + n;
  put16(p + OFF_CSUM, csumFinish(csumAdd(0, p, len)));
  return len;
}

/** Next-hop MTU of a fragmentation-needed message (RFC 1191 4: the low 16 bits of the unused word). */
// @ts-ignore: decorator
@inline export function icmpNextHopMtu(p: usize): i32 { return be16(p + OFF_SEQ); }

/**
 * The gate for the datagram an error message quotes (at q, qlen bytes): an IPv4 header (version 4,
 * IHL ≥ 5) and at least the first 8 bytes of its payload (RFC 792; enough for TCP's ports and
 * sequence number). Returns the quoted header's length, or -1.
 */
export function icmpQuotedCheck(q: usize, qlen: i32): i32 {
  if (qlen < 28) return -1;
  const vihl = load<u8>(q);
  const hl = <i32>(vihl & 0xf) << 2;
  if ((vihl >> 4) != 4 || hl < 20 || hl + 8 > qlen) return -1;
  return hl;
}
