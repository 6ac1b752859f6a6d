// The TAP link's offloads (native/tap.c, TapLink.open's `offload`): with them the kernel queues a
// TCP sender's data as TSO super-frames of up to 64 KiB with partial checksums, and the addon splits
// each back into the segments Linux's GSO would have sent. The core checks every checksum, sequence
// number and length, and tshark checks the capture (interopTest): a wrong split is a drop or a flag.
// The transmit side (Petrel's segments as super-frames) is checked frame by frame in tap-tso.test.ts.
import assert from "node:assert/strict";
import { interopTest, transferBothWays } from "../support/interop.ts";

const checksumDrops = (c: Record<string, number>): number => (c.DROP_TCP_CHECKSUM ?? 0) + (c.DROP_IP_CHECKSUM ?? 0) + (c.DROP_UDP_CHECKSUM ?? 0) + (c.DROP_TCP_MALFORMED ?? 0) + (c.DROP_IP_MALFORMED ?? 0);

interopTest("TapLink offloads: the kernel's TSO super-frames are split into segments the core takes: 4 MB both ways byte-exact, fewer read(2) calls than frames, Petrel's segments written as super-frames (fewer write(2) calls than frames), no checksum or malformed drop", { timeoutMs: 60_000 }, async (env) => {
  assert.equal(env.link.offload, 1, "the kernel granted TSO4 + CSUM");
  await transferBothWays(env, 4 << 20, 50_000);
  const s = env.link.stats;
  assert.ok(s.rxSuperFrames > 0, `super-frames split (${s.rxSuperFrames})`);
  assert.ok(s.rxReads < s.rxFrames, `frames (${s.rxFrames}) from fewer read(2) calls (${s.rxReads})`);
  assert.ok(s.txWrites < s.txFrames, `frames (${s.txFrames}) in fewer write(2) calls (${s.txWrites})`);
  assert.equal(checksumDrops(env.petrel.stack.counters()), 0);
});

interopTest("TapLink without offloads: every frame is its own read(2) and its own write(2), none is a super-frame, and 1 MB both ways arrives byte-exact", { offload: false, timeoutMs: 60_000 }, async (env) => {
  assert.equal(env.link.offload, 0);
  await transferBothWays(env, 1 << 20, 50_000);
  const s = env.link.stats;
  assert.equal(s.rxSuperFrames, 0);
  assert.equal(s.rxReads, s.rxFrames);
  assert.equal(s.txWrites, s.txFrames);
  assert.equal(checksumDrops(env.petrel.stack.counters()), 0);
});
