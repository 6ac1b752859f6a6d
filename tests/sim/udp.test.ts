// UDP between two Petrel stacks in the simulator through the dgram-compatible API (host/node/dgram.ts):
// datagrams byte-exact with their rinfo, the same trace for the same seed, port unreachable seen by
// the sender (RFC 1122 4.1.3.1, 4.1.3.3), broadcasts, and Node-style errors.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { test } from "node:test";
import { wasmPathFor } from "../../host/node/files.ts";
import type { DgramSocket, RemoteInfo } from "../../host/node/dgram.ts";
import { PetrelStack } from "../../host/node/net.ts";
import { Prng } from "../../host/time/prng.ts";
import { SimNet } from "../../host/sim/sim.ts";
import { until } from "./steps.ts";

const skip = existsSync(wasmPathFor()) ? false : "build/petrel.wasm not built (npm run build)";

function pair(seed: number) {
  const net = new SimNet({ seed, traceStates: false });
  const server = PetrelStack.over(net.host({ name: "server", ip: "198.18.0.1" }));
  const client = PetrelStack.over(net.host({ name: "client", ip: "198.18.0.2" }));
  return { net, server, client };
}

function echoServer(stack: PetrelStack, port: number): DgramSocket {
  const s = stack.createSocket("udp4");
  s.on("message", (msg, rinfo) => s.send(msg, rinfo.port, rinfo.address));
  s.bind(port);
  return s;
}

/** Send `count` datagrams of seeded sizes (0..1472) to the echo server; returns the trace and what came back. */
async function echoRun(seed: number, count: number) {
  const { net, server, client } = pair(seed);
  echoServer(server, 7);
  const rng = new Prng(seed, 17);
  const sent: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const n = i === 0 ? 0 : i === 1 ? 1472 : rng.int(1473);
    sent.push(Buffer.from(Array.from({ length: n }, () => rng.int(256))));
  }
  const got: { msg: Buffer; rinfo: RemoteInfo }[] = [];
  const errors: Error[] = [];
  // one datagram in flight at a time (a burst larger than the receiver's queue is the next test)
  const c = client.createSocket("udp4", (msg, rinfo) => {
    got.push({ msg, rinfo });
    if (got.length < count) c.send(sent[got.length]!, 7, "198.18.0.1");
  });
  c.on("error", (e) => errors.push(e));
  c.send(sent[0]!, 7, "198.18.0.1");
  await until(net, () => got.length === count || errors.length > 0, "echoes");
  return { net, c, sent, got, errors, server };
}

test("dgram API: 40 datagrams of 0..1472 bytes echoed byte-exact, in order, with rinfo", { skip }, async () => {
  const { c, sent, got, errors, server } = await echoRun(3, 40);
  assert.deepEqual(errors, []);
  assert.equal(got.length, sent.length);
  for (let i = 0; i < sent.length; i++) {
    assert.ok(got[i]!.msg.equals(sent[i]!), `datagram ${i} (${sent[i]!.length} bytes) byte-exact`);
    assert.deepEqual(got[i]!.rinfo, { address: "198.18.0.1", family: "IPv4", port: 7, size: sent[i]!.length });
  }
  const port = c.address().port;
  assert.ok(port >= 49152 && port <= 65535, `ephemeral port ${port}`);
  assert.equal(server.stack.counters().UDP_RX, 40);
  assert.equal(server.stack.counters().UDP_TX, 40);
});

test("a burst larger than the receiver's queue: the excess is counted DROP_UDP_QUEUE_FULL, the rest arrives byte-exact", { skip }, async () => {
  const { net, server, client } = pair(4);
  const got: Buffer[] = [];
  const s = server.createSocket("udp4", (m) => got.push(m));
  s.bind(9);
  const c = client.createSocket("udp4");
  let first = false;
  c.send("hi", 9, "198.18.0.1", () => (first = true));
  await until(net, () => first && got.length === 1, "ARP resolved");
  const queue = server.stack.core.config().UDP_QUEUE;
  const burst = Array.from({ length: 20 }, (_, i) => Buffer.alloc(1000, i + 1));
  for (const m of burst) c.send(m, 9, "198.18.0.1");
  const dropped = (): number => server.stack.counters().DROP_UDP_QUEUE_FULL!;
  await until(net, () => got.length - 1 + dropped() === burst.length, "burst accounted for");
  assert.ok(dropped() > 0, `some of ${burst.length} × 1000 bytes overflow a ${queue}-byte queue`);
  assert.ok(got.length - 1 >= Math.floor(queue / 1008), "a queue's worth arrives");
  for (const m of got.slice(1)) assert.ok(burst.some((b) => b.equals(m)), "every delivered datagram is one that was sent, whole");
  assert.equal(client.stack.counters().UDP_TX, 21);
});

test("dgram API: the same seed gives the same trace, another seed another one (ports, sizes)", { skip }, async () => {
  const a = await echoRun(11, 8);
  const b = await echoRun(11, 8);
  const other = await echoRun(12, 8);
  assert.ok(a.net.lines.some((l) => / UDP, length \d+/.test(l)), "the trace shows UDP datagrams");
  assert.deepEqual(a.net.lines, b.net.lines);
  assert.notDeepEqual(a.net.lines, other.net.lines);
});

test("RFC 1122 4.1.3.1/4.1.3.3: a closed port answers port unreachable; the sender's socket gets ECONNREFUSED", { skip }, async () => {
  const { net, server, client } = pair(5);
  const c = client.createSocket("udp4");
  const errors: NodeJS.ErrnoException[] = [];
  c.on("error", (e: NodeJS.ErrnoException) => errors.push(e));
  c.send("anyone?", 9, "198.18.0.1");
  await until(net, () => errors.length > 0, "port unreachable");
  assert.equal(errors[0]!.code, "ECONNREFUSED");
  assert.equal(errors[0]!.errno, -111);
  assert.equal(server.stack.counters().DROP_UDP_NO_SOCKET, 1);
  assert.equal(server.stack.counters().UDP_UNREACH_TX, 1);
  assert.equal(client.stack.counters().UDP_ICMP_ERRORS, 1);
  assert.ok(net.lines.some((l) => l.includes("198.18.0.1 > 198.18.0.2: ICMP unreachable, code 3")), "ICMP port unreachable on the wire");
  // the socket still works afterwards
  echoServer(server, 9);
  let back = "";
  c.on("message", (m) => (back = m.toString()));
  c.send("now?", 9, "198.18.0.1");
  await until(net, () => back !== "", "echo after the error");
  assert.equal(back, "now?");
});

test("dgram API: a connected socket sends without an address and hears only its peer", { skip }, async () => {
  const { net, server, client } = pair(6);
  const third = PetrelStack.over(net.host({ name: "third", ip: "198.18.0.3" }));
  const srv = server.createSocket("udp4");
  srv.bind(5300);
  const got: string[] = [];
  const c = client.createSocket("udp4", (m) => got.push(m.toString()));
  let connected = false;
  c.connect(5300, "198.18.0.1", () => (connected = true));
  await until(net, () => connected, "connect");
  assert.deepEqual(c.remoteAddress(), { address: "198.18.0.1", family: "IPv4", port: 5300 });
  let from: RemoteInfo | null = null;
  srv.on("message", (m, r) => {
    from = r;
    srv.send(Buffer.from("re:" + m.toString()), r.port, r.address);
  });
  c.send("q1");
  await until(net, () => got.length === 1, "answer");
  assert.equal(got[0], "re:q1");
  assert.equal(from!.port, c.address().port);
  // a stranger's datagram to the same port reaches the core but not the app
  const stranger = third.createSocket("udp4");
  stranger.send("spoof", c.address().port, "198.18.0.2");
  await until(net, () => client.stack.counters().UDP_RX === 2, "stranger's datagram received");
  assert.deepEqual(got, ["re:q1"]);
  assert.throws(() => c.send("x", 1, "198.18.0.1"), { code: "ERR_SOCKET_DGRAM_IS_CONNECTED" });
  c.disconnect();
  stranger.send("hello", c.address().port, "198.18.0.2");
  await until(net, () => got.length === 2, "after disconnect anyone is heard");
  assert.equal(got[1], "hello");
});

test("dgram API: broadcasts need setBroadcast (EACCES) and reach a bound socket", { skip }, async () => {
  const { net, server, client } = pair(7);
  const got: RemoteInfo[] = [];
  server.createSocket("udp4", (_m, r) => got.push(r)).bind(6700);
  const c = client.createSocket("udp4");
  const results: (Error | null)[] = [];
  c.send("hello all", 6700, "255.255.255.255", (e) => results.push(e));
  await until(net, () => results.length === 1, "refused");
  assert.equal((results[0] as NodeJS.ErrnoException).code, "EACCES");
  c.setBroadcast(true);
  c.send("hello all", 6700, "255.255.255.255", (e) => results.push(e));
  c.send("hello subnet", 6700, "198.18.0.255", (e) => results.push(e));
  await until(net, () => got.length === 2, "broadcasts received");
  assert.equal(results[1], null);
  assert.equal(got[0]!.address, "198.18.0.2");
  assert.ok(!net.lines.some((l) => l.includes("ARP, Request who-has 255.255.255.255")), "no ARP for a broadcast");
});

test("dgram API: errors carry Node's codes (EADDRINUSE, EMSGSIZE, bad port, closed socket)", { skip }, async () => {
  const { net, client } = pair(8);
  const a = client.createSocket("udp4");
  let listening = false;
  a.bind(4000, () => (listening = true));
  await until(net, () => listening, "bind");
  assert.deepEqual(a.address(), { address: "0.0.0.0", family: "IPv4", port: 4000 });
  const b = client.createSocket("udp4");
  const errs: NodeJS.ErrnoException[] = [];
  b.on("error", (e: NodeJS.ErrnoException) => errs.push(e));
  b.bind(4000);
  await until(net, () => errs.length === 1, "EADDRINUSE");
  assert.equal(errs[0]!.code, "EADDRINUSE");
  assert.equal(errs[0]!.syscall, "bind");
  const sent: (Error | null)[] = [];
  a.send(Buffer.alloc(1473), 9, "198.18.0.1", (e) => sent.push(e));
  await until(net, () => sent.length === 1, "EMSGSIZE");
  assert.equal((sent[0] as NodeJS.ErrnoException).code, "EMSGSIZE");
  assert.throws(() => a.send("x", 0, "198.18.0.1"), { code: "ERR_SOCKET_BAD_PORT" });
  assert.throws(() => a.send("x", 65536, "198.18.0.1"), { code: "ERR_SOCKET_BAD_PORT" });
  assert.throws(() => client.createSocket("udp6" as "udp4"), { code: "ERR_SOCKET_BAD_TYPE" });
  let closed = false;
  a.close(() => (closed = true));
  await until(net, () => closed, "close");
  assert.throws(() => a.send("x", 9, "198.18.0.1"), { code: "ERR_SOCKET_DGRAM_NOT_RUNNING" });
  // the port is free again
  const c = client.createSocket("udp4");
  let again = false;
  c.bind(4000, () => (again = true));
  await until(net, () => again, "rebind");
});

test("dgram API: the UDP table is bounded (EMFILE) and closing frees it", { skip }, async () => {
  const { client } = pair(9);
  const n = client.stack.core.config().UDP_SOCKETS;
  const socks: DgramSocket[] = [];
  for (let i = 0; i < n; i++) socks.push(client.createSocket("udp4"));
  assert.throws(() => client.createSocket("udp4"), { code: "EMFILE" });
  socks[0]!.close();
  client.createSocket("udp4").close();
});
