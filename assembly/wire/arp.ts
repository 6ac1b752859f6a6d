// ARP for IPv4 over Ethernet (RFC 826): a 28-byte view.
//
//  0       2       4   5   6       8             14      18            24      28
//  +-------+-------+---+---+-------+-------------+-------+-------------+-------+
//  | htype | ptype |hln|pln| oper  | sender MAC  |sender | target MAC  |target |
//  |   1   | 0x800 | 6 | 4 | 1 / 2 |   (sha)     |IP(spa)|   (tha)     |IP(tpa)|
//  +-------+-------+---+---+-------+-------------+-------+-------------+-------+
import { be16, get16, get32, put16, put16c, put32 } from "./bytes";
import { macCopy } from "./ethernet";

// @ts-ignore: decorator
@inline export const ARP_LEN: i32 = 28;
// @ts-ignore: decorator
@inline export const ARP_REQUEST: u16 = 1;
// @ts-ignore: decorator
@inline export const ARP_REPLY: u16 = 2;

// @ts-ignore: decorator
@inline const OFF_HTYPE: usize = 0;
// @ts-ignore: decorator
@inline const OFF_PTYPE: usize = 2;
// @ts-ignore: decorator
@inline const OFF_HLEN: usize = 4;
// @ts-ignore: decorator
@inline const OFF_PLEN: usize = 5;
// @ts-ignore: decorator
@inline const OFF_OPER: usize = 6;
// @ts-ignore: decorator
@inline const OFF_SHA: usize = 8;
// @ts-ignore: decorator
@inline const OFF_SPA: usize = 14;
// @ts-ignore: decorator
@inline const OFF_THA: usize = 18;
// @ts-ignore: decorator
@inline const OFF_TPA: usize = 24;

// @ts-ignore: decorator
@inline const HTYPE_ETHERNET: u16 = 1;
// @ts-ignore: decorator
@inline const PTYPE_IPV4: u16 = 0x0800;

/** The only gate: long enough, Ethernet/IPv4 address kinds and sizes, a request or a reply. */
export function arpCheck(p: usize, len: i32): bool {
  if (len < ARP_LEN) return false;
  if (be16(p + OFF_HTYPE) != <i32>HTYPE_ETHERNET || be16(p + OFF_PTYPE) != <i32>PTYPE_IPV4) return false;
  if (load<u8>(p + OFF_HLEN) != 6 || load<u8>(p + OFF_PLEN) != 4) return false;
  const op = be16(p + OFF_OPER);
  return op == <i32>ARP_REQUEST || op == <i32>ARP_REPLY;
}

// @ts-ignore: decorator
@inline export function arpOper(p: usize): i32 { return be16(p + OFF_OPER); }
// @ts-ignore: decorator
@inline export function arpSha(p: usize): usize { return p + OFF_SHA; }
// @ts-ignore: decorator
@inline export function arpSpa(p: usize): u32 { return get32(p + OFF_SPA); }
// @ts-ignore: decorator
@inline export function arpTha(p: usize): usize { return p + OFF_THA; }
// @ts-ignore: decorator
@inline export function arpTpa(p: usize): u32 { return get32(p + OFF_TPA); }

/** Write a 28-byte Ethernet/IPv4 ARP packet at p. */
export function arpEmit(p: usize, oper: u16, sha: usize, spa: u32, tha: usize, tpa: u32): void {
  put16c(p + OFF_HTYPE, HTYPE_ETHERNET);
  put16c(p + OFF_PTYPE, PTYPE_IPV4);
  store<u8>(p + OFF_HLEN, 6);
  store<u8>(p + OFF_PLEN, 4);
  put16(p + OFF_OPER, oper);
  macCopy(p + OFF_SHA, sha);
  put32(p + OFF_SPA, spa);
  macCopy(p + OFF_THA, tha);
  put32(p + OFF_TPA, tpa);
}
