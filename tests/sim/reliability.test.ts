// Rules of the reliability machinery, one test each against a scripted peer: RFC 6298 RTO and Karn,
// RFC 5681 fast retransmit on exactly the third duplicate ACK and slow start, RFC 6582 partial ACKs,
// out-of-order reassembly, Nagle, sender SWS avoidance, SND.MAX for ACKs after a timeout, and the
// rate limit on ACKs to unacceptable segments.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Bench, DUT_IP, PEER_IP } from "./fixture.ts";
import { buildArpFrame } from "../../host/packet/packet.ts";
import type { Conn } from "../../host/stack/stack.ts";
import type { TcpInfo } from "../../host/core.ts";

/** tcp_info with every word present (the core writes all 28). */
const inf = (c: Conn): Required<TcpInfo> => c.info() as Required<TcpInfo>;

/** An established bench whose dut has sent `segments` full segments the peer has not acked. */
function inFlight(segments: number): ReturnType<Bench["established"]> & { b: Bench; mss: number } {
  const b = new Bench();
  const e = b.established();
  const mss = (e.conn.info() as Required<TcpInfo>).mss;
  e.conn.write(new Uint8Array(segments * mss).fill(7));
  return { ...e, b, mss };
}

test("RFC 6298 2.2/2.3 the RTO follows the measured RTT: SRTT + 4·RTTVAR, floored at RTO_MIN", () => {
  const b = new Bench();
  const l = b.listen();
  b.send({ flags: "S", seq: 1000 });
  const sa = b.expect({ flags: "S." });
  b.advance(300);                                           // the SYN-ACK's round trip: 300 ms
  b.send({ flags: ".", seq: 1001, ack: sa.seq + 1 });
  const c = l.accepted[0]!;
  const i = inf(c);
  assert.equal(i.srttMs, 300, "first sample: SRTT = R");
  assert.equal(i.rttvarMs, 150, "RTTVAR = R/2");
  assert.equal(i.rtoMs, 300 + 4 * 150, "RTO = SRTT + 4·RTTVAR");
  c.write("x");
  const d = b.expect({ flags: "P." });
  b.advance(100);                                           // a second sample of 100 ms
  b.send({ flags: ".", seq: 1001, ack: d.seq + 1 });
  const j = inf(c);
  assert.equal(j.srttMs, 275, "SRTT = 7/8·300 + 1/8·100");
  assert.equal(j.rttvarMs, 162, "RTTVAR = 3/4·150 + 1/4·200 (rounded down)");
  assert.equal(j.rtoMs, 275 + 650, "RTO = SRTT + 4·RTTVAR (fixed point ×4)");
});

test("RFC 6298 5.5/Karn: a timeout doubles the RTO, and the ACK of a retransmitted segment gives no sample", () => {
  const { b, conn, iss } = inFlight(1);
  b.expect({ flags: "P." });
  const rto = inf(conn).rtoMs;
  b.advance(rto);
  b.expect({ flags: "P.", seq: iss + 1 });                  // the retransmission
  assert.equal(inf(conn).rtoMs, 2 * rto);
  b.advance(50);
  b.send({ flags: ".", seq: 1001, ack: inf(conn).sndMax });
  assert.equal(inf(conn).rtoMs, 2 * rto, "no sample from an ambiguous ACK: the backed-off RTO stays");
  assert.equal(inf(conn).timeouts, 1);
});

test("RFC 5681 3.2 fast retransmit on the third duplicate ACK, not the second; cwnd = ssthresh + 3·SMSS", () => {
  const { b, conn, iss, mss } = inFlight(4);
  const sent = b.sent();
  assert.equal(sent.length, 3, "the initial window lets 3 segments out (RFC 5681 3.1: IW = min(4·SMSS, max(2·SMSS, 4380 B)) = 4380 B)");
  b.send({ flags: ".", seq: 1001, ack: iss + 1 + mss });    // first segment acked
  b.sent();
  for (let i = 1; i <= 2; i++) b.send({ flags: ".", seq: 1001, ack: iss + 1 + mss });
  b.expectNothing();                                         // two duplicates: nothing yet
  b.send({ flags: ".", seq: 1001, ack: iss + 1 + mss });     // the third
  const r = b.sent();
  assert.equal(r[0]!.seq, iss + 1 + mss, "the first unacknowledged segment is resent at once");
  const i = inf(conn);
  assert.equal(i.fastRetransmits, 1);
  assert.ok(i.flags & 8, "in recovery");
  assert.equal(i.cwnd, i.ssthresh + 3 * mss);
  assert.equal(i.ssthresh, Math.max(Math.floor((i.sndMax - (iss + 1 + mss)) / 2), 2 * mss));
});

test("RFC 6582 3.2 a partial ACK during recovery resends the next hole; the full ACK ends recovery", () => {
  const { b, conn, iss, mss } = inFlight(4);
  b.sent();
  for (let k = 0; k < 3; k++) b.send({ flags: ".", seq: 1001, ack: iss + 1 });
  assert.equal(b.sent().at(-1)!.seq, iss + 1, "fast retransmit of the first segment (after a limited transmit)");
  const recover = inf(conn).sndMax;
  b.send({ flags: ".", seq: 1001, ack: iss + 1 + 2 * mss });   // partial: segments 1–2, hole at 3
  const r = b.sent();
  assert.equal(r[0]!.seq, iss + 1 + 2 * mss, "the next hole is resent at once");
  assert.ok(inf(conn).flags & 8, "still in recovery");
  assert.equal(inf(conn).fastRetransmits, 2);
  b.send({ flags: ".", seq: 1001, ack: recover });             // full ACK
  assert.equal(inf(conn).flags & 8, 0, "recovery over");
  assert.ok(inf(conn).cwnd <= inf(conn).ssthresh);
});

test("RFC 3042 limited transmit: the first and second duplicate ACKs each send one new segment, cwnd unchanged", () => {
  const { b, conn, iss, mss } = inFlight(6);
  assert.equal(b.sent().length, 3, "the initial window");
  const cwnd = inf(conn).cwnd;
  b.send({ flags: ".", seq: 1001, ack: iss + 1 });
  assert.deepEqual(b.sent().map((s) => s.seq), [iss + 1 + 3 * mss], "first duplicate: segment 4");
  b.send({ flags: ".", seq: 1001, ack: iss + 1 });
  assert.deepEqual(b.sent().map((s) => s.seq), [iss + 1 + 4 * mss], "second duplicate: segment 5");
  assert.equal(inf(conn).cwnd, cwnd, "cwnd is not changed (RFC 3042 2)");
  assert.equal(inf(conn).sndMax - inf(conn).sndUna, cwnd + 2 * mss, "at most cwnd + 2·SMSS outstanding");
  b.send({ flags: ".", seq: 1001, ack: iss + 1 });
  assert.deepEqual(b.sent().map((s) => s.seq), [iss + 1], "the third starts fast retransmit, nothing new");
});

test("RFC 5681 3.1 slow start: each ACK of a full segment grows cwnd by one SMSS", () => {
  const { b, conn, iss, mss } = inFlight(4);
  b.sent();
  const before = inf(conn).cwnd;
  b.send({ flags: ".", seq: 1001, ack: iss + 1 + mss });
  assert.equal(inf(conn).cwnd, before + mss);
});

test("RFC 9293 3.10.7.4 / SHLD-31 out-of-order data is held and delivered once the hole fills", () => {
  const b = new Bench();
  const { conn, iss } = b.established();
  let got = "";
  conn.on("data", (d) => (got += Buffer.from(d).toString()));
  b.send({ flags: "P.", seq: 1006, ack: iss + 1, payload: "world" });      // ahead of a 5-byte hole
  b.expect({ flags: ".", ack: 1001 });                                    // duplicate ACK at once
  b.send({ flags: "FP.", seq: 1016, ack: iss + 1, payload: "!" });      // the last byte, with the FIN
  b.expect({ flags: ".", ack: 1001 });
  assert.equal(inf(conn).rxQueued, 0);
  assert.equal(b.counters().TCP_OOO_SEGMENTS, 2);
  b.send({ flags: "P.", seq: 1001, ack: iss + 1, payload: "hello" });     // fills the first hole
  b.expect({ flags: ".", ack: 1011 });
  assert.equal(got, "helloworld");
  b.send({ flags: "P.", seq: 1011, ack: iss + 1, payload: "12345" });     // second hole: the FIN follows
  b.expect({ flags: ".", ack: 1018 });
  assert.equal(got, "helloworld12345!");
  assert.equal(conn.state, "CLOSE_WAIT");
});

test("a FIN that arrives ahead of a hole is processed when the hole fills", () => {
  const b = new Bench();
  const { conn, iss } = b.established();
  b.send({ flags: "F.", seq: 1004, ack: iss + 1, payload: "xyz" });
  b.expect({ flags: ".", ack: 1001 });
  assert.equal(conn.state, "ESTABLISHED");
  b.send({ flags: ".", seq: 1001, ack: iss + 1, payload: "abc" });
  b.expect({ flags: ".", ack: 1008 });
  assert.equal(conn.state, "CLOSE_WAIT");
});

test("RFC 9293 3.7.4 Nagle: a small write waits while data is unacknowledged, unless NODELAY", () => {
  for (const noDelay of [false, true]) {
    const b = new Bench();
    const { conn, iss } = b.established();
    if (noDelay) assert.equal(b.stack.core.setOption(conn.handle, "NODELAY", 1), 0);
    conn.write("first");
    b.expect({ flags: "P.", payload: "first" });
    conn.write("second");
    if (noDelay) b.expect({ flags: "P.", payload: "second" });
    else {
      b.expectNothing();
      b.send({ flags: ".", seq: 1001, ack: iss + 6 });
      b.expect({ flags: "P.", payload: "second" });          // sent once the first is acked
    }
  }
});

test("RFC 9293 3.8.6.2.1 sender SWS avoidance: no tiny window-limited segment while data is in flight", () => {
  const b = new Bench();
  const { conn, iss } = b.established();
  assert.equal(b.stack.core.setOption(conn.handle, "NODELAY", 1), 0);
  b.send({ flags: ".", seq: 1001, ack: iss + 1, win: 1500 });
  conn.write(new Uint8Array(3000));
  const first = b.expect({ flags: "." });                   // one full segment fits the window
  assert.equal(first.payload.length, inf(conn).mss);
  b.expectNothing();                                        // 40 bytes of window left: not used
  b.send({ flags: ".", seq: 1001, ack: iss + 1 + first.payload.length, win: 1500 });
  assert.equal(b.sent()[0]!.payload.length, 1460);
});

test("after a timeout rewinds SND.NXT, ACKs carry SND.MAX and ACKs up to SND.MAX are accepted", () => {
  const { b, conn, iss, mss } = inFlight(2);
  b.sent();
  b.advance(inf(conn).rtoMs);
  const r = b.sent();
  assert.equal(r[0]!.seq, iss + 1, "go back to SND.UNA");
  b.send({ flags: "P.", seq: 1001, ack: iss + 1, payload: "data" });      // the peer sends data: we ack it
  b.delack();
  const ack = b.sent().at(-1)!;
  assert.equal(ack.seq, iss + 1 + 2 * mss, "a bare ACK says SEQ = SND.MAX, which the peer's window holds");
  b.send({ flags: ".", seq: 1005, ack: iss + 1 + 2 * mss });              // the peer had both segments
  assert.equal(inf(conn).sndUna, iss + 1 + 2 * mss, "an ACK beyond the rewound SND.NXT is taken");
  assert.equal(b.counters().DROP_TCP_BAD_ACK ?? 0, 0);
});

test("an ACK at the right edge of the receive window is acceptable (no ACK war); ACKs to unacceptable segments are rate-limited", () => {
  const b = new Bench({ profile: "tiny" });
  const { conn, iss } = b.established();
  const rx = b.stack.core.config().RX_BUF;
  conn.pause();
  b.send({ flags: "P.", seq: 1001, ack: iss + 1, payload: new Uint8Array(rx / 2) });
  b.delack();
  b.expect({ flags: ".", ack: 1001 + rx / 2 });
  b.send({ flags: "P.", seq: 1001 + rx / 2, ack: iss + 1, payload: new Uint8Array(rx / 2) });
  b.expect({ flags: ".", ack: 1001 + rx, win: 0 });
  b.send({ flags: ".", seq: 1001 + rx, ack: iss + 1 });    // zero window: SEQ = RCV.NXT is fine
  b.expectNothing();
  for (let k = 0; k < 5; k++) b.send({ flags: ".", seq: 1001 + rx + 100, ack: iss + 1 }); // unacceptable ×5
  assert.equal(b.sent().length, 1, "one ACK answers five unacceptable segments within 500 ms");
  b.advance(500);
  b.send({ flags: ".", seq: 1001 + rx + 100, ack: iss + 1 });
  assert.equal(b.sent().length, 1, "and another after 500 ms");
});

test("RFC 9293 3.8.3 R1 (MUST-20, SHLD-10): at the third retransmission TCP gives IP negative advice: an ARP request checks the next hop", () => {
  const b = new Bench();
  const { conn, iss } = b.established();
  // the dut's cache now holds a wrong MAC for the peer (a changed or spoofed neighbour: ARP has no checksum)
  b.peer.inject(buildArpFrame({ op: "request", senderMac: "02:00:00:00:00:99", senderIp: PEER_IP, targetIp: DUT_IP }));
  b.advance(0);
  b.link.drain();
  conn.write("x");
  const seen: string[] = [];
  for (let k = 0; k < 6; k++) {
    for (const c of b.link.drain()) {
      if (c.parsed.arp?.op === 1) seen.push("arp who-has");
      else if (c.parsed.tcp?.payload.length) { assert.equal(c.parsed.tcp.seq, iss + 1); seen.push(`data to ${c.parsed.eth!.dst}`); }
    }
    b.advance(inf(conn).rtoMs);
  }
  const wrong = "data to 02:00:00:00:00:99";
  assert.deepEqual(seen.slice(0, 5), [wrong, wrong, wrong, "arp who-has", wrong],
    "the third retransmission asks ARP, and still goes out at once to the cached MAC");
  assert.equal(seen.slice(5).find((x) => x.startsWith("data")), `data to ${b.peer.mac}`, "the answer fixed the cache: the next one reaches the peer");
  assert.equal(b.counters().IP_NEGATIVE_ADVICE, inf(conn).timeouts - 2, "advice at the third timeout and every later one");
});

test("RFC 9293 3.8.6.1 (SHLD-29/30) the persist timer starts from the estimator's RTO, not a retransmission backoff, and doubles per probe", () => {
  const { b, conn, iss, mss } = inFlight(1);
  b.sent();
  const base = inf(conn).rtoMs;
  b.advance(base);                                            // a timeout: the RTO backs off
  b.advance(2 * base);                                        // and again
  assert.equal(b.sent().length, 2);
  assert.equal(inf(conn).rtoMs, 4 * base);
  conn.write(new Uint8Array(100));                            // more to send…
  b.send({ flags: ".", seq: 1001, ack: inf(conn).sndMax, win: 0 });  // …but the window closes as the data is acked
  assert.equal(inf(conn).rtoMs, 4 * base, "no RTT sample from a retransmission (Karn): the backoff stays");
  b.advance(base - 1);
  b.expectNothing();
  b.advance(1);
  b.expect({ flags: ".", len: 1 });                           // the first probe after one RTO, not 4
  b.advance(2 * base - 1);
  b.expectNothing();
  b.advance(1);
  b.expect({ flags: ".", len: 1 });                           // then 2·RTO
  const una = inf(conn).sndUna;
  assert.equal(una, iss + 1 + mss, "(the first segment was acked)");
  conn.write(new Uint8Array(3000));
  b.send({ flags: ".", seq: 1001, ack: una, win: 8192 });              // the window reopens (probe byte not acked)
  assert.ok(b.sent().some((x) => x.payload.length > 1), "data flows again");
  // with the window open again, a loss is the retransmission timer's, with its own backoff
  const times: number[] = [];
  for (let k = 0; k < 400 && times.length < 3; k++) {
    b.advance(50);
    if (b.sent().length) times.push(b.now);
  }
  assert.equal(times.length, 3);
  assert.ok(times[2]! - times[1]! >= 2 * (times[1]! - times[0]!) - 1, `the retransmissions back off (${times.join(", ")})`);
});

test("RFC 6298 5.7: after the SYN timed out, data transfer starts with an RTO of 3 s", () => {
  const b = new Bench();
  const { conn, iss } = b.synSent();
  b.advance(1000);
  b.expect({ flags: "S", seq: iss });                         // the SYN again, after the initial 1 s
  b.send({ flags: "S.", seq: 5000, ack: iss + 1, options: [{ kind: "mss", value: 1460 }] });
  b.expect({ flags: ".", ack: 5001 });
  assert.equal(conn.state, "ESTABLISHED");
  assert.equal(inf(conn).rtoMs, 3000, "no RTT sample from the resent SYN (Karn), and at least 3 s");
});

test("RFC 6298 3 (Karn): a SYN-ACK sent again for the peer's SYN again gives no RTT sample", () => {
  const b = new Bench();
  const l = b.listen();
  b.send({ flags: "S", seq: 1000, options: [{ kind: "mss", value: 1460 }] });
  const sa = b.expect({ flags: "S." });
  b.advance(900);                                             // our SYN-ACK was lost: the peer's SYN again
  b.send({ flags: "S", seq: 1000, options: [{ kind: "mss", value: 1460 }] });
  b.expect({ flags: "S.", seq: sa.seq });                     // the SYN-ACK again, at once
  b.advance(40);
  b.send({ flags: ".", seq: 1001, ack: sa.seq + 1 });
  const c = l.accepted[0]!;
  assert.equal(c.state, "ESTABLISHED");
  // timed from the first copy this would be a sample of 940 ms (an RTO of 2.8 s): which copy the
  // ACK answers is ambiguous, so there is none
  assert.equal(inf(c).srttMs, 0, "no sample");
});

test("RFC 6298 3 (Karn): zero-window probes sent again give no RTT sample when the window opens", () => {
  const b = new Bench();
  const { conn, iss } = b.established();
  conn.write(new Uint8Array(100));
  b.expect({ flags: "P.", len: 100 });
  b.advance(20);
  b.send({ flags: ".", seq: 1001, ack: iss + 101, win: 0 }); // a 20 ms sample; the window closes
  const before = inf(conn);
  assert.equal(before.srttMs, 2, "SRTT = 7/8·0 + 1/8·20 after the samples of the handshake (0 ms) and of the data (20 ms)");
  conn.write(new Uint8Array(100));
  const probes: number[] = [];
  for (let k = 0; k < 400 && probes.length < 3; k++) {
    b.advance(50);
    for (const x of b.sent()) if (x.payload.length === 1) { assert.equal(x.seq, iss + 101); probes.push(b.now); }
  }
  assert.equal(probes.length, 3, "three probes of the same byte");
  b.advance(30);
  b.send({ flags: ".", seq: 1001, ack: iss + 102, win: 8192 }); // the window opens, the probe byte acked
  // timed from the first probe this would be a sample of seconds
  assert.equal(inf(conn).srttMs, before.srttMs, `no sample (first probe at ${probes[0]} ms, acked at ${b.now} ms)`);
  assert.equal(inf(conn).rtoMs, before.rtoMs);
});

test("RFC 5681 4.1: after an idle period longer than the RTO, cwnd restarts from the initial window", () => {
  const { b, conn, iss, mss } = inFlight(3);
  const iw = inf(conn).cwnd;
  for (const s of b.sent()) b.send({ flags: ".", seq: 1001, ack: s.seq + s.payload.length });
  assert.ok(inf(conn).cwnd > iw, "slow start grew cwnd");
  conn.write(new Uint8Array(8 * mss));
  let acked = inf(conn).sndUna;
  for (let k = 0; k < 3; k++) for (const s of b.sent()) { acked = s.seq + s.payload.length; b.send({ flags: ".", seq: 1001, ack: acked }); }
  const grown = inf(conn).cwnd;
  assert.ok(grown > 2 * iw);
  b.advance(inf(conn).rtoMs + 1);                             // idle longer than the RTO
  conn.write(new Uint8Array(8 * mss));
  const burst = b.sent();
  assert.equal(inf(conn).cwnd, iw, "cwnd = min(cwnd, IW)");
  assert.equal(burst.reduce((n, s) => n + s.payload.length, 0), iw - (iw % mss), "only the initial window goes out");
  void iss;
});
