// Many connections from the kernel to Petrel's echo service: sequential, then concurrent; and
// Petrel's client side opening many connections to a kernel echo server.
import assert from "node:assert/strict";
import { startServices } from "../../host/services.ts";
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
