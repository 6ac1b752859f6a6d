import {
  IPPROTO_TCP, IPV4_BAD_CHECKSUM, IPV4_FRAGMENT, IPV4_MALFORMED, ipv4Check, ipv4DontFrag, ipv4Dst,
  ipv4Emit, ipv4HdrLen, ipv4Id, ipv4IsMartianSrc, ipv4PayloadLen, ipv4Proto, ipv4Src, ipv4TotalLen, ipv4Ttl,
} from "../../../assembly/wire/ipv4";
import { csumAdd, csumFinish } from "../../../assembly/wire/checksum";
import { put16 } from "../../../assembly/wire/bytes";
import { put, same, scratch } from "../helpers";

// 192.168.0.1 → 192.168.0.199, UDP, total length 0x73 (a well-known header with checksum 0xb861).
function header(p: usize): void {
  put(p, [0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xb8, 0x61,
          0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7]);
}
function fixCsum(p: usize, hl: i32): void {
  store<u16>(p + 10, 0);
  put16(p + 10, csumFinish(csumAdd(0, p, hl)));
}

describe("ipv4 (RFC 791)", () => {
  it("RFC 791 3.1: parses a valid header", () => {
    const p = scratch(0x73); header(p);
    expect(ipv4Check(p, 0x73)).toBe(20);
    expect(ipv4HdrLen(p)).toBe(20);
    expect(ipv4TotalLen(p)).toBe(0x73);
    expect(ipv4PayloadLen(p)).toBe(0x73 - 20);
    expect(ipv4Ttl(p)).toBe(<u8>64);
    expect(ipv4Proto(p)).toBe(<u8>17);
    expect(ipv4Src(p)).toBe(0xc0a80001);
    expect(ipv4Dst(p)).toBe(0xc0a800c7);
    expect(ipv4DontFrag(p)).toBe(true);
  });
  it("RFC 791 3.1: shorter than 20 bytes is malformed", () => {
    const p = scratch(20); header(p);
    expect(ipv4Check(p, 19)).toBe(IPV4_MALFORMED);
    expect(ipv4Check(p, 0)).toBe(IPV4_MALFORMED);
  });
  it("RFC 791 3.1: version ≠ 4 is malformed", () => {
    const p = scratch(0x73); header(p); store<u8>(p, 0x65); fixCsum(p, 20);
    expect(ipv4Check(p, 0x73)).toBe(IPV4_MALFORMED);
  });
  it("RFC 791 3.1: IHL < 5 is malformed", () => {
    const p = scratch(0x73); header(p); store<u8>(p, 0x44);
    expect(ipv4Check(p, 0x73)).toBe(IPV4_MALFORMED);
  });
  it("RFC 791 3.1: IHL*4 past the buffer is malformed", () => {
    const p = scratch(0x73); header(p); store<u8>(p, 0x4f); put16(p + 2, 24);
    expect(ipv4Check(p, 24)).toBe(IPV4_MALFORMED);
  });
  it("RFC 791 3.1: total length past the buffer is malformed", () => {
    const p = scratch(0x73); header(p);
    expect(ipv4Check(p, 0x72)).toBe(IPV4_MALFORMED);
  });
  it("RFC 791 3.1: total length below the header length is malformed", () => {
    const p = scratch(0x73); header(p); put16(p + 2, 19); fixCsum(p, 20);
    expect(ipv4Check(p, 0x73)).toBe(IPV4_MALFORMED);
  });
  it("RFC 791 3.1: a bad header checksum is detected", () => {
    const p = scratch(0x73); header(p); store<u8>(p + 11, 0x62);
    expect(ipv4Check(p, 0x73)).toBe(IPV4_BAD_CHECKSUM);
  });
  it("RFC 791 3.2: MF set is a fragment", () => {
    const p = scratch(0x73); header(p); put16(p + 6, 0x2000); fixCsum(p, 20);
    expect(ipv4Check(p, 0x73)).toBe(IPV4_FRAGMENT);
  });
  it("RFC 791 3.2: fragment offset ≠ 0 is a fragment", () => {
    const p = scratch(0x73); header(p); put16(p + 6, 0x0001); fixCsum(p, 20);
    expect(ipv4Check(p, 0x73)).toBe(IPV4_FRAGMENT);
  });
  it("RFC 791 3.1: options (IHL 6) are skipped; payload starts after them", () => {
    const p = scratch(0x73); header(p); store<u8>(p, 0x46);
    put(p + 20, [0x01, 0x01, 0x01, 0x00]); // NOP NOP NOP EOL
    fixCsum(p, 24);
    expect(ipv4Check(p, 0x73)).toBe(24);
    expect(ipv4PayloadLen(p)).toBe(0x73 - 24);
  });
  it("RFC 894: Ethernet padding past the total length is not payload", () => {
    const p = scratch(46); header(p); put16(p + 2, 40); fixCsum(p, 20);
    expect(ipv4Check(p, 46)).toBe(20);
    expect(ipv4PayloadLen(p)).toBe(20);
  });
  it("emit into a 0xA5-filled buffer: 20 bytes, DF, valid checksum, parses back", () => {
    const p = scratch(60, 0xa5);
    ipv4Emit(p, 0xc6120001, 0xc6120002, IPPROTO_TCP, 20, 0x1234, 64);
    expect(same(p, [0x45, 0, 0, 40, 0x12, 0x34, 0x40, 0, 64, 6])).toBe(true);
    expect(load<u8>(p + 20)).toBe(<u8>0xa5);
    expect(ipv4Check(p, 40)).toBe(20);
    expect(ipv4Src(p)).toBe(0xc6120001);
    expect(ipv4Dst(p)).toBe(0xc6120002);
    expect(ipv4Id(p)).toBe(<u16>0x1234);
    expect(ipv4PayloadLen(p)).toBe(20);
    expect(csumFinish(csumAdd(0, p, 20))).toBe(<u16>0);
  });
  it("RFC 1122 3.2.1.3: zero, loopback, multicast and broadcast sources are martians", () => {
    expect(ipv4IsMartianSrc(0)).toBe(true);
    expect(ipv4IsMartianSrc(0x7f000001)).toBe(true);
    expect(ipv4IsMartianSrc(0xe0000001)).toBe(true);
    expect(ipv4IsMartianSrc(0xffffffff)).toBe(true);
    expect(ipv4IsMartianSrc(0xc6120002)).toBe(false);
  });
});
