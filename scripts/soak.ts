// Soak: many seeded fault mixes (the property tests' faultMix) in parallel child processes, with the
// invariants checked after every simulator event and the virtual-time bound of transferTimeBound().
//   npm run soak -- --seeds 10000 [--start 1] [--bytes 256K] [--jobs N] [--max-steps 150000] [--no-bound]
// Prints progress on stderr, then a summary and every failing seed with the command that
// reproduces it. Exit status 1 when any seed failed. Not part of `npm test`.
import { fork } from "node:child_process";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Core, type Profile } from "../host/core.ts";
import { parseSize, reproduceCommand } from "../host/sim/describe.ts";
import { faultMix, transferTimeBound } from "../host/sim/fault-mix.ts";
import { runTransfer } from "../host/sim/transfer.ts";

interface SeedResult {
  seed: number;
  ok: boolean;
  virtualMs: number;
  /** virtualMs from the open that carried the transfer: what the bound is on. */
  transferMs: number;
  bound: number;
  wallMs: number;
  steps: number;
  retransmits: number;
  /** The client's opens (more than 1 when every ARP exchange of an open was lost: transfer.ts). */
  opens: number;
  /** "" when ok; else "invariant", "over-bound", "timeout" (ETIMEDOUT), "steps", "other" */
  kind: string;
  error?: string;
  repro: string;
}

const { values } = parseArgs({
  options: {
    seeds: { type: "string", default: "10000" },
    start: { type: "string", default: "1" },
    bytes: { type: "string", default: "256K" },
    jobs: { type: "string" },
    "max-steps": { type: "string", default: "150000" },
    "no-bound": { type: "boolean" },
    worker: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  process.stdout.write("usage: npm run soak -- --seeds N [--start S] [--bytes 256K] [--jobs J] [--max-steps N] [--no-bound]\n");
  process.exit(0);
}
const seeds = Number(values.seeds);
const start = Number(values.start);
const bytes = parseSize(values.bytes!);
const maxSteps = Number(values["max-steps"]);
if (!Number.isSafeInteger(seeds) || seeds < 1 || !Number.isSafeInteger(start) || start < 0 || bytes === null || !(maxSteps > 0)) {
  process.stderr.write("soak: bad arguments (--seeds and --start integers, --bytes a size like 256K)\n");
  process.exit(2);
}

const configs = new Map<Profile, ReturnType<Core["config"]>>();
function runSeed(seed: number): SeedResult {
  const mix = faultMix(seed, bytes!);
  const p = mix.profile ?? "default";
  if (!configs.has(p)) configs.set(p, new Core({ profile: p }).config());
  const bound = transferTimeBound(mix, configs.get(p)!);
  const r = runTransfer({ ...mix, invariants: true, maxSteps });
  // the bound is on the transfer from the open that carried it: an open whose ARP exchanges were
  // all lost ends after a time the ARP and SYN timers alone set (7 s), before the transfer starts
  const took = r.virtualMs - r.openedMs;
  const overBound = !values["no-bound"] && r.ok && took > bound;
  const kind = r.ok && !overBound ? ""
    : r.error?.startsWith("invariant broken") ? "invariant"
    : overBound ? "over-bound"
    : r.error?.includes("ETIMEDOUT") ? "timeout"
    : r.error?.includes("simulator steps") ? "steps"
    : "other";
  return {
    seed, ok: kind === "", virtualMs: r.virtualMs, transferMs: took, bound, wallMs: r.wallMs, steps: r.steps, retransmits: r.retransmits, opens: r.opens, kind,
    error: overBound ? `took ${took} virtual ms${r.openedMs ? ` from its open at ${r.openedMs} ms` : ""}, bound ${bound} ms` : r.error,
    repro: `${reproduceCommand({ ...mix, maxSteps })} --check`,
  };
}

if (values.worker) {
  // child: run [start, start + seeds) and send one message per seed
  for (let s = start; s < start + seeds; s++) process.send!(runSeed(s));
  process.exit(0);
}

const jobs = Math.max(1, Math.min(Number(values.jobs ?? availableParallelism()), seeds));
const t0 = performance.now();
const results: SeedResult[] = [];
const self = fileURLToPath(import.meta.url);
process.stderr.write(`soak: seeds ${start}..${start + seeds - 1}, ${values.bytes} each way, ${jobs} jobs\n`);
let next = 0;
const chunk = Math.max(1, Math.min(100, Math.ceil(seeds / (jobs * 4))));
await new Promise<void>((done, fail) => {
  let running = 0;
  const launch = (): void => {
    while (running < jobs && next < seeds) {
      const from = start + next;
      const n = Math.min(chunk, seeds - next);
      next += n;
      running++;
      const child = fork(self, ["--worker", "--start", String(from), "--seeds", String(n), "--bytes", values.bytes!, "--max-steps", String(maxSteps), ...(values["no-bound"] ? ["--no-bound"] : [])], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
      let got = 0;
      child.on("message", (m) => {
        results.push(m as SeedResult);
        got++;
        if (results.length % 500 === 0) process.stderr.write(`  ${results.length}/${seeds} (${results.filter((r) => !r.ok).length} failing) ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
      });
      child.on("exit", (code) => {
        running--;
        if (code !== 0 || got !== n) return fail(new Error(`worker for seeds ${from}..${from + n - 1} exited with ${code} after ${got}/${n} seeds`));
        if (next >= seeds && running === 0) done();
        else launch();
      });
    }
  };
  launch();
});

results.sort((a, b) => a.seed - b.seed);
const failed = results.filter((r) => !r.ok);
const passed = results.filter((r) => r.ok);
const q = (xs: number[], p: number): number => (xs.length ? xs[Math.min(xs.length - 1, Math.floor(p * xs.length))]! : 0);
const ratios = passed.map((r) => r.transferMs / r.bound).sort((a, b) => a - b);
const vms = passed.map((r) => r.virtualMs).sort((a, b) => a - b);
/** The result with the largest f (the first of equals), or undefined for none. */
const most = (rs: SeedResult[], f: (r: SeedResult) => number): SeedResult | undefined => rs.reduce<SeedResult | undefined>((a, r) => (!a || f(r) > f(a) ? r : a), undefined);
const byKind: Record<string, number> = {};
for (const f of failed) byKind[f.kind] = (byKind[f.kind] ?? 0) + 1;
const summary = {
  seeds: results.length,
  passed: passed.length,
  failed: failed.length,
  failedByKind: byKind,
  reopened: results.filter((r) => r.opens > 1).map((r) => r.seed),
  virtualMs: { p50: q(vms, 0.5), p99: q(vms, 0.99), max: vms.at(-1) ?? 0, maxSeed: most(passed, (r) => r.virtualMs)?.seed },
  ofBound: { p50: +q(ratios, 0.5).toFixed(3), p99: +q(ratios, 0.99).toFixed(3), max: +(ratios.at(-1) ?? 0).toFixed(3), maxSeed: most(passed, (r) => r.transferMs / r.bound)?.seed },
  wallS: +((performance.now() - t0) / 1000).toFixed(1),
};
console.log(`soak summary: ${JSON.stringify(summary)}`);
if (failed.length) {
  console.log(`failing seeds (${failed.length}):`);
  for (const f of failed) console.log(`  seed ${f.seed} [${f.kind}] ${f.error}\n    ${f.repro}`);
}
process.exitCode = failed.length ? 1 : 0;
