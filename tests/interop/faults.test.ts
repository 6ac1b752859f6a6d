// Under loss and reordering injected by Petrel's own link middleware (FaultLink, both directions;
// netem is not available on these kernels): 10 MB each way, byte-exact.
// Recovery comes from RFC 6298 RTO, fast retransmit and NewReno; about a minute of real time here.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { interopTest } from "../support/interop.ts";
import { KERNEL_IP } from "../support/netns.ts";

const MB = 1 << 20;
const BYTES = Number(process.env.PETREL_INTEROP_FAULTS_MB ?? 10) * MB;
const optIn = false;

interopTest("5 % loss + 2 % reordering both ways (FaultLink): 10 MB each direction byte-exact", {
  optIn, timeoutMs: 600_000, fault: { seed: 5, loss: 0.05, reorder: 0.02, reorderDelayMs: 3 },
}, async (env) => {
  const peer = env.peer<{ received: number; shaSent: string; shaRecv: string }>("server-both", { host: KERNEL_IP, port: 5001, bytes: BYTES }, 590_000);
  await peer.listening;
  const data = randomBytes(BYTES);
  const s = env.petrel.connect({ host: KERNEL_IP, port: 5001, allowHalfOpen: true });
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
    s.end();
  };
  s.once("connect", pump);
  await ended;
  const r = await peer.result;
  assert.equal(r.error, undefined);
  assert.equal(r.received, data.length);
  assert.equal(r.shaRecv, createHash("sha256").update(data).digest("hex"));
  assert.equal(received, data.length);
  assert.equal(h.digest("hex"), r.shaSent);
  const f = env.fault!.stats;
  assert.ok(f.tx.lost > 0 && f.rx.lost > 0 && f.tx.reordered + f.rx.reordered > 0, "faults were injected");
});
