#!/usr/bin/env node
// Footprint of the core, per profile (tiny, default, server), written to bench/results.json under
// "footprint" (other keys are kept) and printed as a markdown table:
//   - .wasm bytes: build/petrel-<profile>.wasm as `npm run build` leaves it (already wasm-opt -Oz)
//   - linear memory used: static data + every region of build/memory-map.json; and declared memory
//   - state per connection excluding buffers: TCB region / MAX_CONNS (the module's config(0)); the
//     TCB includes its two 16-byte ring headers
//   - native code: the module translated by wasm2c (wabt) and compiled with -Os, `size` of that one
//     object (text/data/bss), for Cortex-M4 (arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb) and RISC-V
//     rv32imc (riscv64-unknown-elf-gcc -march=rv32imc -mabi=ilp32), picolibc headers. Not a linked
//     firmware: wasm2c's runtime (wasm-rt-impl.c: memory allocation, traps), libc (memcpy, memset),
//     the host shim and the linear memory itself (allocated at run time) are not included. On 32-bit
//     targets wasm2c compiles a bounds check into every memory access (no guard pages).
// Needs (Debian): wabt, gcc-arm-none-eabi, gcc-riscv64-unknown-elf, picolibc-arm-none-eabi,
// picolibc-riscv64-unknown-elf — installed with apt-get when missing and running as root.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const build = join(root, "build");
const out = join(build, "footprint");
const PROFILES = ["tiny", "default", "server"];

const has = (cmd) => spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
function ensure(cmd, pkgs, file) {
  if (has(cmd) && (!file || existsSync(file))) return true;
  if (process.getuid?.() !== 0) return false;
  console.error(`footprint: installing ${pkgs}`);
  spawnSync("sh", ["-c", `apt-get update -qq && apt-get install -y -qq --no-install-recommends ${pkgs}`],
    { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" }, timeout: 600_000 });
  return has(cmd) && (!file || existsSync(file));
}
function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 300_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr || r.error}`);
  return r.stdout;
}

const TARGETS = [
  { name: "cortex-m4", cc: "arm-none-eabi-gcc", size: "arm-none-eabi-size", flags: ["-mcpu=cortex-m4", "-mthumb"],
    pkgs: "gcc-arm-none-eabi picolibc-arm-none-eabi", specs: "/usr/lib/picolibc/arm-none-eabi/picolibc.specs" },
  { name: "rv32imc", cc: "riscv64-unknown-elf-gcc", size: "riscv64-unknown-elf-size", flags: ["-march=rv32imc", "-mabi=ilp32"],
    pkgs: "gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf", specs: "/usr/lib/picolibc/riscv64-unknown-elf/picolibc.specs" },
];

const haveWasm2c = ensure("wasm2c", "wabt");
const rtHeader = ["/usr/include/wasm-rt.h", "/usr/src/wasm2c/wasm-rt.h"].find(existsSync);
const map = JSON.parse(readFileSync(join(build, "memory-map.json"), "utf8"));
const results = { generated: new Date().toISOString(), method: {}, profiles: {} };

for (const profile of PROFILES) {
  const wasmPath = join(build, `petrel-${profile}.wasm`);
  const bytes = readFileSync(wasmPath);
  const { instance } = await WebAssembly.instantiate(bytes, { petrel: { tx() {}, panic() { throw new Error("panic"); } } });
  const x = instance.exports;
  const maxConns = x.config(0);
  const m = map[profile];
  const region = (name) => m.regions.find((r) => r.region === name)?.bytes ?? 0;
  const used = m.regions.reduce((s, r) => s + r.bytes, 0);
  const entry = {
    wasmBytes: bytes.length,
    memory: { usedBytes: m.usedBytes ?? used, regionBytes: used, declaredBytes: m.memoryBytes, staticBytes: region("STATIC"),
      regions: Object.fromEntries(m.regions.map((r) => [r.region, r.bytes])) },
    connections: maxConns,
    perConnectionStateBytes: region("TCBS") / maxConns,
    perConnectionBufferBytes: (region("RX_RINGS") + region("TX_RINGS")) / maxConns,
    native: {},
  };
  if (haveWasm2c && rtHeader) {
    const dir = join(out, profile);
    mkdirSync(join(dir, "include"), { recursive: true });
    copyFileSync(rtHeader, join(dir, "include", "wasm-rt.h")); // only wasm-rt.h: the target's libc headers come from picolibc
    run("wasm2c", [wasmPath, "-n", "petrel_core", "-o", join(dir, "petrel_core.c")]);
    for (const t of TARGETS) {
      if (!ensure(t.cc, t.pkgs, t.specs)) { entry.native[t.name] = { error: `${t.cc} + picolibc not available (${t.pkgs})` }; continue; }
      const obj = join(dir, `petrel_core.${t.name}.o`);
      run(t.cc, [...t.flags, `--specs=${t.specs}`, "-Os", "-ffunction-sections", "-fdata-sections", "-I", join(dir, "include"), "-c", join(dir, "petrel_core.c"), "-o", obj]);
      const [text, data, bss] = run(t.size, [obj]).trim().split("\n")[1].trim().split(/\s+/).map(Number);
      entry.native[t.name] = { text, data, bss };
    }
  } else entry.native = { error: "wasm2c (Debian wabt) not available" };
  results.profiles[profile] = entry;
}
results.method = {
  wasm: "build/petrel-<profile>.wasm after `npm run build` (asc --noAssert, then wasm-opt -Oz with sign-ext, mutable-globals, nontrapping-f2i, bulk-memory)",
  memory: "usedBytes = end of the last region of build/memory-map.json (regions incl. STATIC = the module's static data, plus alignment); regionBytes = the regions alone; declared = initial = maximum pages",
  perConnection: "TCBS region / config(0) MAX_CONNS; includes two 16-byte ring headers; buffers (rx+tx rings) listed separately",
  native: `wasm2c ${run("wasm2c", ["--version"]).trim()} → <cc> -Os -ffunction-sections -fdata-sections -c petrel_core.c; size(1) of that object only (wasm-rt-impl, libc, shim and the linear memory not included; bounds checks on every load/store on 32-bit targets). Cortex-M4: arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb; rv32imc: riscv64-unknown-elf-gcc -march=rv32imc -mabi=ilp32; picolibc headers`,
};

const resultsPath = join(root, "bench", "results.json");
const all = existsSync(resultsPath) ? JSON.parse(readFileSync(resultsPath, "utf8")) : {};
all.footprint = results;
writeFileSync(resultsPath, JSON.stringify(all, null, 2) + "\n");

const n = (v) => (typeof v === "number" ? v.toLocaleString("en-US").replace(/,/g, " ") : "n/a");
const nat = (e, t) => (e.native[t]?.text !== undefined ? `${n(e.native[t].text)} / ${n(e.native[t].data)} / ${n(e.native[t].bss)}` : "n/a");
const rows = [
  ["measure", ...PROFILES],
  ["---", ...PROFILES.map(() => "---")],
  [".wasm (wasm-opt -Oz)", ...PROFILES.map((p) => `${n(results.profiles[p].wasmBytes)} B`)],
  ["linear memory used / declared", ...PROFILES.map((p) => `${n(results.profiles[p].memory.usedBytes)} / ${n(results.profiles[p].memory.declaredBytes)} B`)],
  ["  of which static data", ...PROFILES.map((p) => `${n(results.profiles[p].memory.staticBytes)} B`)],
  ["connections", ...PROFILES.map((p) => String(results.profiles[p].connections))],
  ["state per connection (excl. buffers)", ...PROFILES.map((p) => `${n(results.profiles[p].perConnectionStateBytes)} B`)],
  ["buffers per connection (rx + tx rings)", ...PROFILES.map((p) => `${n(results.profiles[p].perConnectionBufferBytes)} B`)],
  ["native Cortex-M4 -Os text / data / bss", ...PROFILES.map((p) => nat(results.profiles[p], "cortex-m4"))],
  ["native rv32imc -Os text / data / bss", ...PROFILES.map((p) => nat(results.profiles[p], "rv32imc"))],
];
console.log(rows.map((r) => `| ${r.join(" | ")} |`).join("\n"));
