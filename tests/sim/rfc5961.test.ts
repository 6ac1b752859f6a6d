// RFC 5961 (adopted by RFC 9293 3.10.7.4): exact-match RST, challenge ACKs for in-window RSTs, SYNs
// and ACKs out of range, and the per-connection rate limit on them (assembly/tcp/challenge.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Bench } from "./fixture.ts";
import { SimNet } from "../../host/sim/sim.ts";
import type { Conn } from "../../host/stack/stack.ts";

const text = (c: Conn): (() => string) => {
  let got = "";
  c.on("data", (d) => (got += Buffer.from(d).toString()));
  return () => got;
};

test("RFC 5961 3.2 an RST exactly at RCV.NXT resets the connection, also one that carries data (RFC 9293 3.5.3, SHLD-2)", () => {
  const b = new Bench();
  const { conn } = b.established();
  b.send({ flags: "R", seq: 1001, payload: "reason: going away" });
  b.expectNothing();
  assert.equal(conn.error, "ECONNRESET");
  assert.equal(b.counters().TCP_CHALLENGE_ACKS, 0);
});

test("RFC 5961 3.2 an in-window RST not at RCV.NXT draws a challenge ACK <SEQ=SND.NXT><ACK=RCV.NXT> and is dropped; the connection stays", () => {
  const b = new Bench();
  const { conn, iss } = b.established();
  const got = text(conn);
  b.send({ flags: "R", seq: 1001 + 1 });
  b.expect({ flags: ".", seq: iss + 1, ack: 1001 });
  assert.equal(conn.state, "ESTABLISHED");
  assert.equal(conn.error, null);
  b.send({ flags: "R.", seq: 1001 + 4000, ack: iss + 1 });       // deeper in the window, with ACK: the same
  assert.equal(conn.state, "ESTABLISHED");
  b.advance(500);
  b.send({ flags: "P.", seq: 1001, ack: iss + 1, payload: "alive" });
  b.delack();
  b.expect({ flags: ".", ack: 1006 });
  assert.equal(got(), "alive");
  const c = b.counters();
  assert.equal(c.TCP_CHALLENGE_ACKS, 1);
  assert.equal(c.TCP_CHALLENGE_ACKS_LIMITED, 1, "the second came within the limit interval");
  assert.equal(c.TCP_RESETS, 0);
  b.send({ flags: "R", seq: 1006 });                               // a genuine peer answers with the exact one
  assert.equal(conn.error, "ECONNRESET");
});

test("RFC 5961 3.2 in SYN-RECEIVED too: an inexact RST gets a challenge ACK, the exact one returns to LISTEN", () => {
  const b = new Bench();
  const { listener, iss } = b.synReceived();
  b.send({ flags: "R", seq: 1001 + 10 });
  b.expect({ flags: ".", seq: iss + 1, ack: 1001 });
  assert.equal(b.stack.core.connections(), 1, "the half-open connection stays");
  b.send({ flags: "R", seq: 1001 });
  b.expectNothing();
  assert.equal(b.stack.core.connections(), 0);
  assert.equal(listener.accepted.length, 0);
});

test("RFC 5961 3.2 an RST that overtakes lost data still ends the peer's connection, through the challenge ACK round trip", () => {
  const net = new SimNet({ seed: 51, capture: true });
  let dropData = false;
  const server = net.host({ name: "server", ip: "198.18.0.1" });
  const client = net.host({ name: "client", ip: "198.18.0.2", fault: { drop: (f, dir) => dropData && dir === "tx" && f.length > 80 } });  // data frames only (an RST with TSopt is 66 B)
  let sc: Conn | null = null;
  server.listen(80, 4, (c) => (sc = c));
  const cc = client.connect("198.18.0.1", 80);
  net.runUntil(() => cc.connected && sc !== null, { maxVirtualMs: 10_000 });
  dropData = true;
  cc.write("lost on the way");                                     // RCV.NXT at the server stays behind
  net.run(1);
  cc.abort();                                                      // RST at SND.NXT: in the window, not exact
  net.runUntil(() => sc!.error !== null, { maxVirtualMs: 10_000 });
  assert.equal(sc!.error, "ECONNRESET");
  assert.equal(server.counters().TCP_CHALLENGE_ACKS, 1);
  assert.deepEqual(net.tcpFrames((f) => f.parsed.tcp.flagStr.startsWith("R")).map((f) => f.parsed.tcp.flagStr), ["R.", "R"],
    "our abort, then the client's answer to the challenge ACK");
});

test("RFC 5961 4.2 a SYN on a synchronized connection, in the window or not, gets a challenge ACK (counted and rate-limited)", () => {
  const b = new Bench();
  const { conn, iss } = b.established();
  b.send({ flags: "S", seq: 1001 + 10 });
  b.expect({ flags: ".", seq: iss + 1, ack: 1001 });
  b.send({ flags: "S", seq: 7 });
  b.expectNothing();                                               // within 500 ms of the first
  b.advance(500);
  b.send({ flags: "S", seq: 7 });
  b.expect({ flags: ".", seq: iss + 1, ack: 1001 });
  assert.equal(conn.state, "ESTABLISHED");
  assert.equal(b.counters().TCP_CHALLENGE_ACKS, 2);
  assert.equal(b.counters().TCP_CHALLENGE_ACKS_LIMITED, 1);
});

/** A connection whose peer offers a 1000-byte window throughout (MAX.SND.WND = 1000), after the dut
 *  has sent and had acknowledged 2000 bytes: SND.UNA = ISS + 2001. */
function smallWindow(): { b: Bench; conn: Conn; iss: number } {
  const b = new Bench();
  const l = b.listen();
  b.send({ flags: "S", seq: 1000, win: 1000, options: [{ kind: "mss", value: 1460 }] });
  const iss = b.expect({ flags: "S." }).seq;
  b.send({ flags: ".", seq: 1001, ack: iss + 1, win: 1000 });
  const conn = l.accepted[0]!;
  conn.write(new Uint8Array(2000));
  b.expect({ flags: ".", seq: iss + 1, len: 1000 });
  b.send({ flags: ".", seq: 1001, ack: iss + 1001, win: 1000 });
  b.expect({ flags: "P.", seq: iss + 1001, len: 1000 });
  b.send({ flags: ".", seq: 1001, ack: iss + 2001, win: 1000 });
  b.expectNothing();
  return { b, conn, iss };
}

test("RFC 5961 5.2 an ACK below SND.UNA − MAX.SND.WND gets a challenge ACK and the segment is dropped, its data too", () => {
  const { b, conn, iss } = smallWindow();
  const got = text(conn);
  b.send({ flags: "P.", seq: 1001, ack: iss + 1000, win: 1000, payload: "evil" });  // one below the bound
  b.expect({ flags: ".", seq: iss + 2001, ack: 1001 });
  assert.equal(got(), "", "the injected data is not taken");
  assert.equal(b.counters().DROP_TCP_OLD_ACK, 1);
  assert.equal(b.counters().TCP_CHALLENGE_ACKS, 1);
  b.send({ flags: ".", seq: 1001, ack: iss + 2001, win: 200 });    // the window shrinks; MAX.SND.WND stays 1000
  b.expectNothing();
  b.send({ flags: "P.", seq: 1001, ack: iss + 1001, win: 200, payload: "good" });  // at the bound: old, but fine
  b.delack();
  b.expect({ flags: ".", seq: iss + 2001, ack: 1005 });
  assert.equal(got(), "good", "SND.UNA − MAX.SND.WND, not − SND.WND, is the bound");
  assert.equal(conn.info()!.sndUna, iss + 2001, "an old ACK never moves SND.UNA back");
});

test("RFC 5961 5.2 an ACK of data never sent (SEG.ACK > SND.NXT) gets a challenge ACK through the same limiter", () => {
  const b = new Bench();
  const { iss } = b.established();
  for (let k = 0; k < 3; k++) b.send({ flags: "P.", seq: 1001, ack: iss + 50, payload: "abc" });
  b.expect({ flags: ".", seq: iss + 1, ack: 1001 });
  const c = b.counters();
  assert.equal(c.DROP_TCP_BAD_ACK, 3);
  assert.equal(c.TCP_CHALLENGE_ACKS, 1);
  assert.equal(c.TCP_CHALLENGE_ACKS_LIMITED, 2);
});

test("RFC 5961 7 a burst of 10 in-window bad RSTs within the limit interval yields exactly one challenge ACK, and another after the interval", () => {
  const b = new Bench();
  const { conn, iss } = b.established();
  for (let k = 1; k <= 10; k++) b.send({ flags: "R", seq: 1001 + 97 * k });
  b.expect({ flags: ".", seq: iss + 1, ack: 1001 });
  b.advance(499);
  b.send({ flags: "R", seq: 1001 + 5 });
  b.expectNothing();
  b.advance(1);
  b.send({ flags: "R", seq: 1001 + 5 });
  b.expect({ flags: ".", seq: iss + 1, ack: 1001 });
  assert.equal(conn.state, "ESTABLISHED");
  const c = b.counters();
  assert.equal(c.TCP_CHALLENGE_ACKS, 2);
  assert.equal(c.TCP_CHALLENGE_ACKS_LIMITED, 10);
  assert.equal(c.TCP_RST_RX, 0, "none of them was an acceptable RST");
});

test("RFC 5961 7 the limit is per connection: challenge ACKs on one connection do not silence another", () => {
  const b = new Bench();
  const one = b.established();
  b.peerPort = 40001;
  b.send({ flags: "S", seq: 5000 });
  const sa = b.expect({ flags: "S." });
  b.send({ flags: ".", seq: 5001, ack: sa.seq + 1 });
  b.peerPort = 40000;
  b.send({ flags: "R", seq: 1001 + 3 });
  b.expect({ flags: ".", seq: one.iss + 1, ack: 1001 });
  b.peerPort = 40001;
  b.send({ flags: "R", seq: 5001 + 3 });
  b.expect({ flags: ".", seq: sa.seq + 1, ack: 5001 });
  assert.equal(b.counters().TCP_CHALLENGE_ACKS, 2);
});
