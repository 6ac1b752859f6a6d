// The release module's contract with every host (docs/abi.md): imports only from `petrel`, exports
// `memory`, and can never grow its memory.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "../../host/node/files.ts";

const PROFILES = ["tiny", "default", "server"] as const;
const ALLOWED_IMPORTS = new Set(["tx", "panic", "trace"]);

for (const profile of PROFILES) {
  const file = join(ROOT, "build", `petrel-${profile}.wasm`);

  test(`${profile}: imports only from module petrel: tx, and panic/trace where a path can reach them`, () => {
    const mod = new WebAssembly.Module(readFileSync(file));
    const imports = WebAssembly.Module.imports(mod);
    assert.ok(imports.some((i) => i.module === "petrel" && i.name === "tx"), "petrel.tx is imported");
    for (const imp of imports) {
      assert.equal(imp.module, "petrel", `import ${imp.module}.${imp.name} is outside module petrel`);
      assert.ok(ALLOWED_IMPORTS.has(imp.name), `unexpected import petrel.${imp.name}`);
      assert.equal(imp.kind, "function");
    }
  });

  test(`${profile}: exports memory and the ABI calls`, () => {
    const mod = new WebAssembly.Module(readFileSync(file));
    const names = new Set(WebAssembly.Module.exports(mod).map((e) => e.name));
    for (const n of ["memory", "init", "rx", "poll", "rx_buffer", "io_buffer", "tcp_listen", "tcp_accept", "tcp_connect",
      "tcp_send", "tcp_recv", "tcp_shutdown", "tcp_close", "tcp_abort", "tcp_state", "tcp_error", "ev_pop", "counter"]) {
      assert.ok(names.has(n), `export ${n} missing`);
    }
  });

  test(`${profile}: contains no memory.grow and declares a fixed memory (initial = maximum)`, () => {
    const wat = execFileSync(join(ROOT, "node_modules/.bin/wasm-dis"), [file], { encoding: "utf8", maxBuffer: 64 << 20 });
    assert.ok(wat.includes("(func "), "disassembly has functions");
    assert.doesNotMatch(wat, /memory\.grow/);
    const m = wat.match(/\(memory \$\S+ (\d+) (\d+)\)/);
    assert.ok(m, "memory declares a maximum");
    assert.equal(m[1], m[2], "initial pages = maximum pages");
  });

  test(`${profile}: uses no WebAssembly feature beyond the boards' (no SIMD, threads, reference types)`, () => {
    const wat = execFileSync(join(ROOT, "node_modules/.bin/wasm-dis"), [file], { encoding: "utf8", maxBuffer: 64 << 20 });
    assert.doesNotMatch(wat, /v128|atomic|ref\.func|ref\.null|return_call|table\.grow/);
  });
}
