import { rttAcked, rttSample, rtoFrom } from "../../../assembly/tcp/rtt";
import { backoff } from "../../../assembly/tcp/timers";
import { Tcb, TF } from "../../../assembly/tcp/tcb";
import { opts } from "../../../assembly/tcp/segment";
import { RTO_MAX_MS, RTO_MIN_MS } from "../../../assembly/config";
import { freshTcb } from "./fixtures";

// RFC 6298 with K = 4, alpha = 1/8, beta = 1/4 and a clock granularity G of 1 ms. The estimator
// keeps srtt8 = SRTT × 8 and rttvar4 = RTTVAR × 4 (ms), so SRTT = srtt8 >> 3, RTTVAR = rttvar4 >> 2
// and K·RTTVAR = rttvar4. The expected values below are worked out by hand from the RFC formulas.

function srtt(t: Tcb): u32 { return t.srtt8 >> 3; }
function rttvar(t: Tcb): u32 { return t.rttvar4 >> 2; }

/** A TCB that negotiated timestamps, with our TS clock = now + OFF. */
// @ts-ignore: decorator
@inline const OFF: u32 = 0x10000000;
function tsTcb(): Tcb {
  const t = freshTcb();
  t.flags |= TF.TS_OK;
  t.tsOffset = OFF;
  opts.hasTs = true;
  return t;
}

describe("RTT estimator (RFC 6298 2)", () => {
  it("RFC 6298 2.2: the first sample R gives SRTT = R, RTTVAR = R/2, RTO = SRTT + 4·RTTVAR", () => {
    const t = freshTcb();
    rttSample(t, 100);
    expect(srtt(t)).toBe(100);
    expect(rttvar(t)).toBe(50);
    expect(t.rttvar4).toBe(200);          // 4 · 50
    expect(t.rto).toBe(300);              // 100 + 4 · 50
  });
  it("RFC 6298 2.2: an odd first sample keeps RTTVAR's half millisecond (R = 101: RTTVAR = 50.5)", () => {
    const t = freshTcb();
    rttSample(t, 101);
    expect(srtt(t)).toBe(101);
    expect(t.rttvar4).toBe(202);          // 4 · 50.5
    expect(t.rto).toBe(303);
  });
  it("RFC 6298 2.3: a second sample updates RTTVAR with the old SRTT, then SRTT (100, 200)", () => {
    const t = freshTcb();
    rttSample(t, 100);
    rttSample(t, 200);
    // RTTVAR = 3/4 · 50 + 1/4 · |100 − 200| = 62.5 (with the new SRTT 112.5 it would be 59.375)
    expect(t.rttvar4).toBe(250);
    expect(rttvar(t)).toBe(62);
    // SRTT = 7/8 · 100 + 1/8 · 200 = 112.5
    expect(srtt(t)).toBe(112);
    expect(t.rto).toBe(362);              // 112 + 4 · 62.5
  });
  it("RFC 6298 2.3: a sample equal to SRTT leaves SRTT and shrinks RTTVAR by a quarter", () => {
    const t = freshTcb();
    rttSample(t, 100);
    rttSample(t, 100);
    expect(srtt(t)).toBe(100);
    expect(t.rttvar4).toBe(150);          // RTTVAR = 3/4 · 50 = 37.5
    expect(t.rto).toBe(250);
  });
  it("RFC 6298 2.3: a smaller sample moves SRTT down by 1/8 of the difference (100, 20)", () => {
    const t = freshTcb();
    rttSample(t, 100);
    rttSample(t, 20);
    expect(srtt(t)).toBe(90);             // 7/8 · 100 + 1/8 · 20
    expect(t.rttvar4).toBe(230);          // RTTVAR = 37.5 + 80 / 4 = 57.5
    expect(t.rto).toBe(320);
  });
  it("RFC 6298 2.2: a zero-ms sample still counts as measured; the next one is a 2.3 update", () => {
    const t = freshTcb();
    rttSample(t, 0);
    expect(t.srtt8).not.toBe(0);          // "measured" although SRTT = 0
    expect(srtt(t)).toBe(0);
    expect(t.rttvar4).toBe(0);
    expect(t.rto).toBe(RTO_MIN_MS);
    rttSample(t, 800);
    // 2.3: SRTT = 1/8 · 800 = 100, RTTVAR = 1/4 · 800 = 200 (a second 2.2 would give 800 / 400)
    expect(srtt(t)).toBe(100);
    expect(t.rttvar4).toBe(800);
    expect(t.rto).toBe(900);
  });
  it("RFC 6298 2.4: an RTO below RTO_MIN_MS (200 ms) is rounded up to it", () => {
    const t = freshTcb();
    rttSample(t, 10);                     // 10 + 4 · 5 = 30
    expect(srtt(t)).toBe(10);
    expect(t.rto).toBe(RTO_MIN_MS);
    expect(RTO_MIN_MS).toBe(200);
  });
  it("RFC 6298 2.5: an RTO above RTO_MAX_MS (60 s) is capped", () => {
    const t = freshTcb();
    rttSample(t, 30000);                  // 30000 + 4 · 15000 = 90000
    expect(srtt(t)).toBe(30000);
    expect(t.rto).toBe(RTO_MAX_MS);
    expect(RTO_MAX_MS).toBe(60000);
  });
  it("RFC 6298 2.3: a series of 10 samples matches the fixed-point reference and the exact RFC values", () => {
    const t = freshTcb();
    const r: u32[] = [100, 120, 80, 300, 90, 95, 1000, 50, 60, 70];
    // hand-computed fixed-point trace (srtt8, rttvar4, rto) of rtt.ts's integer arithmetic
    const s8: u32[] = [801, 821, 799, 1000, 965, 940, 1823, 1646, 1501, 1384];
    const v4: u32[] = [200, 170, 150, 314, 271, 229, 1055, 969, 872, 771];
    const rto: u32[] = [300, 272, 249, 439, 391, 346, 1282, 1174, 1059, 944];
    // reference: the same integer arithmetic, written out here
    let rs8: u32 = 0, rv4: u32 = 0;
    // exact RFC 6298 values in floating point
    let fs: f64 = 0, fv: f64 = 0;
    for (let i = 0; i < r.length; i++) {
      rttSample(t, r[i]);
      if (i == 0) {
        rs8 = (r[i] << 3) | 1; rv4 = r[i] << 1;
        fs = <f64>r[i]; fv = fs / 2;
      } else {
        const s = rs8 >> 3;
        rv4 = rv4 - (rv4 >> 2) + (r[i] > s ? r[i] - s : s - r[i]);
        rs8 = rs8 - s + r[i];
        fv = 0.75 * fv + 0.25 * Math.abs(fs - <f64>r[i]);
        fs = 0.875 * fs + 0.125 * <f64>r[i];
      }
      let ro = (rs8 >> 3) + (rv4 > 1 ? rv4 : 1);
      if (ro < RTO_MIN_MS) ro = RTO_MIN_MS;
      if (ro > RTO_MAX_MS) ro = RTO_MAX_MS;
      expect(t.srtt8).toBe(rs8);
      expect(t.rttvar4).toBe(rv4);
      expect(t.rto).toBe(ro);
      expect(t.srtt8).toBe(s8[i]);
      expect(t.rttvar4).toBe(v4[i]);
      expect(t.rto).toBe(rto[i]);
      // the fixed point stays within a millisecond of SRTT and RTTVAR, so RTO within 5 ms
      expect(Math.abs(<f64>t.srtt8 / 8 - fs)).toBeLessThan(1);
      expect(Math.abs(<f64>t.rttvar4 / 4 - fv)).toBeLessThan(1);
      expect(Math.abs(<f64>t.rto - (fs + 4 * fv))).toBeLessThan(5);
    }
  });
});

describe("RTO formula (RFC 6298 2.3–2.5)", () => {
  it("RFC 6298 2.3: RTO = SRTT + max(G, 4·RTTVAR) with G = 1 ms", () => {
    expect(rtoFrom(500, 400)).toBe(900);
    expect(rtoFrom(500, 2)).toBe(502);
    expect(rtoFrom(500, 1)).toBe(501);
    expect(rtoFrom(500, 0)).toBe(501);    // RTTVAR = 0: the granularity term still adds 1 ms
  });
  it("RFC 6298 2.4: rtoFrom rounds anything below 200 ms up to RTO_MIN_MS", () => {
    expect(rtoFrom(0, 0)).toBe(200);
    expect(rtoFrom(100, 50)).toBe(200);
    expect(rtoFrom(199, 0)).toBe(200);
    expect(rtoFrom(199, 1)).toBe(200);
    expect(rtoFrom(199, 2)).toBe(201);
  });
  it("RFC 6298 2.5: rtoFrom caps at RTO_MAX_MS", () => {
    expect(rtoFrom(40000, 19999)).toBe(59999);
    expect(rtoFrom(59999, 1)).toBe(60000);
    expect(rtoFrom(59999, 2)).toBe(60000);
    expect(rtoFrom(60000, 60000)).toBe(60000);
    expect(rtoFrom(1000000, 0)).toBe(60000);
  });
});

describe("backoff (RFC 6298 5.5)", () => {
  it("RFC 6298 5.5: each expiry doubles the RTO, 200 → 400 → … → 51200 → 60000", () => {
    const t = freshTcb();
    t.rto = 200;
    const want: u32[] = [400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 60000];
    for (let i = 0; i < want.length; i++) {
      backoff(t);
      expect(t.rto).toBe(want[i]);
    }
  });
  it("RFC 6298 5.5 / 2.5: the backed-off RTO stops at RTO_MAX_MS and stays there", () => {
    const t = freshTcb();
    t.rto = 1000;                                         // RTO_INITIAL_MS
    const want: u32[] = [2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000];
    for (let i = 0; i < want.length; i++) {
      backoff(t);
      expect(t.rto).toBe(want[i]);                        // 32000 → 60000, not 64000
    }
  });
  it("RFC 6298 5.5: around RTO_MAX_MS / 2 a doubling that would pass 60 s gives exactly 60 s", () => {
    const t = freshTcb();
    t.rto = 29999; backoff(t); expect(t.rto).toBe(59998);
    t.rto = 30000; backoff(t); expect(t.rto).toBe(60000);
    t.rto = 30001; backoff(t); expect(t.rto).toBe(60000);
    t.rto = 60000; backoff(t); expect(t.rto).toBe(60000);
  });
  it("RFC 6298 5.7: a new sample after backoff replaces the backed-off RTO", () => {
    const t = freshTcb();
    t.rto = 200;
    for (let i = 0; i < 12; i++) backoff(t);
    expect(t.rto).toBe(60000);
    rttSample(t, 100);
    expect(t.rto).toBe(300);
  });
});

describe("rttAcked: Karn's algorithm (RFC 6298 3)", () => {
  it("RFC 6298 3 (Karn): no sample when the timed segment was retransmitted (RTT_TIMING clear)", () => {
    const t = freshTcb();
    t.rto = 1000;
    t.rttSeq = 2000; t.rttAt = 5000;      // timing was dropped on the retransmission
    rttAcked(t, 3000, 5100);
    expect(t.srtt8).toBe(0);
    expect(t.rto).toBe(1000);
  });
  it("RFC 6298 2.2: no sample from an ACK below the timed segment; timing goes on", () => {
    const t = freshTcb();
    t.rto = 1000;
    t.rttSeq = 2000; t.rttAt = 5000; t.flags |= TF.RTT_TIMING;
    rttAcked(t, 1999, 5100);
    expect(t.srtt8).toBe(0);
    expect(t.rto).toBe(1000);
    expect(t.flags & TF.RTT_TIMING).toBe(TF.RTT_TIMING);
  });
  it("RFC 6298 2.2: an ACK covering the timed segment samples now − rttAt and stops the timing", () => {
    const t = freshTcb();
    t.rttSeq = 2000; t.rttAt = 5000; t.flags |= TF.RTT_TIMING;
    rttAcked(t, 2000, 5150);
    expect(srtt(t)).toBe(150);
    expect(t.rto).toBe(450);
    expect(t.flags & TF.RTT_TIMING).toBe(0);
    rttAcked(t, 3000, 9000);              // a later ACK, nothing timed: no second sample
    expect(srtt(t)).toBe(150);
    expect(t.rto).toBe(450);
  });
  it("RFC 6298 2.2: an ACK past the timed segment samples too", () => {
    const t = freshTcb();
    t.rttSeq = 2000; t.rttAt = 5000; t.flags |= TF.RTT_TIMING;
    rttAcked(t, 2500, 5080);
    expect(srtt(t)).toBe(80);
    expect(t.flags & TF.RTT_TIMING).toBe(0);
  });
  it("RFC 9293 3.4 / RFC 6298 2.2: coverage and elapsed time are taken modulo 2^32", () => {
    const t = freshTcb();
    t.rttSeq = 0xfffffff0; t.rttAt = 0xffffff00; t.flags |= TF.RTT_TIMING;
    rttAcked(t, 0xffffffe0, 0x10);        // below rttSeq
    expect(t.srtt8).toBe(0);
    rttAcked(t, 0x10, 0x50);              // 0x10 is after 0xfffffff0; 0x50 − 0xffffff00 = 0x150
    expect(srtt(t)).toBe(0x150);
  });
});

describe("rttAcked with timestamps (RFC 7323 4.1)", () => {
  it("RFC 7323 4.1: the sample is now + tsOffset − TSecr", () => {
    const t = tsTcb();
    opts.tsEcr = OFF + 4800;
    rttAcked(t, 3000, 5000);
    expect(srtt(t)).toBe(200);
    expect(t.rto).toBe(600);
  });
  it("RFC 7323 4.1: a timed segment is sampled by its echo and the timing stops", () => {
    const t = tsTcb();
    t.rttSeq = 2000; t.rttAt = 4000; t.flags |= TF.RTT_TIMING;   // rttAt is not what is measured
    opts.tsEcr = OFF + 4900;
    rttAcked(t, 2000, 5000);
    expect(srtt(t)).toBe(100);
    expect(t.flags & TF.RTT_TIMING).toBe(0);
  });
  it("RFC 7323 4.1: while a segment is timed, an ACK below it gives no sample even with a fresh echo", () => {
    const t = tsTcb();
    t.rttSeq = 2000; t.rttAt = 4000; t.flags |= TF.RTT_TIMING;
    opts.tsEcr = OFF + 4900;
    rttAcked(t, 1500, 5000);
    expect(t.srtt8).toBe(0);
    expect(t.flags & TF.RTT_TIMING).toBe(TF.RTT_TIMING);
  });
  it("RFC 7323 4.1 / Karn: an echo older than our last retransmission gives no sample", () => {
    const t = tsTcb();
    t.rto = 1000;
    t.rtxTs = OFF + 4500;                 // retransmitted at 4500 ms
    t.flags |= TF.RESENT;
    opts.tsEcr = OFF + 4400;              // echo of the original, sent at 4400 ms
    rttAcked(t, 3000, 5000);
    expect(t.srtt8).toBe(0);
    expect(t.rto).toBe(1000);
  });
  it("RFC 7323 4.1: an echo as new as the last retransmission gives a sample", () => {
    const t = tsTcb();
    t.rtxTs = OFF + 4500;
    opts.tsEcr = OFF + 4500;
    rttAcked(t, 3000, 5000);
    expect(srtt(t)).toBe(500);
    const u = tsTcb();
    u.rtxTs = OFF + 4500;
    opts.tsEcr = OFF + 4501;
    rttAcked(u, 3000, 5000);
    expect(srtt(u)).toBe(499);
  });
  it("RFC 7323 4.1: TSecr and the retransmission stamp compare modulo 2^32", () => {
    const t = tsTcb();
    t.tsOffset = 0xfffff000;              // our TS clock wraps: now 0x2000 → TSval 0x1000
    t.rtxTs = 0xffffff00;                 // retransmitted just before the wrap
    t.flags |= TF.RESENT;
    opts.tsEcr = 0xfffffe00;              // older echo
    rttAcked(t, 3000, 0x2000);
    expect(t.srtt8).toBe(0);
    opts.tsEcr = 0x100;                   // newer echo, after the wrap
    rttAcked(t, 3000, 0x2000);
    expect(srtt(t)).toBe(0xf00);
  });
  // rtxTs is compared modulo 2^32: it is consulted only while TF.RESENT says a retransmission happened
  // since the last sample, so a stamp 2^31 ms old never makes every echo look older than it.
  it("RFC 7323 4.1: an echo newer than the last retransmission still samples 2^31 ms (24.9 days) later", () => {
    // a long-lived connection: retransmitted once at 1 s, nothing lost since; the echo of a segment
    // sent at now − 100 ms is newer than that retransmission, whatever the modular distance
    const t = tsTcb();
    t.tsOffset = 0;
    t.rtxTs = 1000;
    t.flags |= TF.RESENT;
    opts.tsEcr = 1000;                    // the retransmission's ACK: a sample, and RESENT clears
    rttAcked(t, 3000, 1100);
    expect(t.flags & TF.RESENT).toBe(0);
    t.srtt8 = 0; t.rttvar4 = 0;
    const now: u32 = 1000 + 0x80000000 + 5000;
    opts.tsEcr = now - 100;
    rttAcked(t, 3000, now);
    expect(srtt(t)).toBe(100);
  });
  it("RFC 7323 4.1: an echo from the future (sample above RTO_MAX_MS) is no sample", () => {
    const t = tsTcb();
    opts.tsEcr = OFF + 5010;              // 10 ms ahead of our clock: now + off − TSecr wraps
    rttAcked(t, 3000, 5000);
    expect(t.srtt8).toBe(0);
    opts.tsEcr = OFF + 5000 - RTO_MAX_MS; // exactly RTO_MAX_MS old: still a sample
    rttAcked(t, 3000, 5000);
    expect(srtt(t)).toBe(RTO_MAX_MS);
  });
  it("RFC 7323 3.2: a TSecr of 0 is no echo: the timed segment decides (Karn)", () => {
    const t = tsTcb();
    opts.tsEcr = 0;
    rttAcked(t, 3000, 5000);              // nothing timed: no sample
    expect(t.srtt8).toBe(0);
    t.rttSeq = 2000; t.rttAt = 4700; t.flags |= TF.RTT_TIMING;
    rttAcked(t, 2000, 5000);
    expect(srtt(t)).toBe(300);
  });
  it("RFC 7323 2.2: a timestamp on a connection that did not negotiate them is ignored", () => {
    const t = tsTcb();
    t.flags &= ~TF.TS_OK;
    opts.tsEcr = OFF + 4800;
    rttAcked(t, 3000, 5000);              // nothing timed, and the echo does not count
    expect(t.srtt8).toBe(0);
  });
});
