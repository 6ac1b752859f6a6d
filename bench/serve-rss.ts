// `npm run bench:rss`: the resident memory of `petrel serve` (the CLI, default profile) while a
// kernel-side client opens and closes 100 000 connections, one after another (each closed as soon
// as it is established, the next opened at once). RSS is read from /proc/PID/status after every
// 10 000 connections; a flat series is the figure. Inside a network namespace this script creates
// and removes (198.18.0.0/15 only).
// Merges the series into bench/results.json under "serveRss".
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ROOT } from "../host/node/files.ts";
import { ip } from "../host/node/tap.ts";
import { hookExit, interopUnavailable, liveNamespaces, runPeer } from "../tests/support/netns.ts";

const { values } = parseArgs({ options: { quick: { type: "boolean" } } });
const TOTAL = values.quick ? 20_000 : 100_000;
const STEP = values.quick ? 5_000 : 10_000;

const why = interopUnavailable();
if (why) {
  console.error(`bench:rss needs what the interop tests need: ${why}`);
  process.exit(1);
}
hookExit();
const ns = `petrel-rss-${process.pid}`;
ip("netns", "add", ns);
liveNamespaces.add(ns);
const proc = spawn("ip", ["netns", "exec", ns, process.execPath, join(ROOT, "bin", "petrel.js"), "serve", "--tap", "petrel0", "--ip", "198.18.0.2/24", "--host-ip", "198.18.0.1/24", "--profile", "default", "--services", "discard,http"], { stdio: ["ignore", "ignore", "pipe"] });
let stderr = "";
proc.stderr.on("data", (d) => (stderr += d));

/** Resident set of the serving process (kB → MB); `ip netns exec` execs node, so the pid is node's. */
function rssMB(): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${proc.pid}/status`, "utf8"));
  if (!m) throw new Error("no VmRSS");
  return Number(m[1]) / 1024;
}

const series: { connections: number; rssMB: number }[] = [];
let counters: Record<string, number> = {};
try {
  const t0 = Date.now();
  while (!stderr.includes("Ctrl-C to stop") && Date.now() - t0 < 20_000 && proc.exitCode === null) await new Promise((r) => setTimeout(r, 50));
  if (!stderr.includes("Ctrl-C to stop")) throw new Error(`petrel serve did not start: ${stderr}`);
  series.push({ connections: 0, rssMB: rssMB() });
  for (let done = 0; done < TOTAL; done += STEP) {
    const r = await runPeer<{ ok: number; failed: string[] }>(ns, "connect-close", { host: "198.18.0.2", port: 9, n: STEP }, 600_000).result;
    if (r.error || r.failed.length) throw new Error(`connect-close: ${r.error ?? r.failed.slice(0, 3)}`);
    series.push({ connections: done + STEP, rssMB: rssMB() });
    console.log(`${done + STEP} connections: RSS ${series.at(-1)!.rssMB.toFixed(1)} MB`);
  }
  const page = await runPeer<{ body: string }>(ns, "http-get", { url: "http://198.18.0.2/status.json" }).result;
  counters = (JSON.parse(page.body) as { counters: Record<string, number> }).counters;
} finally {
  proc.kill("SIGINT");
  await new Promise((r) => setTimeout(r, 3000));
  if (proc.exitCode === null) proc.kill("SIGKILL");
  spawnSync("ip", ["netns", "del", ns], { stdio: "ignore" });
  liveNamespaces.delete(ns);
}

// after the first step (the JIT and the heap settle), growth per connection over the rest
const first = series[1]!;
const last = series.at(-1)!;
const result = {
  date: new Date().toISOString().slice(0, 10),
  node: process.version,
  note: `RSS of \`petrel serve --profile default\` while a kernel client (Node's net, in the namespace) opens and closes ${TOTAL} connections one after another; sampled every ${STEP}`,
  connections: TOTAL,
  series,
  rssStartMB: series[0]!.rssMB,
  rssEndMB: last.rssMB,
  bytesPerConnectionAfterWarmUp: ((last.rssMB - first.rssMB) * 1024 * 1024) / (last.connections - first.connections),
  tableFullDrops: counters.DROP_TCP_TABLE_FULL,
  passiveOpens: counters.TCP_PASSIVE_OPENS,
};
const file = join(ROOT, "bench", "results.json");
const all = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};
all.serveRss = result;
writeFileSync(file, JSON.stringify(all, null, 2) + "\n");
console.log(`RSS ${result.rssStartMB.toFixed(1)} → ${result.rssEndMB.toFixed(1)} MB over ${TOTAL} connections (${result.bytesPerConnectionAfterWarmUp.toFixed(1)} B/connection after the first ${STEP}); table-full drops ${result.tableFullDrops}`);
