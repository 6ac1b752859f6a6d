// The DNS stub resolver (RFC 1035, RFC 1123 6.1.3, RFC 5452, RFC 7766) against the simulator's
// scripted DNS server (host/sim/dns-server.ts): every rule replayed on virtual time, asserting what
// went on the wire and the counters; the same seed gives the same bytes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SimNet } from "../../host/sim/sim.ts";
import { SimDnsServer, parseQuery, type DnsAction, type DnsRecord, type DnsSeen } from "../../host/sim/dns-server.ts";
import type { Stack } from "../../host/stack/stack.ts";
import type { CoreEvent } from "../../host/core.ts";
import { resolve } from "../../host/stack/dns.ts";

const SERVERS = ["198.18.0.53", "198.18.0.54", "198.18.0.55"];
const TARGET = "198.18.0.80";

const many = (name: string, n: number): DnsRecord[] =>
  Array.from({ length: n }, (_, i) => ({ name, type: "A" as const, data: `198.18.1.${i + 1}`, ttl: 60 }));
const RECORDS: DnsRecord[] = [
  { name: "host.test", type: "A", data: TARGET, ttl: 60 },
  { name: "alias.test", type: "CNAME", data: "mid.test", ttl: 30 },
  { name: "mid.test", type: "CNAME", data: "host.test", ttl: 40 },
  { name: "loop1.test", type: "CNAME", data: "loop2.test" },
  { name: "loop2.test", type: "CNAME", data: "loop1.test" },
  ...Array.from({ length: 9 }, (_, i) => ({ name: `c${i}.test`, type: "CNAME" as const, data: `c${i + 1}.test` })),
  { name: "c9.test", type: "A", data: TARGET },
  { name: "noaddr.test", type: "CNAME", data: "nowhere.test" },
  ...many("many.test", 40),
  ...many("huge.test", 80),
];

interface Rig { net: SimNet; client: Stack; servers: SimDnsServer[]; events: CoreEvent[] }

function rig(o: { seed?: number; servers?: number; scripts?: ((m: DnsSeen, i: number) => DnsAction)[]; tcp?: "serve" | "refuse" | "silent" } = {}): Rig {
  const net = new SimNet({ seed: o.seed ?? 1 });
  const servers = SERVERS.slice(0, o.servers ?? 1).map((ip, k) => new SimDnsServer({
    link: net.switch.port({ name: `dns${k + 1}` }), now: () => net.now, mac: `02:00:00:00:00:5${k}`, ip,
    records: RECORDS, script: o.scripts?.[k], tcp: o.tcp,
  }));
  const client = net.host({ name: "client", ip: "198.18.0.2" });
  servers.forEach((s, k) => assert.equal(client.call((c) => c.dnsServer(k, SERVERS[k]!)), 0));
  const events: CoreEvent[] = [];
  client.on("event", (e) => events.push(e));
  return { net, client, servers, events };
}

type Outcome = { addresses: string[]; ttl: number; at: number } | { error: string; at: number };

/** Ask for name and run (bounded) until the query ends. */
function ask(r: Rig, name: string): Outcome {
  const core = r.client.core;
  const start = r.net.now;
  const q = r.client.call((c) => c.dnsQuery(name, r.net.now));
  if (q < 0) return { error: core.errorName(q), at: 0 };
  const EAGAIN = core.errorCode("EAGAIN");
  r.net.runUntil(() => core.dnsResult(q) !== EAGAIN, { maxVirtualMs: 60_000, what: `the answer for ${name}` });
  const res = core.dnsResult(q);
  assert.equal(core.dnsClose(q), 0);
  const at = r.net.now - start;
  return typeof res === "number" ? { error: core.errorName(res), at } : { ...res, at };
}
const ctr = (r: Rig, name: string): number => r.client.core.counters()[name]!;
/** The client's UDP datagrams to port 53 and TCP segments to port 53, from the wire. */
const udpQueries = (r: Rig) => r.net.frames.filter((f) => f.from === "client" && f.parsed.udp?.dport === 53);
const tcpTo53 = (r: Rig) => r.net.frames.filter((f) => f.from === "client" && f.parsed.tcp?.dport === 53);
const HIDDEN = ["CONNECTED", "READABLE", "WRITABLE", "EOF", "CLOSED", "ERROR", "STATE", "SOFT_ERROR"];

test("RFC 1035 4.1.1, 7.2: one A query (RD, one question, class IN) to the server's port 53; the answer's address and TTL", () => {
  const r = rig();
  const got = ask(r, "host.test");
  assert.deepEqual(got, { addresses: [TARGET], ttl: 60, at: got.at });
  const [f] = udpQueries(r);
  assert.equal(udpQueries(r).length, 1);
  assert.equal(f!.parsed.ip!.dst, SERVERS[0]);
  const m = parseQuery(f!.parsed.udp!.payload)!;
  assert.deepEqual({ name: m.name, qtype: m.qtype, qclass: m.qclass, rd: !!(m.flags & 0x100), len: f!.parsed.udp!.payload.length },
    { name: "host.test", qtype: 1, qclass: 1, rd: true, len: 12 + 11 + 4 });
  assert.ok(f!.parsed.udp!.sport >= 1024);
  assert.deepEqual([ctr(r, "DNS_QUERIES_TX"), ctr(r, "DNS_REPLIES"), ctr(r, "DNS_TIMEOUTS")], [1, 1, 0]);
  assert.deepEqual(r.events.filter((e) => e.name === "DNS_RESULT").map((e) => e.arg), [1]);
});

test("RFC 5452 9.2: id and source port come from the seed: the same seed sends the same bytes, another seed others", () => {
  const wire = (seed: number) => { const r = rig({ seed }); ask(r, "host.test"); ask(r, "alias.test"); return udpQueries(r).map((f) => Buffer.from(f.frame).toString("hex")); };
  const a = wire(7), b = wire(7), c = wire(8);
  assert.deepEqual(a, b);
  assert.equal(a.length, 2);
  assert.notEqual(a[0], c[0]);
  const ids = (hex: string[]) => hex.map((h) => h.slice(84, 88));
  assert.notEqual(ids(a)[0], ids(a)[1]);
});

test("RFC 5452 9.1: a reply with another id is dropped (DROP_DNS_ID); the retry after 1 s gets the answer", () => {
  const r = rig({ scripts: [(m, i) => (i === 0 ? { id: m.id ^ 0x5555 } : undefined)] });
  const got = ask(r, "host.test");
  assert.deepEqual("addresses" in got && got.addresses, [TARGET]);
  assert.equal(got.at >= 1000 && got.at < 1100, true, `answered at ${got.at}`);
  assert.deepEqual([ctr(r, "DROP_DNS_ID"), ctr(r, "DNS_TIMEOUTS"), ctr(r, "DNS_QUERIES_TX")], [1, 1, 2]);
  const [q1, q2] = r.servers[0]!.seen;
  assert.notEqual(q1!.id, q2!.id);
  assert.notEqual(q1!.srcPort, q2!.srcPort);                        // a new port for the retry
});

test("RFC 5452 9.1: a reply from another port or another address than the server's 53 is dropped (DROP_DNS_SOURCE)", () => {
  const r = rig({ scripts: [(_m, i) => (i === 0 ? { srcPort: 5353 } : i === 1 ? { srcIp: "198.18.0.99" } : undefined)] });
  assert.equal((ask(r, "host.test") as { error: string }).error, "ETIMEDOUT");      // both attempts (DNS_ROUNDS) answered falsely
  assert.deepEqual([ctr(r, "DROP_DNS_SOURCE"), ctr(r, "DNS_QUERIES_TX"), ctr(r, "DNS_REPLIES")], [2, 2, 0]);
});

test("RFC 5452 9.1: a reply for another question is dropped (DROP_DNS_MALFORMED)", () => {
  const r = rig({ scripts: [(_m, i) => (i === 0 ? { qname: "evil.test", answers: [{ name: "host.test", type: "A", data: "198.18.0.66" }] } : undefined)] });
  const got = ask(r, "host.test");
  assert.deepEqual("addresses" in got && got.addresses, [TARGET]);
  assert.deepEqual([ctr(r, "DROP_DNS_MALFORMED"), ctr(r, "DNS_QUERIES_TX")], [1, 2]);
});

test("RFC 1123 6.1.3.3: lost queries go round up to 3 servers, 1 s each, then 2 s each; then ETIMEDOUT", () => {
  const r = rig({ servers: 3, scripts: [() => "drop", () => "drop", () => "drop"] });
  const got = ask(r, "host.test");
  assert.deepEqual(got, { error: "ETIMEDOUT", at: 9000 });
  const q = udpQueries(r);
  assert.deepEqual(q.map((f) => f.parsed.ip!.dst), [...SERVERS, ...SERVERS]);
  // sent when each wait ends (the first datagram to a server waits a few ms for its ARP reply)
  assert.deepEqual(q.map((f) => Math.floor(f.timeMs / 10) * 10), [0, 1000, 2000, 3000, 5000, 7000]);
  assert.equal(new Set(q.map((f) => f.parsed.udp!.sport)).size, 6);
  assert.deepEqual([ctr(r, "DNS_TIMEOUTS"), ctr(r, "DNS_QUERIES_TX"), ctr(r, "DNS_REPLIES")], [6, 6, 0]);
});

test("RFC 1123 6.1.3.3: the first N queries lost, the next server answers", () => {
  const r = rig({ servers: 3, scripts: [() => "drop", () => "drop"] });
  const got = ask(r, "host.test");
  assert.deepEqual("addresses" in got && got.addresses, [TARGET]);
  assert.ok(got.at >= 2000 && got.at < 2100);
  assert.deepEqual(r.servers.map((s) => s.seen.length), [1, 1, 1]);
});

test("RFC 1035 4.1.1: NXDOMAIN ends the query at once with ENOTFOUND; SERVFAIL asks the next server, from all of them ESERVFAIL", () => {
  const r = rig({ servers: 2 });
  assert.equal((ask(r, "nope.test") as { error: string }).error, "ENOTFOUND");
  assert.equal(udpQueries(r).length, 1);
  const s = rig({ servers: 2, scripts: [(_m, i) => (i === 0 ? { rcode: 2 } : undefined)] });
  const ok = ask(s, "host.test");
  assert.deepEqual("addresses" in ok && ok.addresses, [TARGET]);
  assert.deepEqual(s.servers.map((x) => x.seen.length), [1, 1]);
  assert.ok(ok.at < 100, `SERVFAIL moves on at once (${ok.at} ms)`);
  const f = rig({ servers: 2, scripts: [() => ({ rcode: 2 }), () => ({ rcode: 2 })] });
  assert.equal((ask(f, "host.test") as { error: string }).error, "ESERVFAIL");
  assert.deepEqual(f.servers.map((x) => x.seen.length), [2, 2]);   // DNS_ROUNDS rounds
});

test("RFC 1034 3.6.2: a CNAME chain is followed to the A record, the smallest TTL kept; a loop or more than 8 links is ELOOP", () => {
  const r = rig();
  const a = ask(r, "alias.test");
  assert.deepEqual("addresses" in a && [a.addresses, a.ttl], [[TARGET], 30]);
  assert.equal((ask(r, "loop1.test") as { error: string }).error, "ELOOP");
  assert.equal((ask(r, "c0.test") as { error: string }).error, "ELOOP");       // 9 links
  assert.deepEqual((ask(r, "c1.test") as { addresses: string[] }).addresses, [TARGET]);   // 8 links
  assert.equal((ask(r, "noaddr.test") as { error: string }).error, "ENODATA");
});

test("RFC 1035 4.1.4: a compression loop, or a record past the end of the message, is dropped (DROP_DNS_MALFORMED) and the query waits on", () => {
  const loop = (b: Uint8Array) => { const c = b.slice(); c[c.length - 16] = 0xc0; c[c.length - 15] = c.length - 16; return c; };  // the answer's owner points at itself
  const past = (b: Uint8Array) => { const c = b.slice(); c[c.length - 6] = 0; c[c.length - 5] = 40; return c; };                // RDLENGTH 40, 4 bytes there
  for (const raw of [loop, past]) {
    const r = rig({ scripts: [(_m, i) => (i === 0 ? { raw } : undefined)] });
    const got = ask(r, "host.test");
    assert.deepEqual("addresses" in got && got.addresses, [TARGET]);
    assert.deepEqual([ctr(r, "DROP_DNS_MALFORMED"), ctr(r, "DNS_TIMEOUTS")], [1, 1]);
  }
});

test("RFC 1035 4.2.1: a UDP reply over 512 bytes without TC is dropped as oversized (DROP_DNS_MALFORMED)", () => {
  const r = rig({ scripts: [(_m, i) => (i === 0 ? { raw: (b) => { const c = new Uint8Array(600); c.set(b); return c; } } : undefined)] });
  const got = ask(r, "host.test");
  assert.deepEqual("addresses" in got && got.addresses, [TARGET]);
  assert.equal(ctr(r, "DROP_DNS_MALFORMED"), 1);
  assert.equal(r.servers[0]!.sent[0]!.length, 600);
});

test("RFC 1035 7.4, 3.2.1: an answer is cached for its TTL (asked again: no query), then asked anew; TTL 0 is not cached", () => {
  const r = rig();
  ask(r, "host.test");
  r.net.run(30_000);
  const hit = ask(r, "host.test");
  assert.deepEqual("addresses" in hit && [hit.addresses, hit.ttl, hit.at], [[TARGET], 30, 0]);
  assert.deepEqual([ctr(r, "DNS_CACHE_HITS"), udpQueries(r).length], [1, 1]);
  r.net.run(30_001);
  ask(r, "host.test");
  assert.deepEqual([ctr(r, "DNS_CACHE_HITS"), udpQueries(r).length], [1, 2]);
  const z = rig({ scripts: [() => ({ ttl: 0 })] });
  assert.equal((ask(z, "host.test") as { ttl: number }).ttl, 0);
  ask(z, "host.test");
  assert.deepEqual([ctr(z, "DNS_CACHE_HITS"), udpQueries(z).length], [0, 2]);
});

test("RFC 2181 8: a huge TTL is capped by the cache (DNS_TTL_MAX_S, 1 h); a TTL with the top bit set counts as 0", () => {
  const r = rig({ scripts: [() => ({ ttl: 0x7fffffff })] });
  ask(r, "host.test");
  r.net.run(3_599_000);
  ask(r, "host.test");
  assert.equal(udpQueries(r).length, 1);
  r.net.run(2_000);
  ask(r, "host.test");
  assert.equal(udpQueries(r).length, 2);
  const t = rig({ scripts: [() => ({ ttl: 0x80000000 })] });
  assert.equal((ask(t, "host.test") as { ttl: number }).ttl, 0);
  ask(t, "host.test");
  assert.equal(udpQueries(t).length, 2);
});

// ── a truncated answer asked again over TCP (RFC 1035 4.2.2, RFC 7766) ──────────────────────────

test("RFC 1035 4.2.2, RFC 7766 5: a truncated UDP reply asks the same server again over TCP port 53: length-prefixed query, whole answer", () => {
  const r = rig({ servers: 2 });
  const got = ask(r, "many.test");
  assert.deepEqual("addresses" in got && got.addresses, ["198.18.1.1", "198.18.1.2", "198.18.1.3", "198.18.1.4"]);   // DNS_ADDRS kept
  const s = r.servers[0]!;
  assert.deepEqual(s.sent.map((x) => [x.proto, x.tc, x.answers]), [["udp", true, 0], ["tcp", false, 40]]);
  assert.deepEqual(s.seen.map((q) => [q.proto, q.name]), [["udp", "many.test"], ["tcp", "many.test"]]);
  assert.equal(r.servers[1]!.seen.length, 0);                        // the same server, not the next
  assert.notEqual(s.seen[1]!.id, s.seen[0]!.id);                     // a fresh id
  const segs = tcpTo53(r);
  assert.equal(segs[0]!.parsed.tcp!.flagStr, "S");
  const data = segs.find((f) => f.parsed.tcp!.payload.length > 0)!.parsed.tcp!.payload;
  assert.equal((data[0]! << 8) | data[1]!, data.length - 2);          // RFC 1035 4.2.2: the 2-byte length
  assert.deepEqual(Buffer.from(data.subarray(2)), Buffer.from(s.seen[1]!.raw));
  assert.deepEqual([ctr(r, "DNS_TCP_QUERIES"), ctr(r, "DNS_QUERIES_TX"), ctr(r, "DNS_REPLIES")], [1, 2, 2]);
  r.net.run(1000);
  assert.ok(tcpTo53(r).some((f) => f.parsed.tcp!.flags & 1), "the client closes once it has the answer (FIN)");
  assert.equal(s.tcpOpen, 0);
  assert.equal(r.client.core.connections(), 1);                     // TIME-WAIT (RFC 9293 3.6.1): the active closer
  r.net.run(120_000);
  assert.equal(r.client.core.connections(), 0);
});

test("the resolver's TCP connection is the core's: the host sees none of its events and cannot use its handle", () => {
  const r = rig({ scripts: [(m) => (m.proto === "tcp" ? "drop" : undefined)] });
  const core = r.client.core;
  const q = r.client.call((c) => c.dnsQuery("many.test", r.net.now));
  r.net.runUntil(() => r.servers[0]!.seen.length === 2, { maxVirtualMs: 5000, what: "the TCP query" });
  assert.equal(core.connections(), 1);
  const now = r.net.now;
  for (let h = 1; h <= 0x7fff; h++) {
    assert.equal(core.x.tcp_state(h), core.errorCode("EBADF"));
    assert.equal(core.x.tcp_close(h, now), core.errorCode("EBADF"));
  }
  assert.equal(core.x.tcp_abort(0x100, now), core.errorCode("EBADF"));
  r.net.runUntil(() => core.dnsResult(q) !== core.errorCode("EAGAIN"), { maxVirtualMs: 10_000, what: "the timeout" });
  assert.equal(core.errorName(core.dnsResult(q) as number), "ETIMEDOUT");
  r.net.run(120_000);
  assert.equal(core.connections(), 0);
  assert.deepEqual(r.events.filter((e) => HIDDEN.includes(e.name)), []);
  assert.deepEqual(r.net.transitions, []);
});

test("RFC 7766: the TCP answer fails clearly: refused ECONNREFUSED, no SYN-ACK ETIMEDOUT, reset ECONNRESET, closed early ECONNRESET", () => {
  const refused = rig({ tcp: "refuse" });
  assert.equal((ask(refused, "many.test") as { error: string }).error, "ECONNREFUSED");
  assert.equal(refused.client.core.connections(), 0);
  const silent = rig({ tcp: "silent" });
  const s = ask(silent, "many.test");
  assert.equal((s as { error: string }).error, "ETIMEDOUT");
  // each of the server's DNS_ROUNDS (2) UDP attempts is truncated and its TCP exchange bounded by
  // DNS_TCP_TIMEOUT_MS (4 s)
  assert.ok(s.at >= 8000 && s.at < 8100, `twice the TCP exchange's bound, DNS_TCP_TIMEOUT_MS (${s.at})`);
  assert.equal(silent.servers[0]!.synsSeen, 6);                      // twice: SYN, then its retransmissions at 1 s and 3 s
  silent.net.run(1000);
  assert.equal(silent.client.core.connections(), 0);
  for (const how of ["reset", "close"] as const) {
    const r = rig({ scripts: [(m) => (m.proto === "tcp" ? { tcp: how } : undefined)] });
    assert.equal((ask(r, "many.test") as { error: string }).error, "ECONNRESET", how);
    r.net.run(120_000);
    assert.equal(r.client.core.connections(), 0, how);
  }
});

test("RFC 1123 6.1.3.3: a failed TCP exchange (reset, closed early, timed out) moves on to the next server, as a UDP timeout does", () => {
  for (const how of ["reset", "close", "drop"] as const) {
    const r = rig({ servers: 2, scripts: [(m) => (m.proto === "tcp" ? (how === "drop" ? "drop" : { tcp: how }) : undefined)] });
    const got = ask(r, "many.test");
    assert.deepEqual("addresses" in got && got.addresses.length, 4, how);
    assert.deepEqual(r.servers[1]!.seen.map((q) => q.proto), ["udp", "tcp"], how);   // the next server, over UDP, then TCP
    r.net.run(121_000);                                              // past TIME-WAIT (2 MSL)
    assert.equal(r.client.core.connections(), 0, how);
  }
});

test("RFC 7766 8: a TCP answer longer than the resolver's buffer (DNS_TCP_MAX) ends the query with EMSGSIZE, counted, never cut short", () => {
  const r = rig();
  const got = ask(r, "huge.test");
  assert.equal((got as { error: string }).error, "EMSGSIZE");
  assert.ok(r.servers[0]!.sent[1]!.length > 1024);
  assert.equal(ctr(r, "DROP_DNS_OVERSIZE"), 1);
  assert.ok(r.net.frames.some((f) => f.from === "client" && f.parsed.tcp && f.parsed.tcp.flags & 4), "the unread answer is reset (RFC 1122 4.2.2.13)");
  r.net.run(1000);
  assert.equal(r.client.core.connections(), 0);
  const lie = rig({ scripts: [(m) => (m.proto === "tcp" ? { lengthPrefix: 60_000 } : undefined)] });
  assert.equal((ask(lie, "many.test") as { error: string }).error, "EMSGSIZE");
  assert.equal(ctr(lie, "DROP_DNS_OVERSIZE"), 1);
});

test("RFC 5452 9.1 over TCP: an answer with another id or question ends the query with EBADMSG", () => {
  const id = rig({ scripts: [(m) => (m.proto === "tcp" ? { id: m.id ^ 1 } : undefined)] });
  assert.equal((ask(id, "many.test") as { error: string }).error, "EBADMSG");
  assert.equal(ctr(id, "DROP_DNS_ID"), 1);
  const q = rig({ scripts: [(m) => (m.proto === "tcp" ? { qname: "other.test", answers: [{ name: "many.test", type: "A", data: TARGET }] } : undefined)] });
  assert.equal((ask(q, "many.test") as { error: string }).error, "EBADMSG");
  assert.equal(ctr(q, "DROP_DNS_MALFORMED"), 1);
});

test("RFC 1035 4.2.2: the TCP exchange replays: the same seed sends the same bytes", () => {
  const wire = (seed: number) => { const r = rig({ seed }); ask(r, "many.test"); r.net.run(1000); return r.net.frames.filter((f) => f.from === "client").map((f) => Buffer.from(f.frame).toString("hex")); };
  const a = wire(3);
  assert.deepEqual(wire(3), a);
  assert.notDeepEqual(wire(4), a);
});

test("resolve() (host/stack/dns.ts) settles with the TCP answer like any other", async () => {
  const r = rig();
  const p = resolve(r.client, "many.test");
  r.net.run(1000);
  assert.deepEqual((await p).addresses.length, 4);
});

test("resolve() rejects a failed TCP retry with its code and one line", async () => {
  const r = rig();
  const p = resolve(r.client, "huge.test");
  r.net.run(1000);
  await assert.rejects(p, (e: Error & { code?: string }) => e.code === "EMSGSIZE" && e.message === "resolve huge.test: the answer is too long (over TCP, after a truncated reply) (EMSGSIZE)");
});
