// interopTest(): one node:test case on its own namespace + TAP (tests/support/netns.ts). Skips
// loudly without root or /dev/net/tun (fails under CI=true); always tears down; afterwards tshark
// must find no malformed packet and no checksum error in the case's capture.
import assert from "node:assert/strict";
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
