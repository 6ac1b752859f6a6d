// Tests through the real core (build/petrel.wasm); skipped when it is not built.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { test } from "node:test";
import { Core } from "../../host/core.ts";
import { wasmPathFor } from "../../host/node/files.ts";
import { buildArpFrame } from "../../host/packet/packet.ts";
import { Peer } from "../../host/sim/peer.ts";
import { SimNet } from "../../host/sim/sim.ts";
import type { Conn } from "../../host/stack/stack.ts";

const skip = existsSync(wasmPathFor()) ? false : "build/petrel.wasm not built (npm run build)";
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

function echoPair(seed: number, opts: ConstructorParameters<typeof SimNet>[0] = {}) {
  const net = new SimNet({ seed, ...opts });
  const server = net.host({ name: "server", ip: "198.18.0.1" });
  const client = net.host({ name: "client", ip: "198.18.0.2" });
  server.listen(7, 4, (c: Conn) => {
    c.on("data", (d) => c.write(d));
    c.on("end", () => c.close());
  });
  return { net, server, client };
}

test("core: ABI basics, error names, counters, memory map", { skip }, () => {
  const core = new Core();
  assert.equal(core.abiVersion(), 1);
  assert.equal(core.listen(7, 1), core.errorCode("EINVAL"), "calls before init are EINVAL");
  assert.equal(core.connect("198.18.0.9", 7, 0, 0), core.errorCode("EINVAL"));
  assert.equal(core.udpOpen(), core.errorCode("EINVAL"));
  assert.equal(core.dnsServer(0, "198.18.0.9"), core.errorCode("EINVAL"));
  assert.equal(core.setDefault("SACK", false), core.errorCode("EINVAL"));
  assert.equal(core.poll(0), -1, "poll before init: nothing due");
  // before init no handle names anything: the calls that take one answer EBADF (docs/abi.md)
  for (const h of [0x101, 0x8101]) {
    assert.equal(core.state(h), core.errorCode("EBADF"), `state(${h}) before init`);
    assert.equal(core.close(h, 0), core.errorCode("EBADF"), `close(${h}) before init`);
    assert.equal(core.abort(h, 0), core.errorCode("EBADF"), `abort(${h}) before init`);
  }
  assert.equal(core.accept(0x8101), core.errorCode("EBADF"));
  assert.equal(core.error(0x101), core.errorCode("EBADF"));
  assert.equal(core.readable(0x101), core.errorCode("EBADF"));
  assert.equal(core.writable(0x101), core.errorCode("EBADF"));
  assert.equal(core.shutdown(0x101, 0), core.errorCode("EBADF"));
  assert.equal(core.setOption(0x101, "NODELAY", 1), core.errorCode("EBADF"));
  assert.equal(core.udpBind(0x101, 7), core.errorCode("EBADF"));
  assert.equal(core.udpClose(0x101), core.errorCode("EBADF"));
  assert.equal(core.dnsClose(0x101), core.errorCode("EBADF"));
  assert.deepEqual(core.events(), [], "no events before init");
  assert.equal(core.localIp(), "0.0.0.0");
  assert.equal(core.connections(), 0);
  assert.equal(core.init({ mac: "02:00:00:00:00:01", ip: "198.18.0.1", prefix: 24, seed: 1 }), 0);
  assert.equal(core.errorName(-111), "ECONNREFUSED");
  assert.equal(core.errorName(-11), "EAGAIN");
  const counters = core.counters();
  assert.equal(counters.RX_FRAMES, 0);
  assert.ok("TCP_RETRANSMITS" in counters);
  const map = core.memoryMap();
  assert.ok(map.regions.some((r) => r.name === "RX_RINGS" && r.size > 0));
  assert.ok(map.end <= core.memoryPages() * 65536);
  assert.equal(core.state(12345), core.errorCode("EBADF"));
  assert.equal(core.config().MTU, 1500);
});

test("iface: ARP request for our address is answered", { skip }, () => {
  const { stack, link, peer } = Peer.setup({ autoArp: false });
  stack.inject(buildArpFrame({ op: "request", senderMac: peer.mac, senderIp: peer.ip, targetIp: stack.ip }));
  const [reply] = link.drain();
  assert.ok(reply?.parsed.arp, "an ARP reply");
  assert.equal(reply.parsed.arp.op, 2);
  assert.equal(reply.parsed.arp.senderIp, "198.18.0.1");
  assert.equal(reply.parsed.eth!.dst, peer.mac);
});

test("iface: ICMP echo request is answered with the same id, seq and data", { skip }, () => {
  const { clock, stack, link, peer } = Peer.setup();
  peer.ping({ id: 0x1234, seq: 7, data: "ping payload" });
  clock.runUntil(() => link.all.some((c) => c.parsed.icmp?.type === 0), { maxVirtualMs: 5000, what: "echo reply" });
  const rep = link.all.find((c) => c.parsed.icmp?.type === 0)!;
  assert.equal(rep.parsed.ip!.dst, peer.ip);
  assert.ok(rep.parsed.ip!.checksumOk && rep.parsed.icmp!.checksumOk);
  assert.deepEqual([rep.parsed.icmp!.id, rep.parsed.icmp!.seq, text(rep.parsed.icmp!.payload)], [0x1234, 7, "ping payload"]);
  assert.equal(stack.counters().ICMP_ECHO_REPLIED, 1);
});

test("RFC 9293 3.5: three-way handshake and echo between two simulated stacks", { skip }, () => {
  const { net, client } = echoPair(1);
  const conn = client.connect("198.18.0.1", 7);
  let got = "";
  conn.on("data", (d) => (got += text(d)));
  net.runUntil(() => conn.connected, { maxVirtualMs: 5000 });
  const [syn, synAck, ack] = net.tcpFrames();
  assert.equal(syn!.parsed.tcp.flagStr, "S");
  assert.equal(synAck!.parsed.tcp.flagStr, "S.");
  assert.equal(synAck!.parsed.tcp.ack, (syn!.parsed.tcp.seq + 1) >>> 0);
  assert.equal(ack!.parsed.tcp.flagStr, ".");
  conn.write("hello, echo\n");
  net.runUntil(() => got === "hello, echo\n", { maxVirtualMs: 5000 });
  conn.shutdown();
  net.runUntil(() => conn.ended, { maxVirtualMs: 5000, what: "peer FIN" });
  conn.close();
  net.runUntilIdle({ maxVirtualMs: 600_000 });
  assert.deepEqual(conn.states, ["CLOSED", "SYN_SENT", "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "TIME_WAIT", "CLOSED"]);
  const serverStates = net.transitions.filter((t) => t.stack === "server").map((t) => t.to);
  assert.deepEqual(serverStates, ["SYN_RECEIVED", "ESTABLISHED", "CLOSE_WAIT", "LAST_ACK", "CLOSED"]);
  assert.match(net.trace(), /client 198\.18\.0\.2:\d+ SYN_SENT -> ESTABLISHED/);
});

test("connect to a closed port: ECONNREFUSED", { skip }, () => {
  const { net, client } = echoPair(2);
  const conn = client.connect("198.18.0.1", 9999);
  let err: string | null = null;
  conn.on("error", (e) => (err = e));
  net.runUntil(() => conn.closed || conn.error !== null, { maxVirtualMs: 5000 });
  assert.equal(conn.error, "ECONNREFUSED");
  assert.equal(err, "ECONNREFUSED");
  assert.ok(net.tcpFrames((f) => f.parsed.tcp.flagStr === "R.").length === 1);
});

test("bulk transfer larger than the send ring is queued and echoed byte-exact", { skip }, () => {
  const { net, client } = echoPair(3);
  const data = new Uint8Array(50_000).map((_, i) => (i * 7 + 3) & 255);
  const conn = client.connect("198.18.0.1", 7);
  const chunks: Uint8Array[] = [];
  conn.on("data", (d) => chunks.push(d));
  conn.write(data);
  conn.end();
  net.runUntil(() => conn.ended, { maxVirtualMs: 60_000 });
  assert.deepEqual(Buffer.concat(chunks), Buffer.from(data));
});

// Conn.write borrows the caller's array while the send ring takes it (host/stack/byte-queue.ts): what
// the ring did not take must be copied before write() returns, since the caller may reuse its array.
test("a write the send ring takes only in part: the rest is the caller's bytes as they were at write()", { skip }, () => {
  const { net, client } = echoPair(4);
  const conn = client.connect("198.18.0.1", 7);
  net.runUntil(() => conn.connected, { maxVirtualMs: 5000 });
  const data = new Uint8Array(50_000).map((_, i) => (i * 13 + 5) & 255);
  const want = Buffer.from(data);
  const chunks: Uint8Array[] = [];
  conn.on("data", (d) => chunks.push(d));
  const taken = conn.write(data);
  assert.ok(taken > 0 && taken < data.length, `the ring took ${taken} of ${data.length} bytes at once`);
  data.fill(0); // the caller reuses its array
  conn.end();
  net.runUntil(() => conn.ended, { maxVirtualMs: 60_000 });
  assert.deepEqual(Buffer.concat(chunks), want);
});

test("simulation is deterministic: same seed, same trace; memory never grows", { skip }, () => {
  const once = (seed: number): { trace: string; pages: number[] } => {
    const { net, client, server } = echoPair(seed);
    const pages = [client.core.memoryPages(), server.core.memoryPages()];
    const conn = client.connect("198.18.0.1", 7);
    conn.write("x".repeat(10_000));
    conn.end();
    net.runUntil(() => conn.ended, { maxVirtualMs: 60_000 });
    assert.deepEqual([client.core.memoryPages(), server.core.memoryPages()], pages);
    return { trace: net.trace(), pages };
  };
  assert.equal(once(5).trace, once(5).trace);
  assert.notEqual(once(5).trace, once(6).trace); // the seed keys the ISNs
});

test("handshake and echo survive loss and reordering (fault middleware)", { skip }, () => {
  const net = new SimNet({ seed: 9 });
  const server = net.host({ name: "server", ip: "198.18.0.1", fault: { loss: 0.1, reorder: 0.1, reorderDelayMs: 3 } });
  const client = net.host({ name: "client", ip: "198.18.0.2" });
  server.listen(7, 4, (c: Conn) => c.on("data", (d) => c.write(d)));
  const conn = client.connect("198.18.0.1", 7);
  const chunks: Uint8Array[] = [];
  conn.on("data", (d) => chunks.push(d));
  const data = new Uint8Array(20_000).map((_, i) => i & 255);
  conn.write(data);
  net.runUntil(() => Buffer.concat(chunks).length >= data.length, { maxVirtualMs: 600_000, what: "all data echoed" });
  assert.deepEqual(Buffer.concat(chunks), Buffer.from(data));
  assert.ok(net.fault(server)!.stats.tx.lost + net.fault(server)!.stats.rx.lost > 0);
});

test("peer helper: scripted handshake against the stack (passive open)", { skip }, () => {
  const { stack, peer } = Peer.setup({ seed: 4 });
  const accepted: Conn[] = [];
  stack.listen(80, 2, (c) => accepted.push(c));
  peer.sendTcp({ sport: 40000, dport: 80, seq: 1000, flags: "S", options: [{ kind: "mss", value: 1200 }] });
  const synAck = peer.expectTcp({ flags: "S.", ack: 1001 });
  peer.sendTcp({ sport: 40000, dport: 80, seq: 1001, ack: synAck.tcp.seq + 1, flags: "." });
  assert.equal(accepted.length, 1);
  assert.equal(accepted[0]!.state, "ESTABLISHED");
  assert.equal(accepted[0]!.remote, "198.18.0.2:40000");
  peer.sendTcp({ sport: 40000, dport: 80, seq: 1001, ack: synAck.tcp.seq + 1, flags: "P.", payload: "GET" });
  assert.equal(text(accepted[0]!.read()), "GET");
  peer.expectTcp({ flags: ".", ack: 1004 }, { maxVirtualMs: 1000 });
});
