import { csumAdd, csumFinish, csumPseudo } from "../../../assembly/wire/checksum";
import { put, scratch } from "../helpers";

describe("checksum (RFC 1071)", () => {
  it("RFC 1071 4.1: 00 01 f2 03 f4 f5 f6 f7 sums to 0xddf2, checksum 0x220d", () => {
    const p = scratch(8);
    put(p, [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]);
    expect(csumAdd(0, p, 8)).toBe(0xddf2);
    expect(csumFinish(csumAdd(0, p, 8))).toBe(<u16>0x220d);
  });
  it("RFC 1071 2(B): partial sums over pieces combine to the same result", () => {
    const p = scratch(8);
    put(p, [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]);
    expect(csumAdd(csumAdd(0, p, 4), p + 4, 4)).toBe(0xddf2);
  });
  it("RFC 791 3.1: a real IPv4 header verifies and reproduces 0xb861", () => {
    const p = scratch(20);
    put(p, [0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xb8, 0x61,
            0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7]);
    expect(csumFinish(csumAdd(0, p, 20))).toBe(<u16>0);
    store<u16>(p + 10, 0);
    expect(csumFinish(csumAdd(0, p, 20))).toBe(<u16>0xb861);
  });
  it("RFC 1071 4.1: an odd trailing byte is padded with zero", () => {
    const p = scratch(3);
    put(p, [0x00, 0x01, 0xf2]);
    expect(csumAdd(0, p, 3)).toBe(0xf201);
    expect(csumFinish(csumAdd(0, p, 3))).toBe(<u16>0x0dfe);
  });
  it("zero length sums to zero (checksum 0xffff)", () => {
    expect(csumAdd(0, scratch(1), 0)).toBe(0);
    expect(csumFinish(0)).toBe(<u16>0xffff);
  });
  it("end-around carry folds (0xffff + 0x0001 = 0x0001)", () => {
    const p = scratch(4);
    put(p, [0xff, 0xff, 0x00, 0x01]);
    expect(csumAdd(0, p, 4)).toBe(1);
  });
  it("RFC 9293 3.1: pseudo-header sum of 198.18.0.1 → 198.18.0.2, TCP, 20 bytes", () => {
    // c612 + 0001 + c612 + 0002 + 0006 + 0014 = 0x18c41 → folded 0x8c42
    expect(csumPseudo(0xc6120001, 0xc6120002, 6, 20)).toBe(0x8c42);
  });
});
