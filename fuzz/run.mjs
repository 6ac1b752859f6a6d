#!/usr/bin/env node
// Build the libFuzzer target (fuzz/Makefile) and run it.
//   node fuzz/run.mjs [--time S] [--profile tiny|default|server] [--raw] [-- libFuzzer args...]
//   node fuzz/run.mjs --build-only
// --time S     stop after S seconds (default 900, or $PETREL_FUZZ_TIME)
// --raw        no grammar: raw frames and clock steps only (the baseline the coverage is compared to)
// The growing corpus lives in build/fuzz/corpus/ (seeded from fuzz/corpus/ and fuzz/regressions/);
// crashes are written as build/fuzz/crash-*. At the end it prints the edges of the translated core
// covered (libFuzzer's cov: over the core's instrumented edges) and the executions.
// Installs Debian's wabt, clang and libclang-rt-14-dev (libFuzzer) when missing and we are root.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";

const ROOT = new URL("..", import.meta.url).pathname;
const argv = process.argv.slice(2);
const dash = argv.indexOf("--");
const own = dash < 0 ? argv : argv.slice(0, dash);
const extra = dash < 0 ? [] : argv.slice(dash + 1);

function fail(msg) {
  console.error(`fuzz: ${msg}`);
  process.exit(2);
}
function value(flag) {
  const i = own.indexOf(flag);
  if (i < 0) return undefined;
  if (i + 1 >= own.length) fail(`${flag} needs a value`);
  return own[i + 1];
}
for (const a of own) if (a.startsWith("--") && !["--time", "--profile", "--raw", "--build-only"].includes(a)) fail(`unknown option ${a}`);

const time = Number(value("--time") ?? process.env.PETREL_FUZZ_TIME ?? 900);
if (!Number.isInteger(time) || time <= 0) fail(`--time must be a positive whole number of seconds`);
const profile = value("--profile") ?? "default";
if (!["tiny", "default", "server"].includes(profile)) fail(`--profile must be tiny, default or server`);

const result = buildTarget(profile);
if (typeof result !== "string" || !result.startsWith("/")) fail(result);
if (own.includes("--build-only")) { console.log(result); process.exit(0); }

const out = join(ROOT, "build", "fuzz", profile === "default" ? "" : profile);
const work = join(out, own.includes("--raw") ? "corpus-raw" : "corpus");
mkdirSync(work, { recursive: true });
const seeds = own.includes("--raw") ? [] : [join(ROOT, "fuzz", "corpus"), join(ROOT, "fuzz", "regressions")];
const args = [work, ...seeds, `-max_total_time=${time}`, "-max_len=4096", "-print_final_stats=1", `-artifact_prefix=${out}/`, ...extra];
console.log(`fuzz: ${result} ${args.join(" ")}`);
const env = { ...process.env, ...(own.includes("--raw") ? { PETREL_FUZZ_GRAMMAR: "raw" } : {}) };
const child = spawn(result, args, { stdio: ["ignore", "inherit", "pipe"], env });
let edges = 0, cov = 0, execs = "";
let tail = "";
child.stderr.on("data", (d) => {
  process.stderr.write(d);
  tail = (tail + d.toString()).slice(-8192);
  const m = /Loaded 1 modules\s+\((\d+) inline 8-bit counters\)/.exec(tail);
  if (m) edges = Number(m[1]);
  for (const c of tail.matchAll(/cov: (\d+)/g)) cov = Math.max(cov, Number(c[1]));
  const e = /stat::number_of_executed_units:\s*(\d+)/.exec(tail);
  if (e) execs = e[1];
});
child.on("exit", (code, signal) => {
  if (edges) console.log(`fuzz: ${execs || "?"} executions; ${cov} of ${edges} edges of the fuzzing build (${pct(cov, edges)}, wasm2c's bounds-check branches included)`);
  const c = coverage([work, ...seeds], env);
  if (c) console.log(`fuzz: the corpus covers ${c.cov} of ${c.edges} edges of the translated core (${pct(c.cov, c.edges)}; build/fuzz/petrel-fuzz-cov, guard pages)`);
  const crashes = existsSync(out) ? readdirSync(out).filter((f) => /^(crash|leak|timeout|oom)-/.test(f)) : [];
  if (crashes.length) console.log(`fuzz: findings in ${out}: ${crashes.join(", ")}`);
  process.exit(code ?? (signal ? 1 : 0));
});

function pct(a, b) { return `${(100 * a / b).toFixed(1)} %`; }

/** Edges of the coverage build (fuzz/Makefile `coverage`) that the corpora in dirs reach, or null. */
function coverage(dirs, env) {
  const mk = spawnSync("make", ["--no-print-directory", "-s", "-f", join(ROOT, "fuzz", "Makefile"), "coverage",
    ...(profile === "default" ? [] : [`PROFILE=${profile}`])], { cwd: ROOT, encoding: "utf8", timeout: 600_000 });
  if (mk.status !== 0) { console.error(`fuzz: coverage build failed: ${mk.stderr}`); return null; }
  const r = spawnSync(join(out, "petrel-fuzz-cov"), ["-runs=0", ...dirs], { encoding: "utf8", env, timeout: 600_000 });
  const edges = Number(/Loaded 1 modules\s+\((\d+) inline 8-bit counters\)/.exec(r.stderr)?.[1]);
  const cov = Number(/INITED cov: (\d+)/.exec(r.stderr)?.[1]);
  return edges && cov ? { edges, cov } : null;
}

/** The path of the built target, or why it could not be built. */
function buildTarget(p = "default") {
  const has = (cmd) => spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const install = (pkg) => {
    if (!isRoot) return `installing ${pkg} needs root (apt-get install ${pkg})`;
    console.log(`fuzz: installing ${pkg}`);
    const r = spawnSync("sh", ["-c", `apt-get update -qq && apt-get install -y -qq --no-install-recommends ${pkg}`],
      { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" }, timeout: 600_000 });
    return r.status === 0 ? null : `apt-get install ${pkg} failed`;
  };
  for (const [cmd, pkg] of [["make", "make"], ["wasm2c", "wabt"], ["clang", "clang"]]) {
    if (!has(cmd)) { const why = install(pkg); if (why) return why; }
  }
  if (!libFuzzerPresent()) {
    const why = install("libclang-rt-14-dev");
    if (why) return why;
    if (!libFuzzerPresent()) return "libclang-rt-14-dev installed but clang finds no libFuzzer runtime";
  }
  const wasm = join(ROOT, "build", p === "default" ? "petrel.wasm" : `petrel-${p}.wasm`);
  if (!existsSync(wasm)) return `${wasm} is missing: run npm run build`;
  const r = spawnSync("make", ["--no-print-directory", "-s", "-f", join(ROOT, "fuzz", "Makefile"), ...(p === "default" ? [] : [`PROFILE=${p}`])],
    { cwd: ROOT, encoding: "utf8", timeout: 600_000 });
  if (r.status !== 0) return `make -f fuzz/Makefile failed:\n${r.stdout}${r.stderr}`;
  return join(ROOT, "build", "fuzz", p === "default" ? "" : p, "petrel-fuzz");
}

function libFuzzerPresent() {
  const r = spawnSync("clang", ["--print-runtime-dir"], { encoding: "utf8" });
  const dir = r.status === 0 ? r.stdout.trim() : "";
  return dir !== "" && existsSync(dir) && readdirSync(dir).some((f) => /^libclang_rt\.fuzzer-.*\.a$/.test(f));
}
