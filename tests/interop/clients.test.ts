// Petrel as the client of the Linux kernel's TCP (servers are Node's net inside the test's
// namespace), and the abort/refusal paths in both directions.
import assert from "node:assert/strict";
import type { Socket } from "../../host/node/net.ts";
import { interopTest, transferBothWays } from "../support/interop.ts";
import { KERNEL_IP, PETREL_IP } from "../support/netns.ts";

const MB = 1 << 20;

/** Resolve when `s` closes; the error (if any) it closed with. */
function closed(s: Socket): Promise<NodeJS.ErrnoException | null> {
  return new Promise((resolve) => {
    let err: NodeJS.ErrnoException | null = null;
    s.on("error", (e) => (err = e));
    s.on("close", () => resolve(err));
  });
}

interopTest("Petrel client ⇄ kernel server: 10 MB both ways at once, each side half-closes", { timeoutMs: 90_000 }, async (env) => {
  let done: Promise<NodeJS.ErrnoException | null> = Promise.resolve(null);
  await transferBothWays(env, 10 * MB, 80_000, (s) => (done = closed(s)));
  assert.equal(await done, null);
});

interopTest("Petrel → closed kernel port → ECONNREFUSED", {}, async (env) => {
  const s = env.petrel.connect(5999, KERNEL_IP);
  const err = await closed(s);
  assert.equal(err?.code, "ECONNREFUSED");
  assert.equal(err?.message, `connect ECONNREFUSED ${KERNEL_IP}:5999`);
});

interopTest("kernel → closed Petrel port → ECONNREFUSED", {}, async (env) => {
  const r = await env.peer("connect", { host: PETREL_IP, port: 5999 }).result;
  assert.equal(r.error, "ECONNREFUSED");
});

interopTest("kernel aborts (resetAndDestroy, SO_LINGER 0) → Petrel 'error' ECONNRESET", {}, async (env) => {
  let sock: Socket | null = null;
  const got = new Promise<NodeJS.ErrnoException | null>((resolve) => {
    env.petrel.createServer((s) => {
      sock = s;
      s.on("data", () => {});
      resolve(closed(s));
    }).listen(7);
  });
  const r = await env.peer("connect-reset", { host: PETREL_IP, port: 7, afterMs: 200 }).result;
  assert.equal(r.error, undefined);
  const err = await got;
  assert.ok(sock);
  assert.equal(err?.code, "ECONNRESET");
});

interopTest("Petrel aborts (resetAndDestroy) → the kernel's socket gets ECONNRESET", {}, async (env) => {
  const peer = env.peer("server-await-error", { host: KERNEL_IP, port: 5002 });
  await peer.listening;
  const s = env.petrel.connect(5002, KERNEL_IP);
  await new Promise<void>((r) => s.once("connect", () => r()));
  s.write("bye");
  await new Promise((r) => setTimeout(r, 100));
  s.resetAndDestroy();
  const r = await peer.result;
  assert.equal(r.error, "ECONNRESET");
});
