// A partial ACK in fast recovery that also closes the peer's window (found by the libFuzzer target,
// fuzz/regressions/window-partial-ack.bin): the ACK's window must be taken before the partial ACK's
// retransmission goes out, so that nothing is sent past SND.UNA + SND.WND (RFC 9293 3.8.6, SHLD-16;
// RFC 9293 3.10.7.4 updates SND.WND on the same ACK that moves SND.UNA).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Bench } from "./fixture.ts";

test("RFC 9293 3.8.6 (SHLD-16) / RFC 6582 3.2 a partial ACK that closes the window draws no retransmission into it", () => {
  const b = new Bench();
  const { conn, iss } = b.established();
  conn.write(new Uint8Array(20_000).fill(0x63));
  const flight = b.sent();
  assert.ok(flight.length >= 3, "a flight of full segments went out");
  const mss = flight[0]!.payload.length;
  for (let i = 0; i < 3; i++) b.send({ flags: ".", seq: 1001, ack: iss + 1, win: 65535 });   // three duplicates
  assert.equal(b.counters().TCP_FAST_RETRANSMITS, 1, "the third duplicate ACK starts fast retransmit");
  b.sent();
  const una = iss + 1 + mss;                                   // the first segment arrived, the second did not
  b.send({ flags: ".", seq: 1001, ack: una, win: 0 });         // partial ACK, and the window shuts
  for (const s of b.sent()) {
    assert.ok(s.payload.length === 0, `nothing past the closed window (seq ${s.seq - iss}, ${s.payload.length} bytes)`);
  }
  b.send({ flags: ".", seq: 1001, ack: una, win: 65535 });     // the window opens again
  const resent: number[] = [];
  for (let ms = 0; ms < 5000 && resent.length === 0; ms += 10) {
    b.advance(10);
    for (const s of b.sent()) if (s.seq === una >>> 0 && s.payload.length > 0) resent.push(b.now);
  }
  assert.ok(resent.length > 0, "the hole at SND.UNA is resent once the window is open (recovery or the retransmission timer)");
});
