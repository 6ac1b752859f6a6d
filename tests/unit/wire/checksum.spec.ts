import { csumAdd, csumFinish, csumPseudo } from "../../../assembly/wire/checksum";
import { get16 } from "../../../assembly/wire/bytes";
import { put, scratch } from "../helpers";

/** The textbook loop (RFC 1071 4.1): big-endian 16-bit words one by one, folded at the end. */
function csumReference(sum: u32, p: usize, len: i32): u32 {
  let acc: u64 = sum;
  let i = 0;
  for (; i + 1 < len; i += 2) acc += get16(p + <usize>i);
  if (i < len) acc += <u32>load<u8>(p + <usize>i) << 8;
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return <u32>acc;
}

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
  it("RFC 1071 2(B): the word-wise sum equals the 16-bit reference for every length 0..80 and alignment 0..3", () => {
    const p = scratch(96);
    let x: u32 = 0x12345678;
    for (let i = 0; i < 96; i++) {
      x = x * 1103515245 + 12345;
      store<u8>(p + <usize>i, <u8>(x >> 16));
    }
    let bad = 0;
    for (let off = 0; off < 4; off++) {
      for (let len = 0; len <= 80; len++) {
        if (csumAdd(0, p + <usize>off, len) != csumReference(0, p + <usize>off, len)) bad++;
        if (csumAdd(0x1fffe, p + <usize>off, len) != csumReference(0x1fffe, p + <usize>off, len)) bad++;
      }
    }
    expect(bad).toBe(0);
  });
  it("RFC 1071 2(B): carries of a full-size frame of 0xff bytes fold like the reference", () => {
    const p = scratch(1515, 0xff);
    expect(csumAdd(0, p, 1514)).toBe(csumReference(0, p, 1514));
    expect(csumAdd(0xffff, p + 1, 1513)).toBe(csumReference(0xffff, p + 1, 1513));
    expect(csumAdd(0, p, 1514)).toBe(0xffff);
  });
});
