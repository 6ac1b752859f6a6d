// boards/esp32 cannot be built here (no ESP-IDF, no WAMR sources): its C files are compiled against
// the stub headers in boards/esp32/stubs/include, which carry ESP-IDF's and WAMR's declarations, with
// the host gcc (and, when installed, the rv32imc cross gcc of an ESP32-C3). Typos, wrong types and
// wrong signatures fail here; nothing is linked, flashed or run.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT, wasmPathFor } from "../../host/core.ts";
import { ensureDebianTool, unavailable } from "../support/env.ts";

const ESP32 = join(ROOT, "boards", "esp32");

test("boards/esp32: the component and the echo example compile against the ESP-IDF/WAMR stub headers", { timeout: 120_000 }, (t) => {
  for (const [cmd, pkg] of [["make", "make"], ["gcc", "gcc"]] as const) {
    const why = ensureDebianTool(cmd, pkg);
    if (why) return unavailable(t, why);
  }
  const r = spawnSync(process.execPath, [join(ROOT, "scripts", "build-boards.mjs"), "--esp32"], { encoding: "utf8", timeout: 100_000 });
  assert.equal(r.status, 0, `stub compile failed:\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /CHECK src\/petrel_port\.c/);
  assert.match(r.stdout, /CHECK examples\/echo\/main\/echo_main\.c/);
  t.diagnostic(r.stdout.trim());
});

test("boards/esp32: an ESP-IDF component declaring WAMR, with Kconfig and the module embedded", () => {
  const cmake = readFileSync(join(ESP32, "CMakeLists.txt"), "utf8");
  assert.match(cmake, /idf_component_register\(/);
  assert.match(cmake, /target_add_binary_data\(\$\{COMPONENT_LIB\} .*petrel\.wasm" BINARY\)/);
  assert.match(readFileSync(join(ESP32, "idf_component.yml"), "utf8"), /espressif\/wasm-micro-runtime:/);
  const kconfig = readFileSync(join(ESP32, "Kconfig"), "utf8");
  for (const k of ["PETREL_PROFILE_TINY", "PETREL_WAMR_POOL_SIZE", "PETREL_RX_SLOTS"]) assert.match(kconfig, new RegExp(`config ${k}\\b`));
  const port = readFileSync(join(ESP32, "src", "petrel_port.c"), "utf8");
  for (const api of ["wasm_runtime_full_init", "Alloc_With_Pool", "wasm_runtime_register_natives", "wasm_runtime_load", "wasm_runtime_instantiate",
    "wasm_runtime_lookup_function", "wasm_runtime_call_wasm", "esp_wifi_internal_reg_rxcb", "esp_wifi_internal_tx", "esp_timer_start_once"]) {
    assert.ok(port.includes(api), `the port uses ${api}`);
  }
  // every export the port looks up is an export of the module it embeds (the tiny build)
  const block = port.slice(port.indexOf("fn_names[F_COUNT] = {"), port.indexOf("};", port.indexOf("fn_names[F_COUNT] = {")));
  const wanted = [...block.matchAll(/"([a-z_]+)"/g)].map((m) => m[1]!);
  assert.ok(wanted.length >= 20, `found the port's export list (${wanted.length})`);
  const exported = new Set(WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(wasmPathFor("tiny")))).map((e) => e.name));
  for (const n of wanted) assert.ok(exported.has(n), `build/petrel-tiny.wasm exports ${n}`);
  const imports = WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(wasmPathFor("tiny"))));
  for (const i of imports) assert.ok(i.module === "petrel" && ["tx", "panic"].includes(i.name), `the port provides import ${i.module}.${i.name}`);
});
