// Liveness (assembly/tcp/liveness.ts): keepalive probes (RFC 1122 4.2.3.6, RFC 9293 3.8.4) and the
// user timeout (RFC 9293 3.8.3, RFC 5482's meaning). One rule per test against a scripted peer, at
// exact virtual times; then two Petrel stacks idle for two hours with keepalive on.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Bench } from "./fixture.ts";
import { SimNet } from "../../host/sim/sim.ts";
import type { Conn } from "../../host/stack/stack.ts";

/** An established bench whose dut probes after `idle` ms, then every `intvl` ms, `count` times. */
function keepalive(idle: number, intvl: number, count: number) {
  const b = new Bench();
  const e = b.established();
  e.conn.setOption("KEEPALIVE", idle);
  e.conn.setOption("KEEPINTVL", intvl);
  e.conn.setOption("KEEPCNT", count);
  return { b, ...e, t0: b.now };
}

/** Advance to t0 + `at` ms and expect nothing one ms before it. */
function at(b: Bench, t: number): void {
  b.advance(t - 1 - b.now);
  b.expectNothing();
  b.advance(1);
}

// ── keepalive ────────────────────────────────────────────────────────────────────────────────
test("RFC 9293 3.8.4 keepalive is off by default (MUST-25): an idle connection sends nothing for 3 hours", () => {
  const b = new Bench();
  const { conn } = b.established();
  b.advance(3 * 3_600_000);
  b.expectNothing();
  assert.equal(conn.state, "ESTABLISHED");
  assert.equal(b.counters().TCP_KEEPALIVE_PROBES, 0);
});

test("RFC 1122 4.2.3.6 keepalive: first probe exactly KEEPALIVE ms after the last segment, <SEQ=SND.NXT−1><ACK=RCV.NXT> without data, then every KEEPINTVL; KEEPCNT unanswered probes → RST and ETIMEDOUT", () => {
  const { b, conn, iss, t0 } = keepalive(10_000, 1000, 3);
  for (const t of [10_000, 11_000, 12_000]) {
    at(b, t0 + t);
    b.expect({ flags: ".", seq: iss, ack: 1001, len: 0 });        // SND.NXT − 1 = ISS here
    assert.equal(conn.state, "ESTABLISHED");
  }
  at(b, t0 + 13_000);
  b.expect({ flags: "R.", seq: iss + 1 });                        // the third probe went unanswered too
  assert.equal(conn.error, "ETIMEDOUT");
  assert.equal(conn.state, "CLOSED");
  const c = b.counters();
  assert.equal(c.TCP_KEEPALIVE_PROBES, 3);
  assert.equal(c.TCP_KEEPALIVE_TIMEOUTS, 1);
  assert.equal(c.TCP_TIMEOUTS, 1);
});

test("RFC 1122 4.2.3.6 keepalive: the peer's answer restarts the idle clock and the probe count, and so does its data", () => {
  const { b, conn, iss, t0 } = keepalive(10_000, 1000, 2);
  at(b, t0 + 10_000);
  b.expect({ flags: ".", seq: iss, ack: 1001 });
  b.advance(500);
  b.send({ flags: ".", seq: 1001, ack: iss + 1 });                // the ACK a live peer gives
  b.expectNothing();
  at(b, t0 + 10_500 + 10_000);                                    // idle again from the answer
  b.expect({ flags: ".", seq: iss, ack: 1001 });
  at(b, t0 + 21_500);                                             // one interval: a second probe
  b.expect({ flags: ".", seq: iss, ack: 1001 });
  b.advance(300);
  b.send({ flags: "P.", seq: 1001, ack: iss + 1, payload: "hi" }); // data answers just as well
  b.delack();
  b.expect({ flags: ".", ack: 1003 });
  at(b, t0 + 21_800 + 10_000);                                    // two probes were out, yet no timeout
  b.expect({ flags: ".", seq: iss, ack: 1003 });
  assert.equal(conn.state, "ESTABLISHED");
  assert.equal(b.counters().TCP_KEEPALIVE_PROBES, 4);
});

test("RFC 9293 3.8.4 keepalive only with nothing outstanding (MUST-26): unacknowledged data has the retransmission timer", () => {
  const { b, conn, iss, t0 } = keepalive(1000, 1000, 2);
  conn.write("abc");
  b.expect({ flags: "P.", seq: iss + 1, payload: "abc" });
  for (let t = 0; t < 5000; t += 100) {
    b.advance(100);
    for (const s of b.sent()) assert.equal(s.payload.length, 3, `only retransmissions, no probe (t=${b.now - t0})`);
  }
  assert.equal(conn.state, "ESTABLISHED", "unanswered retransmissions are not unanswered probes");
  b.send({ flags: ".", seq: 1001, ack: iss + 4 });                 // all acked at t0 + 5000
  const acked = b.now;
  at(b, acked + 1000);
  b.expect({ flags: ".", seq: iss + 3, ack: 1001, len: 0 });      // SND.NXT − 1 after the data
  assert.equal(b.counters().TCP_KEEPALIVE_PROBES, 1);
});

test("RFC 9293 3.8.4 keepalive in CLOSE-WAIT and FIN-WAIT-2 probes with SND.NXT − 1 and RCV.NXT of that state", () => {
  for (const state of ["CLOSE_WAIT", "FIN_WAIT_2"] as const) {
    const b = new Bench();
    const e = state === "CLOSE_WAIT" ? b.closeWait() : b.finWait2();
    e.conn.setOption("KEEPALIVE", 5000);
    const t0 = b.now;
    at(b, t0 + 5000);
    if (state === "CLOSE_WAIT") b.expect({ flags: ".", seq: e.iss, ack: 1002 });
    else b.expect({ flags: ".", seq: e.iss + 1, ack: 1001 });      // our FIN is SND.NXT − 1
    assert.equal(e.conn.state, state);
  }
});

test("RFC 9293 3.8.4 keepalive can be switched on and off per connection (MUST-24); out-of-range settings are refused", () => {
  const { b, conn, iss, t0 } = keepalive(2000, 1000, 9);
  at(b, t0 + 2000);
  b.expect({ flags: ".", seq: iss });
  conn.setOption("KEEPALIVE", 0);
  b.advance(60_000);
  b.expectNothing();
  conn.setOption("KEEPALIVE", 2000);                              // idle for 62 s already: probe at once
  b.expect({ flags: ".", seq: iss });
  for (const [opt, v] of [["KEEPCNT", 0], ["KEEPCNT", 128], ["KEEPINTVL", 0], ["KEEPALIVE", 32_767_001], ["USER_TIMEOUT", 24 * 86_400_000 + 1]] as const) {
    assert.throws(() => conn.setOption(opt, v), /EINVAL/, `${opt} ${v}`);
  }
});

test("RFC 9293 3.10.7.4 a peer's keepalive probe (SEQ = RCV.NXT − 1, with or without a garbage octet) is answered every time at 1 s intervals", () => {
  const b = new Bench();
  const { conn, iss } = b.established();
  for (let k = 0; k < 10; k++) {
    if (k === 5) {
      // an unacceptable segment halfway between two probes: its ACK and the next probe's share the
      // limiter (one per OOW_ACK_MS = 500 ms), and both still go out
      b.advance(500);
      b.send({ flags: "P.", seq: 1001 + 100_000, ack: iss + 1, payload: "x" });
      b.expect({ flags: ".", seq: iss + 1, ack: 1001 });
      b.advance(500);
    } else b.advance(1000);
    b.send({ flags: ".", seq: 1000, ack: iss + 1, payload: k % 2 ? "\0" : undefined });
    b.expect({ flags: ".", seq: iss + 1, ack: 1001 });
  }
  assert.equal(conn.state, "ESTABLISHED");
});

test("RFC 1122 4.2.3.6 two Petrel stacks with keepalive on both ends stay up through 2 idle hours; every probe is answered", () => {
  const net = new SimNet({ seed: 41, capture: false });
  const server = net.host({ name: "server", ip: "198.18.0.1" });
  const client = net.host({ name: "client", ip: "198.18.0.2" });
  let sc: Conn | null = null;
  server.listen(80, 4, (c) => (sc = c));
  const cc = client.connect("198.18.0.1", 80);
  net.runUntil(() => cc.connected && sc !== null, { maxVirtualMs: 10_000 });
  for (const [c, idle] of [[cc, 60_000], [sc!, 45_000]] as const) {
    c.setOption("KEEPALIVE", idle);
    c.setOption("KEEPINTVL", 1000);
    c.setOption("KEEPCNT", 2);                                     // two lost answers in a row would end it
  }
  net.run(2 * 3_600_000);
  for (const c of [cc, sc!]) {
    assert.equal(c.state, "ESTABLISHED");
    assert.equal(c.error, null);
  }
  const [pc, ps] = [client.counters(), server.counters()];
  // one probe per idle period on each side (each answer restarts that side's clock; the other side's
  // probes are unacceptable segments, which do not count as heard): 2 h / 45 s and 2 h / 60 s
  assert.ok(ps.TCP_KEEPALIVE_PROBES >= 155 && ps.TCP_KEEPALIVE_PROBES <= 160, `server probes: ${ps.TCP_KEEPALIVE_PROBES}`);
  assert.ok(pc.TCP_KEEPALIVE_PROBES >= 115 && pc.TCP_KEEPALIVE_PROBES <= 120, `client probes: ${pc.TCP_KEEPALIVE_PROBES}`);
  assert.equal(pc.TCP_KEEPALIVE_TIMEOUTS + ps.TCP_KEEPALIVE_TIMEOUTS, 0);
  const got: Uint8Array[] = [];
  sc!.on("data", (d) => got.push(d));
  cc.write("still here");
  net.runUntil(() => got.length > 0, { maxVirtualMs: 10_000 });
  assert.equal(Buffer.from(got[0]!).toString(), "still here");
});

// ── user timeout ─────────────────────────────────────────────────────────────────────────────
test("RFC 9293 3.8.3 user timeout: data unacknowledged for USER_TIMEOUT ms ends the connection with ETIMEDOUT at that time, long before DATA_RETRIES", () => {
  const b = new Bench();
  const { conn, iss } = b.established();
  conn.setOption("USER_TIMEOUT", 5000);
  conn.write("payload");
  const t0 = b.now;
  b.expect({ flags: "P.", seq: iss + 1 });
  b.advance(4999);
  assert.equal(b.sent().length, 4, "retransmitted at 200, 600, 1400, 3000 ms");
  assert.equal(conn.error, null);
  assert.equal(conn.info()!.retransmits, 4, "fewer than DATA_RETRIES (12)");
  b.advance(1);
  assert.equal(b.now - t0, 5000);
  assert.equal(conn.error, "ETIMEDOUT");
  b.expectNothing();
  assert.equal(b.counters().TCP_USER_TIMEOUTS, 1);
  assert.equal(b.counters().TCP_TIMEOUTS, 1);
});

test("RFC 9293 3.8.3 user timeout: the clock restarts whenever SND.UNA advances, so a slow transfer that progresses is not cut", () => {
  const b = new Bench();
  const { conn, iss } = b.established();
  const mss = conn.info()!.mss;
  conn.setOption("USER_TIMEOUT", 3000);
  conn.write(new Uint8Array(8 * mss));
  let una = iss + 1;
  for (let k = 0; k < 5; k++) {                                    // one segment acked every 2.5 s
    b.advance(2500);
    una += mss;
    assert.ok(conn.info()!.sndMax! - una >= mss, "more data is in flight");
    b.send({ flags: ".", seq: 1001, ack: una });
  }
  b.sent();
  const last = b.now;                                              // 12.5 s: four times the user timeout
  assert.equal(conn.state, "ESTABLISHED");
  b.advance(2999);
  assert.equal(conn.error, null);
  b.advance(1);
  assert.equal(b.now - last, 3000);
  assert.equal(conn.error, "ETIMEDOUT");
});

test("RFC 9293 3.8.3 user timeout overrides DATA_RETRIES: retransmission goes on until the timeout", () => {
  const b = new Bench();
  const { conn, iss } = b.established();
  conn.setOption("USER_TIMEOUT", 20 * 60_000);
  conn.write("x");
  const t0 = b.now;
  let sent = 0;
  for (let t = 0; t < 20 * 60 && !conn.error; t++) {
    b.advance(1000);
    for (const s of b.sent()) { assert.equal(s.seq, iss + 1); sent++; }
  }
  assert.equal(conn.error, "ETIMEDOUT");
  assert.equal(b.now - t0, 20 * 60_000);
  assert.ok(sent - 1 > 12, `${sent - 1} retransmissions, more than DATA_RETRIES (12)`);
});

test("RFC 9293 3.8.3 user timeout and a closed window: the persist probes stop once the window has stayed shut USER_TIMEOUT ms after the first probe; without one, probing goes on (MUST-37)", () => {
  for (const ut of [5000, 0]) {
    const b = new Bench();
    const { conn, iss } = b.established();
    if (ut) conn.setOption("USER_TIMEOUT", ut);
    b.send({ flags: ".", seq: 1001, ack: iss + 1, win: 0 });
    conn.write("abcdef");
    b.advance(200);
    b.expect({ flags: ".", seq: iss + 1, len: 1 });                // the first probe
    const first = b.now;
    for (let t = 0; t < 600 && !conn.error; t++) {
      b.advance(100);
      for (const s of b.sent()) if (s.payload.length) b.send({ flags: ".", seq: 1001, ack: iss + 1, win: 0 }); // answered, still shut
    }
    if (ut) {
      assert.equal(conn.error, "ETIMEDOUT");
      assert.ok(b.now - first >= ut && b.now - first < ut + 100, `closed ${b.now - first} ms after the first probe`);
    } else assert.equal(conn.state, "ESTABLISHED", "no user timeout: a peer that answers probes keeps the connection");
  }
});

test("RFC 9293 3.8.3 user timeout does nothing while nothing is outstanding", () => {
  const b = new Bench();
  const { conn } = b.established();
  conn.setOption("USER_TIMEOUT", 1000);
  b.advance(3_600_000);
  b.expectNothing();
  assert.equal(conn.state, "ESTABLISHED");
});
