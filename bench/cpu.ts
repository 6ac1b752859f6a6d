// `npm run bench:cpu`: CPU cost of the native build (boards/linux, the release module through
// wasm2c) that does not depend on the machine's load: user-space instructions counted by valgrind's
// callgrind while a kernel client in a namespace sends to the board's discard service (receive
// path) or reads its chargen service (send path). Each direction runs twice, with SMALL and LARGE
// payloads, and the figure is the slope, (I_large − I_small) / (LARGE − SMALL) instructions per
// payload byte: start-up, the handshake and the close cancel out. The heaviest functions are
// listed too (wasm2c names: w2c_fN is the module's function N). The same for lwIP's raw-API
// server (build/lwip/lwip-tap, bench/lwip/). Then per round trip of bench:tap's 50-concurrent echo
// (50 connections at once, each echoing 1 KiB ECHO_SMALL and ECHO_LARGE times; the server-profile
// board, as bench:tap, since the default profile has 16 connections): the slope per round trip.
// Likewise bench:tap's one-connection rows on the server-profile board: per 64-byte echo round trip
// and per sequential connect + close. `-- --only echo-rtt,connect-close` measures only those client
// modes and prints them without writing results.json (for a before/after; `--petrel-only` too:
// the board alone; `--keep DIR` leaves the callgrind.out files in DIR; `--board PATH` measures that
// board binary instead of the server-profile one, e.g. one built from a module that kept its names).
// Needs root, /dev/net/tun and valgrind (installed from Debian when missing). Merges into
// bench/results.json under "cpu".
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ROOT } from "../host/node/files.ts";
import { ensureDebianTool } from "../tests/support/env.ts";
import { hookExit, interopUnavailable, liveNamespaces, runPeer } from "../tests/support/netns.ts";
import { BOARD_BIN, SERVER_BOARD_BIN } from "../tests/boards/support.ts";
import { buildLwipTap, LWIP_BIN } from "./lwip/build.ts";

const { values } = parseArgs({ options: { quick: { type: "boolean" }, only: { type: "string" }, "petrel-only": { type: "boolean" }, keep: { type: "string" }, board: { type: "string" } } });
/** --only echo-rtt,connect-close,…: measure only these client modes, print, write nothing */
const ONLY = values.only?.split(",").filter(Boolean);
const MB = 1 << 20;
const SMALL = (values.quick ? 2 : 4) * MB;
const LARGE = (values.quick ? 8 : 32) * MB;
/** 50-concurrent echo: rounds per connection of the two runs, and the connections */
const ECHO_SMALL = 20;
const ECHO_LARGE = values.quick ? 60 : 100;
const ECHO_CONNS = 50;
/** bench:tap's one-connection rows: 64-byte echo round trips, and sequential connect + close
 *  (to discard), each run at two counts for the slope */
const RTT_SMALL = 200;
const RTT_LARGE = values.quick ? 600 : 1200;
const SEQ_SMALL = 100;
const SEQ_LARGE = values.quick ? 300 : 600;

const why = interopUnavailable() ?? ensureDebianTool("valgrind", "valgrind");
if (why) {
  console.error(`bench:cpu: ${why}`);
  process.exit(1);
}
const build = spawnSync(process.execPath, [join(ROOT, "scripts", "build-boards.mjs")], { encoding: "utf8", timeout: 300_000 });
if (build.status !== 0 || !existsSync(BOARD_BIN)) throw new Error(`build-boards failed: ${build.stdout}\n${build.stderr}`);
const server = spawnSync("make", ["-s", "-f", join(ROOT, "boards", "linux", "Makefile"), "PROFILE=server", SERVER_BOARD_BIN], { cwd: ROOT, encoding: "utf8", timeout: 300_000 });
if (server.status !== 0 || !existsSync(SERVER_BOARD_BIN)) throw new Error(`the server-profile board failed to build: ${server.stdout}\n${server.stderr}`);
hookExit();
/** --keep DIR: write the callgrind.out files there and leave them (for callgrind_annotate) */
const dir = values.keep ?? mkdtempSync(join(tmpdir(), "petrel-cpu-"));

interface Run {
  instructions: number;
  /** file:function → instructions (callgrind's inclusive-free "self" cost), heaviest first. */
  top: [string, number][];
}

type Target = "petrel" | "lwip";
/** The kernel client's job: "send" to discard (the server receives), "recv" from chargen (the
 *  server sends), each `n` bytes; or "echo-concurrent", `n` rounds on each of ECHO_CONNS connections. */
type Mode = "send" | "recv" | "echo-concurrent" | "echo-rtt" | "connect-close";
/** The modes measured on the server-profile board, as bench:tap runs them. */
const serverProfile = (mode: Mode): boolean => mode === "echo-concurrent" || mode === "echo-rtt" || mode === "connect-close";

/** One server (the board, or lwip-tap) under callgrind in a fresh namespace, one client job, then
 *  SIGTERM; the counts (every thread of the process: lwIP's tcpip thread included). */
async function measure(target: Target, mode: Mode, n: number): Promise<Run> {
  if (ONLY && !ONLY.includes(mode)) return { instructions: NaN, top: [] };
  const ns = `petrel-cpu-${process.pid}-${target}-${mode}-${n}`;
  const out = join(dir, `cg.${target}.${mode}.${n}`);
  spawnSync("ip", ["netns", "add", ns]);
  liveNamespaces.add(ns);
  try {
    spawnSync("ip", ["-n", ns, "link", "set", "lo", "up"]);
    const server = target === "petrel"
      ? [serverProfile(mode) ? values.board ?? SERVER_BOARD_BIN : BOARD_BIN, "--tap", "pcpu0", "--ip", "198.18.0.2/24", "--host-ip", "198.18.0.1/24", "--services", serverProfile(mode) ? "echo,discard" : "discard,chargen", "--seed", "1"]
      : [LWIP_BIN, "--tap", "pcpu0", "--ip", "198.18.0.2/24"];
    const board = spawn("ip", ["netns", "exec", ns, "valgrind", "--tool=callgrind", `--callgrind-out-file=${out}`, ...server], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    board.stdout.on("data", (d) => (stdout += d));
    board.stderr.on("data", (d) => (stderr += d));
    const exited = new Promise<void>((r) => board.on("close", () => r()));
    const t0 = Date.now();
    while (!stdout.includes('"ready"') && Date.now() - t0 < 60_000 && board.exitCode === null) await new Promise((r) => setTimeout(r, 100));
    if (!stdout.includes('"ready"')) throw new Error(`${target} not ready: ${stderr}`);
    if (target === "lwip") {
      spawnSync("ip", ["-n", ns, "addr", "add", "198.18.0.1/24", "dev", "pcpu0"]);
      spawnSync("ip", ["-n", ns, "link", "set", "pcpu0", "up"]);
    }
    const args = mode === "echo-concurrent" ? { host: "198.18.0.2", port: 7, conns: ECHO_CONNS, rounds: n, size: 1024 }
      : mode === "echo-rtt" ? { host: "198.18.0.2", port: 7, size: 64, n }
      : mode === "connect-close" ? { host: "198.18.0.2", port: 9, n }
      : { host: "198.18.0.2", port: mode === "send" ? 9 : 19, bytes: n };
    const r = await runPeer<{ ms: number; ok?: number; failed?: string[] }>(ns, mode, args, 600_000).result;
    if (r.error || (mode === "echo-concurrent" && r.ok !== ECHO_CONNS) || (mode === "connect-close" && (r.ok !== n || r.failed?.length)))
      throw new Error(`${mode}: ${r.error ?? JSON.stringify(r).slice(0, 300)}`);
    await new Promise((res) => setTimeout(res, 500)); // the close finishes
    board.kill("SIGTERM");
    await Promise.race([exited, new Promise((res) => setTimeout(res, 20_000))]);
    if (board.exitCode === null) board.kill("SIGKILL");
    const text = readFileSync(out, "utf8");
    const total = /^(?:summary|totals):\s+(\d+)/m.exec(text);
    if (!total) throw new Error(`no totals in ${out}`);
    const ann = spawnSync("callgrind_annotate", [out], { encoding: "utf8", timeout: 60_000 });
    const top: [string, number][] = [];
    for (const m of (ann.stdout ?? "").matchAll(/^\s*([\d,]+) \([\s\d.]+%\)\s+(\S+?:\S+)/gm)) {
      if (m[2]!.includes("PROGRAM")) continue;
      top.push([m[2]!.replace(/^.*\//, ""), Number(m[1]!.replace(/,/g, ""))]);
      if (top.length === 40) break;
    }
    return { instructions: Number(total[1]), top };
  } finally {
    spawnSync("ip", ["netns", "del", ns], { stdio: "ignore" });
    liveNamespaces.delete(ns);
  }
}

const results: Record<string, unknown> = {};
const share = (run: Run, bytes: number): Record<string, number> =>
  Object.fromEntries(run.top.slice(0, 12).map(([f, n]) => [f, Number((n / bytes).toFixed(3))]));
/** Instructions per unit of work: the two runs' difference over the units the larger did more (start-up cancels out). */
const slope = (small: Run, large: Run, units: number): number => (large.instructions - small.instructions) / units;
/** The heaviest functions of the larger run, each as its own slope per unit (start-up cancels out). */
const slopeBy = (small: Run, large: Run, units: number): Record<string, number> =>
  Object.fromEntries(large.top.slice(0, 12).map(([f, k]) => [f, Math.round((k - (small.top.find(([g]) => g === f)?.[1] ?? 0)) / units)]));
/** Both directions for one server: per-byte slopes and the heaviest functions. */
async function cost(target: Target): Promise<Record<string, unknown>> {
  // "send" = the kernel sends, the server receives (discard); "recv" = the server sends (chargen)
  const rxSmall = await measure(target, "send", SMALL);
  const rxLarge = await measure(target, "send", LARGE);
  const txSmall = await measure(target, "recv", SMALL);
  const txLarge = await measure(target, "recv", LARGE);
  const echoSmall = await measure(target, "echo-concurrent", ECHO_SMALL);
  const echoLarge = await measure(target, "echo-concurrent", ECHO_LARGE);
  const rttSmall = await measure(target, "echo-rtt", RTT_SMALL);
  const rttLarge = await measure(target, "echo-rtt", RTT_LARGE);
  const seqSmall = await measure(target, "connect-close", SEQ_SMALL);
  const seqLarge = await measure(target, "connect-close", SEQ_LARGE);
  const trips = ECHO_CONNS * (ECHO_LARGE - ECHO_SMALL);
  return {
    instructionsPerReceivedByte: Number(slope(rxSmall, rxLarge, LARGE - SMALL).toFixed(3)),
    instructionsPerSentByte: Number(slope(txSmall, txLarge, LARGE - SMALL).toFixed(3)),
    receiveRunInstructionsPerByteByFunction: share(rxLarge, LARGE),
    sendRunInstructionsPerByteByFunction: share(txLarge, LARGE),
    /** 50 connections at once, each echoing 1 KiB: instructions per round trip */
    instructionsPerConcurrentEcho: Math.round(slope(echoSmall, echoLarge, trips)),
    /** the heaviest functions of the larger run, each as its own slope per round trip (start-up cancels out) */
    concurrentEchoInstructionsPerRoundTripByFunction: slopeBy(echoSmall, echoLarge, trips),
    echoInstructionsPerRoundTripByFunction: slopeBy(rttSmall, rttLarge, RTT_LARGE - RTT_SMALL),
    sequentialConnectionInstructionsByFunction: slopeBy(seqSmall, seqLarge, SEQ_LARGE - SEQ_SMALL),
    /** one connection echoing 64 bytes (bench:tap's RTT row): instructions per round trip */
    instructionsPerEcho: Math.round(slope(rttSmall, rttLarge, RTT_LARGE - RTT_SMALL)),
    /** connect + close one after another (bench:tap's sequential row): instructions per connection */
    instructionsPerSequentialConnection: Math.round(slope(seqSmall, seqLarge, SEQ_LARGE - SEQ_SMALL)),
    runs: { rxSmall: rxSmall.instructions, rxLarge: rxLarge.instructions, txSmall: txSmall.instructions, txLarge: txLarge.instructions,
      echoSmall: echoSmall.instructions, echoLarge: echoLarge.instructions, rttSmall: rttSmall.instructions, rttLarge: rttLarge.instructions,
      seqSmall: seqSmall.instructions, seqLarge: seqLarge.instructions },
  };
}
try {
  const petrel = await cost("petrel");
  buildLwipTap();
  const lwip = ONLY && values["petrel-only"] ? {} : await cost("lwip");
  Object.assign(results, {
    date: new Date().toISOString().slice(0, 10),
    method: `valgrind --tool=callgrind on build/linux/petrel-linux and on build/lwip/lwip-tap (lwIP 2.1.3, Debian's liblwip, raw API; bench/lwip/lwip-tap.c): user-space instructions of the whole process (stack, loop, services, libc; lwIP's threads and locks included); kernel client (Node's net) in a namespace; slope between ${SMALL / MB} and ${LARGE / MB} MiB; the echo figure: bench:tap's 50 connections at once each echoing 1 KiB (the server-profile board), slope between ${ECHO_SMALL} and ${ECHO_LARGE} rounds; per 64-byte echo (one connection, slope between ${RTT_SMALL} and ${RTT_LARGE} round trips) and per sequential connect + close (slope between ${SEQ_SMALL} and ${SEQ_LARGE}), the server-profile board`,
    instructionsPerReceivedByte: petrel.instructionsPerReceivedByte,
    instructionsPerSentByte: petrel.instructionsPerSentByte,
    instructionsPerConcurrentEcho: petrel.instructionsPerConcurrentEcho,
    instructionsPerEcho: petrel.instructionsPerEcho,
    instructionsPerSequentialConnection: petrel.instructionsPerSequentialConnection,
    petrel,
    lwip,
  });
} finally {
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
}
if (ONLY) {
  console.log(JSON.stringify({ petrel: results.petrel, lwip: results.lwip }, null, 2));
  process.exit(0);
}
const file = join(ROOT, "bench", "results.json");
const all = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};
all.cpu = results;
writeFileSync(file, JSON.stringify(all, null, 2) + "\n");
console.log(`Petrel native: instructions per received byte ${results.instructionsPerReceivedByte}, per sent byte ${results.instructionsPerSentByte}`);
console.log(JSON.stringify({ petrel: results.petrel, lwip: results.lwip }, null, 2));
