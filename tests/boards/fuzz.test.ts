// fuzz/: the libFuzzer target over the wasm2c build of build/petrel.wasm (Debian's clang 14, ASan,
// UBSan). Builds it (installing clang and libclang-rt-14-dev when missing), checks that each of its
// invariants fires when broken on purpose, replays the seed corpus and every regression input, and
// fuzzes for a fixed number of runs from a fixed seed. Any finding fails the test with libFuzzer's
// report. The long run is `npm run fuzz`.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test, type TestContext } from "node:test";
import { ROOT } from "../../host/node/files.ts";
import { unavailable } from "../support/env.ts";

const CORPUS = join(ROOT, "fuzz", "corpus");
const REGRESSIONS = join(ROOT, "fuzz", "regressions");
/** Runs of the short fuzzing pass (about 40 s on an idle core; at most 60 s: -max_total_time). */
const SHORT_RUNS = 150_000;

let built: string | undefined;
/** The target's path, built once per file; undefined (after unavailable()) when it cannot be. */
function target(t: TestContext): string | undefined {
  if (built) return built;
  const r = spawnSync(process.execPath, [join(ROOT, "fuzz", "run.mjs"), "--build-only"], { encoding: "utf8", timeout: 900_000 });
  const path = r.stdout.trim().split("\n").pop() ?? "";
  if (r.status !== 0 || !path.startsWith("/")) {
    const why = `${r.stdout}${r.stderr}`.trim();
    if (/needs root|apt-get install/.test(why)) { unavailable(t, why); return undefined; }
    assert.fail(`building the fuzz target failed: ${why}`);
  }
  built = path;
  return built;
}

let artifacts: string | undefined;
/** Run the target; libFuzzer's crash-* files go to a temporary folder (by default it writes them into
 *  the current directory: the repository). */
function run(bin: string, args: string[], env: Record<string, string> = {}, timeout = 120_000) {
  if (!args.some((a) => a.startsWith("-artifact_prefix="))) {
    artifacts ??= mkdtempSync(join(tmpdir(), "petrel-fuzz-artifacts-"));
    args = [`-artifact_prefix=${artifacts}/`, ...args];
  }
  // no leak checking: the harness allocates once, the core never (LeakSanitizer also needs ptrace,
  // which some containers refuse)
  const asan = `detect_leaks=0${process.env.ASAN_OPTIONS ? `:${process.env.ASAN_OPTIONS}` : ""}`;
  const r = spawnSync(bin, args, { encoding: "utf8", timeout, env: { ...process.env, ASAN_OPTIONS: asan, ...env } });
  return { status: r.status, signal: r.signal, out: `${r.stdout}${r.stderr}` };
}

after(() => { if (artifacts) rmSync(artifacts, { recursive: true, force: true }); });

test("fuzz/corpus is exactly what fuzz/corpus.mjs writes from its scenarios", () => {
  const r = spawnSync(process.execPath, [join(ROOT, "fuzz", "corpus.mjs"), "--check"], { encoding: "utf8", timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
});

test("each invariant of the harness turns a violation into a crash report", { timeout: 900_000 }, (t) => {
  const bin = target(t);
  if (!bin) return;
  const seed = join(CORPUS, "data-out.bin");
  const cases: [string, RegExp][] = [
    ["ip-checksum", /invariant broken: IPv4 header checksum/],
    ["tcp-checksum", /invariant broken: TCP checksum/],
    ["tcp-options", /invariant broken: TCP options malformed/],
    ["pages", /invariant broken: linear memory changed size after init/],
    ["conns", /invariant broken: tcp_connections\(\) outside 0\.\.MAX_CONNS/],
    ["trap", /invariant broken: \w+: Out-of-bounds access in linear memory/],
    ["window", /invariant broken: data sent beyond the peer's window/],
    ["info", /invariant broken: tcp_info\(\d+\): more in flight than the send ring/],
  ];
  for (const [what, message] of cases) {
    const r = run(bin, [seed], { PETREL_FUZZ_BREAK: what });
    assert.notEqual(r.status, 0, `PETREL_FUZZ_BREAK=${what} must crash`);
    assert.match(r.out, message, `PETREL_FUZZ_BREAK=${what}`);
    assert.match(r.out, /libFuzzer: deadly signal/, "libFuzzer sees it as a crash");
  }
  const clean = run(bin, [seed]);
  assert.equal(clean.status, 0, `the same input without breakage passes:\n${clean.out}`);
});

test("the seed corpus and every regression input replay without a finding; the seeds reach 38 % of the core's edges", { timeout: 900_000 }, (t) => {
  const bin = target(t);
  if (!bin) return;
  const regressions = readdirSync(REGRESSIONS).filter((f) => f.endsWith(".bin")).map((f) => join(REGRESSIONS, f));
  assert.ok(regressions.length > 0, "fuzz/regressions holds the reproducers of past findings");
  const replay = run(bin, regressions);
  assert.equal(replay.status, 0, `a regression input fails again:\n${replay.out}`);

  // -runs=0: load (run) the seeds once and report the coverage they reach
  const r = run(bin, ["-runs=0", CORPUS]);
  assert.equal(r.status, 0, r.out);
  const edges = Number(/Loaded 1 modules\s+\((\d+) inline 8-bit counters\)/.exec(r.out)?.[1]);
  const cov = Number(/INITED cov: (\d+)/.exec(r.out)?.[1]);
  assert.ok(edges > 1000, `the translated core is instrumented (${edges} edges)`);
  // the grammar's seeds (handshakes, data, closes, SACK, ICMP, a DHCP lease and its renewal,
  // conflicts, DNS answers...) reach deep states; a harness whose sequence tracking, frame building or
  // DHCP/DNS reply building broke would stay near the raw-frame baseline (~5 %), or near the 32 % the
  // seeds reached before the grammar started the DHCP client and the resolver (41.8 % with them).
  assert.ok(cov / edges >= 0.38, `seeds cover ${cov} of ${edges} edges`);
});

test("a short fuzzing run from the seeds (fixed seed and run count) finds nothing", { timeout: 900_000 }, (t) => {
  const bin = target(t);
  if (!bin) return;
  const work = mkdtempSync(join(tmpdir(), "petrel-fuzz-"));
  try {
    const r = run(bin, [work, CORPUS, REGRESSIONS, `-runs=${SHORT_RUNS}`, "-seed=1", "-max_len=4096", "-max_total_time=60",
      "-timeout=10", "-rss_limit_mb=2048", `-artifact_prefix=${work}/`], {}, 300_000);
    const findings = readdirSync(work).filter((f) => /^(crash|leak|timeout|oom)-/.test(f));
    assert.deepEqual(findings, [], `libFuzzer found:\n${r.out.slice(-6000)}`);
    assert.equal(r.status, 0, r.out.slice(-6000));
    assert.match(r.out, /Done \d+ runs/);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
