// `node [--cpu-prof] --import tsx bench/tap-profile.ts MODE [N] [--native]`: Petrel on Node (server
// profile) on a TAP inside a namespace, driven by one of bench:tap's clients (MODE: send = kernel →
// discard, recv = chargen → kernel, echo-rtt, connect-close, connect-many, echo-concurrent), so a
// CPU profile (or strace -c) of this process shows where Node spends one kind of work. With
// --native the same client runs against boards/linux (server profile) instead. Prints the
// client's result (after an untimed warm-up run) and the server's CPU time during it (user + system ms: less sensitive to a
// loaded machine than the wall-clock figures) as one JSON line.
import { readdirSync, readFileSync } from "node:fs";
import { startServices } from "../host/apps/services.ts";
import { PETREL_IP, runPeer, TapNetns } from "../tests/support/netns.ts";
import { Board, BOARD_IP, KERNEL_IP, Netns, SERVER_BOARD_BIN, tapName } from "../tests/boards/support.ts";

const argv = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const native = process.argv.includes("--native");
/** --count: also count, during the measured run, every call into the core by export name, the
 *  core's events by kind, the 'data' chunks the services got and the timers the clock armed
 *  (load-independent figures: per MB, they say what a change to the receive path saved). */
const counting = process.argv.includes("--count");
const mode = argv[0] ?? "send";
const n = Number(argv[1] ?? 0);
const MB = 1 << 20;
const host = native ? BOARD_IP : PETREL_IP;
/** An untimed first run (as bench:tap's warm-up quarter): the JIT has compiled the path measured. */
const warm: Record<string, Record<string, unknown>> = {
  send: { host, port: 9, bytes: 10 * MB },
  recv: { host, port: 19, bytes: 10 * MB },
  "echo-rtt": { host, port: 7, size: 64, n: 500 },
  "connect-close": { host, port: 9, n: 500 },
  "connect-many": { host, port: 7, n: 200, concurrency: 8 },
  "echo-concurrent": { host, port: 7, conns: 50, rounds: 20, size: 1024 },
};
const args: Record<string, Record<string, unknown>> = {
  send: { host, port: 9, bytes: (n || 100) * MB },
  recv: { host, port: 19, bytes: (n || 100) * MB },
  "echo-rtt": { host, port: 7, size: 64, n: n || 2000 },
  "connect-close": { host, port: 9, n: n || 2000 },
  "connect-many": { host, port: 7, n: n || 500, concurrency: 8 },
  "echo-concurrent": { host, port: 7, conns: 50, rounds: n || 100, size: 1024 },
};
if (!args[mode]) throw new Error(`mode: one of ${Object.keys(args).join(", ")}`);

/** user and system CPU ms of process `pid` so far (/proc/PID/stat, clock ticks of 10 ms). */
function procCpu(pid: number): { user: number; system: number } {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return { user: Number(f[11]) * 10, system: Number(f[12]) * 10 };
}

/** CPU ms (user + system) of this process's main thread and of its other threads (V8's compiler
 *  and GC helpers, libuv's pool) so far (/proc/self/task). */
function threadCpu(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of readdirSync("/proc/self/task")) {
    try {
      const comm = t === String(process.pid) ? "main" : "other";
      const f = readFileSync(`/proc/self/task/${t}/stat`, "utf8").split(") ")[1]!.split(" ");
      out[comm] = (out[comm] ?? 0) + (Number(f[11]) + Number(f[12])) * 10;
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

function report(r: Record<string, unknown>, cpu: { user: number; system: number }, extra: Record<string, unknown>): void {
  const { times, ...rest } = r;
  const sorted = Array.isArray(times) ? (times as number[]).sort((a, b) => a - b) : [];
  const q = (x: number): number | undefined => sorted[Math.min(sorted.length - 1, Math.floor(x * sorted.length))];
  console.log(JSON.stringify({ mode, native, ...rest, medianMs: q(0.5), p99Ms: q(0.99), cpuUserMs: cpu.user, cpuSystemMs: cpu.system, ...extra }));
}

if (native) {
  const ns = new Netns("prof");
  let board: Board | undefined;
  try {
    const dev = tapName("p");
    board = new Board(["--tap", dev, "--ip", `${BOARD_IP}/24`, "--services", "echo,discard,chargen"], ns.name, SERVER_BOARD_BIN);
    await board.ready(10_000);
    ns.ip("addr", "add", `${KERNEL_IP}/24`, "dev", dev);
    ns.ip("link", "set", dev, "up");
    const pid = board.proc.pid!;
    await runPeer(ns.name, mode, warm[mode]!, 300_000).result;
    const t0 = procCpu(pid);
    const r = await runPeer(ns.name, mode, args[mode]!, 300_000).result;
    const t1 = procCpu(pid);
    report(r, { user: t1.user - t0.user, system: t1.system - t0.system }, {});
  } finally {
    await board?.stop(5000);
    ns.close();
  }
} else {
  const env = TapNetns.create("prof", { capture: false });
  try {
    const servers = startServices(env.petrel, ["echo", "discard", "chargen"]);
    await env.peer(mode, warm[mode]!, 300_000).result;
    const counts = counting ? countCalls(env, [...servers.values()]) : null;
    const tap0 = { ...env.link.stats };
    const th0 = threadCpu();
    const t0 = process.cpuUsage();
    const r = await env.peer(mode, args[mode]!, 300_000).result;
    const cpu = process.cpuUsage(t0);
    const threads = Object.fromEntries(Object.entries(threadCpu()).map(([k, v]) => [k, v - (th0[k] ?? 0)]).filter(([, v]) => (v as number) > 0));
    const tap = Object.fromEntries(Object.entries(env.link.stats).map(([k, v]) => [k, v - tap0[k as keyof typeof tap0]]));
    const drops = Object.fromEntries(Object.entries(env.petrel.stack.counters()).filter(([k, v]) => k.startsWith("DROP_") && v > 0));
    report(r, { user: cpu.user / 1000, system: cpu.system / 1000 }, { offload: env.link.offload, threads, tap, drops, ...(counts ? { counts: counts() } : {}) });
  } finally {
    await env.close();
    env.removeCapture();
  }
}

/** Wrap the core's exports, the clock's at() and the services' sockets with counters; returns
 *  what they counted so far. */
function countCalls(env: TapNetns, servers: import("node:events").EventEmitter[]): () => Record<string, Record<string, number>> {
  const calls: Record<string, number> = {};
  const events: Record<string, number> = {};
  const app: Record<string, number> = { dataChunks: 0, dataBytes: 0, timersArmed: 0 };
  const core = env.petrel.stack.core;
  const x = core.x as unknown as Record<string, unknown>;
  const wrapped: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(x)) {
    if (typeof v !== "function") {
      wrapped[k] = v;
      continue;
    }
    const f = v as (...a: number[]) => number;
    calls[k] = 0;
    wrapped[k] = (...a: number[]): number => {
      calls[k]!++;
      return f(...a);
    };
  }
  (core as unknown as { x: unknown }).x = wrapped;
  env.petrel.stack.on("event", (e) => void (events[e.name] = (events[e.name] ?? 0) + 1));
  const clock = env.clock as unknown as { at: (...a: unknown[]) => unknown };
  const at = clock.at.bind(clock);
  clock.at = (...a: unknown[]) => {
    app.timersArmed!++;
    return at(...a);
  };
  for (const srv of servers) {
    srv.on("connection", (s: import("node:events").EventEmitter) => s.on("data", (d: Uint8Array) => {
      app.dataChunks!++;
      app.dataBytes! += d.length;
    }));
  }
  return () => ({ calls: Object.fromEntries(Object.entries(calls).filter(([, v]) => v > 0)), events, app });
}

