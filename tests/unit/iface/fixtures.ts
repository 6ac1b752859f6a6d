// Frames and setup shared by the iface tests. Our side: 02:00:00:00:00:01, 198.18.0.1/24, gateway
// 198.18.0.254. Peer: 02:00:00:00:00:02, 198.18.0.2.
import { ifaceInit } from "../../../assembly/iface/init";
import { csumAdd, csumFinish } from "../../../assembly/wire/checksum";
import { put16, put32 } from "../../../assembly/wire/bytes";
import { put, scratch, setupMemory } from "../helpers";

// @ts-ignore: decorator
@inline export const ME: u32 = 0xc6120001;
// @ts-ignore: decorator
@inline export const PEER: u32 = 0xc6120002;
// @ts-ignore: decorator
@inline export const GW: u32 = 0xc61200fe;
// @ts-ignore: decorator
@inline export const REMOTE: u32 = 0x08080808;

export function setupIface(gateway: u32 = GW): void {
  setupMemory();
  expect(ifaceInit(0x0200, 0x00000001, ME, 24, gateway)).toBe(0);
}

/** Ethernet header: dst us (or broadcast), src peer MAC with last byte `who`. */
export function eth(p: usize, toBroadcast: bool, type: u16, who: u8 = 2): void {
  if (toBroadcast) put(p, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
  else put(p, [0x02, 0, 0, 0, 0, 1]);
  put(p + 6, [0x02, 0, 0, 0, 0, who]);
  put16(p + 12, type);
}

/** A 42-byte ARP frame: oper, sender (mac last byte `who`, ip spa), target ip tpa. */
export function arpFrame(oper: u16, who: u8, spa: u32, tpa: u32, broadcast: bool = true): usize {
  const f = scratch(60);
  eth(f, broadcast, 0x0806, who);
  put(f + 14, [0, 1, 0x08, 0, 6, 4, 0, <u8>oper, 0x02, 0, 0, 0, 0, who]);
  put32(f + 28, spa);
  put(f + 32, [0, 0, 0, 0, 0, 0]);
  put32(f + 38, tpa);
  return f;
}

/** An IPv4 frame from src to dst with `payLen` bytes of payload (0x11 filled), padded to `frameLen` (0 = exact). */
export function ipFrame(src: u32, dst: u32, proto: u8, payLen: i32, frameLen: i32 = 0): usize {
  const total = 20 + payLen;
  const n = frameLen > 14 + total ? frameLen : 14 + total;
  const f = scratch(n, 0x11);
  eth(f, false, 0x0800);
  const p = f + 14;
  put(p, [0x45, 0, 0, 0, 0, 7, 0x40, 0, 64, proto, 0, 0]);
  put16(p + 2, <u16>total);
  put32(p + 12, src);
  put32(p + 16, dst);
  put16(p + 10, csumFinish(csumAdd(0, p, 20)));
  return f;
}

/** An ICMP echo request frame (id 0x4242, seq 7, `dataLen` bytes of 0x61..). */
export function echoFrame(src: u32, dataLen: i32): usize {
  const f = ipFrame(src, ME, 1, 8 + dataLen);
  const p = f + 34;
  put(p, [8, 0, 0, 0, 0x42, 0x42, 0, 7]);
  for (let i = 0; i < dataLen; i++) store<u8>(p + 8 + <usize>i, <u8>(0x61 + i));
  put16(p + 2, csumFinish(csumAdd(0, p, 8 + dataLen)));
  return f;
}
