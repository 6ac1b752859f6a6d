// interopTest(): one node:test case on its own namespace + TAP (tests/support/netns.ts). Skips
// loudly without root or /dev/net/tun (fails under CI=true); always tears down; afterwards tshark
// must find no malformed packet and no checksum error in the case's capture.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import type { Socket } from "../../host/node/net.ts";
import { test, type TestContext } from "node:test";
import { ensureDebianTool, unavailable } from "./env.ts";
import { interopUnavailable, KERNEL_IP, TapNetns, type TapNetnsOptions } from "./netns.ts";
import { tsharkProblems } from "./tshark.ts";

export interface InteropOptions extends TapNetnsOptions {
  /** Wall-clock bound of the whole case (default 60 s). */
  timeoutMs?: number;
  /** Skip (not a failure, even under CI) with this reason: for opt-in cases. */
  optIn?: string | false;
}

export function interopTest(name: string, o: InteropOptions, fn: (env: TapNetns, t: TestContext) => Promise<void>): void {
  test(name, { timeout: (o.timeoutMs ?? 60_000) + 30_000 }, async (t) => {
    if (o.optIn) return t.skip(o.optIn);
    const why = interopUnavailable();
    if (why) return unavailable(t, why);
    const tshark = ensureDebianTool("tshark", "tshark");
    if (tshark) return unavailable(t, tshark);
    const env = TapNetns.create(name.replace(/[^a-z0-9]+/gi, "").slice(0, 8).toLowerCase() || "case", o);
    let ok = false;
    try {
      await Promise.race([
        fn(env, t),
        new Promise((_, rej) => setTimeout(() => rej(new Error(`${name}: over ${o.timeoutMs ?? 60_000} ms`)), o.timeoutMs ?? 60_000).unref()),
      ]);
      ok = true;
    } finally {
      await env.close();
      if (!ok) t.diagnostic(`capture kept: ${env.pcapPath}`);
    }
    const { frames, flagged } = tsharkProblems(env.pcapPath, { kernelFfffFrom: KERNEL_IP });
    assert.ok(frames > 0, "the capture has frames");
    assert.deepEqual(flagged.slice(0, 20), [], `tshark flags frames in ${env.pcapPath}`);
    env.removeCapture();
  });
}

/**
 * Petrel connects to the kernel-side "server-both" peer and both send `bytes` of random data at
 * once, then half-close; asserts that both directions arrived byte-exact (sha256). `watch` sees the
 * socket as soon as it exists (to observe its 'close'). An 'error' on the socket fails the case.
 */
export async function transferBothWays(env: TapNetns, bytes: number, peerTimeoutMs: number, watch?: (s: Socket) => void): Promise<void> {
  const peer = env.peer<{ received: number; shaSent: string; shaRecv: string }>("server-both", { host: KERNEL_IP, port: 5001, bytes }, peerTimeoutMs);
  await peer.listening;
  const data = randomBytes(bytes);
  const s = env.petrel.connect({ host: KERNEL_IP, port: 5001, allowHalfOpen: true });
  watch?.(s);
  const h = createHash("sha256");
  let received = 0;
  s.on("data", (d: Buffer) => ((received += d.length), h.update(d)));
  const ended = new Promise<void>((r, j) => (s.on("end", () => r()), s.on("error", j)));
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
  assert.equal(received, bytes, "Petrel got all of the kernel's bytes");
  assert.equal(h.digest("hex"), r.shaSent);
}

/**
 * `petrel` connects by name (resolved through its own resolver) to a kernel-side echo server on
 * port 7053, sends `bytes` of random data and asserts the echo is byte-exact and came from the
 * kernel's address; the peer must have seen exactly one connection.
 */
export async function echoByName(env: TapNetns, petrel: TapNetns["petrel"], name: string, bytes: number): Promise<void> {
  const peer = env.peer<{ connections: number }>("echo-server", { host: KERNEL_IP, port: 7053 });
  await peer.listening;
  const data = randomBytes(bytes);
  const s = petrel.connect({ host: name, port: 7053 });
  const chunks: Buffer[] = [];
  let got = 0;
  await new Promise<void>((resolve, reject) => {
    s.on("error", reject);
    s.on("data", (d: Buffer) => {
      chunks.push(d);
      got += d.length;
      if (got >= data.length) resolve();
    });
    s.on("connect", () => s.write(data));
  });
  assert.equal(s.remoteAddress, KERNEL_IP);
  assert.ok(Buffer.concat(chunks).equals(data), "the echo is byte-exact");
  s.end();
  peer.send("done");
  assert.equal((await peer.result).connections, 1);
}
