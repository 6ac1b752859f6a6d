import { dnsNameEncode, dnsNameRead, dnsNameEq, dnsQueryEmit, dnsParse } from "../../../assembly/wire/dns";
import { Err } from "../../../assembly/errors";
import { put, scratch } from "../helpers";

const ID: u16 = 0x1234;
// "a.test" in wire form
const QNAME: u8[] = [1, 0x61, 4, 0x74, 0x65, 0x73, 0x74, 0];
// header (id 1234, QR RD RA, 1 question, ancount set by the test) and the question, 24 bytes
function header(p: usize, an: u8): void {
  put(p, [0x12, 0x34, 0x81, 0x80, 0, 1, 0, an, 0, 0, 0, 0]);
  put(p + 12, QNAME); put(p + 20, [0, 1, 0, 1]);
}
// one A record for the question's name (pointer to 12), TTL 3600, 198.18.0.5, at offset off
function aRecord(p: usize, off: i32, last: u8 = 5): void {
  put(p + <usize>off, [0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 0xc6, 0x12, 0, last]);
}
function qname(): usize { const q = scratch(256); put(q, QNAME); return q; }

let addrs: usize = 0, ttl: usize = 0, names: usize = 0;
function parse(p: usize, len: i32, max: i32 = 4, cnameMax: i32 = 8, id: u16 = ID): i32 {
  addrs = scratch(64); ttl = scratch(4); names = scratch(512);
  return dnsParse(p, len, id, qname(), addrs, max, cnameMax, ttl, names);
}

describe("dns names (RFC 1035 3.1)", () => {
  it("RFC 1035 3.1: a dotted name becomes labels, a trailing dot is the root", () => {
    const src = scratch(16); const dst = scratch(256, 0xa5);
    put(src, [0x61, 0x2e, 0x74, 0x65, 0x73, 0x74, 0x2e]);
    expect(dnsNameEncode(dst, src, 7)).toBe(8);
    expect(dnsNameEq(dst, qname())).toBe(true);
    expect(dnsNameEncode(dst, src, 6)).toBe(8);
  });
  it("RFC 1035 3.1: an empty name or label, a label over 63 bytes and a control byte are refused", () => {
    const src = scratch(300, 0x61); const dst = scratch(256);
    expect(dnsNameEncode(dst, src, 0)).toBe(Err.EINVAL);
    put(src, [0x61, 0x2e, 0x2e, 0x62]);
    expect(dnsNameEncode(dst, src, 4)).toBe(Err.EINVAL);
    const long = scratch(80, 0x61);
    expect(dnsNameEncode(dst, long, 63)).toBe(65);
    expect(dnsNameEncode(dst, long, 64)).toBe(Err.EINVAL);
    put(src, [0x61, 0x20, 0x62]);
    expect(dnsNameEncode(dst, src, 3)).toBe(Err.EINVAL);
  });
  it("RFC 1035 3.1: a name over 255 bytes is refused", () => {
    const src = scratch(300, 0x61); const dst = scratch(300);
    for (let i = 60; i < 300; i += 61) store<u8>(src + <usize>i, 0x2e);
    expect(dnsNameEncode(dst, src, 253)).toBe(255);
    expect(dnsNameEncode(dst, src, 254)).toBe(Err.EINVAL);
  });
  it("RFC 1035 2.3.3: names compare without regard to ASCII case", () => {
    const a = scratch(16); put(a, [1, 0x41, 4, 0x54, 0x65, 0x53, 0x74, 0]);
    expect(dnsNameEq(a, qname())).toBe(true);
    put(a, [1, 0x62, 4, 0x74, 0x65, 0x73, 0x74, 0]);
    expect(dnsNameEq(a, qname())).toBe(false);
  });
  it("RFC 1035 4.1.1: the query: id, RD, one question (A, IN)", () => {
    const buf = scratch(64, 0xa5);
    expect(dnsQueryEmit(buf, ID, qname())).toBe(24);
    const want: u8[] = [0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0x61, 4, 0x74, 0x65, 0x73, 0x74, 0, 0, 1, 0, 1, 0xa5];
    for (let i = 0; i < want.length; i++) expect(load<u8>(buf + <usize>i)).toBe(want[i]);
  });
});

describe("dns name compression (RFC 1035 4.1.4)", () => {
  it("RFC 1035 4.1.4: a backward pointer is followed; the name ends after the pointer", () => {
    const p = scratch(64); header(p, 1); aRecord(p, 24);
    const out = scratch(256);
    expect(dnsNameRead(p, 40, 24, out)).toBe(26);
    expect(dnsNameEq(out, qname())).toBe(true);
  });
  it("RFC 1035 4.1.4: a pointer to itself (a loop) is refused", () => {
    const p = scratch(64); header(p, 1); aRecord(p, 24); put(p + 24, [0xc0, 24]);
    expect(dnsNameRead(p, 40, 24, scratch(256))).toBe(-1);
    expect(parse(p, 40)).toBe(Err.EBADMSG);
  });
  it("RFC 1035 4.1.4: a loop through two pointers is refused (each jump must go further back)", () => {
    // 30: label "x" then a pointer to 30; 40: a pointer to 30
    const p = scratch(64); put(p + 30, [1, 0x78, 0xc0, 30]); put(p + 40, [0xc0, 30]);
    expect(dnsNameRead(p, 64, 40, scratch(256))).toBe(-1);
  });
  it("RFC 1035 4.1.4: a forward pointer and a pointer past the end are refused", () => {
    const p = scratch(64); header(p, 1); aRecord(p, 24);
    put(p + 24, [0xc0, 30]);
    expect(parse(p, 40)).toBe(Err.EBADMSG);
    put(p + 24, [0xff, 0xff]);
    expect(parse(p, 40)).toBe(Err.EBADMSG);
    expect(dnsNameRead(p, 25, 24, scratch(256))).toBe(-1);   // half a pointer
  });
  it("RFC 1035 4.1.4: more than 16 pointer hops are refused", () => {
    // a chain of 18 pointers, each to the one before it, ending at a root label at 0
    const p = scratch(64); store<u8>(p, 0);
    for (let i = 1; i <= 18; i++) put(p + <usize>(i * 2), [0xc0, <u8>((i - 1) * 2)]);
    expect(dnsNameRead(p, 64, 16 * 2, scratch(256))).toBe(34);
    expect(dnsNameRead(p, 64, 17 * 2, scratch(256))).toBe(-1);
  });
  it("RFC 6891 3: the extended label types 01 and 10 are refused", () => {
    const p = scratch(16); put(p, [0x41, 0]);
    expect(dnsNameRead(p, 16, 0, scratch(256))).toBe(-1);
    put(p, [0x81, 0]);
    expect(dnsNameRead(p, 16, 0, scratch(256))).toBe(-1);
  });
});

describe("dns replies (RFC 1035 4.1)", () => {
  it("RFC 1035 4.1.3: a good reply gives its address and TTL", () => {
    const p = scratch(64); header(p, 1); aRecord(p, 24);
    expect(parse(p, 40)).toBe(1);
    expect(load<u32>(addrs)).toBe(0xc6120005);
    expect(load<u32>(ttl)).toBe(3600);
  });
  it("RFC 5452 9.1: a reply with another id is refused", () => {
    const p = scratch(64); header(p, 1); aRecord(p, 24);
    expect(parse(p, 40, 4, 8, 0x1235)).toBe(Err.EBADMSG);
  });
  it("RFC 5452 9.1: a reply to another question is refused", () => {
    const p = scratch(64); header(p, 1); aRecord(p, 24); store<u8>(p + 13, 0x62);
    expect(parse(p, 40)).toBe(Err.EBADMSG);
    header(p, 1); store<u8>(p + 21, 28);   // AAAA
    expect(parse(p, 40)).toBe(Err.EBADMSG);
  });
  it("RFC 1035 4.1.1: a query (QR clear) or another opcode is not a reply", () => {
    const p = scratch(64); header(p, 1); aRecord(p, 24); store<u8>(p + 2, 0x01);
    expect(parse(p, 40)).toBe(Err.EBADMSG);
    store<u8>(p + 2, 0x89);
    expect(parse(p, 40)).toBe(Err.EBADMSG);
  });
  it("RFC 1035 4.1.1: NXDOMAIN, SERVFAIL and REFUSED are distinct errors", () => {
    const p = scratch(64); header(p, 0);
    store<u8>(p + 3, 0x83); expect(parse(p, 24)).toBe(Err.ENOTFOUND);
    store<u8>(p + 3, 0x82); expect(parse(p, 24)).toBe(Err.ESERVFAIL);
    store<u8>(p + 3, 0x85); expect(parse(p, 24)).toBe(Err.EREFUSED);
    store<u8>(p + 3, 0x81); expect(parse(p, 24)).toBe(Err.EBADMSG);
  });
  it("RFC 1035 4.2.1: TC set means truncated (ask again over TCP)", () => {
    const p = scratch(64); header(p, 1); aRecord(p, 24); store<u8>(p + 2, 0x83);
    expect(parse(p, 40)).toBe(Err.EMSGSIZE);
  });
  it("RFC 2308 2.2: a name without A records is ENODATA", () => {
    const p = scratch(64); header(p, 0);
    expect(parse(p, 24)).toBe(Err.ENODATA);
  });
  it("RFC 1035 4.1: shorter than a header, a question or a record is malformed", () => {
    const p = scratch(64); header(p, 1); aRecord(p, 24);
    expect(parse(p, 11)).toBe(Err.EBADMSG);
    expect(parse(p, 22)).toBe(Err.EBADMSG);
    expect(parse(p, 33)).toBe(Err.EBADMSG);
    expect(parse(p, 39)).toBe(Err.EBADMSG);
  });
  it("RFC 1035 4.1.3: an RDLENGTH past the end, or an ANCOUNT with too few records, is malformed", () => {
    const p = scratch(64); header(p, 1); aRecord(p, 24); put(p + 34, [0, 5]);
    expect(parse(p, 40)).toBe(Err.EBADMSG);
    header(p, 2); aRecord(p, 24);
    expect(parse(p, 40)).toBe(Err.EBADMSG);
  });
  it("RFC 1035 3.4.1: an A record whose data is not 4 bytes is malformed", () => {
    const p = scratch(64); header(p, 1); aRecord(p, 24); put(p + 34, [0, 3]);
    expect(parse(p, 39)).toBe(Err.EBADMSG);
  });
  it("RFC 1035 4.1.3: more addresses than the table holds: the first ones are kept", () => {
    const p = scratch(128); header(p, 6);
    for (let i = 0; i < 6; i++) aRecord(p, 24 + i * 16, <u8>(10 + i));
    expect(parse(p, 24 + 6 * 16, 4)).toBe(4);
    expect(load<u32>(addrs + 12)).toBe(0xc612000d);
  });
  it("RFC 1035 3.6.2: a CNAME is followed to the A record of its target; the smallest TTL wins", () => {
    const p = scratch(64); header(p, 2);
    // 24: a.test CNAME b.test (TTL 60; "b" + pointer to "test" at 14); 40: b.test (pointer to 36) A, TTL 30
    put(p + 24, [0xc0, 0x0c, 0, 5, 0, 1, 0, 0, 0, 60, 0, 4, 1, 0x62, 0xc0, 14]);
    put(p + 40, [0xc0, 36, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4, 0xc6, 0x12, 0, 7]);
    expect(parse(p, 56)).toBe(1);
    expect(load<u32>(addrs)).toBe(0xc6120007);
    expect(load<u32>(ttl)).toBe(30);
  });
  it("RFC 1034 3.6.2: a CNAME chain longer than the limit is ELOOP", () => {
    const p = scratch(64); header(p, 2);
    put(p + 24, [0xc0, 0x0c, 0, 5, 0, 1, 0, 0, 0, 60, 0, 4, 1, 0x62, 0xc0, 14]);
    put(p + 40, [0xc0, 36, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4, 0xc6, 0x12, 0, 7]);
    expect(parse(p, 56, 4, 0)).toBe(Err.ELOOP);
  });
  it("RFC 1035 6.3: records owned by another name are not answers", () => {
    const p = scratch(64); header(p, 2);
    // 24: b.test A 198.18.0.9 (owner: "b" + pointer to "test"); 40: the real answer
    put(p + 24, [1, 0x62, 0xc0, 14, 0, 1, 0, 1, 0, 0, 0, 9, 0, 4, 0xc6, 0x12, 0, 9]);
    aRecord(p, 42);
    expect(parse(p, 58)).toBe(1);
    expect(load<u32>(addrs)).toBe(0xc6120005);
  });
  it("RFC 2181 8: a TTL with the top bit set is taken as 0", () => {
    const p = scratch(64); header(p, 1); aRecord(p, 24); put(p + 30, [0x80, 0, 0, 0]);
    expect(parse(p, 40)).toBe(1);
    expect(load<u32>(ttl)).toBe(0);
  });
});
