// The smallest WAMR pool (and wasm stack) with which the tiny profile loads, instantiates and passes
// the echo test, found by measurement: petrel-linux-wamr rebuilt per candidate size
// (`make -f boards/linux/Makefile wamr WAMR_POOL=… WAMR_STACK=…`), run with build/petrel-tiny.wasm
// on a TAP in a namespace of its own (198.18.0.0/24), kernel → echo 3 MB byte-exact, a clean stop and
// linear memory unchanged. A 32-bit build (gcc -m32, WAMR_BUILD_TARGET=X86_32: what an ESP32's
// pointer size gives) runs under qemu-i386 when the kernel cannot run i386 binaries itself.
//
//   npm run bench:wamr-pool [-- --only x86_32,x86_32_classic,…] [--stack N]
//   (root; merges into "wamr_pool" of bench/results.json; bench/ because it measures, never a test)
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ROOT, wasmPathFor } from "../host/node/files.ts";
import { ensureDebianTool } from "../tests/support/env.ts";
import { Board, BOARD_IP, KERNEL_IP, Netns, netUnavailable, tapName } from "../tests/boards/support.ts";

const { values } = parseArgs({ options: { only: { type: "string" }, stack: { type: "string" } } });
const MB = 1 << 20;
const GRAIN = 256;            // bisect to this many bytes
const ECHO = 3 * MB;
const TINY = wasmPathFor("tiny");

const why = netUnavailable(process.execPath); // (any existing file: the script builds its own boards)
if (why) {
  console.error(`wamr-pool: ${why}`);
  process.exit(1);
}

interface Variant { target: "X86_32" | "X86_64"; mode: "fast" | "classic"; mini: boolean; labels: boolean }
const label = (v: Variant): string =>
  `${v.target === "X86_32" ? "x86_32" : "x86_64"}${v.mode === "classic" ? "_classic" : ""}${v.mini ? "_mini_loader" : ""}${v.labels ? "" : "_no_labels_as_values"}`;
const outDir = (v: Variant): string => join(ROOT, "build", "wamr-pool", label(v));

/** Can this kernel run an i386 binary itself, or does it need qemu-i386? */
function runner(v: Variant, bin: string): string[] {
  if (v.target === "X86_64") return [bin];
  if (spawnSync(bin, ["--version"], { stdio: "ignore", timeout: 10_000 }).status === 0) return [bin];
  const w = ensureDebianTool("qemu-i386", "qemu-user");
  if (w) throw new Error(`the 32-bit board cannot run here: ${w}`);
  return ["qemu-i386", "-L", "/", bin];
}

function build(v: Variant, pool: number, stack: number): string {
  const out = outDir(v);
  rmSync(join(out, "wamr-engine_wamr.o"), { force: true });
  rmSync(join(out, "petrel-linux-wamr"), { force: true });
  const r = spawnSync("make", ["-s", "--no-print-directory", "-f", "boards/linux/Makefile", "wamr", `WAMR_TARGET=${v.target}`,
    `WAMR_MODE=${v.mode}`, `WAMR_MINI=${v.mini ? 1 : 0}`, `WAMR_LABELS=${v.labels ? 1 : 0}`, `WAMR_POOL=${pool}`, `WAMR_STACK=${stack}`, `OUT=${out}`], { cwd: ROOT, encoding: "utf8", timeout: 300_000 });
  if (r.status !== 0) throw new Error(`build failed: ${r.stdout}\n${r.stderr}`);
  return join(out, "petrel-linux-wamr");
}

/** One candidate: does the tiny core load, instantiate, pass the echo and stop cleanly? */
async function trial(v: Variant, pool: number, stack: number): Promise<{ ok: boolean; why?: string }> {
  const bin = build(v, pool, stack);
  const dev = tapName("p");
  const ns = new Netns("p");
  let board: Board | undefined;
  try {
    board = new Board(["--tap", dev, "--ip", `${BOARD_IP}/24`, "--services", "echo", "--wasm", TINY], undefined, runner(v, bin));
    const ready = await board.ready(20_000);
    tinyMemory = ready.memory;
    ns.adopt(dev);
    ns.ip("addr", "add", `${KERNEL_IP}/24`, "dev", dev);
    ns.ip("link", "set", dev, "up");
    // a board that dies (a wasm stack overflow is an exception: exit 70) ends the trial at once
    const r = await Promise.race([
      ns.peer<{ received: number; shaSent: string; shaRecv: string }>("echo-client", { host: BOARD_IP, port: 7, bytes: ECHO }, 60_000),
      board.exited.then((e) => ({ error: `board exited ${e.code ?? e.signal}: ${board!.stderr.trim()}`, received: 0, shaSent: "", shaRecv: "" })),
    ]);
    if (r.error || r.received !== ECHO || r.shaRecv !== r.shaSent) return { ok: false, why: `echo: ${r.error ?? `received ${r.received}`}` };
    const end = await board.stop(10_000);
    if (end.code !== 0) return { ok: false, why: `exit ${end.code ?? end.signal}: ${board.stderr.trim()}` };
    if (end.exit?.memory !== ready.memory) return { ok: false, why: `linear memory ${ready.memory} → ${end.exit?.memory}` };
    return { ok: true };
  } catch (e) {
    return { ok: false, why: (board?.stderr.trim() || (e as Error).message).split("\n")[0] };
  } finally {
    await board?.stop(2000);
    ns.close();
  }
}

/** The smallest value in (lo, hi] for which pass(value) holds, to GRAIN bytes (pass(hi) must hold). */
async function bisect(name: string, lo: number, hi: number, pass: (n: number) => Promise<{ ok: boolean; why?: string }>): Promise<number> {
  const top = await pass(hi);
  if (!top.ok) throw new Error(`${name}: fails even at ${hi}: ${top.why}`);
  while (hi - lo > GRAIN) {
    const mid = Math.round((lo + hi) / 2 / GRAIN) * GRAIN;
    const r = await pass(mid);
    console.log(`  ${name} ${mid}: ${r.ok ? "pass" : `fail (${r.why})`}`);
    if (r.ok) hi = mid;
    else lo = mid;
  }
  return hi;
}

let tinyMemory = 0; // linear memory of the tiny core, from a ready line
const t0 = Date.now();
const path = join(ROOT, "bench", "results.json");
const all = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
const before = (all.wamr_pool ?? {}) as { pool?: Record<string, number>; wasm_stack_min?: number; wasm_stack?: number };
const v32: Variant = { target: "X86_32", mode: "fast", mini: false, labels: true };
// 1. the wasm stack: with a pool large enough, the smallest stack that passes (unless --stack N)
const stackMin = values.stack ? before.wasm_stack_min ?? 0 : await bisect("stack (x86_32)", 256, 16384, (s) => trial(v32, 512 * 1024, s));
// what a board should configure: twice the measured minimum, rounded up to 1 KiB
const stack = values.stack ? Number(values.stack) : Math.ceil((2 * stackMin) / 1024) * 1024;
console.log(`wasm stack: ${stackMin} B suffices; boards use ${stack} B`);

// 2. the pool, with that stack, per variant
const every: Variant[] = [v32, { ...v32, mini: true }, { ...v32, labels: false }, { ...v32, mode: "classic" }, { ...v32, target: "X86_64" }];
const only = values.only?.split(",");
const variants = only ? every.filter((v) => only.includes(label(v))) : every;
const pool: Record<string, number> = { ...before.pool };
for (const v of variants) {
  pool[label(v)] = await bisect(`pool (${label(v)})`, 8 * 1024, 512 * 1024, (p) => trial(v, p, stack));
  console.log(`pool ${label(v)}: ${pool[label(v)]} B (${(pool[label(v)]! / 1024).toFixed(1)} KiB)`);
}

const result = {
  date: new Date().toISOString().slice(0, 10),
  method: `petrel-linux-wamr (WAMR fast interpreter, Alloc_With_Pool, wasm_binary_freeable, module read-only mapped) rebuilt per size; pass = loads build/petrel-tiny.wasm, instantiates, echoes ${ECHO / MB} MB byte-exact to the kernel over a TAP, exits 0 on SIGTERM with linear memory unchanged; bisected to ${GRAIN} B; 32-bit = gcc -m32 + WAMR_BUILD_TARGET=X86_32 (run under qemu-i386 when the kernel has no i386 support)`,
  tiny_wasm_bytes: readFileSync(TINY).length,
  tiny_linear_memory: tinyMemory,
  wasm_stack_min: stackMin,
  wasm_stack: stack,
  pool,
  seconds_last_run: Math.round((Date.now() - t0) / 1000),
};
all.wamr_pool = result;
writeFileSync(path, JSON.stringify(all, null, 2) + "\n");
console.log(JSON.stringify(result, null, 2));
