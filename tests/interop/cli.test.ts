// The `petrel` command: --help and argument errors anywhere; `petrel serve` in a namespace of the
// test's own (the TAP is created there by the CLI, --host-ip configures the kernel side), reached
// by the kernel's HTTP and TCP clients, and stopped with Ctrl-C (SIGINT): graceful, pcap flushed,
// device gone.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT } from "../../host/node/files.ts";
import { ip } from "../../host/node/tap.ts";
import { ensureDebianTool, unavailable } from "../support/env.ts";
import { hookExit, interopUnavailable, liveNamespaces, runPeer } from "../support/netns.ts";
import { tsharkProblems } from "../support/tshark.ts";
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";

const BIN = join(ROOT, "bin", "petrel.js");
const petrel = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 30_000 });

test("petrel --help, serve --help, connect --help; usage errors exit 2, bad addresses are named", () => {
  const top = petrel("--help");
  assert.equal(top.status, 0);
  assert.match(top.stdout, /petrel serve +--tap NAME --ip ADDR\/PREFIX/);
  for (const cmd of ["serve", "connect"]) {
    const r = petrel(cmd, "--help");
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`usage: petrel ${cmd}`));
  }
  const unknown = petrel("serve", "--bogus");
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /Unknown option '--bogus'/);
  const missing = petrel("serve", "--tap", "x");
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /--ip ADDR\/PREFIX is required/);
  const bad = petrel("serve", "--tap", "x", "--ip", "198.18.0.300/24");
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /bad address "198\.18\.0\.300\/24"/);
  const svc = petrel("serve", "--tap", "x", "--ip", "198.18.0.2/24", "--services", "echo,gopher");
  assert.equal(svc.status, 2);
  assert.match(svc.stderr, /unknown service gopher/);
});

// Bad values are refused before anything is opened (no TAP, no root needed): exit status 2 and
// exactly one line on stderr naming the problem, never a stack trace, and no directory created.
test("petrel serve/connect/qemu/sim: every bad value is one stderr line and exit status 2", () => {
  const dir = mkdtempSync(join(tmpdir(), "petrel-cli-args-"));
  try {
    const base = ["--tap", "x", "--ip", "198.18.0.2/24"];
    const missingDir = join(dir, "not", "there");
    const cases: [string[], RegExp][] = [
      [["serve", ...base, "--gw", "198.18.1.1"], /--gw 198\.18\.1\.1 is outside 198\.18\.0\.2\/24/],
      [["serve", ...base, "--gw", "198.18.0.2"], /--gw 198\.18\.0\.2 is Petrel's own address/],
      [["serve", ...base, "--gw", "198.18.0.255"], /broadcast address/],
      [["serve", ...base, "--gw", "gateway"], /--gw: bad address "gateway"/],
      [["serve", ...base, "--pcap", dir], /--pcap .* is a directory/],
      [["serve", ...base, "--pcap", join(missingDir, "a.pcap")], /directory .* does not exist \(it is not created\)/],
      [["serve", "--tap", "x", "--ip", "198.18.0.0/24"], /198\.18\.0\.0 is the network address of 198\.18\.0\.0\/24/],
      [["serve", "--tap", "x", "--ip", "198.18.0.255/24"], /198\.18\.0\.255 is the broadcast address/],
      [["serve", "--tap", "x", "--ip", "198.18.0.2/24", "--host-ip", "198.18.0.0/24"], /--host-ip: 198\.18\.0\.0 is the network address/],
      [["serve", ...base, "--loss", "0.1", "--seed", "abc"], /--seed must be an integer 0\.\.4294967295, got "abc"/],
      [["serve", ...base, "--loss", "lots"], /--loss must be a probability/],
      [["serve", ...base, "--services", ""], /--services needs at least one of echo, discard, chargen, http/],
      [["serve", ...base, "--services", ","], /--services needs at least one/],
      [["serve", ...base, "--services", "constructor"], /unknown service constructor/],
      [["serve", "--tap", "a-very-long-tap-name", "--ip", "198.18.0.2/24"], /--tap: bad interface name "a-very-long-tap-name"/],
      [["connect", ...base, "--timeout", "soon", "198.18.0.1", "7"], /--timeout must be a positive number of milliseconds, got "soon"/],
      [["connect", ...base, "--timeout", "0", "198.18.0.1", "7"], /--timeout must be a positive number/],
      [["connect", ...base, "198.18.0.1", "7x"], /PORT must be an integer 1\.\.65535, got "7x"/],
      [["qemu", "--firmware", "wasm2c", "--tap", "x", "--ip", "198.18.0.255/24"], /--ip: 198\.18\.0\.255 is the broadcast address/],
      [["qemu", "--firmware", "wasm2c", "--tap", "x", "--ip", "198.18.0.2"], /--ip: bad address "198\.18\.0\.2": expected an IPv4 address with a prefix length/],
      [["qemu", "--firmware", "wasm2c", "--tap", "x", "--ip", "198.18.0.2/24", "--gw", "198.18.1.1"], /--gw 198\.18\.1\.1 is outside 198\.18\.0\.2\/24/],
      [["sim", "transfer", "--bytes", "10G"], /--bytes 10G is more than this tool can do: at most 256M/],
      [["sim", "transfer", "--seed", "x"], /--seed must be an integer/],
      [["sim", "transfer", "--timeout", "never"], /--timeout must be a positive number/],
      [["sim", "transfer", "--pcap", dir], /--pcap .* is a directory/],
      [["sim", "transfer", "--plot", join(missingDir, "p.svg")], /does not exist \(it is not created\)/],
    ];
    for (const [args, want] of cases) {
      const r = petrel(...args);
      const what = args.join(" ");
      assert.equal(r.status, 2, `${what}: ${r.stderr}`);
      const lines = r.stderr.split("\n").filter(Boolean);
      assert.equal(lines.length, 1, `${what}: one line, got ${JSON.stringify(r.stderr)}`);
      assert.match(lines[0]!, want, what);
      assert.doesNotMatch(r.stderr, /^\s+at /m, `${what}: no stack trace`);
      assert.equal(r.stdout, "", what);
    }
    assert.equal(existsSync(join(dir, "not")), false, "no directory was created for an output file");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("petrel serve in a namespace: HTTP status page and echo from the kernel, Ctrl-C stops it cleanly", { timeout: 90_000 }, async (t) => {
  const why = interopUnavailable() ?? ensureDebianTool("tshark", "tshark");
  if (why) return unavailable(t, why);
  hookExit();
  const ns = `petrel-cli-${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), "petrel-cli-"));
  const pcap = join(dir, "serve.pcap");
  ip("netns", "add", ns);
  liveNamespaces.add(ns);
  const proc = spawn("ip", ["netns", "exec", ns, process.execPath, BIN, "serve", "--tap", "petrel0", "--ip", "198.18.0.2/24", "--host-ip", "198.18.0.1/24", "--pcap", pcap, "--profile", "default"], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  proc.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((r) => proc.on("close", (code) => r(code)));
  try {
    const t0 = Date.now();
    while (!stderr.includes("Ctrl-C to stop") && Date.now() - t0 < 20_000 && proc.exitCode === null) await new Promise((r) => setTimeout(r, 50));
    assert.match(stderr, /petrel 198\.18\.0\.2\/24 on petrel0 \(created\).*echo\/7 discard\/9 chargen\/19 http\/80/);
    const page = await runPeer<{ status: number; body: string }>(ns, "http-get", { url: "http://198.18.0.2/" }).result;
    assert.equal(page.status, 200);
    assert.match(page.body, /ESTABLISHED/);
    const echo = await runPeer<{ ok: number; failed: string[] }>(ns, "connect-many", { host: "198.18.0.2", port: 7, n: 5, concurrency: 5 }).result;
    assert.equal(echo.ok, 5);
    // churn (issue 14): with the default profile's 16 slots, 200 connections each closed as soon as
    // it is up, the next opened at once: none waits for a slot (no SYN dropped for a full table)
    const churn = await runPeer<{ ok: number; failed: string[] }>(ns, "connect-close", { host: "198.18.0.2", port: 9, n: 200 }).result;
    assert.deepEqual(churn.failed, []);
    assert.equal(churn.ok, 200);
    const json = await runPeer<{ status: number; body: string }>(ns, "http-get", { url: "http://198.18.0.2/status.json" }).result;
    const counters = (JSON.parse(json.body) as { counters: Record<string, number> }).counters;
    assert.equal(counters.DROP_TCP_TABLE_FULL, 0);
    assert.equal(counters.TCP_PASSIVE_OPENS, 5 + 200 + 2, "every connection opened at its first SYN");
    proc.kill("SIGINT");
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r("timeout"), 10_000))]);
    assert.equal(code, 0, stderr);
    assert.match(stderr, /capture written/);
    const links = spawnSync("ip", ["-n", ns, "link", "show", "petrel0"], { encoding: "utf8" });
    assert.notEqual(links.status, 0, "the TAP device the CLI created is gone");
    assert.ok(existsSync(pcap));
    const { frames, flagged } = tsharkProblems(pcap, { kernelFfffFrom: "198.18.0.1" });
    assert.ok(frames > 20);
    assert.deepEqual(flagged, []);
  } finally {
    if (proc.exitCode === null) proc.kill("SIGKILL");
    spawnSync("ip", ["netns", "del", ns], { stdio: "ignore" });
    liveNamespaces.delete(ns);
    rmSync(dir, { recursive: true, force: true });
  }
});
