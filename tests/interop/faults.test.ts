// Under loss and reordering injected by Petrel's own link middleware (FaultLink, both directions;
// netem is not available on these kernels): 10 MB each way, byte-exact.
// Recovery comes from RFC 6298 RTO, fast retransmit and NewReno; about a minute of real time here.
import assert from "node:assert/strict";
import { interopTest, transferBothWays } from "../support/interop.ts";

const MB = 1 << 20;
const BYTES = Number(process.env.PETREL_INTEROP_FAULTS_MB ?? 10) * MB;

interopTest("5 % loss + 2 % reordering both ways (FaultLink): 10 MB each direction byte-exact", {
  timeoutMs: 600_000, fault: { seed: 5, loss: 0.05, reorder: 0.02, reorderDelayMs: 3 },
}, async (env) => {
  await transferBothWays(env, BYTES, 590_000);
  const f = env.fault!.stats;
  assert.ok(f.tx.lost > 0 && f.rx.lost > 0 && f.tx.reordered + f.rx.reordered > 0, "faults were injected");
});
