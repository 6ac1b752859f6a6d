// Every transition of the RFC 9293 state diagram (Figure 5), one test each: the state, the event,
// the next state and the segment sent. The dut is a Petrel stack; the peer is scripted (fixture.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Bench, PEER_IP } from "./fixture.ts";

// ── opening ─────────────────────────────────────────────────────────────────────────────────
test("RFC 9293 3.5 CLOSED --passive OPEN--> LISTEN (no segment)", () => {
  const b = new Bench();
  const l = b.listen();
  assert.equal(b.stack.core.stateName(b.stack.core.state(l.handle)), "LISTEN");
  b.expectNothing();
});

test("RFC 9293 3.10.4 LISTEN --CLOSE--> CLOSED; a SYN afterwards is refused with RST", () => {
  const b = new Bench();
  const l = b.listen();
  l.close();
  assert.equal(b.stack.core.errorName(b.stack.core.state(l.handle)), "EBADF");
  b.send({ flags: "S", seq: 1000 });
  b.expect({ flags: "R.", seq: 0, ack: 1001 });
});

test("RFC 9293 3.10.7.2 LISTEN --rcv SYN--> SYN-RECEIVED, snd SYN,ACK with our MSS", () => {
  const b = new Bench();
  b.listen();
  b.send({ flags: "S", seq: 5000, options: [{ kind: "mss", value: 1000 }] });
  const sa = b.expect({ flags: "S.", ack: 5001 });
  assert.deepEqual(sa.options, [{ kind: "mss", value: 1460 }]);
  assert.deepEqual(b.stack.transitions.map((t) => `${t.from}->${t.to}`), ["CLOSED->SYN_RECEIVED"]);
});

test("RFC 9293 3.10.1 CLOSED --active OPEN--> SYN-SENT, snd SYN with the MSS option (MUST-14)", () => {
  const b = new Bench();
  const { conn } = b.synSent();
  assert.equal(conn.state, "SYN_SENT");
});

test("RFC 9293 3.10.7.3 SYN-SENT --rcv SYN,ACK--> ESTABLISHED, snd ACK", () => {
  const b = new Bench();
  const { conn, iss } = b.synSent();
  b.send({ flags: "S.", seq: 9000, ack: iss + 1, options: [{ kind: "mss", value: 1200 }] });
  b.expect({ flags: ".", seq: iss + 1, ack: 9001 });
  assert.equal(conn.state, "ESTABLISHED");
  assert.ok(conn.connected, "'connect' reported");
  assert.equal(conn.info()!.mss, 1200, "the peer's MSS is honoured");
});

test("RFC 9293 3.10.7.3 SYN-SENT --rcv SYN--> SYN-RECEIVED, snd SYN,ACK (simultaneous open)", () => {
  const b = new Bench();
  const { conn, iss } = b.synSent();
  b.send({ flags: "S", seq: 9000 });
  b.expect({ flags: "S.", seq: iss, ack: 9001 });
  assert.equal(conn.state, "SYN_RECEIVED");
  // the peer's SYN,ACK crosses ours; each side acks, both reach ESTABLISHED
  b.send({ flags: "S.", seq: 9000, ack: iss + 1 });
  b.expect({ flags: ".", seq: iss + 1, ack: 9001 });
  b.send({ flags: ".", seq: 9001, ack: iss + 1 });
  assert.equal(conn.state, "ESTABLISHED");
});

test("RFC 9293 3.10.4 SYN-SENT --CLOSE--> CLOSED (TCB deleted, no segment); a late SYN,ACK gets RST", () => {
  const b = new Bench();
  const { conn, iss } = b.synSent();
  conn.close();
  b.expectNothing();
  assert.equal(b.stack.core.connections(), 0);
  b.send({ flags: "S.", seq: 9000, ack: iss + 1 });
  b.expect({ flags: "R", seq: iss + 1 });
});

test("RFC 9293 3.10.7.4 SYN-RECEIVED --rcv ACK of SYN--> ESTABLISHED (no segment), queued for accept", () => {
  const b = new Bench();
  const { listener, iss } = b.synReceived();
  b.send({ flags: ".", seq: 1001, ack: iss + 1 });
  b.expectNothing();
  assert.equal(listener.accepted.length, 1);
  assert.equal(listener.accepted[0]!.state, "ESTABLISHED");
});

test("RFC 9293 3.10.4 SYN-RECEIVED --CLOSE--> FIN-WAIT-1, snd FIN", () => {
  const b = new Bench();
  const { conn, iss } = b.synSent();
  b.send({ flags: "S", seq: 9000 });                    // simultaneous open: SYN-RECEIVED
  b.expect({ flags: "S.", seq: iss });
  assert.equal(b.stack.call((c) => c.shutdown(conn.handle, b.now)), 0); // the raw call: Conn waits for 'connect'
  b.expect({ flags: "F.", seq: iss + 1, ack: 9001 });
  assert.equal(conn.state, "FIN_WAIT_1");
  b.send({ flags: ".", seq: 9001, ack: iss + 2 });     // acks our SYN and FIN
  assert.equal(conn.state, "FIN_WAIT_2");
});

test("RFC 9293 3.10.7.4 SYN-RECEIVED (from LISTEN) --rcv RST--> LISTEN: the listener goes on", () => {
  const b = new Bench();
  const { listener, iss } = b.synReceived();
  b.send({ flags: "R", seq: 1001 });
  b.expectNothing();
  assert.equal(b.stack.core.connections(), 0, "the half-open TCB is gone");
  assert.equal(listener.accepted.length, 0);
  assert.deepEqual(b.stack.transitions.map((t) => t.to), ["SYN_RECEIVED", "CLOSED"]);
  b.send({ flags: "S", seq: 7000 });                    // still listening
  b.expect({ flags: "S.", ack: 7001 });
  void iss;
});

// ── data and closing ───────────────────────────────────────────────────────────────────────
test("RFC 9293 3.10.4 ESTABLISHED --CLOSE--> FIN-WAIT-1, snd FIN", () => {
  const b = new Bench();
  const { conn, iss } = b.established();
  conn.shutdown();
  b.expect({ flags: "F.", seq: iss + 1, ack: 1001 });
  assert.equal(conn.state, "FIN_WAIT_1");
});

test("RFC 9293 3.10.7.4 FIN-WAIT-1 --rcv ACK of FIN--> FIN-WAIT-2 (no segment)", () => {
  const b = new Bench();
  const { conn } = b.finWait2();
  assert.equal(conn.state, "FIN_WAIT_2");
});

test("RFC 9293 3.10.7.4 FIN-WAIT-2 --rcv FIN--> TIME-WAIT, snd ACK", () => {
  const b = new Bench();
  const { conn, iss } = b.finWait2();
  b.send({ flags: "F.", seq: 1001, ack: iss + 2 });
  b.expect({ flags: ".", seq: iss + 2, ack: 1002 });
  assert.equal(conn.state, "TIME_WAIT");
});

test("RFC 9293 3.10.7.4 FIN-WAIT-1 --rcv FIN--> CLOSING, snd ACK (simultaneous close)", () => {
  const b = new Bench();
  const { conn, iss } = b.finWait1();
  b.send({ flags: "F.", seq: 1001, ack: iss + 1 });     // their FIN, not acking ours
  b.expect({ flags: ".", seq: iss + 2, ack: 1002 });
  assert.equal(conn.state, "CLOSING");
});

test("RFC 9293 3.10.7.4 CLOSING --rcv ACK of FIN--> TIME-WAIT", () => {
  const b = new Bench();
  const { conn, iss } = b.finWait1();
  b.send({ flags: "F.", seq: 1001, ack: iss + 1 });
  b.expect({ flags: "." });
  b.send({ flags: ".", seq: 1002, ack: iss + 2 });
  b.expectNothing();
  assert.equal(conn.state, "TIME_WAIT");
});

test("RFC 9293 3.10.7.4 FIN-WAIT-1 --rcv FIN,ACK of our FIN--> (FIN-WAIT-2 →) TIME-WAIT, snd ACK (3-way close)", () => {
  const b = new Bench();
  const { conn, iss } = b.finWait1();
  b.send({ flags: "F.", seq: 1001, ack: iss + 2 });
  b.expect({ flags: ".", seq: iss + 2, ack: 1002 });
  assert.equal(conn.state, "TIME_WAIT");
  // 3.10.7.4: the ACK check enters FIN-WAIT-2 "and continues processing in that state", whose FIN
  // check enters TIME-WAIT: one segment, two transitions, never CLOSING
  assert.deepEqual(conn.states.slice(-3), ["FIN_WAIT_1", "FIN_WAIT_2", "TIME_WAIT"]);
});

test("RFC 9293 3.10.7.4 ESTABLISHED --rcv FIN--> CLOSE-WAIT, snd ACK; the app sees end of stream", () => {
  const b = new Bench();
  const { conn, iss } = b.established();
  let ended = false;
  conn.on("end", () => { ended = true; });
  b.send({ flags: "F.", seq: 1001, ack: iss + 1 });
  b.expect({ flags: ".", seq: iss + 1, ack: 1002 });
  assert.equal(conn.state, "CLOSE_WAIT");
  assert.ok(ended);
});

test("RFC 9293 3.10.4 CLOSE-WAIT --CLOSE--> LAST-ACK, snd FIN", () => {
  const b = new Bench();
  const { conn, iss } = b.closeWait();
  conn.close();
  b.expect({ flags: "F.", seq: iss + 1, ack: 1002 });
  assert.equal(b.stack.core.stateName(b.stack.core.state(conn.handle)), "LAST_ACK");
});

test("RFC 9293 3.10.7.4 LAST-ACK --rcv ACK of FIN--> CLOSED (TCB deleted)", () => {
  const b = new Bench();
  const { conn, iss } = b.closeWait();
  conn.close();
  b.expect({ flags: "F." });
  b.send({ flags: ".", seq: 1002, ack: iss + 2 });
  b.expectNothing();
  assert.equal(b.stack.core.connections(), 0);
  assert.deepEqual(b.stack.transitions.map((t) => t.to).slice(-3), ["CLOSE_WAIT", "LAST_ACK", "CLOSED"]);
});

test("RFC 9293 3.10.8 TIME-WAIT --timeout 2MSL--> CLOSED (delete TCB)", () => {
  const b = new Bench();
  const { conn } = b.timeWait();
  const entered = b.now;
  const msl = b.stack.core.config().MSL_MS;
  b.advance(2 * msl - 1);
  assert.equal(conn.state, "TIME_WAIT", "still TIME-WAIT 1 ms before 2MSL");
  b.advance(1);
  assert.equal(conn.state, "CLOSED");
  const closedAt = b.stack.transitions.find((t) => t.to === "CLOSED")!.timeMs;
  assert.equal(closedAt - entered, 2 * msl);
});

test("RFC 9293 3.10.7.4 TIME-WAIT: a retransmitted FIN is acked and restarts the 2MSL timeout", () => {
  const b = new Bench();
  const { conn, iss } = b.timeWait();
  const msl = b.stack.core.config().MSL_MS;
  b.advance(msl);
  b.send({ flags: "F.", seq: 1001, ack: iss + 2 });    // our ACK was lost
  b.expect({ flags: ".", seq: iss + 2, ack: 1002 });
  b.advance(2 * msl - 1);
  assert.equal(conn.state, "TIME_WAIT", "restarted at the retransmitted FIN");
  b.advance(1);
  assert.equal(conn.state, "CLOSED");
});

// ── resets ─────────────────────────────────────────────────────────────────────────────────
for (const [state, setup] of [
  ["ESTABLISHED", (b: Bench) => b.established()],
  ["CLOSE_WAIT", (b: Bench) => b.closeWait()],
  ["FIN_WAIT_1", (b: Bench) => b.finWait1()],
  ["FIN_WAIT_2", (b: Bench) => b.finWait2()],
] as const) {
  test(`RFC 9293 3.10.7.4 ${state} --rcv RST--> CLOSED with ECONNRESET`, () => {
    const b = new Bench();
    const { conn } = setup(b);
    assert.equal(conn.state, state);
    const rcvNxt = state === "CLOSE_WAIT" ? 1002 : 1001;
    b.send({ flags: "R", seq: rcvNxt });
    b.expectNothing();
    assert.equal(conn.error, "ECONNRESET");
    assert.equal(conn.state, "CLOSED");
  });
}

test("RFC 9293 3.10.7.4 RST outside the window is ignored (and counted)", () => {
  const b = new Bench();
  const { conn } = b.established();
  b.send({ flags: "R", seq: 1001 + 100_000 });
  b.expectNothing();
  assert.equal(conn.state, "ESTABLISHED");
  assert.equal(b.counters().DROP_TCP_RST_IGNORED, 1);
});

test("RFC 9293 3.10.7.3 SYN-SENT --rcv RST,ACK--> CLOSED with ECONNREFUSED", () => {
  const b = new Bench();
  const { conn, iss } = b.synSent();
  b.send({ flags: "R.", seq: 0, ack: iss + 1 });
  b.expectNothing();
  assert.equal(conn.error, "ECONNREFUSED");
});

test("RFC 9293 3.10.7.3 SYN-SENT: RST with an unacceptable ACK is dropped; an ACK that is not ours gets RST", () => {
  const b = new Bench();
  const { conn, iss } = b.synSent();
  b.send({ flags: "R.", seq: 0, ack: iss + 5 });
  b.expectNothing();
  assert.equal(conn.state, "SYN_SENT");
  b.send({ flags: ".", seq: 0, ack: iss + 5 });
  b.expect({ flags: "R", seq: iss + 5 });
  assert.equal(conn.state, "SYN_SENT");
});

test("RFC 9293 3.10.5 ABORT in ESTABLISHED: snd RST <SEQ=SND.NXT>, TCB deleted", () => {
  const b = new Bench();
  const { conn, iss } = b.established();
  conn.abort();
  b.expect({ flags: "R.", seq: iss + 1 });
  assert.equal(b.stack.core.connections(), 0);
});

test("RFC 9293 3.10.7.1 a segment for no connection: ACK → <SEQ=SEG.ACK><RST>; no ACK → <ACK=SEG.SEQ+SEG.LEN><RST,ACK>", () => {
  const b = new Bench();
  b.send({ flags: ".", seq: 100, ack: 777 });
  b.expect({ flags: "R", seq: 777 });
  b.send({ flags: "S", seq: 100 });
  b.expect({ flags: "R.", seq: 0, ack: 101 });
  b.send({ flags: "P", seq: 100, payload: "abc" });
  b.expect({ flags: "R.", seq: 0, ack: 103 });
  b.send({ flags: "R", seq: 100 });
  b.expectNothing();
  assert.equal(b.counters().TCP_NO_LISTENER, 4);
});

test("RFC 9293 3.10.7.2 LISTEN: an ACK gets <SEQ=SEG.ACK><RST>, an RST is ignored", () => {
  const b = new Bench();
  b.listen();
  b.send({ flags: ".", seq: 1, ack: 4242 });
  b.expect({ flags: "R", seq: 4242 });
  b.send({ flags: "R", seq: 1 });
  b.expectNothing();
});

test("RFC 9293 3.10.7.4 a SYN in ESTABLISHED gets a challenge ACK (RFC 5961 4.2), the connection stays", () => {
  const b = new Bench();
  const { conn, iss } = b.established();
  b.send({ flags: "S", seq: 555 });
  b.expect({ flags: ".", seq: iss + 1, ack: 1001 });
  assert.equal(conn.state, "ESTABLISHED");
});

test("RFC 9293 3.5.3 half-open: the peer rebooted and sends a new SYN; the challenge ACK draws its RST and we reset", () => {
  const b = new Bench();
  const { conn, iss } = b.established();
  b.send({ flags: "S", seq: 90000 });                    // the rebooted peer's new SYN from the same port
  const ch = b.expect({ flags: ".", seq: iss + 1, ack: 1001 });
  b.send({ flags: "R", seq: ch.ack });                   // its answer to an ACK it has no TCB for
  assert.equal(conn.error, "ECONNRESET");
});

test("RFC 9293 3.10.7.4 an unacceptable segment is answered with <SEQ=SND.NXT><ACK=RCV.NXT><ACK>", () => {
  const b = new Bench();
  const { iss } = b.established();
  b.send({ flags: "P.", seq: 1001 + 70_000, ack: iss + 1, payload: "x" });
  b.expect({ flags: ".", seq: iss + 1, ack: 1001 });
  assert.equal(b.counters().DROP_TCP_OUT_OF_WINDOW, 1);
});

test("RFC 9293 3.10.7.4 an ACK of data not yet sent is answered with an ACK and dropped", () => {
  const b = new Bench();
  const { iss } = b.established();
  b.send({ flags: "P.", seq: 1001, ack: iss + 50, payload: "abc" });
  b.expect({ flags: ".", seq: iss + 1, ack: 1001 });
  assert.equal(b.counters().DROP_TCP_BAD_ACK, 1);
});

test("RFC 9293 3.10.7.4 SYN-RECEIVED: an unacceptable ACK gets <SEQ=SEG.ACK><RST>", () => {
  const b = new Bench();
  const { iss } = b.synReceived();
  b.send({ flags: ".", seq: 1001, ack: iss + 10 });
  b.expect({ flags: "R", seq: iss + 10 });
});

void PEER_IP;
