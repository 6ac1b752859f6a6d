// ACKs to unacceptable segments (RFC 9293 3.10.7.4, first check): every data-carrying one gets its
// ACK — two retransmissions after a lost ACK, a few ms apart, were answered only once (one ACK per
// 500 ms per connection, data included). Only empty segments and RFC 5961 challenge ACKs are
// rate-limited (tcp/challenge.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Bench } from "./fixture.ts";

test("RFC 9293 3.10.7.4 two out-of-window data segments a few ms apart each get an ACK <SEQ=SND.NXT><ACK=RCV.NXT>", () => {
  const b = new Bench();
  const { iss } = b.established();
  b.send({ flags: "P.", seq: 1001, ack: iss + 1, payload: "hello" });
  b.delack();
  b.expect({ flags: ".", ack: 1006 });                      // this ACK is "lost": the peer resends
  b.send({ flags: "P.", seq: 1001, ack: iss + 1, payload: "hello" });
  b.expect({ flags: ".", seq: iss + 1, ack: 1006 });
  b.advance(3);
  b.send({ flags: "P.", seq: 1001, ack: iss + 1, payload: "hello" });
  b.expect({ flags: ".", seq: iss + 1, ack: 1006 });
  b.advance(3);
  b.send({ flags: "P.", seq: 1006 + 100_000, ack: iss + 1, payload: "far" });   // past the right edge
  b.expect({ flags: ".", seq: iss + 1, ack: 1006 });
  b.send({ flags: "F.", seq: 1001, ack: iss + 1 });         // an old FIN (no data) is acked too
  b.expect({ flags: ".", seq: iss + 1, ack: 1006 });
  assert.equal(b.counters().DROP_TCP_OUT_OF_WINDOW, 4);
});

test("RFC 9293 3.10.7.4 / RFC 5961 7 empty unacceptable segments stay rate-limited: one ACK per 500 ms", () => {
  const b = new Bench();
  const { iss } = b.established();
  for (let k = 0; k < 5; k++) b.send({ flags: ".", seq: 1001 + 100_000, ack: iss + 1 });
  assert.equal(b.sent().length, 1, "one ACK answers five empty unacceptable segments");
  b.send({ flags: "P.", seq: 1001 + 100_000, ack: iss + 1, payload: "x" });
  b.expect({ flags: ".", ack: 1001 });                      // data is answered even inside the interval
  b.advance(500);
  b.send({ flags: ".", seq: 1001 + 100_000, ack: iss + 1 });
  assert.equal(b.sent().length, 1, "and an empty one again after 500 ms");
});
