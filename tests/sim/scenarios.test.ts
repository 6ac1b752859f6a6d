// Connection-management scenarios between two real Petrel stacks in the simulator, and against a
// scripted peer where exact timing or segments matter. Test names carry the RFC section.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SimNet } from "../../host/sim/sim.ts";
import type { Conn, Stack } from "../../host/stack/stack.ts";
import { PetrelError } from "../../host/stack/stack.ts";
import { Bench, PEER_IP } from "./fixture.ts";

const SERVER = "198.18.0.1";
const text = (b: Uint8Array): string => Buffer.from(b).toString();

function pair(seed: number, o: { profile?: "tiny" | "default" | "server" } = {}): { net: SimNet; server: Stack; client: Stack } {
  const net = new SimNet({ seed, core: o.profile ? { profile: o.profile } : undefined });
  const server = net.host({ name: "server", ip: SERVER });
  const client = net.host({ name: "client", ip: "198.18.0.2" });
  return { net, server, client };
}

function collect(c: Conn): { data: () => Buffer } {
  const chunks: Uint8Array[] = [];
  c.on("data", (d) => chunks.push(d));
  return { data: () => Buffer.concat(chunks) };
}

test("RFC 9293 3.5 simultaneous open between two stacks: SYN-SENT → SYN-RECEIVED → ESTABLISHED on both", () => {
  const { net, server: a, client: b } = pair(11);
  const ca = a.connect("198.18.0.2", 6000, { localPort: 5000 });
  const cb = b.connect(SERVER, 5000, { localPort: 6000 });
  net.runUntil(() => ca.connected && cb.connected, { maxVirtualMs: 10_000 });
  for (const c of [ca, cb]) assert.deepEqual(c.states, ["CLOSED", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED"]);
  const got = collect(cb);
  ca.write("crossed SYNs");
  net.runUntil(() => got.data().length === 12, { maxVirtualMs: 10_000 });
  assert.equal(got.data().toString(), "crossed SYNs");
});

test("RFC 9293 3.6 simultaneous close: FIN-WAIT-1 → CLOSING → TIME-WAIT on both sides", () => {
  const { net, server, client } = pair(12);
  let sc: Conn | null = null;
  server.listen(80, 4, (c) => (sc = c));
  const cc = client.connect(SERVER, 80);
  net.runUntil(() => cc.connected && sc !== null, { maxVirtualMs: 10_000 });
  cc.shutdown();
  sc!.shutdown();                       // both FINs leave before either arrives
  net.runUntil(() => cc.state === "TIME_WAIT" && sc!.state === "TIME_WAIT", { maxVirtualMs: 10_000 });
  for (const c of [cc, sc!]) assert.deepEqual(c.states.slice(-4), ["ESTABLISHED", "FIN_WAIT_1", "CLOSING", "TIME_WAIT"]);
  net.runUntilIdle({ maxVirtualMs: 300_000 });
  assert.equal(cc.state, "CLOSED");
  assert.equal(client.core.connections() + server.core.connections(), 0);
});

test("RFC 9293 3.6 half-close: the client shuts down its side and still receives 20 KB from the server", () => {
  const { net, server, client } = pair(13);
  const reply = new Uint8Array(20_000).map((_, i) => (i * 31) & 255);
  server.listen(80, 4, (c) => {
    const req = collect(c);
    c.on("end", () => {                  // the request is complete: answer, then close
      assert.equal(req.data().toString(), "GET /");
      c.write(reply);
      c.close();
    });
  });
  const cc = client.connect(SERVER, 80);
  const got = collect(cc);
  cc.end("GET /");
  net.runUntil(() => cc.state === "FIN_WAIT_2", { maxVirtualMs: 10_000 });
  net.runUntil(() => cc.ended, { maxVirtualMs: 60_000, what: "server's FIN" });
  assert.deepEqual(got.data(), Buffer.from(reply));
  assert.deepEqual(cc.states.slice(-3), ["FIN_WAIT_1", "FIN_WAIT_2", "TIME_WAIT"]);
});

test("RFC 9293 3.4.2 TIME-WAIT holds the 4-tuple for 2MSL: reuse refused (EADDRINUSE), then allowed", () => {
  const { net, server, client } = pair(14);
  server.listen(80, 4, (c) => c.on("end", () => c.close()));
  const first = client.connect(SERVER, 80, { localPort: 5555 });
  net.runUntil(() => first.connected, { maxVirtualMs: 10_000 });
  first.close();
  net.runUntil(() => first.state === "TIME_WAIT", { maxVirtualMs: 10_000 });
  const enteredTw = net.now;
  assert.throws(() => client.connect(SERVER, 80, { localPort: 5555 }), (e: PetrelError) => e.code === "EADDRINUSE");
  assert.equal(client.counters().TCP_TIME_WAIT_REUSE, 1);
  const msl = client.core.config().MSL_MS;
  net.runUntil(() => first.state === "CLOSED", { maxVirtualMs: 3 * msl });
  assert.equal(Math.round(net.now - enteredTw), 2 * msl);
  const again = client.connect(SERVER, 80, { localPort: 5555 });
  net.runUntil(() => again.connected, { maxVirtualMs: 10_000 });
  assert.equal(again.localPort, 5555);
});

test("listen on a port that is already listening: EADDRINUSE (the seeds' 'Address already in use')", () => {
  const { server } = pair(15);
  server.listen(7);
  assert.throws(() => server.listen(7), (e: PetrelError) => e.code === "EADDRINUSE");
});

test("RFC 9293 3.10.5 abort → the peer's connection fails with ECONNRESET (both directions)", () => {
  for (const aborter of ["client", "server"] as const) {
    const { net, server, client } = pair(16);
    let sc: Conn | null = null;
    server.listen(80, 4, (c) => (sc = c));
    const cc = client.connect(SERVER, 80);
    net.runUntil(() => cc.connected && sc !== null, { maxVirtualMs: 10_000 });
    const [mine, theirs] = aborter === "client" ? [cc, sc!] : [sc!, cc];
    mine.abort();
    net.runUntil(() => theirs.error !== null, { maxVirtualMs: 10_000 });
    assert.equal(theirs.error, "ECONNRESET", `${aborter} aborted`);
    assert.equal(net.tcpFrames((f) => f.parsed.tcp.flagStr.startsWith("R")).length, 1);
    assert.equal(client.core.connections() + server.core.connections(), 0);
  }
});

test("RFC 9293 3.10.7.2 backlog full: the SYN is dropped silently, and gets in on retransmission once the app accepts", () => {
  const { net, server, client } = pair(17);
  const l = server.listen(80, 1, undefined, { autoAccept: false });
  const c1 = client.connect(SERVER, 80);
  net.runUntil(() => c1.connected, { maxVirtualMs: 10_000 });
  const c2 = client.connect(SERVER, 80);
  net.run(500);
  assert.equal(c2.state, "SYN_SENT");
  assert.equal(server.counters().DROP_TCP_BACKLOG, 1);
  assert.equal(net.tcpFrames((f) => f.from === "server" && f.parsed.tcp.dport === c2.localPort).length, 0, "no answer to the dropped SYN");
  assert.ok(l.accept(), "the app accepts the first connection");
  net.runUntil(() => c2.connected, { maxVirtualMs: 10_000 });
  const syns = net.tcpFrames((f) => f.from === "client" && f.parsed.tcp.sport === c2.localPort && f.parsed.tcp.flagStr === "S");
  assert.equal(syns.length, 2);
  assert.equal(Math.round(syns[1]!.timeMs - syns[0]!.timeMs), 1000, "the retransmission 1 s (initial RTO) later");
  net.run(10);                                           // the handshake's last ACK reaches the server
  assert.ok(l.accept());
});

test("RFC 9293 3.8.1 / RFC 6298 5.5 SYN retransmission backs off 1, 2, 4 … 60 s and gives up after more than 3 minutes (MUST-23) with ETIMEDOUT", () => {
  const b = new Bench();
  const conn = b.stack.connect(PEER_IP, 80);
  const times: number[] = [];
  for (let i = 0; i < 1000 && !conn.error; i++) {
    for (const s of b.sent()) if (s.flags === 0x02) times.push(b.now);
    b.advance(500);
  }
  assert.deepEqual(times, [0, 1000, 3000, 7000, 15000, 31000, 63000, 123000, 183000]);
  assert.equal(conn.error, "ETIMEDOUT");
  const failedAt = conn.transitions.at(-1)!.timeMs;
  assert.equal(failedAt, 243_000, "the last SYN waits RTO_MAX (60 s): more than 3 minutes in all");
  assert.equal(b.counters().TCP_TIMEOUTS, 1);
});

test("RFC 9293 3.7.1 MSS: the peer's option is honoured; without it the sender uses 536 (MUST-15)", () => {
  for (const [opts, expected] of [[[{ kind: "mss" as const, value: 1000 }], 1000], [[], 536]] as const) {
    const b = new Bench();
    const l = b.listen();
    b.send({ flags: "S", seq: 1000, options: [...opts] });
    const sa = b.expect({ flags: "S." });
    b.send({ flags: ".", seq: 1001, ack: sa.seq + 1 });
    const conn = l.accepted[0]!;
    assert.equal(conn.info()!.mss, expected);
    conn.write(new Uint8Array(3000));
    const segs = b.sent();
    assert.ok(segs.length >= 2);
    for (const s of segs) assert.ok(s.payload.length <= expected, `segment of ${s.payload.length} > MSS ${expected}`);
    assert.equal(segs[0]!.payload.length, expected);
  }
});

test("connection table full: a SYN is dropped and counted, connect() says EMFILE; a freed slot lets the retransmission in", () => {
  const net = new SimNet({ seed: 18 });
  const server = net.host({ name: "server", ip: SERVER, profile: "tiny" });
  const client = net.host({ name: "client", ip: "198.18.0.2" });
  const max = server.core.config().MAX_CONNS;
  const accepted: Conn[] = [];
  server.listen(80, 8, (c) => accepted.push(c));
  for (let i = 0; i < max; i++) client.connect(SERVER, 80);
  net.runUntil(() => accepted.length === max, { maxVirtualMs: 10_000 });
  assert.throws(() => server.connect("198.18.0.2", 9), (e: PetrelError) => e.code === "EMFILE");
  const late = client.connect(SERVER, 80);
  net.run(500);
  assert.equal(late.state, "SYN_SENT");
  assert.equal(server.counters().DROP_TCP_TABLE_FULL, 1);
  assert.equal(net.tcpFrames((f) => f.from === "server" && f.parsed.tcp.dport === late.localPort).length, 0, "dropped silently");
  accepted[0]!.abort();                                  // frees a slot at once (no TIME-WAIT)
  net.runUntil(() => late.connected, { maxVirtualMs: 10_000 });
  net.run(10);                                           // the handshake's last ACK reaches the server
  assert.equal(server.core.connections(), max);
  assert.equal(accepted.length, max + 1);
});

test("1000 connections: linear memory never grows and every pool returns to zero", () => {
  const { net, server, client } = pair(19);
  server.listen(7, 8, (c) => c.on("data", (d) => c.write(d)).on("end", () => c.close()));
  const pages = [client.core.memoryPages(), server.core.memoryPages()];
  let done = 0;
  const batch = 8;
  for (let round = 0; round < 1000 / batch; round++) {
    const conns: Conn[] = [];
    for (let i = 0; i < batch; i++) {
      const c = client.connect(SERVER, 7);
      const got = collect(c);
      c.write(`conn ${round * batch + i}`);
      c.on("data", () => { if (got.data().toString() === `conn ${round * batch + i}`) { done++; c.close(); } });
      conns.push(c);
    }
    net.runUntilIdle({ maxVirtualMs: 400_000, maxSteps: 100_000 });   // through TIME-WAIT
  }
  assert.equal(done, 1000);
  assert.deepEqual([client.core.memoryPages(), server.core.memoryPages()], pages);
  assert.equal(client.core.connections(), 0);
  assert.equal(server.core.connections(), 0);
  assert.equal(server.counters().TCP_PASSIVE_OPENS, 1000);
});

test("RFC 9293 3.8.5 urgent data is delivered inline and the urgent pointer does not cut the stream", () => {
  const b = new Bench();
  const { conn, iss } = b.established();
  const got = collect(conn);
  b.send({ flags: "P.U", seq: 1001, ack: iss + 1, urp: 3, payload: "!!!rest" });
  b.delack();
  b.expect({ flags: ".", ack: 1008 });
  assert.equal(got.data().toString(), "!!!rest");
});

test("RFC 9293 3.10.4 / RFC 1122 4.2.2.13 close() with unread data sends RST and the data is reported lost", () => {
  const b = new Bench();
  const { conn, iss } = b.established();
  conn.pause();                                          // leave the data in the core
  b.send({ flags: "P.", seq: 1001, ack: iss + 1, payload: "unread" });
  b.delack();
  b.expect({ flags: "." });
  conn.close();
  b.expect({ flags: "R.", seq: iss + 1 });
  assert.equal(b.counters().DROP_TCP_ORPHAN_DATA, 1);
  assert.equal(b.stack.core.connections(), 0);
});

test("RFC 1122 4.2.2.13 data arriving after close() is answered with RST", () => {
  const b = new Bench();
  const { conn, iss } = b.established();
  conn.close();
  b.expect({ flags: "F.", seq: iss + 1 });
  b.send({ flags: ".", seq: 1001, ack: iss + 2 });        // FIN-WAIT-2, orphaned
  b.send({ flags: "P.", seq: 1001, ack: iss + 2, payload: "late" });
  b.expect({ flags: "R.", seq: iss + 2 });
  assert.equal(b.stack.core.connections(), 0);
});

test("an orphaned FIN-WAIT-2 gives up after FIN_WAIT2_MS; one the app still holds waits for the FIN", () => {
  const b = new Bench();
  const { conn, iss } = b.established();
  conn.close();
  b.expect({ flags: "F." });
  b.send({ flags: ".", seq: 1001, ack: iss + 2 });
  assert.equal(b.stack.core.connections(), 1);
  b.advance(60_000);
  assert.equal(b.stack.core.connections(), 0);
  b.expectNothing();

  const h = new Bench();
  const e = h.established();
  e.conn.shutdown();                                     // half-close: the app may still read
  h.expect({ flags: "F." });
  h.send({ flags: ".", seq: 1001, ack: e.iss + 2 });
  h.advance(600_000);
  assert.equal(e.conn.state, "FIN_WAIT_2");
});

test("RFC 9293 3.8.1 / RFC 6298 5.5 unacknowledged data is retransmitted with backoff; the connection times out (MUST-20)", () => {
  const b = new Bench();
  const { conn, iss } = b.established();
  const rto = conn.info()!.rtoMs;
  assert.equal(rto, 200, "RTT ≈ 0 in the bench: the RTO sits at its 200 ms floor (RFC 6298 2.4 with Linux's minimum)");
  conn.write("payload");
  b.expect({ flags: "P.", seq: iss + 1, payload: "payload" });
  const times: number[] = [];
  for (let i = 0; i < 20_000 && !conn.error; i++) {
    for (const s of b.sent()) { assert.equal(s.seq, iss + 1); times.push(b.now); }
    b.advance(100);
  }
  assert.deepEqual(times.slice(0, 5), [200, 600, 1400, 3000, 6200], "each RTO doubles (5.5)");
  assert.ok(times.slice(-3).every((t, i, a) => i === 0 || t - a[i - 1]! === 60_000), "capped at RTO_MAX");
  assert.equal(conn.error, "ETIMEDOUT");
  assert.equal(conn.info(), null);
});

test("RFC 9293 3.8.6.1 a zero window stops the sender; the persist timer probes it with backoff; a window update resumes", () => {
  const b = new Bench();
  const { conn, iss } = b.established();
  b.send({ flags: ".", seq: 1001, ack: iss + 1, win: 0 });
  conn.write("abcdef");
  b.expectNothing();
  b.advance(200);
  b.expect({ flags: ".", seq: iss + 1, len: 1 });        // probe: one byte past the closed window
  b.send({ flags: ".", seq: 1001, ack: iss + 1, win: 0 }); // still closed
  b.advance(399);
  b.expectNothing();
  b.advance(1);
  b.expect({ flags: ".", seq: iss + 1, len: 1 });        // backed off: 400 ms later
  b.send({ flags: ".", seq: 1001, ack: iss + 2, win: 1000 }); // the probe byte is taken; window opens
  b.expect({ flags: "P.", seq: iss + 2, payload: "bcdef" });
  assert.equal(conn.error, null);
});

test("RFC 9293 3.8.6 the receiver advertises its free buffer, closes the window when full, and reopens it when the app reads", () => {
  const b = new Bench({ profile: "tiny" });
  const { conn, iss } = b.established();
  const rx = b.stack.core.config().RX_BUF;
  conn.pause();
  b.send({ flags: "P.", seq: 1001, ack: iss + 1, payload: new Uint8Array(1000) });
  b.delack();
  b.expect({ flags: ".", ack: 2001, win: rx - 1000 });
  b.send({ flags: "P.", seq: 2001, ack: iss + 1, payload: new Uint8Array(rx - 1000) });
  b.expect({ flags: ".", ack: 1001 + rx, win: 0 });
  b.send({ flags: "P.", seq: 1001 + rx, ack: iss + 1, payload: "x" });
  b.expect({ flags: ".", ack: 1001 + rx, win: 0 });     // beyond a zero window: not accepted
  assert.equal(conn.read(rx).length, rx);
  b.expect({ flags: ".", ack: 1001 + rx, win: rx });    // window update once the app has read
});

void text;

test("RFC 9293 3.9.1.1 (MUST-46) connect() refuses broadcast, multicast, loopback and reserved addresses", () => {
  const { client } = pair(20);
  for (const ip of ["198.18.0.255", "255.255.255.255", "224.0.0.1", "239.1.2.3", "127.0.0.1", "240.0.0.1", "0.1.2.3", "198.18.0.2"]) {
    assert.throws(() => client.connect(ip, 80), (e: PetrelError) => e.code === "EINVAL", ip);
  }
  assert.equal(client.core.connections(), 0);
  assert.doesNotThrow(() => client.connect("198.18.0.254", 80), "an ordinary neighbour is fine");
});
