import {
  RING_SIZE, Ring, ringCap, ringClear, ringCommit, ringConsume, ringFree, ringInit, ringLen, ringPeek,
  ringRead, ringWrite, ringWriteAt,
} from "../../../assembly/storage/ring";
import { Err } from "../../../assembly/errors";
import { same, scratch } from "../helpers";

/** A ring of cap bytes over storage pre-filled with 0xEE, plus a guard byte each side. */
function mk(cap: u32): Ring {
  const mem = scratch(<i32>cap + 2, 0xee);
  const r = changetype<Ring>(scratch(<i32>RING_SIZE));
  expect(ringInit(r, mem + 1, cap)).toBe(0);
  return r;
}
function seq(n: i32, from: u8): usize {
  const p = scratch(n);
  for (let i = 0; i < n; i++) store<u8>(p + <usize>i, <u8>(from + <u8>i));
  return p;
}
function guardsIntact(r: Ring): bool {
  return load<u8>(r.buf - 1) == 0xee && load<u8>(r.buf + <usize>ringCap(r)) == 0xee;
}

describe("ring", () => {
  it("init rejects a capacity that is not a power of two", () => {
    const r = changetype<Ring>(scratch(<i32>RING_SIZE));
    expect(ringInit(r, scratch(16), 12)).toBe(Err.EINVAL);
    expect(ringInit(r, scratch(16), 0)).toBe(Err.EINVAL);
    expect(ringInit(r, scratch(16), 16)).toBe(0);
    expect(ringCap(r)).toBe(16);
  });
  it("empty ring: len 0, free = cap, read/peek/consume return 0", () => {
    const r = mk(8);
    const d = scratch(8, 0xa5);
    expect(ringLen(r)).toBe(0);
    expect(ringFree(r)).toBe(8);
    expect(ringRead(r, d, 4)).toBe(0);
    expect(ringPeek(r, 0, d, 4)).toBe(0);
    expect(ringConsume(r, 4)).toBe(0);
    expect(load<u8>(d)).toBe(<u8>0xa5);
  });
  it("zero and negative lengths do nothing", () => {
    const r = mk(8);
    const s = seq(4, 1);
    expect(ringWrite(r, s, 0)).toBe(0);
    expect(ringWrite(r, s, -3)).toBe(0);
    ringWrite(r, s, 4);
    expect(ringRead(r, scratch(4), 0)).toBe(0);
    expect(ringPeek(r, -1, scratch(4), 2)).toBe(0);
    expect(ringConsume(r, -1)).toBe(0);
    expect(ringLen(r)).toBe(4);
  });
  it("write then read returns the same bytes in order", () => {
    const r = mk(16);
    expect(ringWrite(r, seq(10, 1), 10)).toBe(10);
    const d = scratch(10);
    expect(ringRead(r, d, 10)).toBe(10);
    expect(same(d, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).toBe(true);
    expect(ringLen(r)).toBe(0);
  });
  it("n larger than free copies only the free space", () => {
    const r = mk(8);
    expect(ringWrite(r, seq(5, 1), 5)).toBe(5);
    expect(ringWrite(r, seq(10, 20), 10)).toBe(3);
    expect(ringFree(r)).toBe(0);
    expect(guardsIntact(r)).toBe(true);
  });
  it("full ring accepts nothing more", () => {
    const r = mk(8);
    expect(ringWrite(r, seq(8, 1), 8)).toBe(8);
    expect(ringWrite(r, seq(1, 9), 1)).toBe(0);
    expect(ringLen(r)).toBe(8);
  });
  it("wrap-around write and read keep order and stay inside the storage", () => {
    const r = mk(8);
    ringWrite(r, seq(6, 1), 6);
    expect(ringConsume(r, 5)).toBe(5); // start = 5, len = 1
    expect(ringWrite(r, seq(7, 10), 7)).toBe(7); // wraps: 3 at the end, 4 at the start
    expect(ringLen(r)).toBe(8);
    const d = scratch(8);
    expect(ringRead(r, d, 8)).toBe(8);
    expect(same(d, [6, 10, 11, 12, 13, 14, 15, 16])).toBe(true);
    expect(guardsIntact(r)).toBe(true);
  });
  it("peek at an offset across the wrap does not consume", () => {
    const r = mk(8);
    ringWrite(r, seq(6, 1), 6);
    ringConsume(r, 6);               // start = 6
    ringWrite(r, seq(8, 1), 8);      // 1..8, wrapping after 2 bytes
    const d = scratch(4, 0xa5);
    expect(ringPeek(r, 1, d, 3)).toBe(3);
    expect(same(d, [2, 3, 4, 0xa5])).toBe(true);
    expect(ringPeek(r, 6, d, 4)).toBe(2); // only 2 bytes past offset 6
    expect(same(d, [7, 8])).toBe(true);
    expect(ringPeek(r, 8, d, 1)).toBe(0); // offset at len
    expect(ringLen(r)).toBe(8);
  });
  it("consume more than queued consumes what is there", () => {
    const r = mk(8);
    ringWrite(r, seq(3, 1), 3);
    expect(ringConsume(r, 10)).toBe(3);
    expect(ringLen(r)).toBe(0);
    expect(ringFree(r)).toBe(8);
  });
  it("read with n smaller than len leaves the rest", () => {
    const r = mk(8);
    ringWrite(r, seq(5, 1), 5);
    const d = scratch(2);
    expect(ringRead(r, d, 2)).toBe(2);
    expect(same(d, [1, 2])).toBe(true);
    expect(ringLen(r)).toBe(3);
    expect(ringRead(r, d, 2)).toBe(2);
    expect(same(d, [3, 4])).toBe(true);
  });
  it("clear empties the ring", () => {
    const r = mk(8);
    ringWrite(r, seq(5, 1), 5);
    ringClear(r);
    expect(ringLen(r)).toBe(0);
    expect(ringFree(r)).toBe(8);
  });
  it("writeAt places out-of-order bytes that commit later makes readable", () => {
    const r = mk(8);
    ringWrite(r, seq(2, 1), 2);
    expect(ringWriteAt(r, 2, seq(2, 5), 2)).toBe(2); // hole of 2 bytes, then 5 6
    expect(ringLen(r)).toBe(2);
    expect(ringWriteAt(r, 0, seq(2, 3), 2)).toBe(2);  // fill the hole: 3 4
    expect(ringCommit(r, 4)).toBe(4);
    const d = scratch(6);
    expect(ringRead(r, d, 6)).toBe(6);
    expect(same(d, [1, 2, 3, 4, 5, 6])).toBe(true);
  });
  it("writeAt is clamped to the free space and commit to free", () => {
    const r = mk(8);
    ringWrite(r, seq(6, 1), 6);
    expect(ringWriteAt(r, 1, seq(4, 1), 4)).toBe(1);
    expect(ringWriteAt(r, 2, seq(4, 1), 4)).toBe(0);
    expect(ringCommit(r, 5)).toBe(2);
    expect(guardsIntact(r)).toBe(true);
  });
});
