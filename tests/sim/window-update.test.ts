// The window update a read owes (RFC 9293 3.8.6.2.2, RFC 1122 4.2.3.3), in a large receive ring: it
// goes bare at once only while the sender may be short of window (less than 8 full segments still
// open); otherwise it rides on the next ACK. The default profile's 8 KiB ring is always under 8
// segments: extensions.test.ts checks that its update goes at the end of the turn.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Bench } from "./fixture.ts";
import type { Conn } from "../../host/stack/stack.ts";

const MSS = 1460;

/** A connection accepted by the server-profile dut (64 KiB rings); the peer offers MSS 1460 and no
 *  options, so the window field is unscaled (at most 65 535). */
function established(): { b: Bench; conn: Conn; iss: number } {
  const b = new Bench({ profile: "server" });
  const l = b.listen();
  b.send({ flags: "S", seq: 1000, options: [{ kind: "mss", value: MSS }] });
  const synack = b.expect({ flags: "S.", ack: 1001 });
  b.send({ flags: ".", seq: 1001, ack: synack.seq + 1 });
  b.expectNothing();
  return { b, conn: l.accepted[0]!, iss: synack.seq };
}

/** The peer sends `n` full segments from `seq`; the dut's ACKs (one per two segments). */
function fill(b: Bench, iss: number, seq: number, n: number): void {
  for (let i = 0; i < n; i++) b.send({ flags: ".", seq: seq + i * MSS, ack: iss + 1, payload: new Uint8Array(MSS) });
}

/** The app reads `len` bytes inside one turn (the poll that ends it sends what is owed). */
function read(b: Bench, conn: Conn, len: number): void {
  const got = b.stack.call((c) => {
    let n = 0;
    for (let r: Uint8Array | number; n < len && typeof (r = c.recv(conn.handle, b.now, len - n)) !== "number"; ) n += r.length;
    return n;
  });
  assert.equal(got, len);
}

test("RFC 9293 3.8.6.2.2: with 8 full segments or more still open, a read sends no bare window update; the moved edge rides on the next ACK", () => {
  const { b, conn, iss } = established();
  const rx = b.stack.core.config().RX_BUF;
  assert.equal(rx, 65536, "the server profile's ring");
  conn.pause();
  fill(b, iss, 1001, 2);
  b.expect({ flags: ".", ack: 1001 + 2 * MSS, win: rx - 1 - 2 * MSS }); // two full segments: acked at once
  read(b, conn, 2 * MSS);
  b.expectNothing();                                                // 65 535 − 2 920 still open: no update
  b.advance(1000);
  b.expectNothing();
  fill(b, iss, 1001 + 2 * MSS, 2);
  b.expect({ flags: ".", ack: 1001 + 4 * MSS, win: rx - 2 * MSS }); // the next ACK carries the moved edge
});

test("RFC 9293 3.8.6.2.2: with less than 8 full segments still open, the window update a read owes goes at the end of the turn", () => {
  const { b, conn, iss } = established();
  const rx = b.stack.core.config().RX_BUF;
  conn.pause();
  const n = 40;                                                     // 58 400 bytes: 7 135 still open
  fill(b, iss, 1001, n);
  const acks = b.sent();
  assert.equal(acks.length, n / 2, "one ACK per two segments");
  assert.equal(acks.at(-1)!.win, rx - 1 - n * MSS, "the window the last ACK advertised");
  read(b, conn, n * MSS);
  b.expect({ flags: ".", ack: 1001 + n * MSS, win: rx - 1 });       // at once: the ring is free again
});

test("RFC 9293 3.8.6.2.2 / RFC 1122 4.2.3.2: a read of more than a full segment not yet acked sends its window update (and ACK) at the end of the turn, even with the window wide open", () => {
  const { b, conn, iss } = established();
  const rx = b.stack.core.config().RX_BUF;
  conn.pause();
  fill(b, iss, 1001, 1);
  b.send({ flags: "P.", seq: 1001 + MSS, ack: iss + 1, payload: new Uint8Array(100) }); // a tail: the sender's Nagle holds the next until this is acked
  b.expectNothing();                                                // 1 560 bytes: less than two full segments, the ACK may wait
  read(b, conn, MSS + 100);
  b.expect({ flags: ".", ack: 1001 + MSS + 100, win: rx - 1 });     // at once, not after the delayed-ACK timer
});
