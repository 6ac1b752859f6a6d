import {
  sackEnd, sackFirstLost, sackInsert, sackPipe, sackStart, sackTrim, sackUpdate, sackedBytes,
} from "../../../assembly/tcp/sack";
import { Tcb } from "../../../assembly/tcp/tcb";
import { seg, opts } from "../../../assembly/tcp/segment";
import { sackBlock } from "../../../assembly/wire/tcp";
import { SACK_RANGES } from "../../../assembly/config";
import { freshTcb } from "./fixtures";

// The sender's SACK scoreboard (RFC 2018, RFC 6675): at most SACK_RANGES sorted, disjoint ranges
// above SND.UNA. IsLost (RFC 6675 4) with DupThresh = 3: DupThresh SACKed blocks, or more than
// (DupThresh − 1)·SMSS SACKed bytes, above a hole. SMSS is 1000 here for round numbers.

/** The scoreboard holds exactly `want` = [s0, e0, s1, e1, …], in this order. */
function holds(t: Tcb, want: u32[]): void {
  expect(t.sackCount).toBe(want.length / 2);
  for (let i = 0; i < t.sackCount; i++) {
    expect(sackStart(t, i)).toBe(want[2 * i]);
    expect(sackEnd(t, i)).toBe(want[2 * i + 1]);
  }
}

/** SND.UNA = una, SND.MAX = max, SMSS = 1000, nothing retransmitted (HighRxt = SND.UNA). */
function sender(una: u32, max: u32): Tcb {
  const t = freshTcb();
  t.sndUna = una; t.sndNxt = max; t.sndMax = max;
  t.mss = 1000;
  t.highRxt = una;
  return t;
}

/** The arriving ACK: SEG.ACK = ack, SACK option blocks [l0, r0, l1, r1, …] (at most 4). */
function ackWith(ack: u32, blocks: u32[]): void {
  seg.ack = ack;
  opts.sackCount = blocks.length / 2;
  for (let b = 0; b < opts.sackCount; b++) {
    store<u32>(sackBlock(b), blocks[2 * b]);
    store<u32>(sackBlock(b), blocks[2 * b + 1], 4);
  }
}

/** A full scoreboard: [100,200) [300,400) [500,600) [700,800). */
function full(): Tcb {
  const t = sender(0, 10000);
  expect(SACK_RANGES).toBe(4);
  sackInsert(t, 100, 200);
  sackInsert(t, 300, 400);
  sackInsert(t, 500, 600);
  sackInsert(t, 700, 800);
  return t;
}

// @ts-ignore: decorator
@inline const U: u32 = 10000;   // SND.UNA of the SetPipe vectors

describe("SACK scoreboard: sackInsert (RFC 6675 Update)", () => {
  it("RFC 6675 3: blocks are kept sorted by start, whatever the arrival order", () => {
    const t = sender(0, 10000);
    sackInsert(t, 500, 600);
    sackInsert(t, 100, 200);
    sackInsert(t, 300, 400);
    holds(t, [100, 200, 300, 400, 500, 600]);
  });
  it("RFC 6675 3: overlapping and adjacent blocks merge", () => {
    const t = sender(0, 10000);
    sackInsert(t, 100, 200);
    sackInsert(t, 150, 250);                // overlap
    holds(t, [100, 250]);
    sackInsert(t, 250, 300);                // adjacent above
    sackInsert(t, 50, 100);                 // adjacent below
    holds(t, [50, 300]);
    sackInsert(t, 120, 130);                // inside: nothing changes
    holds(t, [50, 300]);
  });
  it("RFC 6675 3: a block that fills the gap between two merges all three", () => {
    const t = sender(0, 10000);
    sackInsert(t, 100, 200);
    sackInsert(t, 300, 400);
    sackInsert(t, 500, 600);
    sackInsert(t, 200, 300);
    holds(t, [100, 400, 500, 600]);
    sackInsert(t, 50, 700);
    holds(t, [50, 700]);
  });
  it("RFC 9293 3.4: blocks around 2^32 sort and merge modulo 2^32", () => {
    const t = sender(0xfffff000, 0x1000);
    sackInsert(t, 0x80, 0x100);
    sackInsert(t, 0xffffff00, 0xffffff80);
    holds(t, [0xffffff00, 0xffffff80, 0x80, 0x100]);
    sackInsert(t, 0xffffff80, 0x80);
    holds(t, [0xffffff00, 0x100]);
    expect(sackedBytes(t)).toBe(0x200);
  });
});

describe("SACK scoreboard: a full table (SACK_RANGES = 4)", () => {
  it("SACK_RANGES: when full, a new block above all others is ignored", () => {
    const t = full();
    sackInsert(t, 900, 1000);
    holds(t, [100, 200, 300, 400, 500, 600, 700, 800]);
  });
  it("SACK_RANGES: when full, a new block below the highest makes the highest be forgotten", () => {
    const t = full();
    sackInsert(t, 10, 20);
    holds(t, [10, 20, 100, 200, 300, 400, 500, 600]);
    sackInsert(t, 450, 470);                // between two: [500,600) is now the highest, and goes
    holds(t, [10, 20, 100, 200, 300, 400, 450, 470]);
  });
  it("SACK_RANGES: when full, a block that grows an existing one is merged, nothing is forgotten", () => {
    const t = full();
    sackInsert(t, 750, 900);                // extends the highest
    holds(t, [100, 200, 300, 400, 500, 600, 700, 900]);
    sackInsert(t, 50, 100);                 // extends the lowest
    holds(t, [50, 200, 300, 400, 500, 600, 700, 900]);
  });
  it("SACK_RANGES: when full, a block bridging two merges them and frees a slot", () => {
    const t = full();
    sackInsert(t, 200, 300);
    holds(t, [100, 400, 500, 600, 700, 800]);
    sackInsert(t, 900, 1000);
    holds(t, [100, 400, 500, 600, 700, 800, 900, 1000]);
  });
});

describe("SACK scoreboard: sackTrim, sackedBytes", () => {
  it("RFC 6675 5.1: SND.UNA moving up drops the blocks below it and clips one it splits", () => {
    const t = sender(0, 1000);
    sackInsert(t, 100, 200);
    sackInsert(t, 300, 500);
    sackInsert(t, 600, 700);
    t.sndUna = 400;
    sackTrim(t);
    holds(t, [400, 500, 600, 700]);
  });
  it("RFC 6675 5.1: a block ending exactly at SND.UNA is dropped", () => {
    const t = sender(0, 1000);
    sackInsert(t, 100, 200);
    sackInsert(t, 300, 500);
    t.sndUna = 200;
    sackTrim(t);
    holds(t, [300, 500]);
    t.sndUna = 500;
    sackTrim(t);
    holds(t, []);
  });
  it("RFC 6675 5.1: SND.UNA below every block trims nothing", () => {
    const t = sender(0, 1000);
    sackInsert(t, 100, 200);
    sackInsert(t, 300, 400);
    t.sndUna = 100;
    sackTrim(t);
    holds(t, [100, 200, 300, 400]);
  });
  it("RFC 6675 5.1: SND.UNA past every block empties the scoreboard", () => {
    const t = sender(0, 1000);
    sackInsert(t, 100, 200);
    sackInsert(t, 300, 400);
    t.sndUna = 900;
    sackTrim(t);
    holds(t, []);
    expect(sackedBytes(t)).toBe(0);
  });
  it("RFC 9293 3.4: trimming works across 2^32", () => {
    const t = sender(0xfffff000, 0x1000);
    sackInsert(t, 0xffffff00, 0xffffff80);
    sackInsert(t, 0xfffffff0, 0x20);
    sackInsert(t, 0x40, 0x80);
    t.sndUna = 0x10;
    sackTrim(t);
    holds(t, [0x10, 0x20, 0x40, 0x80]);
  });
  it("RFC 6675 4: sackedBytes sums the blocks", () => {
    const t = sender(0, 10000);
    expect(sackedBytes(t)).toBe(0);
    sackInsert(t, 100, 200);
    sackInsert(t, 300, 450);
    sackInsert(t, 1000, 3000);
    expect(sackedBytes(t)).toBe(100 + 150 + 2000);
  });
});

describe("SACK: IsLost(SND.UNA) (RFC 6675 4)", () => {
  it("RFC 6675 4: nothing SACKed, nothing lost", () => {
    const t = sender(U, U + 10000);
    expect(sackFirstLost(t)).toBe(false);
  });
  it("RFC 6675 4: exactly (DupThresh − 1)·SMSS = 2000 bytes SACKed is not yet a loss; 2001 is", () => {
    const t = sender(U, U + 10000);
    sackInsert(t, U + 1000, U + 3000);
    expect(sackFirstLost(t)).toBe(false);
    sackInsert(t, U + 3000, U + 3001);
    expect(sackFirstLost(t)).toBe(true);
  });
  it("RFC 6675 4: the byte threshold scales with SMSS", () => {
    const t = sender(U, U + 10000);
    sackInsert(t, U + 1000, U + 3001);
    expect(sackFirstLost(t)).toBe(true);
    t.mss = 1001;                           // 2001 bytes ≤ 2 · 1001
    expect(sackFirstLost(t)).toBe(false);
  });
  it("RFC 6675 4: DupThresh = 3 discontiguous blocks make a loss, however small", () => {
    const t = sender(U, U + 10000);
    sackInsert(t, U + 1000, U + 1001);
    sackInsert(t, U + 2000, U + 2001);
    expect(sackFirstLost(t)).toBe(false);   // 2 blocks, 2 bytes
    sackInsert(t, U + 3000, U + 3001);
    expect(sackFirstLost(t)).toBe(true);    // 3 blocks, 3 bytes
  });
});

describe("SACK: SetPipe (RFC 6675 4)", () => {
  it("RFC 6675 4 SetPipe: no SACK blocks, nothing retransmitted: pipe = SND.MAX − SND.UNA", () => {
    const t = sender(U, U + 5000);
    expect(sackPipe(t)).toBe(5000);
  });
  it("RFC 6675 4 SetPipe: a hole that is not lost counts (one block, ≤ 2·SMSS above)", () => {
    const t = sender(U, U + 5000);
    sackInsert(t, U + 1000, U + 2000);
    expect(sackPipe(t)).toBe(1000 + 3000);  // hole [U, U+1000) + tail [U+2000, U+5000)
    const u = sender(U, U + 5000);
    sackInsert(u, U + 1000, U + 3000);      // exactly 2·SMSS above: still not lost
    expect(sackPipe(u)).toBe(1000 + 2000);
  });
  it("RFC 6675 4 SetPipe: a hole lost by bytes (> 2·SMSS above) does not count", () => {
    const t = sender(U, U + 4000);
    sackInsert(t, U + 1000, U + 3001);
    expect(sackPipe(t)).toBe(999);          // the tail only
  });
  it("RFC 6675 4 SetPipe: IsLost is decided per hole (3 blocks: only the first hole is lost)", () => {
    // holes [U, U+1000) (3 blocks above: lost), [U+2000, U+3000) (2 blocks, 2000 bytes: not),
    // [U+4000, U+5000) (1 block: not); tail [U+6000, U+8000)
    const t = sender(U, U + 8000);
    sackInsert(t, U + 1000, U + 2000);
    sackInsert(t, U + 3000, U + 4000);
    sackInsert(t, U + 5000, U + 6000);
    expect(sackPipe(t)).toBe(0 + 1000 + 1000 + 2000);
  });
  it("RFC 6675 4 SetPipe: a hole lost by bytes with two blocks above", () => {
    const t = sender(U, U + 5000);
    sackInsert(t, U + 1000, U + 2500);      // 2500 bytes above hole 0: lost
    sackInsert(t, U + 3000, U + 4000);      // 1000 above hole 1: not lost
    expect(sackPipe(t)).toBe(0 + 500 + 1000);
  });
  it("RFC 6675 4 SetPipe: retransmitted bytes of a lost hole count (once), up to HighRxt", () => {
    const t = sender(U, U + 8000);
    sackInsert(t, U + 1000, U + 2000);
    sackInsert(t, U + 3000, U + 4000);
    sackInsert(t, U + 5000, U + 6000);
    t.highRxt = U + 500;
    expect(sackPipe(t)).toBe(500 + 1000 + 1000 + 2000);
    t.highRxt = U + 1000;
    expect(sackPipe(t)).toBe(1000 + 1000 + 1000 + 2000);
    t.highRxt = U + 1500;                   // inside a SACKed block: hole 0 is all resent
    expect(sackPipe(t)).toBe(1000 + 1000 + 1000 + 2000);
  });
  it("RFC 6675 4 SetPipe: a retransmitted byte of a hole that is not lost counts twice", () => {
    const t = sender(U, U + 8000);
    sackInsert(t, U + 1000, U + 2000);
    sackInsert(t, U + 3000, U + 4000);
    sackInsert(t, U + 5000, U + 6000);
    t.highRxt = U + 2500;                   // hole 0 resent, half of hole 1 resent
    expect(sackPipe(t)).toBe(1000 + (1000 + 500) + 1000 + 2000);
  });
  it("RFC 6675 4 SetPipe: a HighRxt below SND.UNA means nothing retransmitted", () => {
    const t = sender(U, U + 8000);
    sackInsert(t, U + 1000, U + 2000);
    sackInsert(t, U + 3000, U + 4000);
    sackInsert(t, U + 5000, U + 6000);
    t.highRxt = U - 500;
    expect(sackPipe(t)).toBe(4000);
  });
  it("RFC 6675 4 SetPipe: the tail above the highest block always counts", () => {
    const t = sender(U, U + 20000);
    sackInsert(t, U + 1000, U + 2000);
    sackInsert(t, U + 3000, U + 4000);
    sackInsert(t, U + 5000, U + 9000);      // every hole lost
    expect(sackPipe(t)).toBe(11000);        // [U+9000, U+20000)
  });
  it("RFC 6675 4 SetPipe: retransmitted bytes above the highest block count twice", () => {
    // SetPipe (b): every unSACKed octet at or below HighRxt counts once more, also in the tail
    const t = sender(U, U + 5000);
    t.highRxt = U + 1000;                   // one segment resent, no SACK information
    expect(sackPipe(t)).toBe(5000 + 1000);
    const u = sender(U, U + 5000);
    sackInsert(u, U + 1000, U + 2000);
    u.highRxt = U + 3000;                   // hole 0 and [U+2000, U+3000) of the tail resent
    expect(sackPipe(u)).toBe((1000 + 1000) + (3000 + 1000));
  });
  it("RFC 9293 3.4: SetPipe across 2^32", () => {
    const una: u32 = 0xfffffc18;            // 2^32 − 1000
    const t = sender(una, una + 8000);
    sackInsert(t, una + 1000, una + 2000);
    sackInsert(t, una + 3000, una + 4000);
    sackInsert(t, una + 5000, una + 6000);
    t.highRxt = una + 2500;
    expect(sackPipe(t)).toBe(5500);
  });
});

describe("SACK: sackUpdate takes the option's blocks (RFC 2018, RFC 6675 Update)", () => {
  it("RFC 2018 3: valid blocks above SEG.ACK and within SND.MAX enter the scoreboard", () => {
    const t = sender(1000, 10000);
    ackWith(1000, [5000, 6000, 2000, 3000]);
    sackUpdate(t);
    holds(t, [2000, 3000, 5000, 6000]);
  });
  it("RFC 2883 4: a D-SACK block (below SEG.ACK) is ignored", () => {
    const t = sender(1000, 10000);
    ackWith(1000, [500, 800, 2000, 3000]);
    sackUpdate(t);
    holds(t, [2000, 3000]);
    const u = sender(1000, 10000);
    ackWith(4000, [2000, 3000, 5000, 6000]);    // the ACK moved past the first block
    sackUpdate(u);
    holds(u, [5000, 6000]);
  });
  it("RFC 6675 Update: a block that starts below SEG.ACK is ignored even if it reaches above", () => {
    const t = sender(1000, 10000);
    ackWith(1000, [900, 1500]);
    sackUpdate(t);
    holds(t, []);
  });
  it("RFC 6675 Update: a block beyond SND.MAX (never sent) is ignored; one ending at SND.MAX is taken", () => {
    const t = sender(1000, 10000);
    ackWith(1000, [9000, 10001]);
    sackUpdate(t);
    holds(t, []);
    ackWith(1000, [9000, 10000]);
    sackUpdate(t);
    holds(t, [9000, 10000]);
  });
  it("RFC 2018 3: an empty or inverted block is ignored", () => {
    const t = sender(1000, 10000);
    ackWith(1000, [3000, 3000, 4000, 3500]);
    sackUpdate(t);
    holds(t, []);
  });
  it("RFC 6675 Update: blocks of one option merge with each other and with the scoreboard", () => {
    const t = sender(1000, 10000);
    sackInsert(t, 7000, 8000);
    ackWith(1000, [2000, 3000, 3000, 4000, 6000, 7000]);
    sackUpdate(t);
    holds(t, [2000, 4000, 6000, 8000]);
  });
  it("RFC 6675 Update: without a SACK option nothing changes", () => {
    const t = sender(1000, 10000);
    sackInsert(t, 2000, 3000);
    ackWith(1000, []);
    sackUpdate(t);
    holds(t, [2000, 3000]);
  });
  it("RFC 9293 3.4: sackUpdate compares edges modulo 2^32", () => {
    const t = sender(0xfffff000, 0x1000);
    ackWith(0xfffff000, [0xfffff800, 0x800, 0x800, 0x1001, 0xffffe000, 0xfffff400]);
    sackUpdate(t);
    holds(t, [0xfffff800, 0x800]);
  });
});
