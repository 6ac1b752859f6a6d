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
import { KERNEL_IP, hookExit, interopUnavailable, liveNamespaces, runPeer } from "../support/netns.ts";
import { Dnsmasq, dhcpServerArgs, dnsmasqUnavailable, waitForLog } from "../support/dnsmasq.ts";
import { tsharkProblems } from "../support/tshark.ts";
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";

const BIN = join(ROOT, "bin", "petrel.js");
const petrel = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 30_000 });

test("petrel --help, serve --help, connect --help; usage errors exit 2, bad addresses are named", () => {
  const top = petrel("--help");
  assert.equal(top.status, 0);
  assert.match(top.stdout, /petrel serve +--tap NAME --ip ADDR\/PREFIX/);
  for (const cmd of ["serve", "connect", "resolve"]) {
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
      [["serve", "--tap", "x", "--dhcp", "--ip", "198.18.0.2/24"], /--dhcp and --ip exclude each other/],
      [["serve", "--tap", "x", "--dhcp", "--gw", "198.18.0.1"], /--dhcp and --gw exclude each other/],
      [["serve", "--tap", "x"], /--ip ADDR\/PREFIX is required .*, or --dhcp/],
      [["serve", ...base, "--dhcp-delay", "0"], /--dhcp-delay goes with --dhcp/],
      [["serve", "--tap", "x", "--dhcp", "--dhcp-delay", "70000"], /--dhcp-delay must be an integer 0\.\.60000, got "70000"/],
      [["resolve", ...base, "echo.petrel.test"], /--dns ADDR is required \(or --dhcp/],
      [["resolve", ...base, "--dns", "198.18.0.1", "--dhcp-timeout", "5000", "echo.petrel.test"], /--dhcp-timeout goes with --dhcp/],
      [["resolve", "--tap", "x", "--dhcp", "--dhcp-timeout", "soon", "echo.petrel.test"], /--dhcp-timeout must be a positive number of milliseconds/],
      [["connect", ...base, "echo.petrel.test", "7"], /HOST echo\.petrel\.test is a name: give a DNS server with --dns ADDR \(or use --dhcp\)/],
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

// `--dhcp`: dnsmasq in the namespace (on the TAP's kernel side, which exists before the CLI opens it
// so that dnsmasq can bind its address) is the DHCP and the DNS server, with T1 = 8 s. Without a
// server `petrel resolve --dhcp` gives up after --dhcp-timeout (exit 1, one line); then `petrel
// serve --dhcp` prints its ready line with the lease, shows it on its status page, prints a line
// when it renews; `petrel resolve --dhcp NAME` asks the DNS server of its own lease, and `petrel
// connect --dhcp NAME PORT` reaches a kernel-side echo server by name.
test("petrel serve --dhcp: the ready line, the status page and a renewal line show the lease; petrel resolve --dhcp NAME uses the lease's DNS server, petrel connect --dhcp NAME PORT echoes", { timeout: 120_000 }, async (t) => {
  const why = interopUnavailable() ?? dnsmasqUnavailable();
  if (why) return unavailable(t, why);
  hookExit();
  const ns = `petrel-clid-${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), "petrel-cli-dhcp-"));
  ip("netns", "add", ns);
  liveNamespaces.add(ns);
  let dns: Dnsmasq | null = null;
  let proc: ReturnType<typeof spawn> | null = null;
  const cli = (args: string[], input = "") => new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const p = spawn("ip", ["netns", "exec", ns, process.execPath, BIN, ...args, "--tap", "petrel0", "--dhcp", "--dhcp-delay", "0", "--profile", "default"], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    const k = setTimeout(() => p.kill("SIGKILL"), 40_000);
    p.on("close", (code) => (clearTimeout(k), resolve({ code, stdout, stderr })));
    p.stdin.end(input);
  });
  try {
    ip("-n", ns, "tuntap", "add", "petrel0", "mode", "tap");
    ip("-n", ns, "addr", "add", `${KERNEL_IP}/24`, "dev", "petrel0");
    ip("-n", ns, "link", "set", "lo", "up");
    ip("-n", ns, "link", "set", "petrel0", "up");
    const none = await cli(["resolve", "echo.petrel.test", "--dhcp-timeout", "2000"]);
    assert.equal(none.code, 1);
    assert.equal(none.stdout, "");
    assert.equal(none.stderr, "petrel resolve: no DHCP lease on petrel0 within 2000 ms (no server answered) (ETIMEDOUT)\n");

    dns = await Dnsmasq.start({ ns, listen: KERNEL_IP, hosts: { "echo.petrel.test": "198.18.0.77", "www.petrel.test": KERNEL_IP }, extra: dhcpServerArgs({ dev: "petrel0", dir, router: KERNEL_IP, leaseS: 120, t1S: 8, t2S: 100 }) });
    proc = spawn("ip", ["netns", "exec", ns, process.execPath, BIN, "serve", "--tap", "petrel0", "--dhcp", "--dhcp-delay", "0", "--services", "echo,http", "--profile", "default"], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    proc.stderr!.on("data", (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => proc!.on("close", (code) => r(code)));
    const waitFor = async (re: RegExp, ms: number): Promise<RegExpMatchArray> => {
      const t0 = Date.now();
      while (!re.test(stderr) && Date.now() - t0 < ms && proc!.exitCode === null) await new Promise((r) => setTimeout(r, 50));
      const m = re.exec(stderr);
      assert.ok(m, `no ${re} in petrel serve's output within ${ms} ms: ${stderr}`);
      return m;
    };
    await waitFor(/^petrel: on petrel0, mac [0-9a-f:]+: waiting for a DHCP lease…$/m, 10_000);
    const ready = await waitFor(/^petrel (198\.18\.0\.\d+)\/24 on petrel0, mac [0-9a-f:]+: echo\/7 http\/80; by DHCP from 198\.18\.0\.1: gateway 198\.18\.0\.1, dns 198\.18\.0\.1, lease 120 s \(T1 in \d s, T2 in \d+ s\)\. Ctrl-C to stop\.$/m, 30_000);
    const leased = ready[1]!;
    const page = await runPeer<{ status: number; body: string }>(ns, "http-get", { url: `http://${leased}/` }).result;
    assert.equal(page.status, 200);
    const esc = leased.replace(/\./g, "\\.");
    assert.match(page.body, new RegExp(`^petrel ${esc}/24 mac `));
    assert.match(page.body, /^dhcp: BOUND \(server 198\.18\.0\.1\)\n  address   198\.18\.0\.\d+\/24\n  gateway   198\.18\.0\.1\n  dns       198\.18\.0\.1\n  lease     120 s, expires in \d+ s\n  T1        in \d s\n  T2        in \d+ s$/m);
    const json = await runPeer<{ status: number; body: string }>(ns, "http-get", { url: `http://${leased}/status.json` }).result;
    const lease = (JSON.parse(json.body) as { dhcp: Record<string, unknown> }).dhcp;
    assert.deepEqual([lease.state, lease.address, lease.prefix, lease.gateway, lease.dns, lease.leaseSeconds], ["BOUND", leased, 24, KERNEL_IP, [KERNEL_IP], 120]);
    // T1 = 8 s: the renewal (RFC 2131 4.4.5), seen in petrel's lines and as a second ACK in dnsmasq's log
    await waitFor(new RegExp(String.raw`^petrel: renewing the lease of ${esc} with 198\.18\.0\.1 \(T1\)$`, "m"), 15_000);
    await waitFor(new RegExp(String.raw`^petrel: lease renewed: ${esc}/24 from 198\.18\.0\.1: .*lease 120 s`, "m"), 10_000);
    await waitForLog(dns, new RegExp(String.raw`DHCPACK\(petrel0\) ${esc}`), 5000, 2);
    proc.kill("SIGINT");
    assert.equal(await Promise.race([exited, new Promise((r) => setTimeout(() => r("timeout"), 10_000))]), 0, stderr);

    const r = await cli(["resolve", "echo.petrel.test"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "198.18.0.77\n");
    assert.match(dns.log, /query\[A\] echo\.petrel\.test from 198\.18\.0\.\d+/, "the query went to the lease's DNS server");
    // petrel connect --dhcp NAME PORT: the lease, the name by its DNS server, the echo byte-exact
    const peer = runPeer<{ connections: number }>(ns, "echo-server", { host: KERNEL_IP, port: 7053 });
    await peer.listening;
    const text = "nc over Petrel, by DHCP and by name\n".repeat(500);
    const c = await cli(["connect", "www.petrel.test", "7053"], text);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(c.stdout, text);
    peer.send("done");
    assert.equal((await peer.result).connections, 1);
  } finally {
    if (proc && proc.exitCode === null) proc.kill("SIGKILL");
    await dns?.stop();
    spawnSync("ip", ["netns", "del", ns], { stdio: "ignore", timeout: 10_000 });
    liveNamespaces.delete(ns);
    rmSync(dir, { recursive: true, force: true });
  }
});
