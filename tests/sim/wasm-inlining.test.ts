// The Node host compiles the core with V8's wasm-into-wasm inlining (host/node/wasm-source.ts
// wasmInlining): V8 11 (Node 20) has it off unless asked, and the size build's small helpers (tcbAt,
// SipHash's round…) then stay calls in V8's code. Checked with V8's own trace of its inlining
// decisions (--trace-wasm-inlining) in a child process that only loads a Core the usual way and
// drives it: decisions are traced when the host turned inlining on, none when the command line
// says --no-wasm-inlining (the opt-out it respects). Not a timing: bench/flood.ts has the rates.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT } from "../../host/node/files.ts";
import { wasmInlining } from "../../host/node/wasm-source.ts";

/** A child Node that loads the server profile's Core through #wasm-source, TurboFan only (no
 *  Liftoff tier), and calls init, rx (an ARP request) and poll; its stdout and stderr together. */
function child(flags: string[]): string {
  const core = JSON.stringify(join(ROOT, "host", "core.ts"));
  const script = `import(${core}).then(({ Core }) => {
    const c = new Core({ profile: "server" });
    if (c.init({ mac: "02:00:00:00:00:02", ip: "198.18.0.2", prefix: 24 }) !== 0) throw new Error("init");
    const arp = new Uint8Array(42); arp.fill(0xff, 0, 6); arp.set([2, 0, 0, 0, 0, 1, 8, 6, 0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 1, 198, 18, 0, 1], 6); arp.set([198, 18, 0, 2], 38);
    for (let i = 0; i < 100; i++) { c.rx(arp, i); c.poll(i); }
    console.log("driven");
  });`;
  const r = spawnSync(process.execPath, [...flags, "--no-liftoff", "--trace-wasm-inlining", "--import", "tsx", "-e", script], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 0, `the child failed: ${r.stderr}`);
  assert.match(r.stdout, /driven/);
  return r.stdout + r.stderr;
}

test("the Node host turns on V8's wasm inlining where it is off by default (V8 11), unless --no-wasm-inlining is given", () => {
  assert.equal(wasmInlining("11.3.244.8-node.33", []), true, "V8 11: set");
  assert.equal(wasmInlining("12.4.254.21-node.33", []), false, "V8 12 inlines by default: left alone");
  assert.equal(wasmInlining("11.3.244.8-node.33", ["--no-wasm-inlining"]), false, "the command line's opt-out");
  assert.equal(wasmInlining("11.3.244.8-node.33", ["--no-wasm_inlining"]), false, "in either spelling");
});

test("a Core loaded by the Node host is compiled with wasm functions inlined into their callers; none with --no-wasm-inlining", { timeout: 120_000 }, () => {
  const on = child([]);
  assert.match(on, /inlining candidates/, "V8 considered calls for inlining");
  const off = child(["--no-wasm-inlining"]);
  assert.doesNotMatch(off, /inlining candidates/, "no inlining decisions when the command line turns it off");
});
