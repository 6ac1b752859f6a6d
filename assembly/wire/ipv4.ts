// IPv4 header (RFC 791 3.1): a view over (p, len) gated by ipv4Check.
//
//  0       1       2               4               6               8       9       10      12      16      20
//  +---+---+-------+---------------+---------------+---------------+-------+-------+-------+-------+-------+-------
//  |ver|ihl|  tos  | total length  | identification|flags| offset  |  ttl  | proto | csum  |  src  |  dst  |options
//  +---+---+-------+---------------+---------------+---------------+-------+-------+-------+-------+-------+-------
import { be16, get16, get32, put16, put16c, put32 } from "./bytes";
import { csumAdd, csumFinish } from "./checksum";

// @ts-ignore: decorator
@inline export const IPV4_HDR_LEN: i32 = 20;
// @ts-ignore: decorator
@inline export const IPPROTO_ICMP: u8 = 1;
// @ts-ignore: decorator
@inline export const IPPROTO_TCP: u8 = 6;
// @ts-ignore: decorator
@inline export const IPV4_BROADCAST: u32 = 0xffffffff;

/** ipv4Check results below zero: why the datagram is dropped (one counter each). */
// @ts-ignore: decorator
@inline export const IPV4_MALFORMED: i32 = -1;   // version, IHL, total length
// @ts-ignore: decorator
@inline export const IPV4_BAD_CHECKSUM: i32 = -2;
// @ts-ignore: decorator
@inline export const IPV4_FRAGMENT: i32 = -3;    // MF set or offset ≠ 0: not reassembled

// @ts-ignore: decorator
@inline const OFF_VIHL: usize = 0;
// @ts-ignore: decorator
@inline const OFF_TOS: usize = 1;
// @ts-ignore: decorator
@inline const OFF_TOTLEN: usize = 2;
// @ts-ignore: decorator
@inline const OFF_ID: usize = 4;
// @ts-ignore: decorator
@inline const OFF_FRAG: usize = 6;
// @ts-ignore: decorator
@inline const OFF_TTL: usize = 8;
// @ts-ignore: decorator
@inline const OFF_PROTO: usize = 9;
// @ts-ignore: decorator
@inline const OFF_CSUM: usize = 10;
// @ts-ignore: decorator
@inline const OFF_SRC: usize = 12;
// @ts-ignore: decorator
@inline const OFF_DST: usize = 16;

// @ts-ignore: decorator
@inline const FLAG_DF: u16 = 0x4000;
// @ts-ignore: decorator
@inline const FLAG_MF: u16 = 0x2000;
// @ts-ignore: decorator
@inline const FRAG_OFFSET_MASK: u16 = 0x1fff;

/**
 * The only gate of the view. Returns the header length (20..60, options included and skipped)
 * or IPV4_MALFORMED / IPV4_BAD_CHECKSUM / IPV4_FRAGMENT. `len` may include Ethernet padding past
 * the total length; the payload is total length − header length, never len − header length.
 */
export function ipv4Check(p: usize, len: i32): i32 {
  if (len < IPV4_HDR_LEN) return IPV4_MALFORMED;
  const vihl = load<u8>(p + OFF_VIHL);
  if ((vihl >> 4) != 4) return IPV4_MALFORMED;
  const hl = <i32>(vihl & 0xf) << 2;
  if (hl < IPV4_HDR_LEN || hl > len) return IPV4_MALFORMED;
  const total = be16(p + OFF_TOTLEN);
  if (total < hl || total > len) return IPV4_MALFORMED;
  if (csumFinish(csumAdd(0, p, hl)) != 0) return IPV4_BAD_CHECKSUM;
  const frag = be16(p + OFF_FRAG);
  if ((frag & FLAG_MF) != 0 || (frag & FRAG_OFFSET_MASK) != 0) return IPV4_FRAGMENT;
  return hl;
}

// @ts-ignore: decorator
@inline export function ipv4HdrLen(p: usize): i32 { return <i32>(load<u8>(p + OFF_VIHL) & 0xf) << 2; }
// @ts-ignore: decorator
@inline export function ipv4Tos(p: usize): u8 { return load<u8>(p + OFF_TOS); }
// @ts-ignore: decorator
@inline export function ipv4TotalLen(p: usize): i32 { return be16(p + OFF_TOTLEN); }
// @ts-ignore: decorator
@inline export function ipv4Id(p: usize): u16 { return get16(p + OFF_ID); }
// @ts-ignore: decorator
@inline export function ipv4DontFrag(p: usize): bool { return (get16(p + OFF_FRAG) & FLAG_DF) != 0; }
// @ts-ignore: decorator
@inline export function ipv4Ttl(p: usize): u8 { return load<u8>(p + OFF_TTL); }
// @ts-ignore: decorator
@inline export function ipv4Proto(p: usize): u8 { return load<u8>(p + OFF_PROTO); }
// @ts-ignore: decorator
@inline export function ipv4Checksum(p: usize): u16 { return get16(p + OFF_CSUM); }
// @ts-ignore: decorator
@inline export function ipv4Src(p: usize): u32 { return get32(p + OFF_SRC); }
// @ts-ignore: decorator
@inline export function ipv4Dst(p: usize): u32 { return get32(p + OFF_DST); }
/** Payload length: total length − header length (Ethernet padding excluded). */
// @ts-ignore: decorator
@inline export function ipv4PayloadLen(p: usize): i32 { return ipv4TotalLen(p) - ipv4HdrLen(p); }

/** Write a 20-byte header (no options, DF set, TOS 0) with its checksum at p. */
export function ipv4Emit(p: usize, src: u32, dst: u32, proto: u8, payloadLen: i32, id: u16, ttl: u8): void {
  store<u8>(p + OFF_VIHL, 0x45);
  store<u8>(p + OFF_TOS, 0);
  put16(p + OFF_TOTLEN, <u16>(IPV4_HDR_LEN + payloadLen));
  put16(p + OFF_ID, id);
  put16c(p + OFF_FRAG, FLAG_DF);
  store<u8>(p + OFF_TTL, ttl);
  store<u8>(p + OFF_PROTO, proto);
  store<u16>(p + OFF_CSUM, 0);
  put32(p + OFF_SRC, src);
  put32(p + OFF_DST, dst);
  put16(p + OFF_CSUM, csumFinish(csumAdd(0, p, IPV4_HDR_LEN)));
}

/** RFC 1122 3.2.1.3: addresses that are never a valid source (0, loopback, multicast, class E, broadcast). */
export function ipv4IsMartianSrc(a: u32): bool {
  return a == 0 || (a >>> 24) == 127 || a >= 0xe0000000;
}
