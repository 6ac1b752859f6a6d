// A retransmission never carries data that was not sent before (found by the libFuzzer target,
// fuzz/regressions/retransmit-past-snd-max.bin): a partial ACK just below SND.MAX with more data
// queued made the NewReno retransmission of the first unacknowledged segment run on into unsent
// data, so SND.NXT passed SND.MAX, and the peer's ACK of those bytes was then dropped as "acks
// something never sent" (RFC 9293 3.10.7.4). New data goes through the send path (window, cwnd).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Bench } from "./fixture.ts";
import type { TcpInfo } from "../../host/core.ts";
import type { Conn } from "../../host/stack/stack.ts";

const inf = (c: Conn): Required<TcpInfo> => c.info() as Required<TcpInfo>;

test("RFC 6582 3.2 / RFC 9293 3.10.7.4 a partial ACK's retransmission stops at SND.MAX, and the peer's ACK of everything sent is taken", () => {
  const b = new Bench();
  const { conn, iss } = b.established();
  conn.write(new Uint8Array(60_000).fill(0x64));               // more than the first flight: data stays queued
  const flight = b.sent();
  assert.ok(flight.length >= 3, "a flight of full segments went out");
  for (let i = 0; i < 3; i++) b.send({ flags: ".", seq: 1001, ack: iss + 1, win: 65535 });   // three duplicates
  assert.equal(b.counters().TCP_FAST_RETRANSMITS, 1, "the third duplicate ACK starts fast retransmit");
  b.sent();
  const max = inf(conn).sndMax;
  assert.ok(inf(conn).txQueued > max - iss - 1, "data not yet sent is queued behind SND.MAX");
  b.send({ flags: ".", seq: 1001, ack: (max - 10) >>> 0, win: 65535 });   // partial ACK: all but 10 bytes
  const rtx = b.sent();
  const sent = rtx.reduce((end, s) => Math.max(end, ((s.seq - iss) >>> 0) + s.payload.length), 0);
  const i = inf(conn);
  assert.ok(((i.sndNxt - i.sndMax) | 0) <= 0, `SND.NXT ${i.sndNxt - iss} never passes SND.MAX ${i.sndMax - iss}`);
  assert.ok(sent <= ((i.sndMax - iss) >>> 0), "nothing sent beyond SND.MAX");
  const bad = b.counters().DROP_TCP_BAD_ACK;
  const end = Math.max(sent, (i.sndMax - iss) >>> 0);
  b.send({ flags: ".", seq: 1001, ack: (iss + end) >>> 0, win: 65535 });   // the peer acks everything it got
  assert.equal(b.counters().DROP_TCP_BAD_ACK, bad, "the ACK of everything sent is not taken for one of data never sent");
  assert.equal(inf(conn).sndUna, (iss + end) >>> 0);
});
