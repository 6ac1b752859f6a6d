// Persist timer versus fast retransmit (issue: a peer whose window closed for 5 s drew a fast
// retransmit of 500 bytes into its zero window after three probes). RFC 5681 2 defines a duplicate
// ACK: outstanding data, no data, no SYN/FIN, ACK = SND.UNA, and the window unchanged — the ACK of a
// window probe that keeps the window at zero is none of that (RFC 9293 3.8.6.1: the peer is
// answering the probe), and nothing is ever sent past the peer's window (RFC 9293 3.8.6, SHLD-16).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Bench } from "./fixture.ts";
import type { TcpInfo } from "../../host/core.ts";
import type { Conn } from "../../host/stack/stack.ts";

const inf = (c: Conn): Required<TcpInfo> => c.info() as Required<TcpInfo>;

/** ESTABLISHED, the app writes `bytes`, the peer acks the first flight and closes its window. */
function closedWindow(bytes: number): { b: Bench; conn: Conn; una: number; iss: number } {
  const b = new Bench();
  const { conn, iss } = b.established();
  conn.write(new Uint8Array(bytes).fill(0x61));
  const first = b.sent();
  assert.ok(first.length >= 2, "a first flight went out");
  const una = inf(conn).sndMax;
  b.send({ flags: ".", seq: 1001, ack: una, win: 0 });          // everything acked, the window shuts
  b.expectNothing();
  return { b, conn, una, iss };
}

test("RFC 5681 2 / RFC 9293 3.8.6.1 a window closed for 5 s mid-transfer: only 1-byte probes with backoff, their zero-window ACKs are not duplicate ACKs, no fast retransmit", () => {
  const { b, conn, una } = closedWindow(20_000);
  const probes: number[] = [];
  const end = b.now + 5000;
  while (b.now < end) {
    b.advance(10);
    for (const s of b.sent()) {
      assert.equal(s.seq, una >>> 0, "a probe starts at SND.UNA");
      assert.ok(s.payload.length <= 1, `never more than the 1-byte probe into a zero window (got ${s.payload.length})`);
      probes.push(b.now);
      b.send({ flags: ".", seq: 1001, ack: una, win: 0 });       // the peer answers: still shut
    }
  }
  assert.ok(probes.length >= 3, `at least three probes in 5 s (${probes.join(", ")})`);
  for (let i = 2; i < probes.length; i++) {
    const prev = probes[i - 1]! - probes[i - 2]!, cur = probes[i]! - probes[i - 1]!;
    assert.ok(cur >= 2 * prev - 10, `the probe interval doubles (${probes.join(", ")})`);
  }
  const c = b.counters();
  assert.equal(c.TCP_FAST_RETRANSMITS, 0);
  assert.equal(c.TCP_DUP_ACKS, 0, "probe ACKs with a zero window are not duplicate ACKs");
  assert.equal(inf(conn).dupAcks, 0);
  // the window opens: the data flows again from SND.UNA
  b.send({ flags: ".", seq: 1001, ack: una, win: 65535 });
  const out = b.sent();
  assert.ok(out.length > 0 && out[0]!.seq === una >>> 0 && out[0]!.payload.length > 1, "data resumes at SND.UNA: the probe byte the peer did not take goes again");
});

test("RFC 9293 3.8.6 (SHLD-16) a fast retransmission after the peer shrank its window resends only what fits in the window", () => {
  const b = new Bench();
  const { conn, iss } = b.established();
  conn.write(new Uint8Array(4000).fill(0x62));
  assert.ok(b.sent().length >= 2, "a flight of full segments went out");
  b.send({ flags: ".", seq: 1001, ack: iss + 1, win: 100 });    // a window update: shrunk to 100 bytes
  for (let i = 0; i < 3; i++) b.send({ flags: ".", seq: 1001, ack: iss + 1, win: 100 });   // three duplicates
  assert.equal(b.counters().TCP_FAST_RETRANSMITS, 1, "the third duplicate ACK starts fast retransmit");
  const rtx = b.sent();
  assert.equal(rtx.length, 1);
  assert.equal(rtx[0]!.seq, (iss + 1) >>> 0);
  assert.equal(rtx[0]!.payload.length, 100, "the first segment again, cut at the peer's right edge");
  assert.equal(inf(conn).sndNxt, (inf(conn).sndMax), "(SND.NXT unchanged: the rest is still in flight)");
});

test("per-peer fairness: with a persist limit (tcp_set_default PERSIST_TIMEOUT), peers that keep their window shut lose their slots, and a newcomer gets in", () => {
  const b = new Bench({ profile: "tiny" });
  const max = b.stack.core.config().MAX_CONNS;
  assert.equal(b.stack.core.setPersistTimeout(-1), -22, "a negative limit is -EINVAL");
  assert.equal(b.stack.core.setPersistTimeout(10_000), 0);
  const l = b.listen(max);
  const hogs: Conn[] = [];
  for (let i = 0; i < max; i++) {
    const port = 40000 + i;
    b.peer.sendTcp({ sport: port, dport: b.dutPort, seq: 1000, ack: 0, flags: "S", win: 65535, options: [{ kind: "mss", value: 1460 }] });
    const sa = b.sent().find((s) => s.dport === port)!;
    b.peer.sendTcp({ sport: port, dport: b.dutPort, seq: 1001, ack: (sa.seq + 1) >>> 0, flags: ".", win: 0 });   // never reads
    hogs.push(l.accepted.at(-1)!);
    hogs.at(-1)!.write(new Uint8Array(1000));
  }
  assert.equal(b.stack.core.connections(), max, "the table is full");
  b.peer.sendTcp({ sport: 41000, dport: b.dutPort, seq: 7000, ack: 0, flags: "S", win: 65535 });
  assert.equal(b.sent().filter((s) => s.dport === 41000).length, 0, "a newcomer is refused while they stay");
  // the hogs answer every probe with a zero window
  const start = b.now;
  while (b.stack.core.connections() > 0 && b.now - start < 20_000) {
    b.advance(100);
    for (const s of b.sent()) {
      if (s.payload.length === 1) b.peer.sendTcp({ sport: s.dport, dport: b.dutPort, seq: 1001, ack: s.seq, flags: ".", win: 0 });
    }
  }
  assert.equal(b.stack.core.connections(), 0);
  assert.ok(b.now - start >= 9_900 && b.now - start <= 10_200, `the limit ran out after 10 s (${b.now - start} ms)`);
  for (const h of hogs) assert.equal(h.error, "ETIMEDOUT");
  assert.equal(b.counters().TCP_PERSIST_TIMEOUTS, max);
  b.peer.sendTcp({ sport: 41001, dport: b.dutPort, seq: 7000, ack: 0, flags: "S", win: 65535 });
  assert.equal(b.sent().filter((s) => s.dport === 41001 && s.flags === 0x12).length, 1, "a newcomer gets in");
});

test("RFC 9293 MUST-37 without a persist limit (the default) a shut window is probed for as long as the probes are answered", () => {
  const { b, conn, una } = closedWindow(5000);
  for (let t = 0; t < 600; t++) {
    b.advance(1000);
    for (const s of b.sent()) if (s.payload.length === 1) b.send({ flags: ".", seq: 1001, ack: una, win: 0 });
  }
  assert.equal(conn.state, "ESTABLISHED");
  assert.equal(b.counters().TCP_PERSIST_TIMEOUTS ?? 0, 0);
});
