import { seqGe, seqGt, seqInWindow, seqLe, seqLt } from "../../../assembly/tcp/seq";

// RFC 9293 3.4: sequence numbers are compared modulo 2^32; a < b when (a − b) as a signed 32-bit
// number is negative, i.e. b lies less than 2^31 ahead of a.
const HALF: u32 = 0x80000000;           // 2^31

describe("sequence arithmetic (RFC 9293 3.4)", () => {
  it("RFC 9293 3.4: ordinary ordering without wrap", () => {
    expect(seqLt(1, 2)).toBe(true);
    expect(seqLt(2, 1)).toBe(false);
    expect(seqLe(1, 2)).toBe(true);
    expect(seqLe(2, 1)).toBe(false);
    expect(seqGt(2, 1)).toBe(true);
    expect(seqGt(1, 2)).toBe(false);
    expect(seqGe(2, 1)).toBe(true);
    expect(seqGe(1, 2)).toBe(false);
    expect(seqLt(1000, 1000000)).toBe(true);
    expect(seqGt(1000000, 1000)).toBe(true);
  });
  it("RFC 9293 3.4: equality: Le/Ge true, Lt/Gt false", () => {
    const vals: u32[] = [0, 1, 0x7fffffff, 0x80000000, 0xfffffff0, 0xffffffff];
    for (let i = 0; i < vals.length; i++) {
      const a = vals[i];
      expect(seqLt(a, a)).toBe(false);
      expect(seqGt(a, a)).toBe(false);
      expect(seqLe(a, a)).toBe(true);
      expect(seqGe(a, a)).toBe(true);
    }
  });
  it("RFC 9293 3.4: wrap-around at 2^32: 0xFFFFFFF0 < 0x10", () => {
    expect(seqLt(0xfffffff0, 0x10)).toBe(true);
    expect(seqLe(0xfffffff0, 0x10)).toBe(true);
    expect(seqGt(0xfffffff0, 0x10)).toBe(false);
    expect(seqGe(0xfffffff0, 0x10)).toBe(false);
    expect(seqGt(0x10, 0xfffffff0)).toBe(true);
    expect(seqGe(0x10, 0xfffffff0)).toBe(true);
    expect(seqLt(0x10, 0xfffffff0)).toBe(false);
    expect(seqLe(0x10, 0xfffffff0)).toBe(false);
    expect(seqLt(0xffffffff, 0)).toBe(true);
    expect(seqGt(0, 0xffffffff)).toBe(true);
  });
  it("RFC 9293 3.4: half-space boundary: a + 2^31 − 1 is after a, for a across the space", () => {
    const as: u32[] = [0, 1, 1000, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffff0, 0xffffffff];
    for (let i = 0; i < as.length; i++) {
      const a = as[i];
      const b = a + (HALF - 1);          // wraps modulo 2^32
      expect(seqLt(a, b)).toBe(true);
      expect(seqLe(a, b)).toBe(true);
      expect(seqGt(a, b)).toBe(false);
      expect(seqGe(a, b)).toBe(false);
      expect(seqGt(b, a)).toBe(true);
      expect(seqGe(b, a)).toBe(true);
      expect(seqLt(b, a)).toBe(false);
      expect(seqLe(b, a)).toBe(false);
      // one further (a + 2^31 + 0) is the ambiguous point: a − b = −2^31 in i32, so a < b and b < a
      // is decided by sign only; a + 2^31 + 1 is already behind a.
      const c = a + HALF + 1;
      expect(seqLt(c, a)).toBe(true);
      expect(seqGt(a, c)).toBe(true);
    }
  });
  it("RFC 9293 3.4: exactly 2^31 apart: both orders compare as 'less' (the signed-difference rule)", () => {
    // <i32>(a − (a + 2^31)) = <i32>0x80000000 = −2^31 < 0, and likewise the other way round.
    expect(seqLt(0, HALF)).toBe(true);
    expect(seqLt(HALF, 0)).toBe(true);
    expect(seqGt(0, HALF)).toBe(false);
    expect(seqGt(HALF, 0)).toBe(false);
    expect(seqLt(0x12345678, 0x12345678 + HALF)).toBe(true);
    expect(seqLt(0x12345678 + HALF, 0x12345678)).toBe(true);
  });
  it("RFC 9293 3.4: Le = Lt or equal, Ge = Gt or equal, Gt(a,b) = Lt(b,a) (away from 2^31 apart)", () => {
    const vals: u32[] = [0, 1, 2, 0x10, 0x7ffffffe, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffff0, 0xffffffff];
    for (let i = 0; i < vals.length; i++) {
      for (let j = 0; j < vals.length; j++) {
        const a = vals[i], b = vals[j];
        if (a - b == HALF) continue;   // the ambiguous point, covered by its own test
        expect(seqLe(a, b)).toBe(seqLt(a, b) || a == b);
        expect(seqGe(a, b)).toBe(seqGt(a, b) || a == b);
        expect(seqGt(a, b)).toBe(seqLt(b, a));
        expect(seqGe(a, b)).toBe(seqLe(b, a));
      }
    }
  });
  it("RFC 9293 3.4: seqInWindow is lo ≤ x < hi", () => {
    expect(seqInWindow(100, 100, 200)).toBe(true);   // left edge included
    expect(seqInWindow(150, 100, 200)).toBe(true);
    expect(seqInWindow(199, 100, 200)).toBe(true);
    expect(seqInWindow(200, 100, 200)).toBe(false);  // right edge excluded
    expect(seqInWindow(99, 100, 200)).toBe(false);
    expect(seqInWindow(300, 100, 200)).toBe(false);
  });
  it("RFC 9293 3.4: seqInWindow across the wrap at 2^32", () => {
    const lo: u32 = 0xfffffff0, hi: u32 = 0x10;
    expect(seqInWindow(0xfffffff0, lo, hi)).toBe(true);
    expect(seqInWindow(0xffffffff, lo, hi)).toBe(true);
    expect(seqInWindow(0, lo, hi)).toBe(true);
    expect(seqInWindow(0xf, lo, hi)).toBe(true);
    expect(seqInWindow(0x10, lo, hi)).toBe(false);
    expect(seqInWindow(0xffffffef, lo, hi)).toBe(false);
    expect(seqInWindow(0x80000000, lo, hi)).toBe(false);
  });
  it("RFC 9293 3.4: an empty window (lo = hi) holds nothing", () => {
    expect(seqInWindow(5, 5, 5)).toBe(false);
    expect(seqInWindow(4, 5, 5)).toBe(false);
    expect(seqInWindow(6, 5, 5)).toBe(false);
    expect(seqInWindow(0, 0, 0)).toBe(false);
  });
  it("RFC 9293 3.4: the largest window, 2^31 − 1 wide", () => {
    const lo: u32 = 0xc0000000;
    const hi: u32 = lo + (HALF - 1);   // 0x3fffffff after wrap
    expect(hi).toBe(0x3fffffff);
    expect(seqInWindow(lo, lo, hi)).toBe(true);
    expect(seqInWindow(0, lo, hi)).toBe(true);
    expect(seqInWindow(hi - 1, lo, hi)).toBe(true);
    expect(seqInWindow(hi, lo, hi)).toBe(false);
    expect(seqInWindow(lo - 1, lo, hi)).toBe(false);
  });
});
