// boards/esp32 cannot be built here (no ESP-IDF): its C files — the ESP-specific port, the echo
// example and the shared WAMR engine (boards/common/engine_wamr.c) they run — are compiled against
// WAMR's real headers ($WAMR_ROOT/core/iwasm/include) and stub headers for ESP-IDF only, with the host
// gcc and the rv32imc cross gcc of an ESP32-C3. The WAMR engine itself runs in CI on the Linux board
// (tests/boards/linux.test.ts); here, besides the compile check: the component wiring, the Kconfig
// names the example relies on against WAMR's own Kconfig, and the tiny profile with the pool and wasm
// stack Kconfig reserves, run under WAMR built for a 32-bit target.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT, wasmPathFor } from "../../host/node/files.ts";
import { ensureDebianTool, unavailable } from "../support/env.ts";
import { Board, BOARD_IP, KERNEL_IP, Netns, netUnavailable, tapName, WAMR_ROOT } from "./support.ts";

const ESP32 = join(ROOT, "boards", "esp32");
const MB = 1 << 20;

test("boards/esp32: the port, the echo example and the shared WAMR engine compile against WAMR's real headers (gcc and rv32imc, -Wall -Wextra -Werror)", { timeout: 900_000 }, (t) => {
  for (const [cmd, pkg] of [["make", "make"], ["gcc", "gcc"]] as const) {
    const why = ensureDebianTool(cmd, pkg);
    if (why) return unavailable(t, why);
  }
  if (!existsSync(join(WAMR_ROOT, "core", "iwasm", "include", "wasm_export.h"))) return unavailable(t, `WAMR not found at ${WAMR_ROOT} (set WAMR_ROOT)`);
  const stubs = readdirSync(join(ESP32, "stubs", "include"));
  assert.ok(!stubs.includes("wasm_export.h") && !stubs.includes("lib_export.h"), "no stub of WAMR's headers: the real ones are used");
  const r = spawnSync(process.execPath, [join(ROOT, "scripts", "build-boards.mjs"), "--esp32"], { encoding: "utf8", timeout: 850_000 });
  assert.equal(r.status, 0, `compile check failed:\n${r.stdout}\n${r.stderr}`);
  for (const f of ["src/petrel_port.c", "examples/echo/main/echo_main.c", "../common/engine_wamr.c", "../common/sha256.c"]) {
    assert.ok(r.stdout.includes(`CHECK ${f}\n`), `host gcc checked ${f}`);
    assert.ok(r.stdout.includes(`CHECK rv32imc ${f}\n`), `rv32imc checked ${f}`);
  }
  t.diagnostic(r.stdout.trim());
});

test("boards/esp32: the IPv4 choice defaults to DHCP: the port built with Kconfig's defaults starts the core's DHCP client (dhcp_init_delay, dhcp_start, dhcp_info), built with \"static address\" it calls none of them", { timeout: 300_000 }, (t) => {
  for (const [cmd, pkg] of [["make", "make"], ["gcc", "gcc"], ["nm", "binutils"]] as const) {
    const why = ensureDebianTool(cmd, pkg);
    if (why) return unavailable(t, why);
  }
  if (!existsSync(join(WAMR_ROOT, "core", "iwasm", "include", "wasm_export.h"))) return unavailable(t, `WAMR not found at ${WAMR_ROOT} (set WAMR_ROOT)`);
  // the stub sdkconfig.h the port compiles against holds Kconfig's defaults for the choice and the wait
  const kconfig = readFileSync(join(ESP32, "Kconfig"), "utf8");
  const choice = /choice PETREL_IPV4\n[\s\S]*?\n\s*default (\w+)\n/.exec(kconfig)?.[1];
  assert.equal(choice, "PETREL_IPV4_DHCP", "Kconfig's choice defaults to DHCP");
  const macros = spawnSync("gcc", ["-dM", "-E", join(ESP32, "stubs", "include", "sdkconfig.h")], { encoding: "utf8" }).stdout;
  assert.match(macros, /^#define CONFIG_PETREL_IPV4_DHCP 1$/m);
  assert.doesNotMatch(macros, /CONFIG_PETREL_IPV4_STATIC/);
  assert.match(macros, new RegExp(`^#define CONFIG_PETREL_DHCP_INIT_DELAY_MS ${kconfigDefault("PETREL_DHCP_INIT_DELAY_MS")}$`, "m"));
  const out = mkdtempSync(join(tmpdir(), "petrel-esp32-"));
  try {
    const r = spawnSync("make", ["-s", "-f", join(ESP32, "stubs", "Makefile"), "objects", `OUT=${out}`, `WAMR_ROOT=${WAMR_ROOT}`], { encoding: "utf8", timeout: 240_000 });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    const calls = (choice: string) => new Set(spawnSync("nm", ["-u", join(out, choice, "petrel_port.o")], { encoding: "utf8" }).stdout
      .split("\n").map((l) => l.trim().replace(/^U\s+/, "")).filter((s) => s.startsWith("core_")));
    const dhcp = ["core_dhcp_init_delay", "core_dhcp_start", "core_dhcp_info"];
    const byDefault = calls("default"), fixed = calls("static");
    assert.ok(byDefault.has("core_init") && fixed.has("core_init"), "the objects call the core");
    for (const f of dhcp) {
      assert.ok(byDefault.has(f), `with Kconfig's defaults the port calls ${f}`);
      assert.ok(!fixed.has(f), `with a static address the port does not call ${f}`);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test("boards/esp32: an ESP-IDF component with the shared engine (not a copy), Kconfig and the module embedded", () => {
  const cmake = readFileSync(join(ESP32, "CMakeLists.txt"), "utf8");
  assert.match(cmake, /idf_component_register\(\s*SRCS "src\/petrel_port\.c" "\.\.\/common\/engine_wamr\.c" "\.\.\/common\/sha256\.c"/);
  assert.match(cmake, /PRIV_INCLUDE_DIRS "\.\.\/common"/);
  assert.match(cmake, /PETREL_WAMR_POOL_SIZE=\$\{CONFIG_PETREL_WAMR_POOL_SIZE\}/);
  assert.match(cmake, /PETREL_WAMR_STACK_SIZE=\$\{CONFIG_PETREL_WASM_STACK_SIZE\}/);
  assert.match(cmake, /target_add_binary_data\(\$\{COMPONENT_LIB\} .*petrel\.wasm" BINARY\)/);
  assert.match(readFileSync(join(ESP32, "idf_component.yml"), "utf8"), /espressif\/wasm-micro-runtime:/);
  const kconfig = readFileSync(join(ESP32, "Kconfig"), "utf8");
  for (const k of ["PETREL_PROFILE_TINY", "PETREL_WAMR_POOL_SIZE", "PETREL_WASM_STACK_SIZE", "PETREL_RX_SLOTS"]) assert.match(kconfig, new RegExp(`config ${k}\\b`));
  // every export the engine looks up is an export of the module the component embeds (the tiny build)
  const engine = readFileSync(join(ROOT, "boards", "common", "engine_wamr.c"), "utf8");
  const at = engine.indexOf("fn_names[F_COUNT] = {");
  const wanted = [...engine.slice(at, engine.indexOf("};", at)).matchAll(/"([a-z_]+)"/g)].map((m) => m[1]!);
  assert.ok(wanted.length >= 25, `found the engine's export list (${wanted.length})`);
  const tiny = new WebAssembly.Module(readFileSync(wasmPathFor("tiny")));
  const exported = new Set(WebAssembly.Module.exports(tiny).map((e) => e.name));
  for (const n of wanted) assert.ok(exported.has(n), `build/petrel-tiny.wasm exports ${n}`);
  for (const i of WebAssembly.Module.imports(tiny)) assert.ok(i.module === "petrel" && ["tx", "panic"].includes(i.name), `the engine provides import ${i.module}.${i.name}`);
});

test("boards/esp32: every CONFIG_WAMR_* name the component and the example set exists in WAMR's own ESP-IDF Kconfig", (t) => {
  const wamrKconfig = join(WAMR_ROOT, "build-scripts", "esp-idf", "wamr", "Kconfig");
  if (!existsSync(wamrKconfig)) return unavailable(t, `${wamrKconfig} not found (set WAMR_ROOT)`);
  const defined = new Set([...readFileSync(wamrKconfig, "utf8").matchAll(/^\s*(?:menu)?config\s+(WAMR_\w+)/gm)].map((m) => m[1]!));
  assert.ok(defined.has("WAMR_INTERP_FAST") && defined.has("WAMR_ENABLE_LIBC_WASI"), "parsed WAMR's Kconfig");
  const files = [join(ESP32, "CMakeLists.txt"), join(ESP32, "Kconfig"), join(ESP32, "examples", "echo", "sdkconfig.defaults"), join(ESP32, "src", "petrel_port.c")];
  const used = new Set<string>();
  for (const f of files) for (const m of readFileSync(f, "utf8").matchAll(/CONFIG_(WAMR_\w+)/g)) used.add(m[1]!);
  assert.ok(used.size >= 8, `found the names the component relies on (${[...used].join(", ")})`);
  for (const name of used) assert.ok(defined.has(name), `CONFIG_${name} is defined by WAMR's Kconfig`);
  // and what the example means: the fast interpreter on, AOT, WASI, libc-builtin and pthread off
  const defaults = readFileSync(join(ESP32, "examples", "echo", "sdkconfig.defaults"), "utf8");
  for (const on of ["WAMR_ENABLE_INTERP", "WAMR_INTERP_FAST"]) assert.match(defaults, new RegExp(`^CONFIG_${on}=y$`, "m"));
  for (const off of ["WAMR_ENABLE_AOT", "WAMR_ENABLE_LIBC_WASI", "WAMR_ENABLE_LIBC_BUILTIN", "WAMR_ENABLE_LIB_PTHREAD"]) {
    assert.match(defaults, new RegExp(`^# CONFIG_${off} is not set$`, "m"));
  }
});

/** Kconfig's default for `name` (its first `default N` line). */
function kconfigDefault(name: string): number {
  const kconfig = readFileSync(join(ESP32, "Kconfig"), "utf8");
  const m = /^\s*default (\d+)$/m.exec(kconfig.slice(kconfig.indexOf(`config ${name}\n`)));
  assert.ok(m, `Kconfig has a default for ${name}`);
  return Number(m[1]);
}

test("boards/esp32: the tiny profile runs under WAMR (32-bit build) with the pool and wasm stack Kconfig reserves: echo 3 MB, linear memory unchanged", { timeout: 600_000 }, async (t) => {
  const why = netUnavailable(wasmPathFor("tiny"));
  if (why) return unavailable(t, why);
  const pool = kconfigDefault("PETREL_WAMR_POOL_SIZE"), stack = kconfigDefault("PETREL_WASM_STACK_SIZE");
  const measured = JSON.parse(readFileSync(join(ROOT, "bench", "results.json"), "utf8")).wamr_pool;
  assert.ok(pool >= measured.pool.x86_32, `Kconfig's pool (${pool}) covers the measured 32-bit minimum (${measured.pool.x86_32})`);
  assert.equal(stack, measured.wasm_stack, "Kconfig's wasm stack is the one the pool was measured with");
  // build/linux/esp32-tiny/petrel-linux-wamr: -m32, WAMR_BUILD_TARGET=X86_32, Kconfig's pool and stack
  const b = spawnSync(process.execPath, [join(ROOT, "scripts", "build-boards.mjs"), "--esp32-linux"], { encoding: "utf8", timeout: 500_000 });
  assert.equal(b.status, 0, `32-bit WAMR board build failed:\n${b.stdout}\n${b.stderr}`);
  const bin = join(ROOT, "build", "linux", "esp32-tiny", "petrel-linux-wamr");
  const run = spawnSync(bin, ["--version"], { stdio: "ignore", timeout: 10_000 }).status === 0 ? [bin] : ["qemu-i386", "-L", "/", bin];
  const dev = tapName("e");
  const ns = new Netns("e");
  let board: Board | undefined;
  try {
    board = new Board(["--tap", dev, "--ip", `${BOARD_IP}/24`, "--services", "echo"], undefined, run);
    const ready = await board.ready(20_000);
    assert.equal(ready.engine, "wamr-fast-interp");
    assert.equal(ready.memory, measured.tiny_linear_memory, "the tiny core's linear memory (outside the pool)");
    ns.adopt(dev);
    ns.ip("addr", "add", `${KERNEL_IP}/24`, "dev", dev);
    ns.ip("link", "set", dev, "up");
    const r = await ns.peer<{ received: number; shaSent: string; shaRecv: string }>("echo-client", { host: BOARD_IP, port: 7, bytes: 3 * MB }, 60_000);
    assert.equal(r.error, undefined);
    assert.equal(r.received, 3 * MB);
    assert.equal(r.shaRecv, r.shaSent);
    const end = await board.stop(10_000);
    assert.equal(end.code, 0, board.stderr);
    assert.equal(end.exit?.memory, ready.memory, "linear memory pages unchanged after the run");
  } finally {
    await board?.stop(2000);
    ns.close();
  }
});
