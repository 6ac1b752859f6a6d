import {
  ETH_HDR_LEN, ETHERTYPE_ARP, ETHERTYPE_IPV4, MAC_BROADCAST, ethCheck, ethDst, ethEmit, ethSrc, ethType,
  macCopy, macEqual, macFromParts, macIsBroadcast, macIsMulticast,
} from "../../../assembly/wire/ethernet";
import { put, same, scratch } from "../helpers";

describe("ethernet", () => {
  it("parses a 14-byte Ethernet II header", () => {
    const p = scratch(14);
    put(p, [1, 2, 3, 4, 5, 6, 0x02, 0, 0, 0, 0, 9, 0x08, 0x06]);
    expect(ethCheck(p, 14)).toBe(true);
    expect(same(ethDst(p), [1, 2, 3, 4, 5, 6])).toBe(true);
    expect(same(ethSrc(p), [0x02, 0, 0, 0, 0, 9])).toBe(true);
    expect(ethType(p)).toBe(ETHERTYPE_ARP);
  });
  it("a frame shorter than the header fails the check", () => {
    const p = scratch(14);
    expect(ethCheck(p, 13)).toBe(false);
    expect(ethCheck(p, 0)).toBe(false);
    expect(ethCheck(p, -1)).toBe(false);
  });
  it("emit into a 0xA5-filled buffer writes every header byte and nothing after", () => {
    const p = scratch(16, 0xa5);
    const d = scratch(6); put(d, [0x02, 0x11, 0x22, 0x33, 0x44, 0x55]);
    const s = scratch(6); put(s, [0x02, 0x66, 0x77, 0x88, 0x99, 0xaa]);
    ethEmit(p, d, s, ETHERTYPE_IPV4);
    expect(same(p, [0x02, 0x11, 0x22, 0x33, 0x44, 0x55, 0x02, 0x66, 0x77, 0x88, 0x99, 0xaa, 0x08, 0x00, 0xa5, 0xa5])).toBe(true);
    expect(ethType(p)).toBe(ETHERTYPE_IPV4);
    expect(ETH_HDR_LEN).toBe(14);
  });
  it("MAC helpers: copy, equal, broadcast, multicast", () => {
    const a = scratch(6); put(a, [0x02, 1, 2, 3, 4, 5]);
    const b = scratch(6, 0xa5);
    macCopy(b, a);
    expect(macEqual(a, b)).toBe(true);
    store<u8>(b + 5, 6);
    expect(macEqual(a, b)).toBe(false);
    expect(macIsBroadcast(MAC_BROADCAST)).toBe(true);
    expect(macIsBroadcast(a)).toBe(false);
    expect(macIsMulticast(MAC_BROADCAST)).toBe(true);
    const m = scratch(6); put(m, [0x01, 0x00, 0x5e, 0, 0, 1]);
    expect(macIsMulticast(m)).toBe(true);
    expect(macIsBroadcast(m)).toBe(false);
    expect(macIsMulticast(a)).toBe(false);
  });
  it("ABI MAC split: hi = bytes 0-1, lo = bytes 2-5 big-endian", () => {
    const m = scratch(6, 0xa5);
    macFromParts(m, 0x0211, 0x22334455);
    expect(same(m, [0x02, 0x11, 0x22, 0x33, 0x44, 0x55])).toBe(true);
  });
});
