import {
  ICMP_DEST_UNREACH, ICMP_ECHO_REPLY, ICMP_UNREACH_NEEDFRAG, ICMP_UNREACH_PORT, icmpCheck, icmpCode,
  icmpData, icmpEmitEchoReply, icmpEmitUnreach, icmpId, icmpSeq, icmpType, icmpQuotedCheck, icmpNextHopMtu,
} from "../../../assembly/wire/icmp";
import { get16 } from "../../../assembly/wire/bytes";
import { put, same, scratch } from "../helpers";

// Echo request id 0x1234 seq 1, data "abcd"; checksum: 0800 + 1234 + 0001 + 6162 + 6364 = 0xdefb → ~ = 0x2104
function echo(p: usize): void {
  put(p, [8, 0, 0x21, 0x04, 0x12, 0x34, 0x00, 0x01, 0x61, 0x62, 0x63, 0x64]);
}

describe("icmp (RFC 792)", () => {
  it("RFC 792: a valid echo request passes the check", () => {
    const p = scratch(12); echo(p);
    expect(icmpCheck(p, 12)).toBe(true);
    expect(icmpType(p)).toBe(<u8>8);
    expect(icmpCode(p)).toBe(<u8>0);
    expect(icmpId(p)).toBe(<u16>0x1234);
    expect(icmpSeq(p)).toBe(<u16>1);
  });
  it("RFC 792: shorter than 8 bytes is malformed", () => {
    const p = scratch(12); echo(p);
    expect(icmpCheck(p, 7)).toBe(false);
  });
  it("RFC 792: the checksum covers the data (one flipped data byte fails)", () => {
    const p = scratch(12); echo(p); store<u8>(p + 11, 0x65);
    expect(icmpCheck(p, 12)).toBe(false);
  });
  it("RFC 792: odd-length message checksum (data padded with zero)", () => {
    const p = scratch(9);
    put(p, [8, 0, 0, 0, 0, 1, 0, 1, 0x61]);
    icmpEmitEchoReply(p, p, 9); // any type; recompute the checksum over 9 bytes
    expect(icmpCheck(p, 9)).toBe(true);
    // 0000 + 0001 + 0001 + 6100 = 0x6102 → ~ = 0x9efd
    expect(get16(p + 2)).toBe(<u16>0x9efd);
  });
  it("RFC 792 echo reply: type 0, same id/seq/data, valid checksum (into 0xA5 buffer)", () => {
    const req = scratch(12); echo(req);
    const p = scratch(14, 0xa5);
    expect(icmpEmitEchoReply(p, req, 12)).toBe(12);
    expect(icmpType(p)).toBe(ICMP_ECHO_REPLY);
    expect(icmpCheck(p, 12)).toBe(true);
    // 0x2104 + 0x0800 = 0x2904 (only the type changed)
    expect(same(p, [0, 0, 0x29, 0x04, 0x12, 0x34, 0, 1, 0x61, 0x62, 0x63, 0x64, 0xa5, 0xa5])).toBe(true);
  });
  it("RFC 792 echo reply in place", () => {
    const p = scratch(12); echo(p);
    icmpEmitEchoReply(p, p, 12);
    expect(icmpType(p)).toBe(ICMP_ECHO_REPLY);
    expect(icmpCheck(p, 12)).toBe(true);
    expect(icmpSeq(p)).toBe(<u16>1);
  });
  it("RFC 792 destination unreachable quotes the IP header + 8 bytes", () => {
    const orig = scratch(40);
    for (let i = 0; i < 40; i++) store<u8>(orig + <usize>i, <u8>(i + 1));
    const p = scratch(40, 0xa5);
    const n = icmpEmitUnreach(p, ICMP_UNREACH_PORT, orig, 20, 40, 0);
    expect(n).toBe(36);
    expect(icmpType(p)).toBe(ICMP_DEST_UNREACH);
    expect(icmpCode(p)).toBe(ICMP_UNREACH_PORT);
    expect(same(p + 4, [0, 0, 0, 0, 1, 2, 3])).toBe(true);
    expect(load<u8>(icmpData(p) + 27)).toBe(<u8>28);
    expect(load<u8>(p + 36)).toBe(<u8>0xa5);
    expect(icmpCheck(p, n)).toBe(true);
  });
  it("RFC 792 unreachable of a short datagram quotes only what exists", () => {
    const orig = scratch(22, 7);
    const p = scratch(40);
    expect(icmpEmitUnreach(p, 1, orig, 20, 22, 0)).toBe(30);
  });
  it("RFC 1191: fragmentation needed carries the next-hop MTU", () => {
    const orig = scratch(28, 7);
    const p = scratch(40);
    const n = icmpEmitUnreach(p, ICMP_UNREACH_NEEDFRAG, orig, 20, 28, 1400);
    expect(get16(p + 6)).toBe(<u16>1400);
    expect(icmpCheck(p, n)).toBe(true);
  });
});

describe("icmp: the datagram an error quotes (RFC 792, RFC 1191)", () => {
  it("RFC 792: an IPv4 header and 8 bytes of payload pass; the header length is returned", () => {
    const q = scratch(28);
    put(q, [0x45]);
    expect(icmpQuotedCheck(q, 28)).toBe(20);
  });
  it("RFC 792: fewer than header + 8 bytes, a version other than 4 or an IHL < 5 are refused", () => {
    const q = scratch(40);
    put(q, [0x45]);
    expect(icmpQuotedCheck(q, 27)).toBe(-1);
    put(q, [0x65]);
    expect(icmpQuotedCheck(q, 40)).toBe(-1);
    put(q, [0x44]);
    expect(icmpQuotedCheck(q, 40)).toBe(-1);
    put(q, [0x46]);                                  // IHL 6: 24 + 8 bytes needed
    expect(icmpQuotedCheck(q, 31)).toBe(-1);
    expect(icmpQuotedCheck(q, 32)).toBe(24);
  });
  it("RFC 1191 4: the next-hop MTU is the low 16 bits of the unused word", () => {
    const p = scratch(8);
    put(p, [3, 4, 0, 0, 0, 0, 0x05, 0xdc]);
    expect(icmpNextHopMtu(p)).toBe(<u16>1500);
  });
});
