// The ACK of a FIN that takes ESTABLISHED to CLOSE-WAIT (RFC 9293 3.10.7.4, eighth check) waits for
// the end of the app's turn (the poll after rx; RFC 1122 4.2.3.2 lets an ACK wait, MUST-58), so an
// app that closes in that turn answers a passive close with one FIN,ACK, as lwIP and Linux do.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Bench, DUT_IP, PEER_IP } from "./fixture.ts";
import { buildTcpFrame } from "../../host/packet/packet.ts";

/** The peer's FIN,ACK at 1001 for the bench's connection, as a frame to hand to the core. */
function finFrame(b: Bench, iss: number): Uint8Array {
  return buildTcpFrame({ src: PEER_IP, dst: DUT_IP, srcMac: b.peer.mac, dstMac: b.stack.mac, sport: b.peerPort,
    dport: b.dutPort, seq: 1001, ack: iss + 1, flags: "F.", win: 65535 });
}

test("RFC 9293 3.10.7.4 eighth check, RFC 1122 4.2.3.2: an app that closes in the turn the peer's FIN arrived sends one FIN,ACK (the FIN's ACK rides on it); the peer's ACK ends LAST-ACK", () => {
  const b = new Bench();
  const { conn, iss } = b.established();
  b.stack.call((c) => {
    c.rx(finFrame(b, iss), b.now);
    return c.close(conn.handle, b.now);
  });
  b.expect({ flags: "F.", seq: iss + 1, ack: 1002 });   // one segment, not an ACK and then a FIN
  b.send({ flags: ".", seq: 1002, ack: iss + 2 });
  b.expectNothing();
  assert.equal(b.stack.core.connections(), 0);
});

test("RFC 9293 3.10.7.4 eighth check: an app that does not close in that turn still has the FIN acked by the poll that ends it, and closes later with a FIN of its own", () => {
  const b = new Bench();
  const { conn, iss } = b.established();
  b.stack.call((c) => c.rx(finFrame(b, iss), b.now));
  b.expect({ flags: ".", seq: iss + 1, ack: 1002 });
  assert.equal(conn.state, "CLOSE_WAIT");
  b.advance(100);
  b.expectNothing();
  conn.end();
  b.expect({ flags: "F.", seq: iss + 1, ack: 1002 });
});

test("the host stack dispatches the app's events before the poll that ends the turn: an app that closes from its 'end' handler answers a passive close with one FIN,ACK", () => {
  const b = new Bench();
  const { conn, iss } = b.established();
  conn.on("end", () => conn.end());
  b.send({ flags: "F.", seq: 1001, ack: iss + 1 });
  b.expect({ flags: "F.", seq: iss + 1, ack: 1002 });   // not a bare ACK first
  b.expectNothing();
  b.send({ flags: ".", seq: 1002, ack: iss + 2 });
  assert.equal(b.stack.core.connections(), 0);
});
