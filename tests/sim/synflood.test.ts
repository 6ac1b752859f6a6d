// SYN-flood resistance (RFC 4987): half-open connections take at most half the table (and half a
// listener's backlog); every SYN past that is answered with a SYN cookie (3.6), whose ACK takes a
// slot of the free half, or else evicts the oldest stale half-open connection (its SYN-ACK timed out once), a bounded SYN-RECEIVED life with fewer SYN-ACK retransmissions under
// pressure (3.2, 3.3). Forged sources are addresses of the simulated link that nobody answers (their
// SYN-ACKs wait for ARP). Real clients retransmit their SYN after 1 s (RFC 6298's initial RTO).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Bench, PEER_IP } from "./fixture.ts";
import type { TcpOption, TcpSegment } from "../../host/packet/packet.ts";
import type { TcpInfo } from "../../host/core.ts";
import type { Conn } from "../../host/stack/stack.ts";

const inf = (c: Conn): Required<TcpInfo> => c.info() as Required<TcpInfo>;
const tsOf = (s: TcpSegment): { val: number; ecr: number } | undefined =>
  s.options?.find((o) => o.kind === "ts") as { val: number; ecr: number } | undefined;

/** A SYN from a forged source nobody answers for. */
function forgedSyn(b: Bench, i: number): void {
  b.peer.sendTcp({ src: `198.18.0.${10 + (i % 240)}`, sport: 1024 + (i % 60000), dport: b.dutPort, seq: (i * 7919) >>> 0, ack: 0,
    flags: "S", win: 65535, options: [{ kind: "mss", value: 1460 }] });
}

/** The real client (the peer, from `port`): SYN, the dut's SYN-ACK, ACK. Returns the SYN-ACK or null. */
function handshake(b: Bench, port: number, options: TcpOption[] = [{ kind: "mss", value: 1460 }]): TcpSegment | null {
  b.peer.sendTcp({ sport: port, dport: b.dutPort, seq: 5000, ack: 0, flags: "S", win: 65535, options });
  const synack = b.sent().find((s) => s.dport === port && s.flags === 0x12);
  if (!synack) return null;
  const ts = tsOf(synack);
  b.peer.sendTcp({ sport: port, dport: b.dutPort, seq: 5001, ack: (synack.seq + 1) >>> 0, flags: ".", win: 65535,
    options: ts ? [{ kind: "ts", val: 200, ecr: ts.val }] : [] });
  return synack;
}

test("RFC 4987 3.6 SYNs from addresses that never answer hold at most half the table; every SYN past that, a real client's too, gets a cookie at once, and its ACK takes a slot of the free half", () => {
  const b = new Bench();
  const l = b.listen(16);
  for (let i = 0; i < 16; i++) forgedSyn(b, i);
  b.link.drain();
  assert.equal(b.stack.core.connections(), 8, "half the table half-open");
  assert.equal(b.counters().TCP_SYN_COOKIES_SENT, 8, "the other 8 forged SYNs got cookies, no state");
  assert.equal(b.counters().DROP_TCP_TABLE_FULL ?? 0, 0, "no SYN dropped");
  const synack = handshake(b, 40001);
  assert.ok(synack, "the real client's first SYN is answered (with a cookie), while the half-open connections are young");
  assert.equal(b.counters().TCP_SYN_COOKIES_SENT, 9);
  assert.equal(b.counters().TCP_SYN_COOKIES_OK, 1);
  assert.equal(b.counters().TCP_HALF_OPEN_EVICTED ?? 0, 0, "a free slot took it: nothing evicted");
  assert.equal(l.accepted.length, 1);
  const c = l.accepted[0]!;
  assert.equal(c.state, "ESTABLISHED");
  assert.equal(inf(c).mss, 1460, "the cookie carried the MSS");
  // the connection works both ways
  let got = "";
  c.on("data", (d) => (got += Buffer.from(d).toString()));
  b.peer.sendTcp({ sport: 40001, dport: b.dutPort, seq: 5001, ack: (synack!.seq + 1) >>> 0, flags: "P.", win: 65535, payload: "hello" });
  assert.equal(got, "hello");
  c.write("world");
  const out = b.sent().find((s) => s.payload.length > 0);
  assert.equal(Buffer.from(out!.payload).toString(), "world");
  assert.equal(out!.seq, (synack!.seq + 1) >>> 0);
});

test("RFC 4987 3.6 a cookie carries MSS, and with timestamps the window shift and SACK-permitted in the TSval's low bits", () => {
  const b = new Bench({ profile: "server" });
  const l = b.listen(1);
  forgedSyn(b, 0);                                           // the backlog of 1 is half-open…
  b.advance(1000);                                           // …and stale
  b.link.drain();
  const synack = handshake(b, 40002, [{ kind: "mss", value: 1400 }, { kind: "sackOK" }, { kind: "ts", val: 100, ecr: 0 }, { kind: "wscale", value: 7 }]);
  assert.ok(synack);
  assert.deepEqual(synack!.options!.map((o) => o.kind).filter((k) => k !== "nop").sort(), ["mss", "sackOK", "ts", "wscale"]);
  assert.equal(tsOf(synack!)!.val & 0x3f, 0x10 | 7, "SACK bit and shift 7 in the TSval");
  assert.equal(b.counters().TCP_SYN_COOKIES_OK, 1);
  const c = l.accepted[0]!;
  const i = inf(c);
  assert.equal(i.mss, 1300, "the largest table MSS (536, 1300, 1440, 1460) not above the peer's 1400");
  assert.equal(i.sndWscale, 7);
  assert.equal(i.flags & 7, 7, "SACK, timestamps and window scaling in use");
  c.write("x");
  const d = b.sent().find((s) => s.payload.length > 0)!;
  assert.ok(((tsOf(d)!.val - tsOf(synack!)!.val) | 0) >= 0, "our TSval never goes below the cookie's (PAWS at the peer)");
  assert.equal(tsOf(d)!.ecr, 200, "TS.Recent from the ACK");
});

test("RFC 4987 3.6 an ACK that does not return a valid cookie gets RST (RFC 9293 3.10.7.2), and so does one too old", () => {
  const b = new Bench();
  const l = b.listen(1);
  forgedSyn(b, 0);
  b.advance(1000);
  b.link.drain();
  b.peer.sendTcp({ sport: 40003, dport: b.dutPort, seq: 5000, ack: 0, flags: "S", win: 65535 });
  const synack = b.sent().find((s) => s.dport === 40003)!;
  b.peer.sendTcp({ sport: 40003, dport: b.dutPort, seq: 5001, ack: (synack.seq + 1001) >>> 0, flags: ".", win: 65535 });
  const rst = b.sent();
  assert.equal(rst.length, 1);
  assert.equal(rst[0]!.flags, 0x04, "RST");
  assert.equal(b.counters().DROP_TCP_BAD_COOKIE, 1);
  b.peer.sendTcp({ sport: 40003, dport: b.dutPort, seq: 105_001, ack: (synack.seq + 1) >>> 0, flags: ".", win: 65535 });
  assert.equal(b.counters().DROP_TCP_BAD_COOKIE, 2, "the right ACK number with a different sequence number is no cookie either");
  b.advance(4 * 65_536);                                    // a few minutes later the cookie has expired
  forgedSyn(b, 1);                                          // (cookies went out recently again)
  b.link.drain();
  b.peer.sendTcp({ sport: 40003, dport: b.dutPort, seq: 5001, ack: (synack.seq + 1) >>> 0, flags: ".", win: 65535 });
  assert.equal(b.counters().TCP_SYN_COOKIES_OK, 0);
  assert.equal(l.accepted.length, 0);
});

test("RFC 4987 3.2 a half-open connection lives at most SYN_RECEIVED_MS, even when every SYN-ACK draws an ACK that does not complete the handshake", () => {
  const b = new Bench();
  const { iss } = b.synReceived();
  for (let k = 0; k < 200 && b.stack.core.connections() > 0; k++) {
    b.advance(500);
    if (b.sent().some((s) => s.flags === 0x12)) {
      b.send({ flags: ".", seq: 1001, ack: iss });                               // acks nothing: RST, entry stays
      b.send({ flags: "S", seq: 1000, options: [{ kind: "mss", value: 1460 }] }); // the SYN again: the SYN-ACK again
      b.link.drain();
    }
  }
  assert.equal(b.stack.core.connections(), 0, "the half-open connection is gone");
  assert.ok(b.now <= 63_500, `gone by 63 s (at ${b.now})`);
});

test("RFC 4987 3.3 SYN-ACK retransmissions: 5 normally (gone after 63 s); 2 while half the table is half-open (gone after 7 s)", () => {
  const quiet = new Bench();
  quiet.listen(16);
  for (let i = 0; i < 4; i++) forgedSyn(quiet, i);
  quiet.advance(40_000);
  assert.equal(quiet.stack.core.connections(), 4, "4 of 16 half-open: still retrying at 40 s");
  quiet.advance(23_000);
  assert.equal(quiet.stack.core.connections(), 0, "gone after 63 s");
  const flood = new Bench();
  flood.listen(16);
  for (let i = 0; i < 8; i++) forgedSyn(flood, i);
  flood.advance(6_900);
  assert.equal(flood.stack.core.connections(), 8);
  flood.advance(200);
  assert.equal(flood.stack.core.connections(), 0, "8 of 16 half-open: gone after 1 + 2 + 4 s");
});

test("RFC 4987 a flood of SYNs from many sources (5 per ms for 10 s): real clients starting every 100 ms get in during the flood, within 1 s, and right after it", () => {
  const b = new Bench();
  const l = b.listen(16);
  // a client: SYN at `next`, again 1 s and 3 s later (RFC 6298), ACK when its SYN-ACK comes
  interface Client { port: number; start: number; next: number; tries: number; doneAt: number | null }
  const clients = new Map<number, Client>();
  let forged = 0, port = 41000;
  const step = (): void => {
    for (const c of clients.values()) {
      if (c.doneAt !== null || b.now < c.next) continue;
      b.peer.sendTcp({ sport: c.port, dport: b.dutPort, seq: 5000, ack: 0, flags: "S", win: 65535, options: [{ kind: "mss", value: 1460 }] });
      c.next += 1000 << c.tries++;
    }
    for (const s of b.sent()) {
      const c = clients.get(s.dport);
      if (!c || c.doneAt !== null || s.flags !== 0x12) continue;
      const before = l.accepted.length;
      b.peer.sendTcp({ sport: c.port, dport: b.dutPort, seq: 5001, ack: (s.seq + 1) >>> 0, flags: ".", win: 65535 });
      if (l.accepted.length > before) { c.doneAt = b.now; l.accepted.at(-1)!.abort(); }
    }
    b.link.drain();
  };
  for (let ms = 0; ms < 10_000; ms++) {
    for (let k = 0; k < 5; k++) forgedSyn(b, forged++);
    if (ms % 100 === 50) clients.set(port, { port, start: b.now, next: b.now, tries: 0, doneAt: null }), port++;
    step();
    b.advance(1);
  }
  const during = [...clients.values()];
  const after: Client = { port, start: b.now, next: b.now, tries: 0, doneAt: null };
  clients.set(port, after);
  for (let ms = 0; ms < 2000 && after.doneAt === null; ms++) { step(); b.advance(1); }
  const late = during.filter((c) => c.doneAt === null || c.doneAt - c.start > 1000);
  assert.deepEqual(late.map((c) => `${c.port}: ${c.doneAt === null ? "never" : c.doneAt - c.start + " ms"}`), [], "every client got in within 1 s");
  assert.ok(during.filter((c) => c.doneAt === c.start).length >= 80, "most at their first SYN");
  assert.equal(after.doneAt, after.start, "and right after the flood, at the first SYN");
  assert.ok(b.counters().TCP_SYN_COOKIES_SENT > 40_000, `cookies answered the flood (${b.counters().TCP_SYN_COOKIES_SENT})`);
  assert.ok(b.stack.core.connections() <= b.stack.core.config().MAX_CONNS);
});

test("RFC 4987 a burst of 20 real clients on a 16-slot table: 8 half-open, 12 cookies; 16 get a slot at once, and the 4 whose cookie ACK found the table full get in with their first data once slots free", () => {
  const b = new Bench();
  const l = b.listen(16);
  for (let i = 0; i < 20; i++) b.peer.sendTcp({ sport: 42000 + i, dport: b.dutPort, seq: 5000, ack: 0, flags: "S", win: 65535 });
  const synacks = b.sent().filter((s) => s.flags === 0x12);
  assert.equal(synacks.length, 20, "every SYN answered");
  assert.equal(b.counters().TCP_SYN_COOKIES_SENT, 12);
  for (const sa of synacks) b.peer.sendTcp({ sport: sa.dport, dport: b.dutPort, seq: 5001, ack: (sa.seq + 1) >>> 0, flags: ".", win: 65535 });
  assert.equal(l.accepted.length, 16);
  assert.equal(b.counters().DROP_TCP_TABLE_FULL, 4, "four cookie ACKs found no slot");
  const late = synacks.filter((sa) => !l.accepted.some((c) => c.info()?.remotePort === sa.dport));
  assert.equal(late.length, 4);
  for (const c of l.accepted.slice(0, 4)) c.abort();        // four finish
  b.link.drain();
  for (const sa of late) b.peer.sendTcp({ sport: sa.dport, dport: b.dutPort, seq: 5001, ack: (sa.seq + 1) >>> 0, flags: "P.", win: 65535, payload: "hi" });
  assert.equal(l.accepted.length, 20, "their data carried the cookie");
});

test("RFC 4987 a backlog full of connections waiting for accept() still drops the SYN silently (no cookie: there is nothing to evict)", () => {
  const b = new Bench();
  const l = b.listen(1, false);
  b.peer.sendTcp({ sport: 40010, dport: b.dutPort, seq: 5000, ack: 0, flags: "S", win: 65535 });
  const sa = b.sent()[0]!;
  b.peer.sendTcp({ sport: 40010, dport: b.dutPort, seq: 5001, ack: (sa.seq + 1) >>> 0, flags: ".", win: 65535 });
  b.peer.sendTcp({ sport: 40011, dport: b.dutPort, seq: 5000, ack: 0, flags: "S", win: 65535 });
  b.expectNothing();
  assert.equal(b.counters().DROP_TCP_BACKLOG, 1);
  assert.equal(b.counters().TCP_SYN_COOKIES_SENT, 0);
  assert.ok(l.accept());
  void PEER_IP;
});

test("RFC 4987 3.6 a cookie ACK that finds no room is dropped; the data after it is dropped too, not reset, and the retransmission from the first byte opens the connection", () => {
  const b = new Bench();
  const l = b.listen(16);
  for (let i = 0; i < 15; i++) assert.ok(handshake(b, 41000 + i), `connection ${i}`);
  b.peer.sendTcp({ sport: 41100, dport: b.dutPort, seq: 9000, ack: 0, flags: "S", win: 65535 }); // the 16th slot: half-open
  const synackQ = b.sent().find((s) => s.dport === 41100 && s.flags === 0x12)!;
  b.advance(1000);                                           // its SYN-ACK times out: stale
  b.link.drain();
  b.peer.sendTcp({ sport: 41200, dport: b.dutPort, seq: 5000, ack: 0, flags: "S", win: 65535, options: [{ kind: "mss", value: 1460 }] });
  const cookie = b.sent().find((s) => s.dport === 41200 && s.flags === 0x12);
  assert.ok(cookie, "the table is full with one stale half-open: a cookie");
  b.peer.sendTcp({ sport: 41100, dport: b.dutPort, seq: 9001, ack: (synackQ.seq + 1) >>> 0, flags: ".", win: 65535 }); // now every slot is established
  b.link.drain();
  const ack = (cookie!.seq + 1) >>> 0;
  b.peer.sendTcp({ sport: 41200, dport: b.dutPort, seq: 5001, ack, flags: "P.", win: 65535, payload: "abc" });
  b.peer.sendTcp({ sport: 41200, dport: b.dutPort, seq: 5004, ack, flags: "P.", win: 65535, payload: "def" });
  assert.deepEqual(b.sent().filter((s) => s.dport === 41200), [], "neither answered: no RST for the data after the cookie");
  assert.equal(b.counters().DROP_TCP_TABLE_FULL >= 1, true);
  l.accepted[0]!.abort();                                    // a slot frees (RST to its peer)
  b.link.drain();
  b.peer.sendTcp({ sport: 41200, dport: b.dutPort, seq: 5001, ack, flags: "P.", win: 65535, payload: "abcdef" });
  assert.equal(b.counters().TCP_SYN_COOKIES_OK, 1, "the retransmission carries the cookie");
  const c = l.accepted.find((x) => x.info()?.remotePort === 41200);
  assert.ok(c, "and opens the connection");
  assert.equal(c!.state, "ESTABLISHED");
});
