// host/apps/lease.ts — what `petrel serve --dhcp` prints and its status page shows — replayed on the
// simulator's scripted DHCP server (virtual time): the first lease, a renewal (RFC 2131 4.4.5, T1),
// an unanswered renewal that rebinds (T2) and an expiry that takes the address away, each as one
// line; the status page's lease block; the bounded wait for a lease.
import assert from "node:assert/strict";
import { test } from "node:test";
import { leaseBlock, leaseJson, leaseLine, waitForLease, watchLease } from "../../host/apps/lease.ts";
import { statusText } from "../../host/apps/services.ts";
import { PetrelStack } from "../../host/node/net.ts";
import { SimDhcpServer, type DhcpAction, type DhcpSeen } from "../../host/sim/dhcp-server.ts";
import { SimNet } from "../../host/sim/sim.ts";

const SERVER = "198.18.0.1";
const POOL = "198.18.0.100";

function rig(script?: (m: DhcpSeen, i: number) => DhcpAction) {
  const net = new SimNet({ seed: 3 });
  const server = new SimDhcpServer({ link: net.switch.port({ name: "dhcpd" }), now: () => net.now, mac: "02:00:00:00:00:fe", ip: SERVER, pool: POOL, dns: ["198.18.0.53"], leaseS: 120, script });
  const host = net.host({ name: "client", ip: "0.0.0.0" });
  const petrel = PetrelStack.over(host);
  const lines: string[] = [];
  watchLease(petrel, (d, first) => lines.push(`${first ? "ready" : "lease"} ${leaseLine(d)}`), (l) => lines.push(l));
  assert.equal(host.call((c) => c.dhcpStart(net.now)), 0);
  return { net, server, host, petrel, lines };
}

test("watchLease: one line for the lease, T1's renewal and the renewed lease (RFC 2131 4.4.5)", () => {
  const r = rig();
  r.net.runUntil(() => r.lines.length === 1, { maxVirtualMs: 60_000, what: "the lease" });
  assert.match(r.lines[0]!, /^ready 198\.18\.0\.100\/24 from 198\.18\.0\.1: gateway 198\.18\.0\.1, dns 198\.18\.0\.53, lease 120 s \(T1 in 5\d s, T2 in 10\d s\)$/);
  r.net.runUntil(() => r.lines.length === 3, { maxVirtualMs: 120_000, what: "the renewal" });
  assert.equal(r.lines[1], "renewing the lease of 198.18.0.100 with 198.18.0.1 (T1)");
  assert.match(r.lines[2]!, /^lease 198\.18\.0\.100\/24 from 198\.18\.0\.1: .*lease 120 s \(T1 in 60 s, T2 in 105 s\)$/);
});

test("watchLease: an unanswered renewal rebinds at T2, the lease expires: a line each, then the next lease", () => {
  let silent = false;
  const r = rig(() => (silent ? "drop" : undefined));
  r.net.runUntil(() => r.lines.length === 1, { maxVirtualMs: 60_000, what: "the lease" });
  silent = true;
  r.net.runUntil(() => r.lines.length === 4, { maxVirtualMs: 200_000, what: "rebinding and expiry" });
  assert.deepEqual(r.lines.slice(1), [
    "renewing the lease of 198.18.0.100 with 198.18.0.1 (T1)",
    "rebinding: 198.18.0.1 did not answer the renewal; asking any server for 198.18.0.100 (T2)",
    "lost the address 198.18.0.100 (the lease expired, or a DHCPNAK); asking for a new lease",
  ]);
  assert.equal(r.petrel.ip, "0.0.0.0");
  silent = false;
  r.net.runUntil(() => r.lines.length === 5, { maxVirtualMs: 120_000, what: "a new lease" });
  assert.match(r.lines[4]!, /^lease 198\.18\.0\.10\d\/24 from 198\.18\.0\.1/, "a later lease is not the first");
});

test("watchLease: a NAK to the renewal loses the address at once (RFC 2131 4.4.5)", () => {
  let nak = false;
  const r = rig(() => (nak ? "nak" : undefined));
  r.net.runUntil(() => r.lines.length === 1, { maxVirtualMs: 60_000, what: "the lease" });
  nak = true;
  r.net.runUntil(() => r.lines.length === 3, { maxVirtualMs: 120_000, what: "the NAK" });
  assert.equal(r.lines[2], "lost the address 198.18.0.100 (the server refused the renewal: DHCPNAK); asking for a new lease");
});

test("the status page's lease block and JSON follow the client (live), and waitForLease resolves with the lease", async () => {
  const r = rig();
  const lease = waitForLease(r.petrel, "sim0", 60_000);
  r.net.runUntil(() => r.lines.length === 1, { maxVirtualMs: 60_000, what: "the lease" });
  const d = await lease;
  assert.equal(d.stateName, "BOUND");
  assert.deepEqual(leaseBlock(d).slice(0, 5), [
    "dhcp: BOUND (server 198.18.0.1)", "  address   198.18.0.100/24", "  gateway   198.18.0.1", "  dns       198.18.0.53", `  lease     120 s, expires in ${Math.round(d.leaseLeftMs / 1000)} s`,
  ]);
  assert.match(statusText(r.petrel), /^petrel 198\.18\.0\.100\/24 mac .*\n\ndhcp: BOUND \(server 198\.18\.0\.1\)\n  address   198\.18\.0\.100\/24\n/);
  r.net.run(30_000);
  assert.match(statusText(r.petrel), new RegExp(`  lease     120 s, expires in ${Math.round(d.leaseLeftMs / 1000) - 30} s\\n`), "the page is computed at each request");
  assert.deepEqual(leaseJson(r.petrel.dhcp()!), { state: "BOUND", address: POOL, prefix: 24, gateway: SERVER, server: SERVER, dns: ["198.18.0.53"], leaseSeconds: 120, t1Ms: r.petrel.dhcp()!.t1Ms, t2Ms: r.petrel.dhcp()!.t2Ms, expiresMs: r.petrel.dhcp()!.leaseLeftMs });
});

test("waitForLease: without a server it gives up after its bound with ETIMEDOUT and one line", async () => {
  const net = new SimNet({ seed: 4 });
  const host = net.host({ name: "client", ip: "0.0.0.0" });
  const petrel = PetrelStack.over(host);
  assert.equal(host.call((c) => c.dhcpStart(net.now)), 0);
  await assert.rejects(waitForLease(petrel, "sim0", 20), (e: Error & { code?: string }) => e.code === "ETIMEDOUT" && e.message === "no DHCP lease on sim0 within 20 ms (no server answered)");
});
