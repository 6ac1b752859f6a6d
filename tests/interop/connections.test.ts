// Many connections from the kernel to Petrel's echo service: sequential, then concurrent; and
// Petrel's client side opening many connections to a kernel echo server.
import assert from "node:assert/strict";
import { startServices } from "../../host/apps/services.ts";
import { interopTest } from "../support/interop.ts";
import { KERNEL_IP, PETREL_IP } from "../support/netns.ts";

interopTest("kernel → Petrel echo: 100 sequential connections, then 20 concurrent", { timeoutMs: 90_000 }, async (env) => {
  startServices(env.petrel, ["echo"]);
  const seq = await env.peer<{ ok: number; failed: string[] }>("connect-many", { host: PETREL_IP, port: 7, n: 100, concurrency: 1 }, 60_000).result;
  assert.deepEqual(seq.failed, []);
  assert.equal(seq.ok, 100);
  const par = await env.peer<{ ok: number; failed: string[] }>("connect-many", { host: PETREL_IP, port: 7, n: 20, concurrency: 20 }, 60_000).result;
  assert.deepEqual(par.failed, []);
  assert.equal(par.ok, 20);
  // every passive close finished (LAST-ACK → CLOSED): no slot left behind
  const deadline = Date.now() + 5000;
  while (env.petrel.stack.core.connections() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.equal(env.petrel.stack.core.connections(), 0);
});

// The Node host's churn collapse (issue 14): a client that closes each connection as soon as it
// is up and opens the next at once kept the TAP link's read burst going for hundreds of frames,
// while the app's close of every connection (a Node stream callback) waited for the burst to end:
// the default profile's 16 slots filled with CLOSE-WAIT connections, SYNs were dropped and the
// client waited for its 1 s retransmission (26 connections/s). The app now runs between the frame
// that needs it and the next one (Link.endBurst): no SYN is ever dropped for a full table.
interopTest("kernel → Petrel: 300 connect-and-close cycles never fill the default profile's table", { timeoutMs: 90_000, profile: "default" }, async (env) => {
  startServices(env.petrel, ["echo", "discard"]);
  for (const port of [7, 9]) {
    const r = await env.peer<{ ok: number; failed: string[] }>("connect-close", { host: PETREL_IP, port, n: 150 }, 60_000).result;
    assert.deepEqual(r.failed, []);
    assert.equal(r.ok, 150);
  }
  const c = env.petrel.stack.counters();
  assert.equal(c.DROP_TCP_TABLE_FULL, 0, "no SYN dropped for a full connection table");
  assert.equal(c.TCP_PASSIVE_OPENS, 300, "each connection opened once: no SYN had to be retransmitted into a new slot");
  const deadline = Date.now() + 5000;
  while (env.petrel.stack.core.connections() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.equal(env.petrel.stack.core.connections(), 0);
});

interopTest("Petrel client → kernel echo server: 20 concurrent connections", {}, async (env) => {
  const peer = env.peer<{ connections: number }>("echo-server", { host: KERNEL_IP, port: 5003 });
  await peer.listening;
  const replies = await Promise.all(
    Array.from({ length: 20 }, (_, i) => new Promise<string>((resolve, reject) => {
      const s = env.petrel.connect(5003, KERNEL_IP, () => s.end(`hello ${i}\n`));
      let got = "";
      s.setEncoding("utf8");
      s.on("data", (d: string) => (got += d));
      s.on("error", reject);
      s.on("close", () => resolve(got));
    })),
  );
  replies.forEach((r, i) => assert.equal(r, `hello ${i}\n`));
  peer.send("report");
  assert.equal((await peer.result).connections, 20);
});
