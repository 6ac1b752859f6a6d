// The connection table's walks (assembly/tcp/tcb.ts): the slots in use are a bitmap of 32-bit
// words, and the lookup of a segment's connection, the listener's backlog counts, accept and poll
// visit only the slots it marks. The server profile has 64 slots, two words: these tests fill
// slots of both, free some in the middle and take them again, and check that every connection is
// still found, accepted, counted and freed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SimNet } from "../../host/sim/sim.ts";
import type { Conn } from "../../host/stack/stack.ts";

const SERVER = "198.18.0.1";
const N = 40;                      // past the first word (32 slots) on both stacks

function net64(seed: number) {
  const net = new SimNet({ seed, core: { profile: "server" } });
  const server = net.host({ name: "server", ip: SERVER });
  const client = net.host({ name: "client", ip: "198.18.0.2" });
  const accepted: Conn[] = [];
  // the server echoes what it reads, prefixed, and closes when its peer does
  server.listen(80, 64, (c) => {
    accepted.push(c);
    c.on("data", (d: Uint8Array) => c.write(`echo ${Buffer.from(d).toString()}`));
    c.on("end", () => c.close());
  });
  return { net, server, client, accepted };
}

/** Open `n` connections at once, each sending its name; every one must get its own echo back. */
function openAndEcho(net: SimNet, client: ReturnType<typeof net64>["client"], names: string[]): Conn[] {
  const got = new Map<string, string>();
  const cs = names.map((name) => {
    const c = client.connect(SERVER, 80);
    c.on("connect", () => c.write(name));
    c.on("data", (d: Uint8Array) => got.set(name, (got.get(name) ?? "") + Buffer.from(d).toString()));
    return c;
  });
  net.runUntil(() => names.every((n) => got.get(n) === `echo ${n}`), { maxVirtualMs: 60_000, what: "every echo" });
  return cs;
}

test("connection table: 40 connections at once on the 64-slot profile (two words of the in-use bitmap) each reach their own TCB both ways, and accept hands over each once", () => {
  const { net, server, client, accepted } = net64(41);
  const names = Array.from({ length: N }, (_, i) => `c${i}`);
  openAndEcho(net, client, names);
  assert.equal(accepted.length, N);
  assert.equal(new Set(accepted.map((c) => c.handle)).size, N);
  assert.equal(server.core.connections(), N);
  assert.equal(client.core.connections(), N);
});

test("connection table: slots freed in the middle of both words are found free, taken again, and the table empties when every connection has closed", () => {
  const { net, server, client, accepted } = net64(42);
  const first = openAndEcho(net, client, Array.from({ length: N }, (_, i) => `a${i}`));
  // close every other connection: freed slots on both sides of slot 32 (the server's go at once
  // after its LAST-ACK; the client's stay in TIME-WAIT)
  for (let i = 0; i < N; i += 2) first[i]!.close();
  net.runUntil(() => server.core.connections() === N / 2, { maxVirtualMs: 60_000, what: "half the server's slots freed" });
  assert.equal(client.core.connections(), N);   // N/2 open, N/2 in TIME-WAIT
  const second = openAndEcho(net, client, Array.from({ length: N / 2 }, (_, i) => `b${i}`));
  assert.equal(server.core.connections(), N);
  assert.equal(accepted.length, N + N / 2);
  for (let i = 1; i < N; i += 2) first[i]!.close();
  for (const c of second) c.close();
  net.runUntilIdle({ maxVirtualMs: 600_000 });
  assert.equal(server.core.connections(), 0);
  assert.equal(client.core.connections(), 0);
});
