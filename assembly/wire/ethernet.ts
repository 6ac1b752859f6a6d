// Ethernet II frames (IEEE 802.3 with an EtherType, no FCS, no VLAN tag) and MAC address helpers.
// A MAC address is 6 bytes in memory, always passed by pointer.
//
//  0                   6                   12      14
//  +-------------------+-------------------+-------+---------
//  | destination MAC   | source MAC        | type  | payload
//  +-------------------+-------------------+-------+---------

import { be16 } from "./bytes";

// @ts-ignore: decorator
@inline export const ETH_HDR_LEN: i32 = 14;
// @ts-ignore: decorator
@inline export const ETHERTYPE_IPV4: u16 = 0x0800;
// @ts-ignore: decorator
@inline export const ETHERTYPE_ARP: u16 = 0x0806;
// @ts-ignore: decorator
@inline export const MAC_LEN: i32 = 6;

// @ts-ignore: decorator
@inline const OFF_DST: usize = 0;
// @ts-ignore: decorator
@inline const OFF_SRC: usize = 6;
// @ts-ignore: decorator
@inline const OFF_TYPE: usize = 12;

/** ff:ff:ff:ff:ff:ff */
export const MAC_BROADCAST: usize = memory.data<u8>([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
/** 00:00:00:00:00:00 (the target hardware address of an ARP request). */
export const MAC_ZERO: usize = memory.data<u8>([0, 0, 0, 0, 0, 0]);

/** The only gate of the view: at least a full header. */
// @ts-ignore: decorator
@inline export function ethCheck(p: usize, len: i32): bool { return len >= ETH_HDR_LEN; }

// @ts-ignore: decorator
@inline export function ethDst(p: usize): usize { return p + OFF_DST; }
// @ts-ignore: decorator
@inline export function ethSrc(p: usize): usize { return p + OFF_SRC; }
// @ts-ignore: decorator
@inline export function ethType(p: usize): i32 { return be16(p + OFF_TYPE); }
// @ts-ignore: decorator
@inline export function ethPayload(p: usize): usize { return p + <usize>ETH_HDR_LEN; }

/** Write a 14-byte header at p. */
export function ethEmit(p: usize, dstMac: usize, srcMac: usize, type: u16): void {
  macCopy(p + OFF_DST, dstMac);
  macCopy(p + OFF_SRC, srcMac);
  store<u16>(p + OFF_TYPE, bswap<u16>(type));
}

// ── MAC addresses ─────────────────────────────────────────────────────────────────────────────

export function macCopy(dst: usize, src: usize): void {
  store<u32>(dst, load<u32>(src));
  store<u16>(dst, load<u16>(src, 4), 4);
}

// @ts-ignore: decorator
@inline export function macEqual(a: usize, b: usize): bool {
  return load<u32>(a) == load<u32>(b) && load<u16>(a, 4) == load<u16>(b, 4);
}

// @ts-ignore: decorator
@inline export function macIsBroadcast(p: usize): bool {
  return load<u32>(p) == 0xffffffff && load<u16>(p, 4) == 0xffff;
}

/** Group bit (I/G, bit 0 of the first byte): multicast, broadcast included. */
// @ts-ignore: decorator
@inline export function macIsMulticast(p: usize): bool { return (load<u8>(p) & 1) != 0; }

// @ts-ignore: decorator
@inline export function macIsZero(p: usize): bool {
  return load<u32>(p) == 0 && load<u16>(p, 4) == 0;
}

/** Store a MAC given as the ABI passes it: hi = bytes 0–1 (low 16 bits), lo = bytes 2–5 big-endian. */
export function macFromParts(dst: usize, hi: u32, lo: u32): void {
  store<u16>(dst, bswap<u16>(<u16>hi));
  store<u32>(dst, bswap<u32>(lo), 2);
}
