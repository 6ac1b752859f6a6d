// Benchmarks (never timed assertions in tests): bulk throughput and connection rate between two
// Petrel stacks in one Node process over the simulator's switch (wall-clock time; the virtual
// network adds no delay), and the footprint of each profile. Writes bench/results.json and prints
// the markdown table the README quotes.
//
// Each measure runs once untimed (the JIT compiles the hot paths: a first run is up to twice as
// slow), then RUNS times; the figure is the median run, with the fastest and slowest beside it,
// since other processes on a small machine make single runs vary by ±50 %.
import { readFileSync, writeFileSync, statSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type Profile } from "../host/core.ts";
import { ROOT, wasmPathFor } from "../host/node/files.ts";
import { SimNet } from "../host/sim/sim.ts";
import type { Conn } from "../host/stack/stack.ts";

const { values } = parseArgs({ options: { quick: { type: "boolean" } } });
const MB = 1 << 20;
const RUNS = values.quick ? 3 : 9;

interface Runs {
  /** The median run's figure, then the fastest and slowest run's. */
  median: number;
  min: number;
  max: number;
}

/** One untimed warm-up, then RUNS timed runs of fn (which returns its figure); median, min, max. */
function repeat(warmUp: () => void, fn: () => number): Runs {
  warmUp();
  const xs = Array.from({ length: RUNS }, fn).sort((a, b) => a - b);
  return { median: xs[Math.floor(xs.length / 2)]!, min: xs[0]!, max: xs[xs.length - 1]! };
}

function transfer(profile: Profile, bytes: number, loss: number): { mbPerSec: number; wallMs: number; virtualMs: number; frames: number } {
  const net = new SimNet({ seed: 1, delayMs: 0, traceStates: false, traceFaults: false, capture: false });
  const server = net.host({ name: "server", ip: "198.18.0.1", profile, fault: loss ? { loss, seed: 9 } : undefined });
  const client = net.host({ name: "client", ip: "198.18.0.2", profile });
  let received = 0;
  server.listen(9, 4, (c: Conn) => c.on("data", (d) => (received += d.length)));
  const conn = client.connect("198.18.0.1", 9);
  net.runUntil(() => conn.connected, { maxVirtualMs: 10_000 });
  const chunk = new Uint8Array(64 * 1024).fill(0x5a);
  const t0 = performance.now();
  const v0 = net.now;
  let sent = 0;
  const pump = (): void => { while (sent < bytes && conn.pendingBytes < chunk.length) { conn.write(chunk.subarray(0, Math.min(chunk.length, bytes - sent))); sent += Math.min(chunk.length, bytes - sent); } };
  conn.on("drain", pump);
  pump();
  net.runUntil(() => received >= bytes, { maxVirtualMs: 36_000_000, maxSteps: 200_000_000 });
  const wallMs = performance.now() - t0;
  return { mbPerSec: bytes / MB / (wallMs / 1000), wallMs, virtualMs: net.now - v0, frames: client.core.txCount + server.core.txCount };
}

/** Bulk throughput: RUNS transfers of `bytes` after one of a quarter of them. */
function throughput(profile: Profile, bytes: number, loss: number): { mbPerSec: number; runs: Runs; virtualMs: number; frames: number } {
  let last = { virtualMs: 0, frames: 0 };
  const runs = repeat(() => transfer(profile, bytes / 4, loss), () => {
    const r = transfer(profile, bytes, loss);
    last = r;
    return r.mbPerSec;
  });
  return { mbPerSec: runs.median, runs, virtualMs: last.virtualMs, frames: last.frames };
}

function connections(n: number): number {
  const net = new SimNet({ seed: 2, delayMs: 0, traceStates: false, capture: false });
  const server = net.host({ name: "server", ip: "198.18.0.1" });
  const client = net.host({ name: "client", ip: "198.18.0.2" });
  server.listen(7, 8, (c: Conn) => c.on("end", () => c.close()));
  const t0 = performance.now();
  let done = 0;
  for (let i = 0; i < n; i += 8) {
    for (let j = 0; j < 8; j++) {
      const c = client.connect("198.18.0.1", 7);
      c.on("connect", () => { done++; c.abort(); });
    }
    net.runUntilIdle({ maxVirtualMs: 10_000_000 });
  }
  const wallMs = performance.now() - t0;
  return done / (wallMs / 1000);
}

function connectionRate(n: number): { perSec: number; runs: Runs } {
  const runs = repeat(() => connections(n / 4), () => connections(n));
  return { perSec: runs.median, runs };
}

function footprint(profile: Profile): Record<string, number> {
  const map = JSON.parse(readFileSync(join(ROOT, "build", "memory-map.json"), "utf8"))[profile];
  const region = (n: string): number => map.regions.find((r: { region: string }) => r.region === n)?.bytes ?? 0;
  return {
    wasmBytes: statSync(wasmPathFor(profile)).size,
    memoryPages: map.pages,
    usedBytes: map.usedBytes,
    tcbBytes: region("TCBS"),
    ringBytes: region("RX_RINGS") + region("TX_RINGS"),
  };
}

const bytes = values.quick ? 4 * MB : 32 * MB;
const results = {
  date: new Date().toISOString().slice(0, 10),
  node: process.version,
  machine: `${os.cpus().length} cores (${os.cpus()[0]?.model ?? "unknown"}), shared with other work`,
  note: `two Petrel stacks in one Node process, simulator switch, no link delay; wall-clock time; median of ${RUNS} runs after an untimed warm-up (runs: median/min/max MB/s); frames = both directions, one run`,
  throughput: {
    default: throughput("default", bytes, 0),
    tiny: throughput("tiny", bytes / 4, 0),
    server: throughput("server", bytes, 0),
    defaultLoss1pct: throughput("default", bytes / 4, 0.01),
  },
  ...(() => {
    const c = connectionRate(values.quick ? 200 : 2000);
    return { connectionsPerSec: c.perSec, connectionRuns: c.runs };
  })(),
  memory: { tiny: footprint("tiny"), default: footprint("default"), server: footprint("server") },
};
// merge: bench/tap.ts and bench/footprint.mjs keep their own keys in the same file
const file = join(ROOT, "bench", "results.json");
const previous = (() => { try { return JSON.parse(readFileSync(file, "utf8")); } catch { return {}; } })();
writeFileSync(file, JSON.stringify({ ...previous, sim: results }, null, 2) + "\n");
const f = (n: number): string => n.toFixed(1);
console.log(`| measure | tiny | default | server |\n|---|---|---|---|`);
console.log(`| .wasm bytes (wasm-opt -Oz) | ${results.memory.tiny.wasmBytes} | ${results.memory.default.wasmBytes} | ${results.memory.server.wasmBytes} |`);
console.log(`| linear memory (pages × 64 KiB) | ${results.memory.tiny.memoryPages} | ${results.memory.default.memoryPages} | ${results.memory.server.memoryPages} |`);
console.log(`| bytes used (static + regions) | ${results.memory.tiny.usedBytes} | ${results.memory.default.usedBytes} | ${results.memory.server.usedBytes} |`);
console.log(`| bulk throughput, no loss (MB/s) | ${f(results.throughput.tiny.mbPerSec)} | ${f(results.throughput.default.mbPerSec)} | ${f(results.throughput.server.mbPerSec)} |`);
console.log(`| bulk throughput, 1 % loss (MB/s) | | ${f(results.throughput.defaultLoss1pct.mbPerSec)} | |`);
console.log(`| connections/s (open, abort) | | ${f(results.connectionsPerSec)} | |`);
