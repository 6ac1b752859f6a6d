// Connection churn against the net-compatible API (host/node/net.ts) in the simulator: clients that open
// a connection, close it as soon as it is up and open the next at once (what a loop of
// `socket(); connect(); close()` does). The server must never run out of slots with the default
// profile's 16, and must forget every connection once it is over: after thousands of them the
// host's maps are back at their initial size (issues 12 and 14).
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { test } from "node:test";
import { wasmPathFor } from "../../host/node/files.ts";
import { PetrelStack } from "../../host/node/net.ts";
import { echo } from "../../host/apps/services.ts";
import { SimNet } from "../../host/sim/sim.ts";
import { until } from "./steps.ts";
import { ACCEPTED_KEPT, type Conn, type Stack } from "../../host/stack/stack.ts";

const skip = existsSync(wasmPathFor()) ? false : "build/petrel.wasm not built (npm run build)";

/**
 * A server (default profile, net API echo) and `clients` client stacks (server profile: their
 * TIME-WAITs, 2 MSL each, need room). `n` connections, one at a time, spread over the clients;
 * each client closes its connection as soon as it is established and the next one starts at once.
 * Every `batch` connections, virtual time runs on until the clients' TIME-WAITs are over.
 */
async function churn(n: number, o: { clients: number; batch: number; seed: number }) {
  const net = new SimNet({ seed: o.seed, capture: false, traceStates: false, delayMs: 0.5 });
  const serverHost = net.host({ name: "server", ip: "198.18.0.1", profile: "default" });
  const server = PetrelStack.over(serverHost);
  const clients: Stack[] = Array.from({ length: o.clients }, (_, i) => net.host({ name: `client${i}`, ip: `198.18.0.${10 + i}`, profile: "server" }));
  const srv = server.createServer(echo);
  let listening = false;
  srv.listen(7, () => (listening = true));
  await until(net, () => listening, "listening", 600_000, 1_000_000);
  const initial = serverHost.sizes();
  let failures = 0;
  for (let i = 0; i < n; i++) {
    const client = clients[i % clients.length]!;
    let c: Conn;
    try {
      c = client.connect("198.18.0.1", 7);
    } catch {
      failures++;
      continue;
    }
    c.on("error", () => failures++);
    await until(net, () => c.connected || c.closed, `connection ${i}`, 600_000, 1_000_000);
    if (!c.connected) continue;
    c.close();
    if ((i + 1) % o.batch === 0) await until(net, () => clients.every((h) => h.core.connections() === 0) && serverHost.core.connections() === 0, `batch ending at ${i}: every slot free`, 600_000, 1_000_000);
  }
  await until(net, () => clients.every((h) => h.core.connections() === 0) && serverHost.core.connections() === 0, "every slot free at the end", 600_000, 1_000_000);
  await until(net, () => server.sockets.length === 0, "every server socket closed", 600_000, 1_000_000);
  return { net, server, serverHost, srv, initial, failures, listener: [...serverHost["listeners_"].values()][0]! };
}

test("net API churn: 200 quick connect-and-close cycles never fill the default profile's 16 slots", { skip }, async () => {
  const { serverHost, failures, srv } = await churn(200, { clients: 4, batch: 200, seed: 3 });
  const c = serverHost.counters();
  assert.equal(failures, 0);
  assert.equal(c.DROP_TCP_TABLE_FULL, 0, "no SYN dropped for a full table");
  assert.equal(c.TCP_PASSIVE_OPENS, 200, "each connection opened once (no SYN retransmitted into a freed slot)");
  const count = await new Promise<number>((r) => srv.getConnections((_e, k) => r(k)));
  assert.equal(count, 0);
});

test("host memory: 3 000 sequential connections leave the host's per-connection state at its initial size", { skip, timeout: 300_000 }, async () => {
  const { serverHost, server, initial, failures, listener } = await churn(3000, { clients: 4, batch: 200, seed: 4 });
  assert.equal(failures, 0);
  assert.equal(serverHost.counters().TCP_PASSIVE_OPENS, 3000);
  const after = serverHost.sizes();
  // nothing per connection is left: the maps keyed by handle are as they were before the first one
  assert.deepEqual({ ...after, transitions: 0 }, { ...initial, transitions: 0 });
  assert.equal(after.conns, 0);
  assert.equal(after.endpoints, 0);
  assert.equal(after.handleTransitions, 0);
  // the transition log and the accepted history are bounded, not per-connection
  assert.ok(after.transitions <= 2 * 4096, `transitions kept: ${after.transitions}`);
  assert.ok(listener.accepted.length < 2 * ACCEPTED_KEPT, `accepted kept: ${listener.accepted.length}`);
  assert.equal(server.sockets.length, 0);
  assert.equal(serverHost.connections().length, 0);
});
