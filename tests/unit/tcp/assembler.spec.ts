import { oooBytes, oooByRecency, oooEnd, oooInsert, oooRemove, oooStart } from "../../../assembly/tcp/assembler";
import { Tcb } from "../../../assembly/tcp/tcb";
import { OOO_RANGES } from "../../../assembly/config";
import { freshTcb } from "./fixtures";

// The receive assembler's table: at most OOO_RANGES sorted, disjoint ranges [start, end) of data
// held past RCV.NXT (RFC 9293 3.10.7.4: segments past RCV.NXT are kept for later delivery), each
// stamped by the arrival that last grew it, so SACK blocks go out most recent first (RFC 2018 4).

/** The table holds exactly the ranges in `want` = [s0, e0, s1, e1, …], in this order. */
function holds(t: Tcb, want: u32[]): void {
  expect(t.oooCount).toBe(want.length / 2);
  for (let i = 0; i < t.oooCount; i++) {
    expect(oooStart(t, i)).toBe(want[2 * i]);
    expect(oooEnd(t, i)).toBe(want[2 * i + 1]);
  }
}

/** A table with [100,200) [300,400) [500,600) [700,800), inserted in that order. */
function full(): Tcb {
  const t = freshTcb();
  expect(OOO_RANGES).toBe(4);
  expect(oooInsert(t, 100, 200)).toBe(true);
  expect(oooInsert(t, 300, 400)).toBe(true);
  expect(oooInsert(t, 500, 600)).toBe(true);
  expect(oooInsert(t, 700, 800)).toBe(true);
  return t;
}

describe("receive assembler: oooInsert (RFC 9293 3.10.7.4)", () => {
  it("RFC 9293 3.10.7.4: the first range past a hole is held as is", () => {
    const t = freshTcb();
    expect(oooInsert(t, 100, 200)).toBe(true);
    holds(t, [100, 200]);
  });
  it("RFC 9293 3.10.7.4: disjoint ranges are kept sorted by start, whatever the arrival order", () => {
    const t = freshTcb();
    oooInsert(t, 500, 600);
    oooInsert(t, 100, 200);
    oooInsert(t, 300, 400);
    holds(t, [100, 200, 300, 400, 500, 600]);
  });
  it("RFC 9293 3.10.7.4: an overlapping range merges (on either side)", () => {
    const t = freshTcb();
    oooInsert(t, 100, 200);
    oooInsert(t, 150, 250);
    holds(t, [100, 250]);
    oooInsert(t, 50, 120);
    holds(t, [50, 250]);
  });
  it("RFC 9293 3.10.7.4: an adjacent range merges (on either side)", () => {
    const t = freshTcb();
    oooInsert(t, 100, 200);
    oooInsert(t, 200, 300);
    holds(t, [100, 300]);
    oooInsert(t, 50, 100);
    holds(t, [50, 300]);
  });
  it("RFC 9293 3.10.7.4: a range that fills the gap between two merges all three", () => {
    const t = freshTcb();
    oooInsert(t, 100, 200);
    oooInsert(t, 300, 400);
    oooInsert(t, 500, 600);
    oooInsert(t, 200, 300);                 // touches both neighbours exactly
    holds(t, [100, 400, 500, 600]);
    oooInsert(t, 350, 550);                 // overlaps both neighbours
    holds(t, [100, 600]);
  });
  it("RFC 9293 3.10.7.4: a range covering several swallows them all", () => {
    const t = freshTcb();
    oooInsert(t, 100, 200);
    oooInsert(t, 300, 400);
    oooInsert(t, 500, 600);
    oooInsert(t, 800, 900);
    oooInsert(t, 50, 700);
    holds(t, [50, 700, 800, 900]);
  });
  it("RFC 9293 3.10.7.4: a duplicate changes nothing", () => {
    const t = freshTcb();
    oooInsert(t, 100, 200);
    oooInsert(t, 300, 400);
    expect(oooInsert(t, 100, 200)).toBe(true);
    holds(t, [100, 200, 300, 400]);
    expect(oooBytes(t)).toBe(200);
  });
  it("RFC 9293 3.10.7.4: a range inside an existing one changes nothing", () => {
    const t = freshTcb();
    oooInsert(t, 100, 400);
    expect(oooInsert(t, 200, 300)).toBe(true);
    expect(oooInsert(t, 100, 101)).toBe(true);
    expect(oooInsert(t, 399, 400)).toBe(true);
    holds(t, [100, 400]);
  });
  it("RFC 9293 3.4: ranges around 2^32 sort and merge modulo 2^32", () => {
    const t = freshTcb();
    oooInsert(t, 0x80, 0x100);
    oooInsert(t, 0xffffff00, 0xffffff80);
    holds(t, [0xffffff00, 0xffffff80, 0x80, 0x100]);   // 0xffffff00 comes before 0x80
    oooInsert(t, 0xfffffff0, 0x10);                     // across 0, touching neither
    holds(t, [0xffffff00, 0xffffff80, 0xfffffff0, 0x10, 0x80, 0x100]);
    oooInsert(t, 0xffffff80, 0x80);                     // bridges all three
    holds(t, [0xffffff00, 0x100]);
    expect(oooBytes(t)).toBe(0x200);
  });
  it("RFC 9293 3.4: a range ending exactly at 2^32 touches one starting at 0", () => {
    const t = freshTcb();
    oooInsert(t, 0xffffff00, 0);
    oooInsert(t, 0, 0x100);
    holds(t, [0xffffff00, 0x100]);
  });
});

describe("receive assembler: a full table (OOO_RANGES = 4)", () => {
  it("OOO_RANGES: a fifth disjoint range is refused and nothing changes", () => {
    const t = full();
    const stamp = t.oooStamp;
    expect(oooInsert(t, 900, 1000)).toBe(false);       // above all
    expect(oooInsert(t, 10, 20)).toBe(false);          // below all
    expect(oooInsert(t, 250, 260)).toBe(false);        // between two
    holds(t, [100, 200, 300, 400, 500, 600, 700, 800]);
    expect(t.oooStamp).toBe(stamp);
    expect(oooByRecency(t, 0)).toBe(3);                // [700,800) is still the latest arrival
  });
  it("OOO_RANGES: a range that grows an existing one is still accepted", () => {
    const t = full();
    expect(oooInsert(t, 800, 850)).toBe(true);         // adjacent to the highest
    expect(oooInsert(t, 50, 150)).toBe(true);          // overlaps the lowest
    expect(oooInsert(t, 320, 380)).toBe(true);         // inside one
    holds(t, [50, 200, 300, 400, 500, 600, 700, 850]);
  });
  it("OOO_RANGES: a range that bridges two frees a slot for the next disjoint one", () => {
    const t = full();
    expect(oooInsert(t, 200, 300)).toBe(true);
    holds(t, [100, 400, 500, 600, 700, 800]);
    expect(oooInsert(t, 900, 1000)).toBe(true);
    holds(t, [100, 400, 500, 600, 700, 800, 900, 1000]);
  });
});

describe("receive assembler: oooRemove, oooBytes", () => {
  it("oooRemove drops range i and keeps the rest in order", () => {
    const t = full();
    oooRemove(t, 1);
    holds(t, [100, 200, 500, 600, 700, 800]);
    oooRemove(t, 0);
    holds(t, [500, 600, 700, 800]);
    oooRemove(t, 1);
    holds(t, [500, 600]);
  });
  it("oooRemove ignores an index outside the table", () => {
    const t = full();
    oooRemove(t, -1);
    oooRemove(t, 4);
    holds(t, [100, 200, 300, 400, 500, 600, 700, 800]);
  });
  it("oooRemove of the last range empties the table and restarts the stamps", () => {
    const t = freshTcb();
    oooInsert(t, 100, 200);
    oooInsert(t, 300, 400);
    oooRemove(t, 0);
    expect(t.oooStamp).not.toBe(0);
    oooRemove(t, 0);
    expect(t.oooCount).toBe(0);
    expect(t.oooStamp).toBe(0);
    expect(oooBytes(t)).toBe(0);
  });
  it("oooBytes sums the held ranges (0 when empty)", () => {
    const t = freshTcb();
    expect(oooBytes(t)).toBe(0);
    oooInsert(t, 100, 200);
    oooInsert(t, 300, 450);
    oooInsert(t, 0xfffffff0, 0x10);
    expect(oooBytes(t)).toBe(100 + 150 + 0x20);
  });
});

describe("receive assembler: oooByRecency (RFC 2018 4)", () => {
  it("RFC 2018 4: rank 0 is the latest arrival, then by recency; -1 past the count", () => {
    const t = freshTcb();
    oooInsert(t, 300, 400);   // B
    oooInsert(t, 100, 200);   // A
    oooInsert(t, 500, 600);   // C
    // sorted: A(0) B(1) C(2); arrival order B, A, C
    expect(oooByRecency(t, 0)).toBe(2);
    expect(oooByRecency(t, 1)).toBe(0);
    expect(oooByRecency(t, 2)).toBe(1);
    expect(oooByRecency(t, 3)).toBe(-1);
    expect(oooByRecency(t, -1)).toBe(-1);
  });
  it("RFC 2018 4: growing a range makes it the most recent", () => {
    const t = freshTcb();
    oooInsert(t, 100, 200);   // A
    oooInsert(t, 300, 400);   // B
    oooInsert(t, 500, 600);   // C
    oooInsert(t, 200, 250);   // A grows
    expect(oooByRecency(t, 0)).toBe(0);
    expect(oooByRecency(t, 1)).toBe(2);
    expect(oooByRecency(t, 2)).toBe(1);
  });
  it("RFC 2018 4: a duplicate arrival makes its range the first block (it holds the triggering segment)", () => {
    const t = freshTcb();
    oooInsert(t, 100, 200);
    oooInsert(t, 300, 400);
    oooInsert(t, 120, 180);
    expect(oooByRecency(t, 0)).toBe(0);
    expect(oooByRecency(t, 1)).toBe(1);
  });
  it("RFC 2018 4: a merge of two ranges is the most recent; the others keep their order", () => {
    const t = freshTcb();
    oooInsert(t, 700, 800);   // D
    oooInsert(t, 100, 200);   // A
    oooInsert(t, 300, 400);   // B
    oooInsert(t, 500, 600);   // C
    oooInsert(t, 150, 350);   // A+B
    // sorted: AB(0) C(1) D(2); recency AB, C, D
    expect(oooByRecency(t, 0)).toBe(0);
    expect(oooByRecency(t, 1)).toBe(1);
    expect(oooByRecency(t, 2)).toBe(2);
    expect(oooByRecency(t, 3)).toBe(-1);
  });
  it("RFC 2018 4: a refused insert does not change the order", () => {
    const t = full();
    oooInsert(t, 900, 1000);
    expect(oooByRecency(t, 0)).toBe(3);
    expect(oooByRecency(t, 1)).toBe(2);
    expect(oooByRecency(t, 2)).toBe(1);
    expect(oooByRecency(t, 3)).toBe(0);
  });
  it("RFC 2018 4: an empty table has no rank 0", () => {
    const t = freshTcb();
    expect(oooByRecency(t, 0)).toBe(-1);
  });
});
