// poll() walks only the connection something happened to since the last poll, until the earliest
// deadline its last full walk found (assembly/tcp/timers.ts tcpPoll). These tests keep a first
// connection idle with a far deadline (keepalive in an hour) so that every poll after the setup takes
// that short path, and check that each timer and owed ACK of a second connection still goes out on
// time: a delayed ACK, a window update after a read, a retransmission, keepalive set by an option,
// TIME-WAIT's end. Each would be missed if the call that started it did not note its connection.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Bench } from "./fixture.ts";
import type { Conn } from "../../host/stack/stack.ts";

const HOUR = 3_600_000;

/** Connection A (peer port 40000) idle with keepalive in an hour; B (peer port 40001) established
 *  after it; the bench now speaks for B. */
function twoConnections(profile?: "server") {
  const b = new Bench({ profile });
  const a = b.established();
  a.conn.setOption("KEEPALIVE", HOUR);
  b.advance(10);
  b.peerPort = 40001;
  b.send({ flags: "S", seq: 5000, options: [{ kind: "mss", value: 1460 }] });
  const synack = b.expect({ flags: "S.", ack: 5001 });
  b.send({ flags: ".", seq: 5001, ack: synack.seq + 1 });
  b.expectNothing();
  const conn = a.listener.accepted[1]!;
  assert.equal(conn.state, "ESTABLISHED");
  b.stack.call(() => 0);              // one more poll: the state query above noted B; nothing is left noted
  return { b, a, conn, iss: synack.seq, t0: b.now };
}

/** Advance to `t` and expect nothing one ms before it. */
function at(b: Bench, t: number): void {
  b.advance(t - 1 - b.now);
  b.expectNothing();
  b.advance(1);
}

test("poll walk: a segment on another connection arms its delayed ACK (RFC 9293 3.8.6.3), sent DELACK_MS later, not at the far deadline", () => {
  const { b, conn, iss } = twoConnections();
  conn.pause();
  b.send({ flags: "P.", seq: 5001, ack: iss + 1, payload: "x" });
  b.expectNothing();
  at(b, b.now + b.stack.core.config().DELACK_MS);
  b.expect({ flags: ".", seq: iss + 1, ack: 5002 });
});

test("poll walk: a read's window update on another connection (RFC 9293 3.8.6.2.2) goes at the end of the app's turn", () => {
  const { b, conn, iss } = twoConnections("server");
  conn.pause();
  const MSS = 1460;
  const n = 40;                                     // less than 8 full segments left open
  for (let i = 0; i < n; i++) b.send({ flags: ".", seq: 5001 + i * MSS, ack: iss + 1, payload: new Uint8Array(MSS) });
  b.delack();
  b.sent();
  const got = b.stack.call((c) => {
    let k = 0;
    for (let r: Uint8Array | number; k < n * MSS && typeof (r = c.recv(conn.handle, b.now, n * MSS - k)) !== "number"; ) k += r.length;
    return k;
  });
  assert.equal(got, n * MSS);
  const upd = b.expect({ flags: ".", ack: 5001 + n * MSS });
  assert.ok(upd.win > 60_000, `window reopened: ${upd.win}`);
});

test("poll walk: data sent on another connection is retransmitted at its RTO (RFC 6298 5.1), and again after the backoff", () => {
  const { b, conn, iss } = twoConnections();
  const rto = b.stack.core.config().RTO_MIN_MS;   // the handshake measured an RTT of 0
  conn.write("abc");
  const t1 = b.now;
  b.expect({ flags: "P.", seq: iss + 1, payload: "abc" });
  at(b, t1 + rto);
  b.expect({ flags: "P.", seq: iss + 1, payload: "abc" });
  at(b, t1 + 3 * rto);
  b.expect({ flags: "P.", seq: iss + 1, payload: "abc" });
});

test("poll walk: keepalive set by an option on another connection (RFC 1122 4.2.3.6) probes on time", () => {
  const { b, conn, iss, t0 } = twoConnections();
  conn.setOption("KEEPALIVE", 2000);
  at(b, t0 + 2000);
  b.expect({ flags: ".", seq: iss, ack: 5001, len: 0 });
});

test("poll walk: TIME-WAIT on another connection ends at 2 MSL (RFC 9293 3.10.8) and frees its slot", () => {
  const { b, conn, iss } = twoConnections();
  conn.end();
  b.expect({ flags: "F.", seq: iss + 1, ack: 5001 });
  b.send({ flags: "F.", seq: 5001, ack: iss + 2 });
  b.expect({ flags: ".", seq: iss + 2, ack: 5002 });
  const t1 = b.now;
  assert.equal(b.stack.core.connections(), 2);
  b.advance(2 * b.stack.core.config().MSL_MS - 1);
  assert.equal(b.stack.core.connections(), 2, "still in TIME-WAIT");
  b.advance(t1 + 2 * b.stack.core.config().MSL_MS - b.now);
  assert.equal(b.stack.core.connections(), 1, "TIME-WAIT over");
});

test("poll walk: the far deadline itself still fires (the first connection's keepalive probe at one hour)", () => {
  const { b, a } = twoConnections();
  b.peerPort = 40000;
  b.sent();
  b.advance(HOUR);
  b.expect({ flags: ".", seq: a.iss, ack: 1001, len: 0 });
});
