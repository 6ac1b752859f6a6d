// The TCP extensions negotiated on the SYNs and the receive-side rules that came with them, one
// test per rule against a scripted peer: RFC 7323 window scaling, timestamps (RTTM, PAWS), RFC 2018
// SACK blocks, RFC 6675 SACK loss recovery, delayed ACK (RFC 9293 3.8.6.3, RFC 5681 4.2) and
// receiver silly-window avoidance (RFC 9293 3.8.6.2.2).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Bench } from "./fixture.ts";
import type { Conn } from "../../host/stack/stack.ts";
import type { TcpInfo } from "../../host/core.ts";
import { TCP_INFO_FLAGS } from "../../host/core.ts";
import type { Profile } from "../../host/core.ts";
import type { TcpOption, TcpSegment } from "../../host/packet/packet.ts";

const inf = (c: Conn): Required<TcpInfo> => c.info() as Required<TcpInfo>;
const tsOf = (s: TcpSegment): { val: number; ecr: number } | undefined =>
  s.options?.find((o): o is Extract<TcpOption, { kind: "ts" }> => o.kind === "ts");
const sackOf = (s: TcpSegment): [number, number][] =>
  s.options?.find((o): o is Extract<TcpOption, { kind: "sack" }> => o.kind === "sack")?.blocks ?? [];
const kinds = (s: TcpSegment): string[] => (s.options ?? []).filter((o) => o.kind !== "nop").map((o) => o.kind);
const ts = (val: number, ecr = 0): TcpOption => ({ kind: "ts", val, ecr });

interface Ext { sack?: boolean; ts?: boolean; ws?: number; profile?: Profile }

/** A passive connection in ESTABLISHED whose peer offered the extensions in `e`; the peer's TSval
 *  starts at 100 and its next sequence number is 1001. */
function established(e: Ext = { sack: true, ts: true }): { b: Bench; conn: Conn; iss: number; synack: TcpSegment; mss: number } {
  const b = new Bench({ profile: e.profile });
  const l = b.listen();
  const opts: TcpOption[] = [{ kind: "mss", value: 1460 }];
  if (e.sack) opts.push({ kind: "sackOK" });
  if (e.ts) opts.push(ts(100));
  if (e.ws !== undefined) opts.push({ kind: "wscale", value: e.ws });
  b.send({ flags: "S", seq: 1000, options: opts });
  const synack = b.expect({ flags: "S.", ack: 1001 });
  b.send({ flags: ".", seq: 1001, ack: synack.seq + 1, options: e.ts ? [ts(101, tsOf(synack)!.val)] : [] });
  b.expectNothing();
  const conn = l.accepted[0]!;
  return { b, conn, iss: synack.seq, synack, mss: inf(conn).mss };
}

test("RFC 7323 / RFC 2018: the SYN offers SACK-permitted, timestamps and window scale; tcp_set_default turns each off", () => {
  const b = new Bench();
  const { conn } = b.synSent();
  void conn;
  // synSent() consumed the SYN: connect again to look at it
  const b2 = new Bench();
  b2.stack.connect("198.18.0.2", 9);
  const syn = b2.expect({ flags: "S" });
  assert.deepEqual(kinds(syn), ["mss", "sackOK", "ts", "wscale"]);
  assert.equal(tsOf(syn)!.ecr, 0, "TSecr is 0 without ACK (RFC 7323 3.2)");
  const b3 = new Bench();
  for (const o of ["SACK", "TIMESTAMPS", "WINDOW_SCALING"] as const) assert.equal(b3.stack.core.setDefault(o, false), 0);
  const x = b3.stack.core.x;
  assert.equal(x.tcp_set_default(1, 0), -22, "NODELAY is per connection: EINVAL");
  assert.equal(x.tcp_set_default(6, 2), -22, "only 0 or 1");
  b3.stack.connect("198.18.0.2", 9);
  assert.deepEqual(kinds(b3.expect({ flags: "S" })), ["mss"], "with every extension off the SYN carries MSS alone");
});

test("RFC 7323 2.2: an extension the peer's SYN lacks is not used — the SYN-ACK answers only what was offered", () => {
  const { synack, conn } = established({ sack: false, ts: false });
  assert.deepEqual(kinds(synack), ["mss"]);
  assert.equal(inf(conn).flags & (TCP_INFO_FLAGS.SACK | TCP_INFO_FLAGS.TIMESTAMPS | TCP_INFO_FLAGS.WSCALE), 0);
  const both = established({ sack: true, ts: true, ws: 2 });
  assert.deepEqual(kinds(both.synack), ["mss", "sackOK", "ts", "wscale"]);
  assert.equal(tsOf(both.synack)!.ecr, 100, "the SYN-ACK echoes the SYN's TSval");
  assert.equal(inf(both.conn).flags & 7, 7);
});

test("RFC 7323 2.2/2.3: window scaling — the peer's window is shifted, ours is sent shifted, SYN windows never are", () => {
  const { b, conn, iss, synack } = established({ ws: 7, profile: "server" });
  const rx = b.stack.core.config().RX_BUF;                       // 64 KiB: needs a shift of 1
  const ws = synack.options!.find((o) => o.kind === "wscale") as { value: number };
  assert.equal(ws.value, 1, "the smallest shift that fits RX_BUF into 16 bits");
  assert.equal(synack.win, 65535, "the SYN-ACK's window is not scaled (capped at 65535)");
  const i = inf(conn);
  assert.equal(i.sndWscale, 7);
  assert.equal(i.rcvWscale, 1);
  b.send({ flags: ".", seq: 1001, ack: iss + 1, win: 100 });
  assert.equal(inf(conn).sndWnd, 100 << 7, "SND.WND = SEG.WND << 7");
  conn.write("x");
  const d = b.expect({ flags: "P." });
  assert.equal(d.win, rx >> 1, "our window, shifted by the announced 1");
  // a shift above 14 is used as 14 (RFC 7323 2.3)
  const big = established({ ws: 15, profile: "server" });
  assert.equal(inf(big.conn).sndWscale, 14);
  // without the peer's WS option neither side scales, and the window is capped at 65535
  const none = established({ profile: "server" });
  assert.equal(inf(none.conn).rcvWscale, 0);
  none.conn.write("y");
  assert.equal(none.b.expect({ flags: "P." }).win, 65535);
});

test("RFC 7323 3.2/4.3: every segment carries TSopt; TSecr echoes TS.Recent, which an out-of-order segment does not move", () => {
  const { b, iss } = established();
  const data = new Uint8Array(100);
  b.send({ flags: "P.", seq: 1001, ack: iss + 1, payload: data, options: [ts(200)] });
  b.delack();
  assert.equal(tsOf(b.expect({ flags: ".", ack: 1101 }))!.ecr, 200);
  b.send({ flags: "P.", seq: 1201, ack: iss + 1, payload: data, options: [ts(300)] });  // past a hole
  assert.equal(tsOf(b.expect({ flags: ".", ack: 1101 }))!.ecr, 200, "SEG.SEQ > Last.ACK.sent: TS.Recent stays");
  b.send({ flags: "P.", seq: 1101, ack: iss + 1, payload: data, options: [ts(400)] });  // fills it
  assert.equal(tsOf(b.expect({ flags: ".", ack: 1301 }))!.ecr, 400, "the segment that fills the hole gives the echo");
});

test("RFC 7323 5.3 PAWS: a segment with a TSval older than TS.Recent is dropped and acknowledged; an RST is exempt", () => {
  const { b, conn, iss } = established();
  b.send({ flags: "P.", seq: 1001, ack: iss + 1, payload: "new", options: [ts(1000)] });
  b.delack();
  b.expect({ flags: ".", ack: 1004 });
  b.send({ flags: "P.", seq: 1004, ack: iss + 1, payload: "old", options: [ts(999)] });
  const a = b.expect({ flags: ".", ack: 1004 });
  assert.equal(tsOf(a)!.ecr, 1000);
  assert.equal(b.counters().DROP_TCP_PAWS, 1);
  assert.equal(inf(conn).rcvNxt, 1004, "the old duplicate's data is not taken");
  // TSvals compare modulo 2^32 (RFC 7323 5.2): 0x70000000, 0xe0000000 and 0x10 are each newer than the last
  const w = established();
  [0x70000000, 0xe0000000, 0x10].forEach((v, k) => {
    w.b.send({ flags: "P.", seq: 1001 + k, ack: w.iss + 1, payload: "a", options: [ts(v)] });
    w.b.delack();
    assert.equal(tsOf(w.b.sent().at(-1)!)!.ecr, v);
  });
  assert.equal(inf(w.conn).rcvNxt, 1004);
  assert.equal(w.b.counters().DROP_TCP_PAWS ?? 0, 0);
  // an RST is judged by its sequence number alone
  b.send({ flags: "R", seq: 1004, options: [ts(5)] });
  assert.equal(conn.state, "CLOSED");
});

test("RFC 7323 3.2: once timestamps are agreed, a non-RST segment without TSopt is dropped silently", () => {
  const { b, conn, iss } = established();
  b.send({ flags: "P.", seq: 1001, ack: iss + 1, payload: "no ts" });
  b.advance(1000);
  b.expectNothing();
  assert.equal(inf(conn).rcvNxt, 1001);
  assert.equal(b.counters().DROP_TCP_NO_TS, 1);
});

test("RFC 7323 4.1: the RTT comes from TSecr, also for a retransmission; an echo older than the latest retransmission gives no sample", () => {
  const timedOut = (): { b: Bench; conn: Conn; iss: number; orig: TcpSegment; rtx: TcpSegment; rto: number } => {
    const { b, conn, iss } = established();
    conn.write("y");
    const orig = b.expect({ flags: "P." });
    const rto = inf(conn).rtoMs;
    b.advance(rto);
    const rtx = b.expect({ flags: "P.", seq: iss + 1 });
    assert.ok(tsOf(rtx)!.val > tsOf(orig)!.val, "the retransmission carries a newer TSval");
    assert.equal(inf(conn).rtoMs, 2 * rto);
    return { b, conn, iss, orig, rtx, rto };
  };
  // the ACK echoes the retransmission: a sample despite Karn's rule, and the backoff ends
  const a = timedOut();
  const s0 = inf(a.conn).srttMs;                                    // the handshake's sample: 0 ms
  a.b.advance(50);
  a.b.send({ flags: ".", seq: 1001, ack: a.iss + 2, options: [ts(102, tsOf(a.rtx)!.val)] });
  const i = inf(a.conn);
  assert.equal(s0, 0);
  assert.equal(i.srttMs, 6, "SRTT = 7/8·0 + 1/8·50 (fixed point)");
  assert.equal(i.rtoMs, a.rto, "a sample ends the backoff (RFC 6298 5.7): RTO = max(RTO_MIN, 6 + 4·12)");
  // the ACK echoes the original: its ACKs were lost while we retransmitted — no sample
  const o = timedOut();
  o.b.advance(50);
  o.b.send({ flags: ".", seq: 1001, ack: o.iss + 2, options: [ts(102, tsOf(o.orig)!.val)] });
  assert.equal(inf(o.conn).srttMs, 0, "no sample from an echo older than the retransmission");
  assert.equal(inf(o.conn).rtoMs, 2 * o.rto, "the backed-off RTO stays");
});

test("RFC 2018 4: ACKs carry SACK blocks for data past a hole, the most recent arrival first; 3 fit beside timestamps", () => {
  const { b, iss } = established();
  const seg = new Uint8Array(100);
  // holes at 1001, 1201, 1401, 1601; data at 1101, 1301, 1501, 1701 arriving in the order 1301, 1101, 1701, 1501
  let tsv = 200;
  const blocksAfter = (seq: number): [number, number][] => {
    b.send({ flags: "P.", seq, ack: iss + 1, payload: seg, options: [ts(tsv++)] });
    return sackOf(b.expect({ flags: ".", ack: 1001 }));
  };
  assert.deepEqual(blocksAfter(1301), [[1301, 1401]]);
  assert.deepEqual(blocksAfter(1101), [[1101, 1201], [1301, 1401]]);
  assert.deepEqual(blocksAfter(1701), [[1701, 1801], [1101, 1201], [1301, 1401]]);
  assert.deepEqual(blocksAfter(1501), [[1501, 1601], [1701, 1801], [1101, 1201]], "4 ranges held, 3 blocks fit with TSopt");
  // filling 1201 merges two ranges; the merged one is the latest
  b.send({ flags: "P.", seq: 1201, ack: iss + 1, payload: seg, options: [ts(tsv++)] });
  const a = b.expect({ flags: "." });
  assert.equal(a.ack, 1001);
  assert.deepEqual(sackOf(a), [[1101, 1401], [1501, 1601], [1701, 1801]]);
  // without timestamps 4 blocks fit
  const n = established({ sack: true });
  for (const s of [1101, 1301, 1501, 1701]) n.b.send({ flags: "P.", seq: s, ack: n.iss + 1, payload: seg });
  assert.equal(sackOf(n.b.sent().at(-1)!).length, 4);
  // without SACK-permitted no blocks at all
  const p = established({ ts: true });
  p.b.send({ flags: "P.", seq: 1101, ack: p.iss + 1, payload: seg, options: [ts(300)] });
  assert.deepEqual(sackOf(p.b.expect({ flags: ".", ack: 1001 })), []);
});

test("RFC 6675: with SACK, loss recovery resends the holes and never a SACKed segment", () => {
  const { b, conn, iss, mss } = established({ sack: true, profile: "server" });   // a 64 KiB send ring
  const una = iss + 1;
  conn.write(new Uint8Array(30 * mss));
  // ack the initial window segment by segment to open cwnd (slow start)
  let acked = una;
  for (let round = 0; round < 3; round++) {
    const out = b.sent();
    for (const s of out) { acked = s.seq + s.payload.length; b.send({ flags: ".", seq: 1001, ack: acked }); }
  }
  const flight = b.sent();                                        // what is in flight now
  const first = acked;
  const inFlight = (inf(conn).sndMax - first) / mss;
  assert.ok(inFlight >= 8, `at least 8 segments in flight (${inFlight})`);
  // segments 0 and 2 of the flight are lost; 1, 3, 4, 5 arrive: the peer SACKs them
  void flight;
  const s = (k: number): number => first + k * mss;
  const sackAck = (blocks: [number, number][]): void => b.send({ flags: ".", seq: 1001, ack: first, options: [{ kind: "sack", blocks }] });
  sackAck([[s(1), s(2)]]);
  sackAck([[s(3), s(4)], [s(1), s(2)]]);
  assert.equal(b.sent().filter((x) => x.seq < inf(conn).sndMax && x.seq < s(6)).length, 0, "two duplicates: nothing resent yet");
  sackAck([[s(3), s(5)], [s(1), s(2)]]);                          // 3rd duplicate ACK
  const r1 = b.sent();
  assert.equal(r1[0]?.seq, s(0), "recovery starts with the first hole");
  conn.write(new Uint8Array(10 * mss));                           // new data, for when the pipe allows
  // the rest of the flight arrives: each SACK shrinks the pipe until the second hole may go
  const highData = inf(conn).sndMax;
  const later: TcpSegment[] = [];
  for (let k = 6; s(k) < highData; k++) {
    sackAck([[s(3), s(k + 1)], [s(1), s(2)]]);
    later.push(...b.sent());
  }
  const resent = [...r1, ...later].filter((x) => x.seq < highData).map((x) => (x.seq - first) / mss);
  assert.deepEqual(resent, [0, 2], "only the holes are resent, never the SACKed 1, 3, 4, 5, …");
  assert.ok(later.some((x) => x.seq >= highData), "new data went out as the pipe allowed (NextSeg rule 2)");
  const i = inf(conn);
  assert.equal(i.sackRecoveries, 1);
  assert.ok(i.flags & TCP_INFO_FLAGS.RECOVERY);
  assert.equal(i.cwnd, i.ssthresh, "RFC 6675: cwnd = ssthresh on entry, no inflation");
  b.send({ flags: ".", seq: 1001, ack: i.sndMax });               // everything arrives
  assert.equal(inf(conn).flags & TCP_INFO_FLAGS.RECOVERY, 0, "a cumulative ACK at RecoveryPoint ends recovery");
});

test("RFC 9293 3.8.6.3 / RFC 5681 4.2 delayed ACK: within DELACK_MS; at once for the second full segment and out-of-order data", () => {
  const { b, iss, conn } = established({});
  conn.pause();                                                    // no reads: no window updates
  const delack = b.stack.core.config().DELACK_MS;
  assert.ok(delack > 0 && delack < 500, "MUST-40: less than 0.5 s");
  b.send({ flags: "P.", seq: 1001, ack: iss + 1, payload: "one" });
  b.advance(delack - 1);
  b.expectNothing();
  b.advance(1);
  b.expect({ flags: ".", ack: 1004 });
  const full = new Uint8Array(inf(conn).mss);
  b.send({ flags: ".", seq: 1004, ack: iss + 1, payload: full });
  b.expectNothing();
  b.send({ flags: ".", seq: 1004 + full.length, ack: iss + 1, payload: full });
  b.expect({ flags: ".", ack: 1004 + 2 * full.length });             // every second full-sized segment
  b.send({ flags: "P.", seq: 1004 + 3 * full.length, ack: iss + 1, payload: "x" });
  b.expect({ flags: ".", ack: 1004 + 2 * full.length });             // out of order: at once
  b.send({ flags: "P.", seq: 1004 + 2 * full.length, ack: iss + 1, payload: full });
  b.expect({ flags: ".", ack: 1005 + 3 * full.length });             // the filled hole: at once
  assert.equal(b.counters().TCP_DELAYED_ACKS, 1);
});

test("RFC 9293 3.8.6.3: a delayed ACK rides on data the application sends meanwhile", () => {
  const { b, iss, conn } = established({});
  b.send({ flags: "P.", seq: 1001, ack: iss + 1, payload: "ping" });
  conn.write("pong");
  const d = b.expect({ flags: "P.", ack: 1005 });
  assert.equal(d.payload.length, 4);
  b.send({ flags: ".", seq: 1005, ack: iss + 5 });
  b.advance(1000);
  b.expectNothing();
  assert.equal(b.counters().TCP_DELAYED_ACKS ?? 0, 0, "the timer found nothing owed");
});

test("RFC 1122 4.2.3.2 / RFC 9293 3.8.6.3: the window update a read owes rides on the data the app sends in the same turn — an echo sends no bare ACK before its data", () => {
  const { b, iss, conn } = established({});
  const rx = b.stack.core.config().RX_BUF;
  conn.on("data", (d: Uint8Array) => conn.write(d));               // echo, within the READABLE dispatch
  const msg = new Uint8Array(1024).fill(0x62);
  const step = Math.min(rx / 2, inf(conn).mss);
  let moved = false;
  for (let i = 0, seq = 1001; i < 4; i++, seq += msg.length) {
    b.send({ flags: "P.", seq, ack: iss + 1 + i * msg.length, payload: msg });
    const echo = b.expect({ flags: "P.", seq: iss + 1 + i * msg.length, ack: seq + msg.length, len: msg.length });
    if (echo.win === rx) moved = true;                              // the right edge moved: the update is on the data
  }
  b.send({ flags: ".", seq: 1001 + 4 * msg.length, ack: iss + 1 + 4 * msg.length });
  assert.ok(moved && 2 * msg.length >= step, "two reads move the edge by a step: a window update was owed");
  b.advance(1000);
  b.expectNothing();
});

test("RFC 9293 3.8.6.2.2: a read that moves the window edge with nothing to send gets its window update at the end of the turn", () => {
  const { b, iss, conn } = established({});
  const rx = b.stack.core.config().RX_BUF;
  conn.pause();
  b.send({ flags: "P.", seq: 1001, ack: iss + 1, payload: new Uint8Array(1024) });
  b.send({ flags: "P.", seq: 2025, ack: iss + 1, payload: new Uint8Array(1024) });
  b.delack();
  assert.deepEqual(b.sent().map((s) => [s.ack, s.win]), [[3049, rx - 2048]], "the data is acked, the window not yet moved");
  const got = b.stack.call((c) => { const r = c.recv(conn.handle, b.now); b.expectNothing(); return r; });
  assert.equal(typeof got === "number" ? got : got.length, 2048, "inside the app's call nothing goes yet (data written now would carry it)");
  b.expect({ flags: ".", ack: 3049, win: rx });                    // the poll that ends the turn
});

test("RFC 9293 3.8.6.2.2 (MUST-39) receiver SWS avoidance: reading a few bytes of a full buffer opens no few-byte window", () => {
  const { b, iss, conn } = established({ profile: "tiny" });
  const rx = b.stack.core.config().RX_BUF;
  conn.pause();
  b.send({ flags: "P.", seq: 1001, ack: iss + 1, payload: new Uint8Array(rx / 2) });
  b.send({ flags: "P.", seq: 1001 + rx / 2, ack: iss + 1, payload: new Uint8Array(rx / 2) });
  b.expect({ flags: ".", ack: 1001 + rx, win: 0 });
  assert.equal(conn.read(10).length, 10);
  b.expectNothing();
  b.send({ flags: ".", seq: 1001 + rx, ack: iss + 1 });             // a probe-like ACK
  b.advance(1000);
  for (const s of b.sent()) assert.equal(s.win, 0, "the window stays closed while < min(RCV.BUFF/2, MSS) is free");
  const step = Math.min(rx / 2, inf(conn).mss);
  assert.equal(conn.read(step).length, step);
  const u = b.expect({ flags: "." });
  assert.equal(u.win, step + 10, "then it opens by everything that is free");
});
