// `node [--no-wasm-inlining] --import tsx bench/syn-cpu.ts [--wasm A.wasm,B.wasm] [--n 150000] [--rounds 4]`:
// the Node host's CPU time per forged SYN without a TAP: the SYNs of bench:flood (tests/support/flood.ts,
// 762 silent on-link sources) fed to a PetrelStack (server profile, echo service) through a link that
// hands them up in batches of 32 as TapLink does, the CPU time (process.cpuUsage, user + system) of
// each round divided by its SYNs. Several modules (by default build/petrel-server.wasm) are measured
// in one process, round by round, so the machine's load falls on each alike: how bench:flood's Node
// host regression was found (a module built from each commit, paired). Prints µs per SYN per round.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startServices } from "../host/apps/services.ts";
import type { Link } from "../host/link/link.ts";
import { ROOT } from "../host/node/files.ts";
import { PetrelStack } from "../host/node/net.ts";
import { RealClock } from "../host/node/realtime.ts";
import { forgedSyns } from "../tests/support/flood.ts";

const { values } = parseArgs({ options: { wasm: { type: "string" }, n: { type: "string" }, rounds: { type: "string" } } });
const files = (values.wasm ?? join(ROOT, "build", "petrel-server.wasm")).split(",");
const N = Number(values.n ?? 150_000);
const ROUNDS = Number(values.rounds ?? 4);
const BATCH = 32;
const MAC = "02:00:5e:00:00:02";
const frames = forgedSyns(MAC, 7, 65_536);

/** A link that only delivers what it is given, in batches, and counts what the stack sends. */
class BatchLink implements Link {
  private handlers: ((f: Uint8Array) => void)[] = [];
  private ends: (() => void)[] = [];
  sent = 0;
  send(): void { this.sent++; }
  sendFrom(): void { this.sent++; }
  onFrame(cb: (f: Uint8Array) => void): void { this.handlers.push(cb); }
  onBatchEnd(cb: () => void): void { this.ends.push(cb); }
  endBurst(): void {}
  deliver(batch: Uint8Array[]): void {
    for (const f of batch) for (const h of this.handlers) h(f);
    for (const e of this.ends) e();
  }
}

const stacks = files.map((file) => {
  const link = new BatchLink();
  const petrel = new PetrelStack({ name: file, ip: "198.18.0.2/16", mac: MAC, link, clock: new RealClock(), core: { wasm: readFileSync(file), profile: "server" } });
  startServices(petrel, ["echo"]);
  return { file, link, petrel };
});

let k = 0;
/** µs of CPU per SYN for n SYNs into stack s (the event loop gets a turn every 8 batches, as a TAP's wake-up bound). */
async function round(s: (typeof stacks)[number], n: number): Promise<number> {
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i += BATCH) {
    const batch: Uint8Array[] = [];
    for (let j = 0; j < BATCH; j++) batch.push(frames[k++ % frames.length]!);
    s.link.deliver(batch);
    if ((i / BATCH) % 8 === 7) await new Promise((r) => setImmediate(r));
  }
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / n;
}

for (const s of stacks) await round(s, 50_000); // warm-up: V8 has tiered the hot functions up
const results = stacks.map(() => [] as number[]);
for (let r = 0; r < ROUNDS; r++) for (const [i, s] of stacks.entries()) results[i]!.push(await round(s, N));
for (const [i, s] of stacks.entries()) {
  const c = s.petrel.stack.counters();
  console.log(`${s.file}: µs of CPU per SYN ${results[i]!.map((x) => x.toFixed(2)).join(" ")} (cookies sent ${c.TCP_SYN_COOKIES_SENT}, frames sent ${s.link.sent})`);
}
process.exit(0);
