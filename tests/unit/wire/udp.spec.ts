import {
  UDP_BAD_CHECKSUM, UDP_BAD_LENGTH, UDP_SHORT, udpCheck, udpChecksum, udpData, udpDstPort, udpEmit, udpLength, udpSrcPort,
} from "../../../assembly/wire/udp";
import { put, same, scratch } from "../helpers";

const SRC: u32 = 0xc6120002; // 198.18.0.2
const DST: u32 = 0xc6120001; // 198.18.0.1

// 1234 → 7, length 11, data "hi!"; checksum computed by hand over the pseudo-header (RFC 768):
// c612 + 0002 + c612 + 0001 + 0011 + 000b + 04d2 + 0007 + 000b + 6869 + 2100 → ~ = 0xe56d
function good(p: usize): void {
  put(p, [0x04, 0xd2, 0x00, 0x07, 0x00, 0x0b, 0xe5, 0x6d, 0x68, 0x69, 0x21]);
}

describe("udp (RFC 768)", () => {
  it("RFC 768: a good datagram passes; the accessors read its fields", () => {
    const p = scratch(16); good(p);
    expect(udpCheck(p, 11, SRC, DST)).toBe(3);
    expect(udpSrcPort(p)).toBe(<u16>1234);
    expect(udpDstPort(p)).toBe(<u16>7);
    expect(udpLength(p)).toBe(11);
    expect(udpChecksum(p)).toBe(<u16>0xe56d);
    expect(load<u8>(udpData(p))).toBe(0x68);
  });
  it("RFC 768: bytes past the length field (Ethernet padding) are not data", () => {
    const p = scratch(32, 0x55); good(p);
    expect(udpCheck(p, 32, SRC, DST)).toBe(3);
  });
  it("RFC 768: shorter than the 8-byte header is UDP_SHORT", () => {
    const p = scratch(16); good(p);
    expect(udpCheck(p, 7, SRC, DST)).toBe(UDP_SHORT);
  });
  it("RFC 768: a length field below 8 is UDP_SHORT", () => {
    const p = scratch(16); good(p); put(p + 4, [0, 7]);
    expect(udpCheck(p, 11, SRC, DST)).toBe(UDP_SHORT);
  });
  it("RFC 1122 4.1.3.4: a length field past the IP payload is UDP_BAD_LENGTH", () => {
    const p = scratch(16); good(p); put(p + 4, [0, 12]);
    expect(udpCheck(p, 11, SRC, DST)).toBe(UDP_BAD_LENGTH);
  });
  it("RFC 768: the checksum covers the pseudo-header (another source address fails)", () => {
    const p = scratch(16); good(p);
    expect(udpCheck(p, 11, SRC + 1, DST)).toBe(UDP_BAD_CHECKSUM);
  });
  it("RFC 768: the checksum covers the data (one flipped byte fails)", () => {
    const p = scratch(16); good(p); store<u8>(p + 10, 0x22);
    expect(udpCheck(p, 11, SRC, DST)).toBe(UDP_BAD_CHECKSUM);
  });
  it("RFC 768, RFC 1122 4.1.3.4: a zero checksum means none and is accepted", () => {
    const p = scratch(16); good(p); put(p + 6, [0, 0]); store<u8>(p + 10, 0x22);
    expect(udpCheck(p, 11, SRC, DST)).toBe(3);
  });
  it("RFC 768: emit writes every field and the checksum the hand-made fixture carries", () => {
    const p = scratch(16, 0xa5); put(p + 8, [0x68, 0x69, 0x21]);
    expect(udpEmit(p, SRC, DST, 1234, 7, 3)).toBe(11);
    expect(same(p, [0x04, 0xd2, 0x00, 0x07, 0x00, 0x0b, 0xe5, 0x6d, 0x68, 0x69, 0x21])).toBe(true);
    expect(load<u8>(p + 11)).toBe(0xa5);
  });
  it("RFC 768: a computed checksum of zero is sent as 0xFFFF (zero would mean none)", () => {
    // choose data so that the sum folds to 0xFFFF: emit once, then add the complement as data
    const p = scratch(16, 0);
    udpEmit(p, SRC, DST, 1234, 7, 2);
    const c = udpChecksum(p);
    store<u8>(p + 8, <u8>(c >> 8)); store<u8>(p + 9, <u8>c);      // data word = old checksum
    expect(udpEmit(p, SRC, DST, 1234, 7, 2)).toBe(10);
    expect(udpChecksum(p)).toBe(<u16>0xffff);
    expect(udpCheck(p, 10, SRC, DST)).toBe(2);
  });
});
