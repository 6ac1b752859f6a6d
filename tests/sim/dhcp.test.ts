// The DHCP client (RFC 2131, RFC 2132, RFC 5227) against the simulator's scripted server: every
// rule replayed deterministically on virtual time (host/sim/dhcp-server.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { SimNet } from "../../host/sim/sim.ts";
import { SimArpHost, SimDhcpServer, udpFrame, type DhcpAction, type DhcpSeen } from "../../host/sim/dhcp-server.ts";
import type { Stack } from "../../host/stack/stack.ts";
import { buildArpFrame, macToBytes, macToString } from "../../host/packet/packet.ts";
import type { CoreEvent } from "../../host/core.ts";

const SERVER = "198.18.0.1";
const POOL = "198.18.0.100";

interface Rig { net: SimNet; client: Stack; server: SimDhcpServer; events: CoreEvent[] }

/** A net with a DHCP server (raw switch port) and a client with no address; DHCP started. */
function rig(o: { seed?: number; leaseS?: number; t1S?: number; t2S?: number; script?: (m: DhcpSeen, i: number) => DhcpAction; requestedIp?: string; start?: boolean } = {}): Rig {
  const net = new SimNet({ seed: o.seed ?? 1 });
  const server = new SimDhcpServer({
    link: net.switch.port({ name: "dhcpd" }), now: () => net.now, mac: "02:00:00:00:00:fe", ip: SERVER, pool: POOL,
    dns: ["198.18.0.53", "198.18.0.54"], leaseS: o.leaseS ?? 3600, t1S: o.t1S, t2S: o.t2S, script: o.script,
  });
  const client = net.host({ name: "client", ip: "0.0.0.0" });
  const events: CoreEvent[] = [];
  client.on("event", (e) => { if (["ADDRESS", "GATEWAY", "DNS", "DHCP_STATE"].includes(e.name)) events.push(e); });
  if (o.start !== false) assert.equal(client.call((c) => c.dhcpStart(net.now, o.requestedIp)), 0);
  return { net, client, server, events };
}
const state = (r: Rig) => r.client.core.dhcpInfo(r.net.now)!.stateName;
const bound = (r: Rig, what = "BOUND") => r.net.runUntil(() => state(r) === what, { maxVirtualMs: 600_000, what });
const types = (r: Rig) => r.server.seen.map((m) => m.typeName);
const probes = (r: Rig) => r.net.frames.filter((f) => f.parsed.arp && f.from === "client" && f.parsed.arp.senderIp === "0.0.0.0");

test("RFC 2131 4.4.1: DISCOVER, OFFER, REQUEST (50, 54, same xid), ACK, then three ARP probes (RFC 5227 2.1.1) before the address is used", () => {
  const r = rig();
  bound(r);
  assert.deepEqual(types(r), ["DISCOVER", "REQUEST"]);
  const [d, q] = r.server.seen as [DhcpSeen, DhcpSeen];
  assert.equal(q.xid, d.xid);
  assert.equal(q.requested, POOL);
  assert.equal(q.serverId, SERVER);
  assert.equal(q.ciaddr, "0.0.0.0");
  assert.equal(d.clientId, "01020000000001");                     // RFC 2132 9.14: type 1 + MAC
  assert.deepEqual(d.params, [1, 3, 6, 15, 28, 51, 58, 59]);
  const p = probes(r);
  assert.equal(p.length, 3);
  for (const f of p) assert.equal(f.parsed.arp!.targetIp, POOL);
  const ack = r.server.sent.find((s) => s.typeName === "ACK")!;
  // RFC 5227 2.1.1: probes 1–2 s apart, the address used ANNOUNCE_WAIT (2 s) after the last one
  assert.ok(p[0]!.timeMs >= ack.timeMs && p[0]!.timeMs <= ack.timeMs + 1001);
  for (let i = 1; i < 3; i++) { const gap = p[i]!.timeMs - p[i - 1]!.timeMs; assert.ok(gap >= 1000 && gap <= 2001, `probe gap ${gap}`); }
  assert.equal(r.client.core.localIp(), POOL);
  assert.equal(r.client.ip, POOL);
  const info = r.client.core.dhcpInfo(r.net.now)!;
  assert.deepEqual({ address: info.address, prefix: info.prefix, gateway: info.gateway, server: info.server, dns: info.dns, lease: info.leaseSeconds },
    { address: POOL, prefix: 24, gateway: SERVER, server: SERVER, dns: ["198.18.0.53", "198.18.0.54"], lease: 3600 });
  // RFC 5227 2.3: an announcement (sender = target = the address) once bound
  assert.ok(r.net.frames.some((f) => f.from === "client" && f.parsed.arp?.senderIp === POOL && f.parsed.arp.targetIp === POOL));
  const names = r.events.map((e) => e.name);
  assert.ok(names.includes("ADDRESS") && names.includes("GATEWAY") && names.includes("DNS"));
  assert.equal(r.events.find((e) => e.name === "DNS")!.handle, 2);
  assert.equal(r.client.core.x.dhcp_dns_server!(1) >>> 0, 0xc6120036);
});

test("unconfigured: TCP connect fails with EADDRNOTAVAIL until the lease arrives (RFC 1122 3.3.1.5: no source address)", () => {
  const r = rig();
  assert.throws(() => r.client.connect("198.18.0.5", 7), /EADDRNOTAVAIL/);
  bound(r);
  const c = r.client.connect("198.18.0.5", 7);
  assert.equal(c.state, "SYN_SENT");
});

test("RFC 2131 4.4.1: the first DISCOVER waits a random 1–10 s drawn from the seed (the same seed, the same wait); dhcp_init_delay sets the longest wait, 0 sends at once", () => {
  const firstDiscover = (seed: number, delayMs?: number) => {
    const r = rig({ seed, start: false });
    if (delayMs !== undefined) assert.equal(r.client.core.dhcpInitDelay(delayMs), 0);
    const t0 = r.net.now;
    assert.equal(r.client.call((c) => c.dhcpStart(r.net.now)), 0);
    r.net.runUntil(() => r.net.frames.some((f) => f.from === "client" && f.parsed.udp), { maxVirtualMs: 70_000 });
    return r.net.frames.find((f) => f.from === "client" && f.parsed.udp)!.timeMs - t0;
  };
  const waits = [1, 2, 3, 4, 5, 6, 7, 8].map((seed) => firstDiscover(seed));
  for (const w of waits) assert.ok(w >= 1000 && w <= 10_000, `waited ${w} ms`);
  assert.ok(new Set(waits).size >= 6, `waits ${waits}`);                // other seeds, other waits
  assert.equal(firstDiscover(3), waits[2]);                              // the same seed replays
  assert.equal(firstDiscover(3, 0), 0);                                  // 0: at once
  for (const seed of [1, 2, 3]) { const w = firstDiscover(seed, 2000); assert.ok(w >= 200 && w <= 2000, `waited ${w} ms`); }
  const r = rig({ start: false });
  assert.equal(r.client.core.dhcpInitDelay(60_001), r.client.core.errorCode("EINVAL"));
  assert.equal(r.client.core.config().DHCP_INIT_DELAY_MS, 10_000);
});

test("RFC 2131 4.1: lost DISCOVERs are retransmitted after 4, 8, 16 s, each ±1 s, with the xid kept", () => {
  const r = rig({ script: (m, i) => (i < 3 ? "drop" : undefined) });
  bound(r);
  const d = r.server.seen.filter((m) => m.typeName === "DISCOVER");
  assert.equal(d.length, 4);
  const gaps = [1, 2, 3].map((i) => d[i]!.timeMs - d[i - 1]!.timeMs);
  [4000, 8000, 16000].forEach((want, i) => assert.ok(Math.abs(gaps[i]! - want) <= 1001, `gap ${i}: ${gaps[i]} vs ${want}`));
  assert.equal(new Set(d.map((m) => m.xid)).size, 1);
  assert.ok(d[3]!.secs >= 27, `secs ${d[3]!.secs}`);                  // RFC 2131 2: seconds since the exchange began
});

test("the randomness comes from the core's seed: the same seed replays xid and timing, another seed differs", () => {
  const run = (seed: number) => { const r = rig({ seed, script: (m, i) => (i < 2 ? "drop" : undefined) }); bound(r); return r.server.seen.map((m) => `${m.xid}@${m.timeMs}`).join(" "); };
  assert.equal(run(7), run(7));
  assert.notEqual(run(7), run(8));
});

test("RFC 2131 4.4.1: a reply with another xid, from another port, or malformed is dropped and counted; the client still binds", () => {
  const bad: DhcpAction[] = [
    { xid: 12345 },                                              // another transaction
    { srcPort: 1067 },                                           // not from port 67
    { raw: (b) => { const o = b.slice(); o[241] = 200; return o; } }, // an option length past the end
    { raw: (b) => b.slice(0, 240 + 3) },                         // no end option
    { yiaddr: "127.0.0.1" },                                     // not an address a host may hold
    { options: { 54: null } },                                   // an OFFER without a server id
  ];
  const r = rig({ script: (m, i) => (i < bad.length ? bad[i] : undefined) });
  bound(r);
  const c = r.client.counters();
  assert.equal(c.DROP_DHCP_XID, 1);
  assert.equal(c.DROP_DHCP_MALFORMED, 3);
  assert.equal(c.DROP_DHCP_UNEXPECTED, 2);
  assert.equal(r.client.ip, POOL);
});

test("RFC 2131 4.4.5: at T1 (default 0.5 × lease) a unicast REQUEST with ciaddr and no 50/54 renews; the lease restarts", () => {
  const r = rig({ leaseS: 120 });
  bound(r);
  const first = r.server.seen[1]!.timeMs;
  r.net.runUntil(() => r.server.seen.length === 3, { maxVirtualMs: 200_000 });
  const renew = r.server.seen[2]!;
  assert.equal(renew.typeName, "REQUEST");
  assert.equal(renew.ciaddr, POOL);
  assert.equal(renew.dstIp, SERVER);                                // unicast to the server
  assert.equal(renew.requested, undefined);
  assert.equal(renew.serverId, undefined);
  assert.ok(Math.abs(renew.timeMs - first - 60_000) <= 3, `renewed after ${renew.timeMs - first} ms`); // + an ARP exchange
  r.net.run(1000);
  assert.equal(state(r), "BOUND");
  const info = r.client.core.dhcpInfo(r.net.now)!;
  assert.ok(info.leaseLeftMs > 115_000, `lease left ${info.leaseLeftMs}`);
});

test("RFC 2131 4.4.5: a renewal ACK granting another address: the old one goes, the new one is probed and bound with the new lease's DNS servers", () => {
  const r = rig({ leaseS: 120, script: (m, i) => (i === 2 && m.typeName === "REQUEST" ? { yiaddr: "198.18.0.101" } : undefined) });
  bound(r);
  r.net.runUntil(() => r.server.seen.length === 3, { maxVirtualMs: 200_000 });
  r.net.runUntil(() => state(r) === "BOUND" && r.client.core.dhcpInfo(r.net.now)!.address === "198.18.0.101", { maxVirtualMs: 30_000, what: "bound to the new address" });
  const info = r.client.core.dhcpInfo(r.net.now)!;
  assert.deepEqual(info.dns, ["198.18.0.53", "198.18.0.54"]);
  assert.equal(r.client.core.x.dhcp_dns_server!(0) >>> 0, 0xc6120035);   // what the resolver uses
  const dns = r.events.filter((e) => e.name === "DNS").map((e) => e.handle);   // (handle: the count)
  assert.equal(dns.at(-1), 2, `DNS events ${JSON.stringify(dns)}`);           // the new lease announces its two servers
});

test("RFC 2131 4.4.5: T1 and T2 from options 58/59 are used; inconsistent ones (T1 ≥ T2) fall back to 0.5 and 0.875", () => {
  let r = rig({ leaseS: 1000, t1S: 100, t2S: 200 });
  bound(r);
  let info = r.client.core.dhcpInfo(r.net.now)!;
  assert.ok(info.t1Ms <= 100_000 && info.t1Ms > 90_000 && info.t2Ms <= 200_000 && info.t2Ms > 190_000);
  r = rig({ leaseS: 1000, t1S: 300, t2S: 200 });
  bound(r);
  info = r.client.core.dhcpInfo(r.net.now)!;
  assert.ok(info.t1Ms <= 500_000 && info.t1Ms > 490_000 && info.t2Ms <= 875_000 && info.t2Ms > 865_000, JSON.stringify(info));
});

test("RFC 2131 4.4.5: no answer while RENEWING → at T2 (0.875 × lease) a broadcast REQUEST rebinds", () => {
  const r = rig({ leaseS: 120, script: (m) => (m.typeName === "REQUEST" && m.dstIp !== "255.255.255.255" ? "drop" : undefined) });
  bound(r);
  const base = r.server.seen[1]!.timeMs;
  r.net.runUntil(() => r.server.seen.some((m) => m.ciaddr === POOL && m.dstIp === "255.255.255.255"), { maxVirtualMs: 200_000 });
  const rebind = r.server.seen.at(-1)!;
  assert.equal(rebind.timeMs - base, 105_000);
  r.net.run(1000);
  assert.equal(state(r), "BOUND");
  assert.ok(r.events.some((e) => e.name === "DHCP_STATE" && e.handle === 7));   // passed through REBINDING
});

test("RFC 2131 4.4.5: the lease expires unanswered → the address goes: connections end EADDRNOTAVAIL, new ones fail, DISCOVER again", () => {
  let silent = false;
  const r = rig({ leaseS: 120, script: () => (silent ? "drop" : undefined) });
  const peer = r.net.host({ name: "peer", ip: "198.18.0.5" });
  peer.listen(7, 4, () => {});
  bound(r);
  const conn = r.client.connect("198.18.0.5", 7);
  r.net.runUntil(() => conn.state === "ESTABLISHED");
  silent = true;
  const base = r.server.seen[1]!.timeMs;
  r.net.runUntil(() => r.client.ip === "0.0.0.0", { maxVirtualMs: 200_000 });
  assert.ok(Math.abs(r.net.now - base - 120_000) <= 1, `expired after ${r.net.now - base} ms`);
  assert.equal(conn.error, "EADDRNOTAVAIL");
  assert.equal(r.client.counters().DHCP_LEASES_LOST, 1);
  assert.throws(() => r.client.connect("198.18.0.5", 7), /EADDRNOTAVAIL/);
  assert.ok(r.events.some((e) => e.name === "ADDRESS" && e.arg === 0));
  assert.ok(r.events.some((e) => e.name === "DNS" && e.handle === 0));
  r.net.runUntil(() => r.server.seen.at(-1)!.typeName === "DISCOVER", { maxVirtualMs: 5000 });
});

test("RFC 2131 4.4.1: a NAK in REQUESTING sends the client back to INIT: a new DISCOVER with a new xid", () => {
  const r = rig({ script: (m, i) => (i === 1 ? "nak" : undefined) });
  bound(r);
  assert.deepEqual(types(r), ["DISCOVER", "REQUEST", "DISCOVER", "REQUEST"]);
  assert.notEqual(r.server.seen[2]!.xid, r.server.seen[0]!.xid);
});

test("RFC 2131 4.4.5: a NAK while RENEWING takes the address away at once", () => {
  const r = rig({ leaseS: 120, script: (m) => (m.ciaddr !== "0.0.0.0" ? "nak" : undefined) });
  bound(r);
  r.net.runUntil(() => r.client.ip === "0.0.0.0", { maxVirtualMs: 100_000 });
  assert.ok(Math.abs(r.net.now - r.server.seen[1]!.timeMs - 60_000) <= 5, `lost after ${r.net.now - r.server.seen[1]!.timeMs} ms`);
  assert.equal(r.client.counters().DHCP_LEASES_LOST, 1);
});

test("RFC 5227 2.1.1 / RFC 2131 3.1.5: a host answering the probe is a conflict: DECLINE (50, 54), 10 s wait, then another address", () => {
  const r = rig({ start: false });
  const holder = new SimArpHost({ link: r.net.switch.port({ name: "holder" }), mac: "02:00:00:00:00:99", ip: POOL });
  r.client.call((c) => c.dhcpStart(r.net.now));
  bound(r);
  assert.ok(holder.answered >= 1);
  const decline = r.server.seen.find((m) => m.typeName === "DECLINE")!;
  assert.equal(decline.requested, POOL);
  assert.equal(decline.serverId, SERVER);
  assert.equal(decline.ciaddr, "0.0.0.0");
  const next = r.server.seen[r.server.seen.indexOf(decline) + 1]!;
  assert.equal(next.typeName, "DISCOVER");
  assert.ok(next.timeMs - decline.timeMs >= 10_000, `waited ${next.timeMs - decline.timeMs}`);
  assert.equal(r.client.ip, "198.18.0.101");
  assert.equal(r.client.counters().DHCP_CONFLICTS, 1);
});

test("RFC 5227 2.1.1: another host probing for the same address at the same time is a conflict too", () => {
  const r = rig();
  const port = r.net.switch.port({ name: "rival" });
  r.net.runUntil(() => state(r) === "PROBING");
  port.send(new Uint8Array([...Array(6).fill(0xff), 2, 0, 0, 0, 0, 0x77, 8, 6, 0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 0x77, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 198, 18, 0, 100]));
  bound(r);
  assert.ok(types(r).includes("DECLINE"));
  assert.equal(r.client.ip, "198.18.0.101");
});

const announcements = (r: Rig) => r.net.frames.filter((f) => f.from === "client" && f.parsed.arp?.senderIp === POOL && f.parsed.arp.targetIp === POOL);

test("RFC 5227 2.3: once the probes found no conflict, two ARP announcements ANNOUNCE_INTERVAL (2 s) apart, then no more", () => {
  const r = rig();
  bound(r);
  r.net.run(30_000);
  const a = announcements(r);
  assert.equal(a.length, 2);
  assert.equal(a[1]!.timeMs - a[0]!.timeMs, 2000);
  for (const f of a) assert.deepEqual([f.parsed.arp!.op, f.parsed.eth!.dst], [1, "ff:ff:ff:ff:ff:ff"]);   // requests, broadcast
  assert.equal(state(r), "BOUND");
});

test("RFC 5227 2.4: a conflicting ARP for the bound address is defended once with an announcement; a second within DEFEND_INTERVAL (10 s) gives the address up: INIT, no DECLINE, connections end EADDRNOTAVAIL", () => {
  const r = rig();
  const peer = r.net.host({ name: "peer", ip: "198.18.0.5" });
  peer.listen(7, 4, () => {});
  const rival = r.net.switch.port({ name: "rival" });
  const claim = () => rival.send(buildArpFrame({ op: "reply", senderMac: "02:00:00:00:00:77", senderIp: POOL, targetMac: "ff:ff:ff:ff:ff:ff", targetIp: POOL }));
  bound(r);
  r.net.run(5000);
  const conn = r.client.connect("198.18.0.5", 7);
  r.net.runUntil(() => conn.state === "ESTABLISHED");
  // another host's probe for our address is no conflict once bound: the ARP reply answers it
  rival.send(buildArpFrame({ op: "request", senderMac: "02:00:00:00:00:77", senderIp: "0.0.0.0", targetIp: POOL }));
  r.net.run(100);
  assert.equal(r.client.counters().DHCP_CONFLICTS, 0);
  const before = announcements(r).length;
  claim();
  r.net.run(100);
  assert.equal(announcements(r).length, before + 1, "defended with one announcement");
  assert.equal(r.client.ip, POOL);
  r.net.run(10_500);                                       // past DEFEND_INTERVAL: a new conflict is defended again
  claim();
  r.net.run(100);
  assert.equal(announcements(r).length, before + 2);
  assert.equal(r.client.ip, POOL);
  assert.equal(conn.state, "ESTABLISHED");
  r.net.run(5000);                                         // within DEFEND_INTERVAL of the last defence: give up
  claim();
  r.net.run(100);
  assert.equal(announcements(r).length, before + 2);
  assert.equal(r.client.ip, "0.0.0.0");
  assert.equal(conn.error, "EADDRNOTAVAIL");
  assert.deepEqual([r.client.counters().DHCP_CONFLICTS, r.client.counters().DHCP_LEASES_LOST], [3, 1]);
  assert.ok(!types(r).includes("DECLINE"));
  r.net.runUntil(() => r.server.seen.at(-1)!.typeName === "DISCOVER", { maxVirtualMs: 5000 });   // RFC 2131: back to INIT
});

test("RFC 5227 2.4 (c): a frame that waited for ARP while the address went is dropped, not sent from an address no longer ours (the fuzzer's finding)", () => {
  const r = rig();
  bound(r);
  const conn = r.client.connect("198.18.0.5", 7);      // nobody answers ARP for .5 yet: the SYN waits
  r.net.run(100);
  assert.equal(r.client.call((c) => c.dhcpStop(r.net.now)), 0);
  assert.equal(conn.error, "EADDRNOTAVAIL");
  const dropped = r.client.counters().ARP_PENDING_DROPPED;
  new SimArpHost({ link: r.net.switch.port({ name: "late" }), mac: "02:00:00:00:00:05", ip: "198.18.0.5" });
  r.net.run(5000);                                     // the next ARP request is answered
  assert.ok(r.net.frames.some((f) => f.from === "late" && f.parsed.arp?.op === 2), "the late host answered");
  assert.equal(r.net.frames.filter((f) => f.from === "client" && f.parsed.tcp).length, 0, "no SYN from the old address");
  assert.equal(r.client.counters().ARP_PENDING_DROPPED, dropped + 1);
});

test("RFC 2132 3.8: the resolver asks the lease's DNS servers when the host set none, the host's first when it did, none once the lease is gone", () => {
  const r = rig({ leaseS: 120 });
  for (const ip of ["198.18.0.53", "198.18.0.9"]) new SimArpHost({ link: r.net.switch.port({ name: ip }), mac: `02:00:00:00:01:${ip.split(".")[3]}`, ip });
  const queries = () => r.net.frames.filter((f) => f.from === "client" && f.parsed.udp?.dport === 53).map((f) => f.parsed.ip!.dst);
  assert.equal(r.client.call((c) => c.dnsQuery("a.test", r.net.now)), r.client.core.errorCode("ENOTCONN"));   // no lease yet
  bound(r);
  assert.ok(r.client.call((c) => c.dnsQuery("a.test", r.net.now)) > 0);
  r.net.run(100);
  assert.deepEqual(queries(), ["198.18.0.53"]);
  assert.equal(r.client.core.x.dns_server_get(1) >>> 0, 0xc6120036);      // the lease's second server
  assert.equal(r.client.core.x.dns_server(0, 0xc6120009), 0);
  assert.ok(r.client.call((c) => c.dnsQuery("b.test", r.net.now)) > 0);
  r.net.run(100);
  assert.equal(queries().at(-1), "198.18.0.9");
  assert.equal(r.client.core.x.dns_server(0, 0), 0);
  assert.equal(r.client.call((c) => c.dhcpRelease(r.net.now)), 0);
  assert.equal(r.client.core.x.dns_server_get(0), 0);
  assert.equal(r.client.call((c) => c.dnsQuery("c.test", r.net.now)), r.client.core.errorCode("ENOTCONN"));
});

test("the core's own DHCP and DNS sockets queue no UDP_READABLE or UDP_ERROR events: the host sees none for sockets it never opened", () => {
  const r = rig({ start: false });
  const seen: CoreEvent[] = [];
  r.client.on("event", (e) => seen.push(e));
  r.client.call((c) => c.dhcpStart(r.net.now));
  bound(r);
  // the lease's DNS server 198.18.0.53 answers the resolver (a reply the resolver reads and drops)
  const dns = r.net.switch.port({ name: "dns" });
  new SimArpHost({ link: dns, mac: "02:00:00:00:00:53", ip: "198.18.0.53" });
  const reply = (to: { sport: number }, dport: number, data: Uint8Array) => dns.send(udpFrame({ srcMac: "02:00:00:00:00:53",
    dstMac: macToString(macToBytes(r.client.mac)), src: "198.18.0.53", dst: POOL, sport: 53, dport, data }));
  r.client.call((c) => c.dnsQuery("a.test", r.net.now));
  r.net.runUntil(() => r.net.frames.some((f) => f.from === "client" && f.parsed.udp?.dport === 53));
  const q = r.net.frames.find((f) => f.from === "client" && f.parsed.udp?.dport === 53)!.parsed.udp!;
  reply(q, q.sport, q.payload.slice(0, 12));
  r.net.run(100);
  assert.equal(r.client.counters().DROP_DNS_MALFORMED, 1, "the resolver read the reply");
  // an app's socket does get its event
  const app = r.client.core.x.udp_open();
  assert.equal(r.client.core.x.udp_bind(app, 5000), 5000);                  // the port bound
  reply(q, 5000, new Uint8Array([1, 2, 3]));
  r.net.run(100);
  const udpEvents = seen.filter((e) => e.name === "UDP_READABLE" || e.name === "UDP_ERROR");
  assert.deepEqual(udpEvents.map((e) => [e.name, e.handle]), [["UDP_READABLE", app]]);
  assert.ok(r.client.counters().UDP_RX >= 4, "the core's clients received datagrams (OFFER, ACK, the DNS reply)");
});

test("RFC 2131 3.2: INIT-REBOOT asks for the remembered address (50, no 54, ciaddr 0); a NAK sends it to INIT", () => {
  const r = rig({ requestedIp: "198.18.0.77" });
  bound(r);
  const [q] = r.server.seen as [DhcpSeen];
  assert.deepEqual([q.typeName, q.requested, q.serverId, q.ciaddr], ["REQUEST", "198.18.0.77", undefined, "0.0.0.0"]);
  assert.deepEqual(types(r), ["REQUEST", "DISCOVER", "REQUEST"]);
  assert.equal(r.client.ip, POOL);
});

test("RFC 2131 3.2: INIT-REBOOT ACKed keeps the remembered address (after the probe)", () => {
  const r = rig({ requestedIp: "198.18.0.77", script: (m) => (m.requested === "198.18.0.77" ? { yiaddr: "198.18.0.77" } : undefined) });
  bound(r);
  assert.deepEqual(types(r), ["REQUEST"]);
  assert.equal(r.client.ip, "198.18.0.77");
  assert.equal(probes(r).length, 3);
});

test("a lying server: a 0-second lease is held as 30 s, a router off the subnet is ignored, an ACK without a lease is refused", () => {
  let r = rig({ script: (m) => (m.typeName === "REQUEST" ? { leaseS: 0, options: { 3: [10, 0, 0, 1] } } : undefined) });
  bound(r);
  let info = r.client.core.dhcpInfo(r.net.now)!;
  assert.equal(info.leaseSeconds, 30);
  assert.equal(info.gateway, "0.0.0.0");
  r = rig({ script: (m, i) => (m.typeName === "REQUEST" && i < 2 ? { options: { 51: null } } : undefined) });
  bound(r);
  assert.equal(r.client.counters().DROP_DHCP_UNEXPECTED, 1);
  info = r.client.core.dhcpInfo(r.net.now)!;
  assert.equal(info.leaseSeconds, 3600);
});

test("RFC 2131 4.4.6: release sends DHCPRELEASE (ciaddr, 54) unicast to the server and gives the address up", () => {
  const r = rig();
  bound(r);
  assert.equal(r.client.call((c) => c.dhcpRelease(r.net.now)), 0);
  r.net.run(100);
  const rel = r.server.seen.at(-1)!;
  assert.deepEqual([rel.typeName, rel.ciaddr, rel.serverId, rel.dstIp], ["RELEASE", POOL, SERVER, SERVER]);
  assert.equal(r.client.ip, "0.0.0.0");
  assert.equal(state(r), "STOPPED");
});

test("iface_set: the host sets and removes address and gateway at run time (refused while DHCP runs)", () => {
  const r = rig({ start: false });
  assert.equal(r.client.core.ifaceSet("198.18.0.9", 24, "198.18.0.1"), 0);
  r.client.call(() => 0);
  assert.equal(r.client.ip, "198.18.0.9");
  assert.ok(r.events.some((e) => e.name === "GATEWAY" && e.arg >>> 0 === 0xc6120001));
  assert.equal(r.client.core.ifaceSet("198.18.0.9", 24, "198.19.0.1"), r.client.core.errorCode("EINVAL")); // gateway off-link
  assert.equal(r.client.core.ifaceSet("0.0.0.0", 0, 0), 0);
  r.client.call(() => 0);
  assert.equal(r.client.ip, "0.0.0.0");
  r.client.call((c) => c.dhcpStart(r.net.now));
  assert.equal(r.client.core.ifaceSet("198.18.0.9", 24), r.client.core.errorCode("EALREADY"));
});
