// Petrel's DNS stub resolver against a real server: Debian's dnsmasq inside the test's namespace,
// on the kernel side of the TAP (198.18.0.1), answering only from the records given here. The Node
// host and the `petrel` CLI resolve a name (and a CNAME) through Petrel's resolver — never the
// operating system's — connect by name to a kernel-side echo server and get their bytes back
// exactly; an unknown name of the local domain is NXDOMAIN: ENOTFOUND, and exit status 1 with one line.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT } from "../../host/node/files.ts";
import { ip } from "../../host/node/tap.ts";
import { Dnsmasq, dnsmasqUnavailable } from "../support/dnsmasq.ts";
import { unavailable } from "../support/env.ts";
import { echoByName, interopTest } from "../support/interop.ts";
import { KERNEL_IP, hookExit, interopUnavailable, liveNamespaces, runPeer } from "../support/netns.ts";

const BIN = join(ROOT, "bin", "petrel.js");
const NAME = "echo.petrel.test";
const ALIAS = "www.petrel.test";
const records = { hosts: { [NAME]: KERNEL_IP }, cnames: { [ALIAS]: NAME }, extra: ["--local-ttl=60"] };

interopTest("DNS (RFC 1035) against dnsmasq: the Node host resolves a name and a CNAME, connects by name and echoes byte-exact; NXDOMAIN is ENOTFOUND", { timeoutMs: 45_000 }, async (env, t) => {
  const why = dnsmasqUnavailable();
  if (why) return unavailable(t, why);
  const dns = await Dnsmasq.start({ ns: env.ns, listen: KERNEL_IP, ...records });
  try {
    env.petrel.setDnsServers([KERNEL_IP]);
    assert.deepEqual((await env.petrel.resolve(NAME)).addresses, [KERNEL_IP]);
    const alias = await env.petrel.resolve(ALIAS);
    assert.deepEqual(alias.addresses, [KERNEL_IP]);
    assert.ok(alias.ttl > 0);
    await assert.rejects(env.petrel.resolve("nope.petrel.test"), (e: Error & { code?: string }) => e.code === "ENOTFOUND" && /no such name \(NXDOMAIN\)/.test(e.message));
    assert.match(dns.log, /query\[A\] echo\.petrel\.test from 198\.18\.0\.2/, "the query came from Petrel's address");

    await echoByName(env, env.petrel, NAME, 200_000);
    const c = env.petrel.stack.counters();
    assert.equal(c.DROP_DNS_SOURCE + c.DROP_DNS_ID + c.DROP_DNS_MALFORMED, 0);
    assert.equal(c.DNS_CACHE_HITS, 1, "connect by name found the name in the cache");
  } finally {
    await dns.stop();
  }
});

interopTest("DNS over TCP (RFC 1035 4.2.2, RFC 7766) against dnsmasq: 40 A records do not fit 512 bytes, dnsmasq truncates, Petrel asks again over its own TCP", { timeoutMs: 45_000 }, async (env, t) => {
  const why = dnsmasqUnavailable();
  if (why) return unavailable(t, why);
  const dir = mkdtempSync(join(tmpdir(), "petrel-dnstcp-"));
  const many = Array.from({ length: 40 }, (_, i) => `198.18.1.${i + 1}`);
  writeFileSync(join(dir, "hosts"), many.map((a) => `${a} many.petrel.test\n`).join(""));
  const dns = await Dnsmasq.start({ ns: env.ns, listen: KERNEL_IP, extra: [`--addn-hosts=${join(dir, "hosts")}`, "--local-ttl=60"] });
  try {
    env.petrel.setDnsServers([KERNEL_IP]);
    const a = await env.petrel.resolve("many.petrel.test");
    assert.equal(a.addresses.length, 4);                                // DNS_ADDRS of the 40
    for (const x of a.addresses) assert.ok(many.includes(x), x);
    const c = env.petrel.stack.counters();
    assert.deepEqual([c.DNS_TCP_QUERIES, c.DNS_QUERIES_TX, c.DNS_REPLIES, c.DROP_DNS_OVERSIZE], [1, 2, 2, 0]);
    assert.equal(dns.log.match(/query\[A\] many\.petrel\.test from 198\.18\.0\.2/g)?.length, 2, "asked twice: UDP, then TCP");
    assert.equal(env.petrel.stack.core.connections() <= 1, true, "at most the closed connection's TIME-WAIT");
  } finally {
    await dns.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("petrel resolve and petrel connect NAME PORT against dnsmasq in a namespace; NXDOMAIN: exit 1, one line", { timeout: 90_000 }, async (t) => {
  const why = interopUnavailable() ?? dnsmasqUnavailable();
  if (why) return unavailable(t, why);
  hookExit();
  const ns = `petrel-dns-${process.pid}`;
  ip("netns", "add", ns);
  liveNamespaces.add(ns);
  let dns: Dnsmasq | null = null;
  try {
    // the TAP exists before the CLI opens it, so that dnsmasq can bind the kernel side's address
    ip("-n", ns, "tuntap", "add", "petrel0", "mode", "tap");
    ip("-n", ns, "addr", "add", `${KERNEL_IP}/24`, "dev", "petrel0");
    ip("-n", ns, "link", "set", "lo", "up");
    ip("-n", ns, "link", "set", "petrel0", "up");
    dns = await Dnsmasq.start({ ns, listen: KERNEL_IP, ...records });
    const cli = (args: string[], input?: Buffer) => new Promise<{ code: number | null; stdout: Buffer; stderr: string }>((resolve) => {
      const p = spawn("ip", ["netns", "exec", ns, process.execPath, BIN, ...args, "--tap", "petrel0", "--ip", "198.18.0.2/24", "--dns", KERNEL_IP, "--profile", "default"], { stdio: ["pipe", "pipe", "pipe"] });
      const out: Buffer[] = [];
      let stderr = "";
      p.stdout.on("data", (d: Buffer) => out.push(d));
      p.stderr.on("data", (d) => (stderr += d));
      const k = setTimeout(() => p.kill("SIGKILL"), 30_000);
      p.on("close", (code) => (clearTimeout(k), resolve({ code, stdout: Buffer.concat(out), stderr })));
      p.stdin.end(input ?? Buffer.alloc(0));
    });
    const ok = await cli(["resolve", NAME]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout.toString(), `${KERNEL_IP}\n`);
    const alias = await cli(["resolve", ALIAS]);
    assert.equal(alias.stdout.toString(), `${KERNEL_IP}\n`, alias.stderr);
    const nx = await cli(["resolve", "nope.petrel.test"]);
    assert.equal(nx.code, 1);
    assert.equal(nx.stdout.length, 0);
    assert.equal(nx.stderr, "petrel resolve: resolve nope.petrel.test: no such name (NXDOMAIN) (ENOTFOUND)\n");

    const peer = runPeer<{ connections: number }>(ns, "echo-server", { host: KERNEL_IP, port: 7053 });
    await peer.listening;
    const data = randomBytes(50_000);
    const echo = await cli(["connect", NAME, "7053"], data);
    assert.equal(echo.code, 0, echo.stderr);
    assert.ok(echo.stdout.equals(data), `petrel connect echoed ${echo.stdout.length} of ${data.length} bytes exactly`);
    peer.send("done");
    assert.equal((await peer.result).connections, 1);
  } finally {
    await dns?.stop();
    spawnSync("ip", ["netns", "del", ns], { stdio: "ignore", timeout: 10_000 });
    liveNamespaces.delete(ns);
  }
});
