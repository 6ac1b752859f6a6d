// `npm run bench:tap [-- --reps N] [-- --only petrel,boardsLinux,…] [-- --pin]`: Petrel on a TAP device against the Linux kernel (on Node, and natively as
// boards/linux, with TSO writes and with --tso off), next to lwIP 2.1.3 on a TAP (bench/lwip/lwip-tap.c) and kernel ↔ kernel over a veth
// pair, all measured in the same run by the same peers (the ratios are the figures). Everything runs inside network
// namespaces this script creates (198.18.0.0/15 only) and removes. Needs root and /dev/net/tun.
// Merges its results into bench/results.json under "tap" and prints the README's table.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readdirSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { ROOT } from "../host/node/files.ts";
import { ip } from "../host/node/tap.ts";
import { startServices } from "../host/apps/services.ts";
import { interopUnavailable, PETREL_IP, runPeer, TapNetns } from "../tests/support/netns.ts";
import { buildLwipTap, LWIP_BIN } from "./lwip/build.ts";
import { Board, BOARD_BIN, SERVER_BOARD_BIN, BOARD_IP, KERNEL_IP, Netns, tapName } from "../tests/boards/support.ts";

const { values } = parseArgs({ options: { quick: { type: "boolean" }, reps: { type: "string" }, only: { type: "string" }, pin: { type: "boolean" } } });
/** rounds per target (the median is stored): --reps N, default 5 (1 with --quick) */
const REPS = Math.max(1, Number(values.reps ?? (values.quick ? 1 : 5)) | 0);
/** --pin: every server (the board, lwIP, this process with Petrel on Node, the kernel's server
 *  peers) on CPU 0, every client on CPU 1 (taskset), so a server and its client never take turns
 *  on one CPU. Off by default: on a machine shared with other work, a pinned process cannot move
 *  away from a busy CPU (measured here: round trips ×3, bulk ÷2), which hurts more than it steadies. */
const PIN = values.pin === true;
const SERVER_CPU = PIN ? "0" : undefined;
const CLIENT_CPU = PIN ? "1" : undefined;
/** a command line run on the servers' CPU (with --pin) */
const onServerCpu = (cmd: string[]): string[] => (SERVER_CPU ? ["taskset", "-c", SERVER_CPU, ...cmd] : cmd);
/** the clients, in namespace `ns` (on the clients' CPU with --pin) */
const clientIn = (ns: string): Pick<TapNetns, "peer"> => ({ peer: <R,>(mode: string, args: Record<string, unknown>, t?: number) => runPeer<R>(ns, mode, args, t, CLIENT_CPU) });
/** --only petrel,boardsLinux,…: measure only these targets (then nothing is written to results.json) */
const ONLY = values.only?.split(",").filter(Boolean);
const MB = 1 << 20;
const BULK = (values.quick ? 20 : 100) * MB;
const RTT_N = values.quick ? 300 : 2000;
const CONNS = values.quick ? 100 : 500;
const SEQ_CONNS = values.quick ? 300 : 2000;

const why = interopUnavailable();
if (why) {
  console.error(`bench:tap needs what the interop tests need: ${why}`);
  process.exit(1);
}

type Rtt = { times: number[] };
/** CPU time a server has used so far, in ms (read before and after each measure). */
type CpuClock = () => number;
/** A process's CPU time (every thread, user + kernel) from /proc/PID/task/TID/schedstat (ns). */
const cpuOfPid = (pid: number): CpuClock => () => {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
  return ns / 1e6;
};
/** This process (Petrel on Node runs in it): user + system. */
const cpuOfSelf: CpuClock = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

/** One measurement set against servers at `host` (Petrel on the TAP, or a kernel peer across the veth). */
async function measure(client: Pick<TapNetns, "peer">, host: string, ports: { discard: number; source: number; echo: number }, cpu?: CpuClock): Promise<Record<string, number>> {
  const clock = cpu ?? (() => NaN);
  let c0 = clock();
  const spent = (): number => { const c = clock(), d = c - c0; c0 = c; return d; }; // ms since the last call
  const send = await client.peer<{ ms: number }>("send", { host, port: ports.discard, bytes: BULK }, 300_000).result;
  if (send.error) throw new Error(`send: ${send.error}`);
  const cpuInto = spent();
  const recv = await client.peer<{ ms: number }>("recv", { host, port: ports.source, bytes: BULK }, 300_000).result;
  if (recv.error) throw new Error(`recv: ${recv.error}`);
  const cpuOutOf = spent();
  const rtt = await client.peer<Rtt>("echo-rtt", { host, port: ports.echo, size: 64, n: RTT_N }, 120_000).result;
  if (rtt.error) throw new Error(`rtt: ${rtt.error}`);
  const cpuRtt = spent();
  const conns = await client.peer<{ ok: number; ms: number; failed: string[] }>("connect-many", { host, port: ports.echo, n: CONNS, concurrency: 8 }, 120_000).result;
  if (conns.error || conns.failed.length) throw new Error(`connections: ${conns.error ?? conns.failed.slice(0, 3)}`);
  spent();
  const seq = await sequentialConnections(client, host, ports.discard);
  const cpuSeq = spent();
  const par = await client.peer<{ ok: number; ms: number; failed: string[] }>("echo-concurrent", { host, port: ports.echo, conns: 50, rounds: 100, size: 1024 }, 240_000).result;
  const cpuPar = spent();
  // a server with fewer slots than 50 may refuse some (a reset is a result here, not a bench failure)
  if (par.error) throw new Error(`echo-concurrent: ${par.error}`);
  return {
    intoMBps: BULK / MB / (send.ms / 1000),
    outOfMBps: BULK / MB / (recv.ms / 1000),
    rttMedianMs: quantile(rtt.times, 0.5),
    rttP99Ms: quantile(rtt.times, 0.99),
    connectionsPerSec: conns.ok / (conns.ms / 1000),
    sequentialConnectClosePerSec: seq,
    /** 50 connections at once, each echoing 1 KiB 100 times: round trips per second, all together */
    concurrentEchoPerSec: (par.ok * 100) / (par.ms / 1000),
    /** of the 50: connections that failed (reset or closed early) */
    concurrentEchoFailed: par.failed.length,
    // the server's CPU time (user + kernel, every thread; NaN for the kernel's own stack) per unit of
    // work: what the machine's load changes least (wall-clock figures wait for the CPU, these do not)
    cpuMsPerMBInto: cpuInto / (BULK / MB),
    cpuMsPerMBOutOf: cpuOutOf / (BULK / MB),
    cpuUsPerEcho: (cpuRtt * 1000) / RTT_N,
    /** the warm-up quarter included */
    cpuUsPerSequentialConnection: (cpuSeq * 1000) / (SEQ_CONNS * 1.25),
    cpuUsPerConcurrentEcho: (cpuPar * 1000) / Math.max(1, par.ok * 100),
  };
}

/** Connect + close, one after another, the next started as soon as the previous is established
 *  (a loop of socket(); connect(); close()): connections per second. */
async function sequentialConnections(client: Pick<TapNetns, "peer">, host: string, port: number): Promise<number> {
  await client.peer("connect-close", { host, port, n: SEQ_CONNS / 4 }, 240_000).result; // untimed warm-up (JIT)
  const r = await client.peer<{ ok: number; ms: number; failed: string[] }>("connect-close", { host, port, n: SEQ_CONNS }, 240_000).result;
  if (r.error || r.failed.length) throw new Error(`connect-close: ${r.error ?? r.failed.slice(0, 3)}`);
  return r.ok / (r.ms / 1000);
}

// ── the servers: each target starts its server, runs measure() once and stops it ─────────────
// Petrel on Node (server profile) on a TAP, the kernel side in a namespace.
async function petrelOnNode(): Promise<Record<string, number>> {
  const env = TapNetns.create("bench", { capture: false });
  try {
    startServices(env.petrel, ["echo", "discard", "chargen"]);
    return await measure(clientIn(env.ns), PETREL_IP, { discard: 9, source: 19, echo: 7 }, cpuOfSelf);
  } finally {
    await env.close();
    env.removeCapture();
  }
}

/** The default profile (16 connections): the table size must not limit sequential connections. */
async function petrelOnNodeDefaultSeq(): Promise<number> {
  const envD = TapNetns.create("benchd", { profile: "default", capture: false });
  try {
    startServices(envD.petrel, ["discard"]);
    return await sequentialConnections(clientIn(envD.ns), PETREL_IP, 9);
  } finally {
    await envD.close();
    envD.removeCapture();
  }
}

// kernel ↔ kernel over a veth pair between two namespaces
async function kernelVeth(): Promise<Record<string, number>> {
  const nsA = `petrel-benchA-${process.pid}`;
  const nsB = `petrel-benchB-${process.pid}`;
  const cleanup = (): void => {
    for (const ns of [nsA, nsB]) spawnSync("ip", ["netns", "del", ns], { stdio: "ignore" });
  };
  process.on("exit", cleanup);
  try {
    ip("netns", "add", nsA);
    ip("netns", "add", nsB);
    ip("link", "add", "pbveth0", "netns", nsA, "type", "veth", "peer", "name", "pbveth1", "netns", nsB);
    ip("-n", nsA, "addr", "add", "198.18.2.1/24", "dev", "pbveth0");
    ip("-n", nsB, "addr", "add", "198.18.2.2/24", "dev", "pbveth1");
    for (const [ns, dev] of [[nsA, "pbveth0"], [nsB, "pbveth1"]] as const) {
      ip("-n", ns, "link", "set", "lo", "up");
      ip("-n", ns, "link", "set", dev, "up");
    }
    const a = clientIn(nsA);
    const b = { peer: <R,>(mode: string, args: Record<string, unknown>, t?: number) => runPeer<R>(nsB, mode, args, t, SERVER_CPU) };
    const servers = [b.peer("discard-server", { host: "198.18.2.2", port: 9 }, 600_000), b.peer("source-server", { host: "198.18.2.2", port: 19 }, 600_000), b.peer("echo-server", { host: "198.18.2.2", port: 7 }, 600_000)];
    await Promise.all(servers.map((s) => s.listening));
    try {
      return await measure(a, "198.18.2.2", { discard: 9, source: 19, echo: 7 });
    } finally {
      for (const s of servers) s.proc.kill("SIGKILL");
    }
  } finally {
    cleanup();
    process.off("exit", cleanup);
  }
}

// boards/linux (the module through wasm2c, native) on a TAP inside a namespace, started inside the
// bench's namespace, so its TAP is created there and never appears in the root namespace. `bin`: the
// server-profile board (64 connections, 64 KiB rings: the limits of Debian's lwIP build, TCP_WND =
// TCP_SND_BUF = 64 KiB, pcbs from the heap) or the default-profile one (16 connections, 8 KiB rings).
// `extra`: more options (--tso off: one frame per write(2), as lwIP's TAP netif writes).
async function boardsLinux(bin: string, extra: string[] = []): Promise<Record<string, number>> {
  const ns = new Netns("bench");
  let board: Board | undefined;
  try {
    const dev = tapName("t");
    board = new Board(["--tap", dev, "--ip", `${BOARD_IP}/24`, "--services", "echo,discard,chargen", ...extra], ns.name, onServerCpu([bin]));
    await board.ready(10_000);
    ns.ip("addr", "add", `${KERNEL_IP}/24`, "dev", dev);
    ns.ip("link", "set", dev, "up");
    return await measure(clientIn(ns.name), BOARD_IP, { discard: 9, source: 19, echo: 7 }, cpuOfPid(board.proc.pid!));
  } finally {
    await board?.stop(5000);
    ns.close();
  }
}

// lwIP 2.1.3 (Debian's liblwip, raw API, bench/lwip/lwip-tap.c) on a TAP inside a namespace.
async function lwipTap(): Promise<Record<string, number>> {
  const ns = new Netns("benchl");
  const dev = tapName("l");
  const proc = spawn("ip", ["netns", "exec", ns.name, ...onServerCpu([LWIP_BIN]), "--tap", dev, "--ip", `${BOARD_IP}/24`], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  proc.stdout.on("data", (d) => (out += d));
  proc.stderr.on("data", (d) => (err += d));
  try {
    const t0 = Date.now();
    while (!out.includes('"ready"') && Date.now() - t0 < 10_000 && proc.exitCode === null) await new Promise((r) => setTimeout(r, 50));
    if (!out.includes('"ready"')) throw new Error(`lwip-tap did not start: ${err}`);
    ns.ip("addr", "add", `${KERNEL_IP}/24`, "dev", dev);
    ns.ip("link", "set", dev, "up");
    return await measure(clientIn(ns.name), BOARD_IP, { discard: 9, source: 19, echo: 7 }, cpuOfPid(proc.pid!));
  } finally {
    proc.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 500));
    if (proc.exitCode === null) proc.kill("SIGKILL");
    ns.close();
  }
}

// ── the run: REPS rounds, every target once per round (so a noisy stretch of the shared machine
// falls on all of them), in the opposite order every other round (so no target always runs right
// after the same one), then per measure the median of the rounds ────────────────────────────────
const build = spawnSync(process.execPath, [join(ROOT, "scripts", "build-boards.mjs")], { encoding: "utf8", timeout: 200_000 });
if (build.status !== 0 || !existsSync(BOARD_BIN)) throw new Error(`build-boards failed: ${build.stdout}\n${build.stderr}${build.error ?? ""}`);
const server = spawnSync("make", ["-s", "-f", join(ROOT, "boards", "linux", "Makefile"), "PROFILE=server", SERVER_BOARD_BIN], { cwd: ROOT, encoding: "utf8", timeout: 200_000 });
if (server.status !== 0 || !existsSync(SERVER_BOARD_BIN)) throw new Error(`the server-profile board failed to build: ${server.stdout}\n${server.stderr}`);
buildLwipTap();

const targets = {
  petrel: petrelOnNode,
  kernelVeth,
  boardsLinux: () => boardsLinux(SERVER_BOARD_BIN),
  boardsLinuxDefault: () => boardsLinux(BOARD_BIN),
  /** the server-profile board writing one frame per write(2) (--tso off), as lwIP's TAP netif does */
  boardsLinuxOneFrame: () => boardsLinux(SERVER_BOARD_BIN, ["--tso", "off"]),
  lwip: lwipTap,
} as const;
type Target = keyof typeof targets;
const chosen = (ONLY ?? Object.keys(targets)) as Target[];
for (const t of chosen) if (!(t in targets)) throw new Error(`--only: unknown target ${t} (${Object.keys(targets).join(", ")})`);
if (PIN) { // this process runs Petrel on Node: the servers' CPU (what it spawns is pinned explicitly)
  const pin = spawnSync("taskset", ["-a", "-p", "-c", SERVER_CPU!, String(process.pid)], { encoding: "utf8" });
  if (pin.status !== 0) throw new Error(`--pin: taskset failed: ${pin.stderr}`);
}
const loadBefore = loadavg();
const rounds: Record<string, Record<string, number>[]> = {};
/** os.loadavg()[0] at the start of each round */
const roundLoad: number[] = [];
const defaultSeqRounds: number[] = [];
for (let r = 0; r < REPS; r++) {
  roundLoad.push(+loadavg()[0]!.toFixed(2));
  for (const t of r % 2 ? [...chosen].reverse() : chosen) {
    const m = await targets[t]();
    (rounds[t] ??= []).push(m);
    console.error(`round ${r + 1}/${REPS} ${t}: ${JSON.stringify(Object.fromEntries(Object.entries(m).map(([k, v]) => [k, +v.toFixed(3)])))}`);
  }
  if (chosen.includes("petrel")) defaultSeqRounds.push(await petrelOnNodeDefaultSeq());
}
const loadAfter = loadavg();
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const med = (ms: Record<string, number>[]): Record<string, number> => Object.fromEntries(Object.keys(ms[0]!).map((k) => [k, median(ms.map((m) => m[k]!))]));
const results = Object.fromEntries(Object.entries(rounds).map(([t, ms]) => [t, med(ms)])) as Partial<Record<Target, Record<string, number>>>;
const nan = new Proxy({}, { get: () => NaN }) as Record<string, number>;
const petrel = results.petrel ?? nan;
const kernel = results.kernelVeth ?? nan;
const native = results.boardsLinux ?? nan;
const nativeDefault = results.boardsLinuxDefault ?? nan;
const nativeOneFrame = results.boardsLinuxOneFrame ?? nan;
const lwip = results.lwip ?? nan;
const petrelDefaultSeq = defaultSeqRounds.length ? median(defaultSeqRounds) : NaN;

const higherIsBetter = ["intoMBps", "outOfMBps", "connectionsPerSec", "sequentialConnectClosePerSec", "concurrentEchoPerSec"] as const;
const lowerIsBetter = ["rttMedianMs", "rttP99Ms", "cpuMsPerMBInto", "cpuMsPerMBOutOf", "cpuUsPerEcho", "cpuUsPerSequentialConnection", "cpuUsPerConcurrentEcho"] as const;
/** a / b for every measure where more is better; b / a for the round trips and CPU costs (so > 1 is always "a is better"). */
const ratios = (a: Record<string, number>, b: Record<string, number>): Record<string, number> => ({
  ...Object.fromEntries(higherIsBetter.map((k) => [k, a[k]! / b[k]!])),
  ...Object.fromEntries(lowerIsBetter.map((k) => [k, b[k]! / a[k]!])),
});

/** Per round, a / b; then the median over rounds: the two targets of a pair ran minutes apart at
 *  most, so a busy stretch of the shared machine weighs on both sides of each ratio. */
const pairedEach = (a: Target, b: Target): Record<string, number>[] | undefined => {
  const as = rounds[a], bs = rounds[b];
  return as && bs ? as.map((m, i) => ratios(m, bs[i]!)) : undefined;
};
const paired = (a: Target, b: Target): Record<string, number> | undefined => {
  const each = pairedEach(a, b);
  return each && Object.fromEntries(Object.keys(each[0]!).map((k) => [k, median(each.map((e) => e[k]!))]));
};
/** The spread of the per-round ratios: [lowest, highest] of the rounds. */
const pairedSpread = (a: Target, b: Target): Record<string, [number, number]> | undefined => {
  const each = pairedEach(a, b);
  return each && Object.fromEntries(Object.keys(each[0]!).map((k) => {
    const xs = each.map((e) => e[k]!);
    return [k, [+Math.min(...xs).toFixed(3), +Math.max(...xs).toFixed(3)]];
  }));
};

const tap = {
  date: new Date().toISOString().slice(0, 10),
  node: process.version,
  note: "Petrel on Node (server profile, no pcap capture) and boards/linux (native, wasm2c; server profile, the limits of Debian's lwIP build: 64 connections, 64 KiB rings; beside it the default profile, 16 connections and 8 KiB rings, and the server profile with --tso off) on TAP devices, lwIP 2.1.3 (bench/lwip/lwip-tap.c) on a TAP, and the kernel over a veth pair, all measured by Node's net in a namespace in the same run; each figure the median of " + REPS + " rounds, every target once per round, the order reversed every other round" + (PIN ? ", every server pinned to CPU 0 and every client to CPU 1 (taskset)" : ", nothing pinned") + "; the paired ratios: each round's ratio (the two ran within minutes of each other), their median and their lowest and highest; CPU per unit of work: the server process's CPU time (user + kernel, all threads, /proc/PID/task/*/schedstat; for Petrel on Node the whole bench process), which the machine's load changes far less than the wall-clock figures; bulk = " + BULK / MB + " MB; sequential connect + close = " + SEQ_CONNS + " connections each closed as soon as it is up, the next opened at once (after an untimed quarter)",
  repetitions: REPS,
  pinned: PIN,
  /** os.loadavg()[0] at the start of each round */
  roundLoad,
  /** os.loadavg() (1, 5, 15 min) before and after: the machine is shared, so read ratios, not absolute figures */
  load: { before: loadBefore.map((x) => +x.toFixed(2)), after: loadAfter.map((x) => +x.toFixed(2)), cpus: cpus().length },
  petrel: { ...petrel, defaultProfileSequentialConnectClosePerSec: petrelDefaultSeq },
  kernelVeth: kernel,
  boardsLinux: native,
  boardsLinuxDefaultProfile: nativeDefault,
  /** the server-profile board with --tso off: one frame per write(2) */
  boardsLinuxOneFrame: nativeOneFrame,
  lwip,
  /** every round's figures, target by target, for the spread */
  rounds,
  /** > 1: the first one is better (throughput and rates divided, round trips inverted). */
  vsLwip: { boardsLinux: ratios(native, lwip), boardsLinuxDefaultProfile: ratios(nativeDefault, lwip), boardsLinuxOneFrame: ratios(nativeOneFrame, lwip), petrelOnNode: ratios(petrel, lwip) },
  vsKernel: { boardsLinux: ratios(native, kernel), petrelOnNode: ratios(petrel, kernel), lwip: ratios(lwip, kernel) },
  nodeVsNative: ratios(petrel, native),
  /** the same ratios taken round by round, then their median (less at the mercy of the machine's load) */
  paired: { nativeVsLwip: paired("boardsLinux", "lwip"), nativeOneFrameVsLwip: paired("boardsLinuxOneFrame", "lwip"), nodeVsNative: paired("petrel", "boardsLinux") },
  /** the per-round ratios' [lowest, highest] */
  pairedSpread: { nativeVsLwip: pairedSpread("boardsLinux", "lwip"), nativeOneFrameVsLwip: pairedSpread("boardsLinuxOneFrame", "lwip"), nodeVsNative: pairedSpread("petrel", "boardsLinux") },
  ratio: {
    kernelToPetrel: petrel.intoMBps! / kernel.intoMBps!,
    petrelToKernel: petrel.outOfMBps! / kernel.outOfMBps!,
    connectionsPerSec: petrel.connectionsPerSec! / kernel.connectionsPerSec!,
    sequentialConnectClose: petrel.sequentialConnectClosePerSec! / kernel.sequentialConnectClosePerSec!,
    nodeToNativeSequentialConnectClose: petrel.sequentialConnectClosePerSec! / native.sequentialConnectClosePerSec!,
  },
};
const file = join(ROOT, "bench", "results.json");
if (!ONLY) { // a partial run (--only) prints, but does not replace the stored figures
  const all = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};
  all.tap = { ...(all.tap ?? {}), ...tap };
  writeFileSync(file, JSON.stringify(all, null, 2) + "\n");
}

const f = (x: number, d = 1): string => x.toFixed(d);
const spread = (which: "nativeVsLwip" | "nativeOneFrameVsLwip" | "nodeVsNative", k: string): string => {
  const m = tap.paired[which]?.[k], s = tap.pairedSpread[which]?.[k];
  return m === undefined || !s ? "—" : `${f(m, 2)} (${f(s[0], 2)}–${f(s[1], 2)})`;
};
const row = (name: string, k: string, d = 1): string =>
  `| ${name} | ${f(petrel[k]!, d)} | ${f(native[k]!, d)} | ${f(nativeDefault[k]!, d)} | ${f(nativeOneFrame[k]!, d)} | ${f(lwip[k]!, d)} | ${f(kernel[k]!, d)} | ${f(tap.vsLwip.boardsLinux[k]!, 2)} | ${spread("nativeVsLwip", k)} | ${spread("nativeOneFrameVsLwip", k)} | ${f(tap.vsLwip.petrelOnNode[k]!, 2)} | ${f(tap.nodeVsNative[k]!, 2)} | ${spread("nodeVsNative", k)} |`;
console.log(`
| measure | Petrel on Node (TAP) | Petrel native (wasm2c) | native, default profile | native, --tso off | lwIP 2.1.3 (TAP) | kernel ↔ kernel (veth) | native / lwIP | native / lwIP, paired (range) | native --tso off / lwIP, paired (range) | Node / lwIP | Node / native | Node / native, paired (range) |
|---|---|---|---|---|---|---|---|---|---|---|---|---|
${row("kernel → discard (MB/s)", "intoMBps")}
${row("chargen → kernel (MB/s)", "outOfMBps")}
${row("echo 64 B round trip, median (ms)", "rttMedianMs", 3)}
${row("echo 64 B round trip, p99 (ms)", "rttP99Ms", 3)}
${row("connections/s, 8 at a time (echo)", "connectionsPerSec", 0)}
${row("connect + close, sequential (conn/s)", "sequentialConnectClosePerSec", 0)}
${row("50 connections × 100 echoes of 1 KiB (echoes/s)", "concurrentEchoPerSec", 0)}
${row("server CPU per MB received (ms)", "cpuMsPerMBInto", 2)}
${row("server CPU per MB sent (ms)", "cpuMsPerMBOutOf", 2)}
${row("server CPU per 64 B echo (µs)", "cpuUsPerEcho", 1)}
${row("server CPU per sequential connection (µs)", "cpuUsPerSequentialConnection", 1)}
${row("server CPU per concurrent 1 KiB echo (µs)", "cpuUsPerConcurrentEcho", 1)}

Paired (the median of each round's ratio): native / lwIP ${Object.entries(tap.paired.nativeVsLwip ?? {}).map(([k, v]) => `${k} ${f(v, 2)}`).join(", ")}; Node / native ${Object.entries(tap.paired.nodeVsNative ?? {}).map(([k, v]) => `${k} ${f(v, 2)}`).join(", ")}.
Medians of ${REPS} rounds${PIN ? " (servers on CPU 0, clients on CPU 1)" : ""}; 1-minute load at each round's start ${roundLoad.join(", ")}; load average ${tap.load.before.join(" ")} before, ${tap.load.after.join(" ")} after (${tap.load.cpus} CPUs).
Petrel on Node, default profile: ${f(petrelDefaultSeq, 0)} sequential connect+close per second. Ratios: > 1 means the first is better (round trips and CPU costs inverted).
`);
