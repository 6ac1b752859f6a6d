// `npm run bench:engines`: the two engines of boards/common/core.h side by side in one run — the
// release module as native code (build/linux/petrel-linux, wasm2c) and interpreted by WAMR's fast
// interpreter (build/linux/petrel-linux-wamr, as on an ESP32) — each on a TAP in a namespace of its
// own (198.18.0.0/24), measured by the same kernel-side clients (tests/interop/peers/kernel.mjs):
// bulk both ways (kernel → discard, chargen → kernel), a 64-byte echo round trip (median, p99) and
// connections per second. The engines alternate for `rounds` rounds and each figure is the median
// over them (the machine is shared). Merges the figures and the ratios WAMR/wasm2c into
// bench/results.json under "engines" and prints the README's table. Needs root and /dev/net/tun.
//
// With --aot also WAMR's AOT runtime on the module compiled by wamrc (build-boards --aot: needs
// Debian's llvm-16-dev and builds wamrc once, ~10 minutes).
//
//   npm run bench:engines [-- --quick] [-- --rounds N] [-- --aot]
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ROOT } from "../host/node/files.ts";
import { runPeer } from "../tests/support/netns.ts";
import { Board, BOARD_IP, ENGINES, type Engine, KERNEL_IP, Netns, netUnavailable, tapName, WAMR_ROOT } from "../tests/boards/support.ts";

const { values } = parseArgs({ options: { quick: { type: "boolean" }, rounds: { type: "string" }, aot: { type: "boolean" } } });
const MB = 1 << 20;
const BULK = (values.quick ? 20 : 100) * MB;
const RTT_N = values.quick ? 300 : 2000;
const CONNS = values.quick ? 100 : 500;
const ROUNDS = Number(values.rounds ?? (values.quick ? 1 : 3));

const build = spawnSync(process.execPath, [join(ROOT, "scripts", "build-boards.mjs"), ...(values.aot ? ["--aot"] : [])], { stdio: ["ignore", "inherit", "inherit"], timeout: 1_800_000 });
if (build.status !== 0) throw new Error("build-boards failed");
if (values.aot) spawnSync(process.execPath, [join(ROOT, "scripts", "build-boards.mjs")], { stdio: ["ignore", "inherit", "inherit"], timeout: 600_000 });
type Bench = Engine | "wamr_aot";
const BINS: Record<string, string> = { ...ENGINES, ...(values.aot ? { wamr_aot: join(ROOT, "build", "linux", "aot", "petrel-linux-wamr") } : {}) };
for (const bin of Object.values(BINS)) {
  const why = netUnavailable(bin);
  if (why) {
    console.error(`bench:engines: ${why}`);
    process.exit(1);
  }
}

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const median = (xs: number[]): number => quantile(xs, 0.5);

type Figures = {
  intoMBps: number; outOfMBps: number; rttMedianMs: number; rttP99Ms: number; connectionsPerSec: number;
  intoCpuMsPerMB: number; outOfCpuMsPerMB: number; cpuUsPerConnection: number;
};

/** CPU time (user + system, ms) the process has used so far: /proc/PID/stat fields 14 and 15. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const hz = 100; // USER_HZ on Linux
  return ((Number(f[11]) + Number(f[12])) * 1000) / hz;
}

/** One round: the engine's board on a fresh TAP + namespace, the kernel's clients against it. */
async function measure(engine: Bench): Promise<Figures> {
  const ns = new Netns("bench");
  let board: Board | undefined;
  try {
    const dev = tapName("e");
    board = new Board(["--tap", dev, "--ip", `${BOARD_IP}/24`, "--services", "echo,discard,chargen"], ns.name, BINS[engine]);
    await board.ready(10_000);
    ns.ip("addr", "add", `${KERNEL_IP}/24`, "dev", dev);
    ns.ip("link", "set", dev, "up");
    const peer = <R,>(mode: string, args: Record<string, unknown>, t: number) => runPeer<R>(ns.name, mode, args, t).result;
    const pid = board.proc.pid!; // `ip netns exec` execs the board: the same process
    let cpu = cpuMs(pid);
    const send = await peer<{ ms: number }>("send", { host: BOARD_IP, port: 9, bytes: BULK }, 300_000);
    if (send.error) throw new Error(`${engine} send: ${send.error}`);
    const cpuSend = cpuMs(pid) - cpu;
    cpu = cpuMs(pid);
    const recv = await peer<{ ms: number }>("recv", { host: BOARD_IP, port: 19, bytes: BULK }, 300_000);
    if (recv.error) throw new Error(`${engine} recv: ${recv.error}`);
    const cpuRecv = cpuMs(pid) - cpu;
    const rtt = await peer<{ times: number[] }>("echo-rtt", { host: BOARD_IP, port: 7, size: 64, n: RTT_N }, 120_000);
    if (rtt.error) throw new Error(`${engine} rtt: ${rtt.error}`);
    cpu = cpuMs(pid);
    const conns = await peer<{ ok: number; ms: number; failed: string[] }>("connect-many", { host: BOARD_IP, port: 7, n: CONNS, concurrency: 8 }, 120_000);
    if (conns.error || conns.failed.length) throw new Error(`${engine} connections: ${conns.error ?? conns.failed.slice(0, 3)}`);
    const cpuConns = cpuMs(pid) - cpu;
    const end = await board.stop(5000);
    if (end.code !== 0) throw new Error(`${engine}: the board exited ${end.code}: ${board.stderr}`);
    return {
      intoMBps: BULK / MB / (send.ms / 1000),
      outOfMBps: BULK / MB / (recv.ms / 1000),
      rttMedianMs: quantile(rtt.times, 0.5),
      rttP99Ms: quantile(rtt.times, 0.99),
      connectionsPerSec: conns.ok / (conns.ms / 1000),
      intoCpuMsPerMB: cpuSend / (BULK / MB),
      outOfCpuMsPerMB: cpuRecv / (BULK / MB),
      cpuUsPerConnection: (cpuConns * 1000) / conns.ok,
    };
  } finally {
    await board?.stop(2000);
    ns.close();
  }
}

const runs: Partial<Record<Bench, Figures[]>> = {};
for (let r = 0; r < ROUNDS; r++) {
  for (const engine of Object.keys(BINS) as Bench[]) {
    const f = await measure(engine);
    (runs[engine] ??= []).push(f);
    console.log(`round ${r + 1} ${engine}: ${JSON.stringify(Object.fromEntries(Object.entries(f).map(([k, v]) => [k, +v.toFixed(3)])))}`);
  }
}
const keys = ["intoMBps", "outOfMBps", "rttMedianMs", "rttP99Ms", "connectionsPerSec", "intoCpuMsPerMB", "outOfCpuMsPerMB", "cpuUsPerConnection"] as const;
const med = (e: Bench): Figures => Object.fromEntries(keys.map((k) => [k, median(runs[e]!.map((f) => f[k]))])) as Figures;
const wasm2c = med("wasm2c"), wamr = med("wamr");
const ratio = Object.fromEntries(keys.map((k) => [k, wamr[k] / wasm2c[k]])) as Figures;
const aotFig = runs.wamr_aot ? med("wamr_aot") : undefined;
const aotRatio = aotFig && (Object.fromEntries(keys.map((k) => [k, aotFig[k] / wasm2c[k]])) as Figures);

const engines = {
  date: new Date().toISOString().slice(0, 10),
  node: process.version,
  note: `boards/linux with each engine (default profile, build/petrel.wasm) on a TAP in its own namespace, the same kernel-side clients; bulk = ${BULK / MB} MB; echo round trip = ${RTT_N} × 64 B; connections = ${CONNS}, 8 at a time; median of ${ROUNDS} alternating rounds; CPU = the board process's user + system time during that phase (/proc, 10 ms ticks), which the machine's load disturbs less than wall-clock rates; ratio = WAMR / wasm2c (MB/s and connections/s: higher is better for WAMR; round trip and CPU: lower is)`,
  wamr: "fast interpreter, WAMR " + ((existsSync(join(WAMR_ROOT, "PROVENANCE.md")) ? readFileSync(join(WAMR_ROOT, "PROVENANCE.md"), "utf8") : "").match(/`git describe`: ([^)]+)\)/)?.[1] ?? "2.4"),
  wasm2c,
  wamr_fast_interp: wamr,
  ratio,
  ...(aotFig ? { wamr_aot: aotFig, ratio_aot: aotRatio } : {}),
  runs,
};
const file = join(ROOT, "bench", "results.json");
const all = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};
all.engines = engines; // AOT columns only from a run that measured them (--aot), never left over from another
writeFileSync(file, JSON.stringify(all, null, 2) + "\n");

const f = (x: number, d = 1): string => x.toFixed(d);
console.log(`
| measure | wasm2c (native) | WAMR fast interpreter | WAMR / wasm2c |
|---|---|---|---|
| kernel → board discard (MB/s) | ${f(wasm2c.intoMBps)} | ${f(wamr.intoMBps)} | ${f(ratio.intoMBps, 2)} |
| board chargen → kernel (MB/s) | ${f(wasm2c.outOfMBps)} | ${f(wamr.outOfMBps)} | ${f(ratio.outOfMBps, 2)} |
| echo round trip, 64 B: median (ms) | ${f(wasm2c.rttMedianMs, 3)} | ${f(wamr.rttMedianMs, 3)} | ${f(ratio.rttMedianMs, 2)} |
| echo round trip, 64 B: p99 (ms) | ${f(wasm2c.rttP99Ms, 3)} | ${f(wamr.rttP99Ms, 3)} | ${f(ratio.rttP99Ms, 2)} |
| connections per second (8 at a time) | ${f(wasm2c.connectionsPerSec, 0)} | ${f(wamr.connectionsPerSec, 0)} | ${f(ratio.connectionsPerSec, 2)} |
| board CPU per MB, kernel → discard (ms) | ${f(wasm2c.intoCpuMsPerMB, 2)} | ${f(wamr.intoCpuMsPerMB, 2)} | ${f(ratio.intoCpuMsPerMB, 2)} |
| board CPU per MB, chargen → kernel (ms) | ${f(wasm2c.outOfCpuMsPerMB, 2)} | ${f(wamr.outOfCpuMsPerMB, 2)} | ${f(ratio.outOfCpuMsPerMB, 2)} |
| board CPU per connection (µs) | ${f(wasm2c.cpuUsPerConnection, 0)} | ${f(wamr.cpuUsPerConnection, 0)} | ${f(ratio.cpuUsPerConnection, 2)} |
`);
if (aotFig && aotRatio) {
  console.log(`
| measure | WAMR AOT (wamrc) | AOT / wasm2c |
|---|---|---|
| kernel → board discard (MB/s) | ${f(aotFig.intoMBps)} | ${f(aotRatio.intoMBps, 2)} |
| board chargen → kernel (MB/s) | ${f(aotFig.outOfMBps)} | ${f(aotRatio.outOfMBps, 2)} |
| echo round trip, 64 B: median (ms) | ${f(aotFig.rttMedianMs, 3)} | ${f(aotRatio.rttMedianMs, 2)} |
| connections per second (8 at a time) | ${f(aotFig.connectionsPerSec, 0)} | ${f(aotRatio.connectionsPerSec, 2)} |
| board CPU per MB, kernel → discard (ms) | ${f(aotFig.intoCpuMsPerMB, 2)} | ${f(aotRatio.intoCpuMsPerMB, 2)} |
| board CPU per MB, chargen → kernel (ms) | ${f(aotFig.outOfCpuMsPerMB, 2)} | ${f(aotRatio.outOfCpuMsPerMB, 2)} |
`);
}
