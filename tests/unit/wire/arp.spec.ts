import {
  ARP_LEN, ARP_REPLY, ARP_REQUEST, arpCheck, arpEmit, arpOper, arpSha, arpSpa, arpTha, arpTpa,
} from "../../../assembly/wire/arp";
import { MAC_ZERO } from "../../../assembly/wire/ethernet";
import { put, same, scratch } from "../helpers";

// who-has 198.18.0.1 tell 198.18.0.2 (02:00:00:00:00:02)
function request(p: usize): void {
  put(p, [0, 1, 0x08, 0, 6, 4, 0, 1, 0x02, 0, 0, 0, 0, 2, 198, 18, 0, 2, 0, 0, 0, 0, 0, 0, 198, 18, 0, 1]);
}

describe("arp (RFC 826)", () => {
  it("RFC 826: parses an Ethernet/IPv4 request", () => {
    const p = scratch(28); request(p);
    expect(arpCheck(p, 28)).toBe(true);
    expect(arpOper(p)).toBe(ARP_REQUEST);
    expect(same(arpSha(p), [0x02, 0, 0, 0, 0, 2])).toBe(true);
    expect(arpSpa(p)).toBe(0xc6120002);
    expect(same(arpTha(p), [0, 0, 0, 0, 0, 0])).toBe(true);
    expect(arpTpa(p)).toBe(0xc6120001);
  });
  it("RFC 826: a packet shorter than 28 bytes is malformed", () => {
    const p = scratch(28); request(p);
    expect(arpCheck(p, 27)).toBe(false);
    expect(arpCheck(p, 0)).toBe(false);
  });
  it("RFC 826: hardware type other than Ethernet (1) is rejected", () => {
    const p = scratch(28); request(p); store<u8>(p + 1, 6);
    expect(arpCheck(p, 28)).toBe(false);
  });
  it("RFC 826: protocol type other than IPv4 is rejected", () => {
    const p = scratch(28); request(p); store<u8>(p + 2, 0x86); store<u8>(p + 3, 0xdd);
    expect(arpCheck(p, 28)).toBe(false);
  });
  it("RFC 826: hlen ≠ 6 is rejected", () => {
    const p = scratch(28); request(p); store<u8>(p + 4, 8);
    expect(arpCheck(p, 28)).toBe(false);
  });
  it("RFC 826: plen ≠ 4 is rejected", () => {
    const p = scratch(28); request(p); store<u8>(p + 5, 16);
    expect(arpCheck(p, 28)).toBe(false);
  });
  it("an opcode other than request/reply is rejected", () => {
    const p = scratch(28); request(p); store<u8>(p + 7, 3);
    expect(arpCheck(p, 28)).toBe(false);
  });
  it("trailing Ethernet padding is accepted", () => {
    const p = scratch(46); request(p);
    expect(arpCheck(p, 46)).toBe(true);
  });
  it("emit into a 0xA5-filled buffer, then parse back", () => {
    const p = scratch(30, 0xa5);
    const sha = scratch(6); put(sha, [0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee]);
    arpEmit(p, ARP_REPLY, sha, 0xc6120001, MAC_ZERO, 0xc6120002);
    expect(same(p, [0, 1, 0x08, 0, 6, 4, 0, 2, 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 198, 18, 0, 1,
                    0, 0, 0, 0, 0, 0, 198, 18, 0, 2, 0xa5, 0xa5])).toBe(true);
    expect(arpCheck(p, ARP_LEN)).toBe(true);
    expect(arpOper(p)).toBe(ARP_REPLY);
    expect(arpSpa(p)).toBe(0xc6120001);
    expect(arpTpa(p)).toBe(0xc6120002);
  });
});
