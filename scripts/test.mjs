#!/usr/bin/env node
// `npm test`: the as-pect unit tests of the core, then every node:test suite (module checks,
// simulator, pcap/tshark, and later interop). Exits non-zero when any part fails. Under CI=true a
// test that would skip for a missing tool or privilege fails instead (tests/support/env.ts).
import { spawnSync } from "node:child_process";
import { readdirSync, existsSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: process.env }).status ?? 1;

let failed = 0;
console.log("── typecheck (tsc --noEmit: host, tests, bench) ──");
if (run(join(root, "node_modules/.bin/tsc"), ["--noEmit", "-p", "tsconfig.json"]) !== 0) failed++;
console.log("── unit tests (as-pect, tests/unit) ──");
if (run(join(root, "node_modules/.bin/asp"), ["--config", "as-pect.config.cjs"]) !== 0) failed++;

const suites = [];
for (const dir of ["tests/build", "tests/sim", "tests/pcap", "tests/interop", "tests/boards", "tests/web"]) {
  if (!existsSync(join(root, dir))) continue;
  for (const f of readdirSync(join(root, dir)).sort()) if (f.endsWith(".test.ts")) suites.push(join(dir, f));
}
// Suites that measure the stack under a load they make themselves (a full-rate SYN flood over a TAP)
// run alone afterwards: beside another suite on a 2-core machine the flood starves the real client.
const ALONE = new Set(["tests/boards/synflood.test.ts"]);
const shared = suites.filter((s) => !ALONE.has(s)), alone = suites.filter((s) => ALONE.has(s));
console.log(`── node:test (${shared.length} files, two at a time) ──`);
if (run(process.execPath, ["--import", "tsx", "--test", "--test-concurrency=2", ...shared]) !== 0) failed++;
console.log(`── node:test (${alone.length} files, alone) ──`);
if (alone.length && run(process.execPath, ["--import", "tsx", "--test", "--test-concurrency=1", ...alone]) !== 0) failed++;
process.exit(failed ? 1 : 0);
