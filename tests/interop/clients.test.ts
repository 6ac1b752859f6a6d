// Petrel as the client of the Linux kernel's TCP (servers are Node's net inside the test's
// namespace), and the abort/refusal paths in both directions.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import type { Socket } from "../../host/net.ts";
import { interopTest } from "../support/interop.ts";
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
  const peer = env.peer<{ received: number; shaSent: string; shaRecv: string }>("server-both", { host: KERNEL_IP, port: 5001, bytes: 10 * MB }, 80_000);
  await peer.listening;
  const data = randomBytes(10 * MB);
  const s = env.petrel.connect({ host: KERNEL_IP, port: 5001, allowHalfOpen: true });
  const h = createHash("sha256");
  let received = 0;
  s.on("data", (d: Buffer) => ((received += d.length), h.update(d)));
  const ended = new Promise<void>((r) => s.on("end", () => r()));
  const done = closed(s);
  let off = 0;
  const pump = (): void => {
    while (off < data.length) {
      const chunk = data.subarray(off, off + 64 * 1024);
      off += chunk.length;
      if (!s.write(chunk)) return void s.once("drain", pump);
    }
    s.end(); // half-close: the kernel keeps sending after our FIN
  };
  s.once("connect", pump);
  await ended;
  const r = await peer.result;
  assert.equal(r.error, undefined);
  assert.equal(r.received, data.length, "the kernel got all of Petrel's bytes");
  assert.equal(r.shaRecv, createHash("sha256").update(data).digest("hex"));
  assert.equal(received, 10 * MB, "Petrel got all of the kernel's bytes");
  assert.equal(h.digest("hex"), r.shaSent);
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
