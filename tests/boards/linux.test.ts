// boards/linux: the release module through wasm2c + the C shim on a TAP device, checked against the
// Linux kernel (in a namespace this test creates) and against a second native board over a bridge.
// Addresses 198.18.0.1 (kernel), .2 and .3 (boards), only inside the test's namespaces.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { Core, ROOT, wasmPathFor } from "../../host/core.ts";
import { ensureDebianTool, unavailable } from "../support/env.ts";
import { Board, BOARD2_IP, BOARD_BIN, BOARD_IP, KERNEL_IP, Netns, netUnavailable, rootHasLink, sha256File, tapName } from "./support.ts";

const MB = 1 << 20;
const SERVICES = ["--services", "echo,discard,chargen"];

test("boards/linux builds from the release .wasm the Node host loads (sha256 checked)", { timeout: 240_000 }, (t) => {
  for (const [cmd, pkg] of [["make", "make"], ["gcc", "gcc"], ["wasm2c", "wabt"]] as const) {
    const why = ensureDebianTool(cmd, pkg);
    if (why) return unavailable(t, why);
  }
  const r = spawnSync(process.execPath, [join(ROOT, "scripts", "build-boards.mjs")], { encoding: "utf8", timeout: 200_000 });
  assert.equal(r.status, 0, `build-boards failed:\n${r.stdout}\n${r.stderr}`);

  const core = new Core(); // what the Node host loads by default
  assert.equal(core.wasmPath, wasmPathFor());
  const hostSha = sha256File(core.wasmPath!);
  const v = spawnSync(BOARD_BIN, ["--version"], { encoding: "utf8", timeout: 10_000 });
  assert.equal(v.status, 0, v.stderr);
  const m = /wasm (\S+) sha256 ([0-9a-f]{64}) bytes (\d+)/.exec(v.stdout);
  assert.ok(m, `--version prints the module's hash: ${v.stdout}`);
  assert.equal(m[1], core.wasmPath, "the board was generated from build/petrel.wasm");
  assert.equal(m[2], hostSha, "the native board embeds the sha256 of the module the Node host loads");
  assert.equal(Number(m[3]), readFileSync(core.wasmPath!).length);
  assert.equal(sha256File(join(ROOT, "build", "linux", "petrel.wasm")), hostSha, "wasm2c translated that very file");
  const header = readFileSync(join(ROOT, "build", "linux", "petrel_core.h"), "utf8");
  assert.match(header, /import: 'petrel' 'tx'/, "the module imports petrel.tx");
  assert.doesNotMatch(header, /import: '(?!petrel')/, "and nothing outside module petrel");
});

// Bad values are refused before the TAP is opened (no root needed): exit status 2 and one line on
// stderr naming the value.
test("boards/linux: an over-long --tap, a non-numeric --seed, --gw off the subnet, a network or broadcast --ip: one line, exit 2", (t) => {
  if (!existsSync(BOARD_BIN)) return unavailable(t, `${BOARD_BIN} not built (the build test above builds it)`);
  const base = ["--tap", "t0", "--ip", "198.18.0.2/24"];
  const cases: [string[], RegExp][] = [
    [["--tap", "a-very-long-tap-name", "--ip", "198.18.0.2/24"], /--tap: an interface name has 1 to 15 characters: a-very-long-tap-name/],
    [[...base, "--seed", "abc"], /--seed must be an unsigned 64-bit integer: abc/],
    [[...base, "--seed", "12x"], /--seed must be an unsigned 64-bit integer: 12x/],
    [[...base, "--gw", "198.18.1.1"], /--gw is outside --ip's subnet .*: 198\.18\.1\.1/],
    [[...base, "--gw", "198.18.0.2"], /--gw is Petrel's own address/],
    [[...base, "--gw", "198.18.0.255"], /--gw is the network or broadcast address/],
    [["--tap", "t0", "--ip", "198.18.0.0/24"], /--ip is the network address of its subnet.*: 198\.18\.0\.0\/24/],
    [["--tap", "t0", "--ip", "198.18.0.255/24"], /--ip is the broadcast address of its subnet.*: 198\.18\.0\.255\/24/],
  ];
  for (const [args, want] of cases) {
    const r = spawnSync(BOARD_BIN, args, { encoding: "utf8", timeout: 10_000 });
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
    const lines = r.stderr.split("\n").filter(Boolean);
    assert.equal(lines.length, 1, `${args.join(" ")}: one line, got ${JSON.stringify(r.stderr)}`);
    assert.match(lines[0]!, want);
  }
});

interface Env { ns: Netns; board: Board; dev: string }

/** A board serving echo/discard/chargen at 198.18.0.2, its TAP moved into a fresh namespace where the
 *  kernel is 198.18.0.1. Torn down afterwards, also on failure; the whole case is bounded. */
function boardCase(name: string, timeoutMs: number, fn: (env: Env, t: TestContext) => Promise<void>): void {
  test(name, { timeout: timeoutMs + 20_000 }, async (t) => {
    const why = netUnavailable();
    if (why) return unavailable(t, why);
    const dev = tapName("k");
    const ns = new Netns("k");
    let board: Board | undefined;
    try {
      board = new Board(["--tap", dev, "--ip", `${BOARD_IP}/24`, ...SERVICES]);
      await board.ready();
      ns.adopt(dev);
      ns.ip("addr", "add", `${KERNEL_IP}/24`, "dev", dev);
      ns.ip("link", "set", dev, "up");
      const env = { ns, board, dev };
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        fn(env, t),
        new Promise((_, rej) => (timer = setTimeout(() => rej(new Error(`${name}: over ${timeoutMs} ms`)), timeoutMs))),
      ]).finally(() => clearTimeout(timer));
      const end = await board.stop();
      assert.equal(end.code, 0, `the board exits cleanly on SIGTERM: ${board.stderr}`);
    } finally {
      await board?.stop(2000);
      ns.close();
    }
  });
}

boardCase("the board's TAP lives on in the namespace: ready line, moved device, ping", 20_000, async ({ ns, board, dev }) => {
  const ready = await board.ready();
  assert.equal(ready.wasm_sha256, sha256File(wasmPathFor()));
  assert.deepEqual(ready.config, Object.values(new Core().config()), "the native core reports the Node core's configuration");
  assert.equal(rootHasLink(dev), false, "the TAP left the root namespace");
  const why = ensureDebianTool("ping", "iputils-ping");
  assert.equal(why, null, why ?? "");
  const ping = ns.exec(["ping", "-c", "3", "-i", "0.2", "-W", "1", BOARD_IP]);
  assert.equal(ping.code, 0, ping.stdout + ping.stderr);
  assert.match(ping.stdout, /3 received/);
});

boardCase("kernel client → board echo: 10 MB of random data, sha256 equal", 60_000, async ({ ns }) => {
  const r = await ns.peer<{ received: number; shaSent: string; shaRecv: string; ms: number }>("echo-client", { host: BOARD_IP, port: 7, bytes: 10 * MB }, 50_000);
  assert.equal(r.error, undefined);
  assert.equal(r.received, 10 * MB);
  assert.equal(r.shaRecv, r.shaSent);
});

boardCase("kernel → board discard: 100 MB", 90_000, async ({ ns, board }) => {
  const r = await ns.peer<{ hadError: boolean; ms: number }>("send", { host: BOARD_IP, port: 9, bytes: 100 * MB }, 80_000);
  assert.equal(r.error, undefined);
  assert.equal(r.hadError, false);
  const st = await board.status();
  assert.ok(st.rx_frames > (100 * MB) / 1500, `the board took ${st.rx_frames} frames`);
});

boardCase("board chargen → kernel: 1 MB of the RFC 864 pattern", 30_000, async ({ ns }) => {
  const r = await ns.peer<{ received: number; mismatch: number }>("chargen", { host: BOARD_IP, port: 19, bytes: MB });
  assert.equal(r.error, undefined);
  assert.ok(r.received >= MB);
  assert.equal(r.mismatch, -1, "every byte follows RFC 864");
});

boardCase("kernel → a closed port of the board: RST, ECONNREFUSED", 20_000, async ({ ns }) => {
  const r = await ns.peer<{ connected?: boolean }>("connect", { host: BOARD_IP, port: 4321 }, 10_000);
  assert.equal(r.error, "ECONNREFUSED");
});

boardCase("50 sequential connections to the board's echo, then every slot free again", 60_000, async ({ ns, board }) => {
  const r = await ns.peer<{ ok: number; failed: string[] }>("sequential", { host: BOARD_IP, port: 7, n: 50 }, 50_000);
  assert.equal(r.error, undefined);
  assert.deepEqual(r.failed, []);
  assert.equal(r.ok, 50);
  let st = await board.status();
  for (let i = 0; i < 20 && st.connections !== 0; i++) {
    await new Promise((res) => setTimeout(res, 100));
    st = await board.status();
  }
  assert.equal(st.connections, 0, "the kernel closed first, so the board holds no TIME-WAIT: all slots free");
});

test("--host-ip configures the kernel side (a board started inside the namespace)", { timeout: 40_000 }, async (t) => {
  const why = netUnavailable();
  if (why) return unavailable(t, why);
  const ns = new Netns("h");
  const dev = tapName("h");
  let board: Board | undefined;
  try {
    board = new Board(["--tap", dev, "--ip", `${BOARD_IP}/24`, "--host-ip", `${KERNEL_IP}/24`, "--services", "echo"], ns.name);
    await board.ready();
    const addr = ns.exec(["ip", "-4", "addr", "show", "dev", dev]);
    assert.match(addr.stdout, new RegExp(`inet ${KERNEL_IP.replace(/\./g, "\\.")}/24`));
    const r = await ns.peer<{ ok: number; failed: string[] }>("sequential", { host: BOARD_IP, port: 7, n: 5 }, 20_000);
    assert.deepEqual(r.failed, []);
    assert.equal(r.ok, 5);
    assert.equal((await board.stop()).code, 0);
  } finally {
    await board?.stop(2000);
    ns.close();
  }
});

test("native ↔ native: two boards on two TAPs bridged in one namespace (echo 10 MB, discard 100 MB, chargen 1 MB)", { timeout: 90_000 }, async (t) => {
  const why = netUnavailable();
  if (why) return unavailable(t, why);
  const ns = new Netns("n");
  const devA = tapName("a"), devB = tapName("b");
  let server: Board | undefined, client: Board | undefined;
  try {
    server = new Board(["--tap", devA, "--ip", `${BOARD_IP}/24`, ...SERVICES]);
    client = new Board(["--tap", devB, "--ip", `${BOARD2_IP}/24`, "--wait-stdin",
      "--connect", `${BOARD_IP}:7`, "--send-bytes", "10M",
      "--connect", `${BOARD_IP}:9`, "--send-bytes", "100M",
      "--connect", `${BOARD_IP}:19`, "--send-bytes", "1M"]);
    await Promise.all([server.ready(), client.ready()]);
    ns.ip("link", "add", "br0", "type", "bridge");
    ns.ip("link", "set", "br0", "up");
    for (const dev of [devA, devB]) {
      ns.adopt(dev);
      ns.ip("link", "set", dev, "master", "br0");
      ns.ip("link", "set", dev, "up");
    }
    client.proc.stdin!.write("go\n"); // the link is up: start the client jobs
    const results = await client.results(3, 70_000);
    for (const r of results) assert.ok(r.ok, `client job ${JSON.stringify(r)}`);
    assert.deepEqual(results.map((r) => [r.mode, r.received]), [["echo", 10 * MB], ["discard", 0], ["chargen", MB]]);
    assert.equal(results[1]!.sent, 100 * MB);
    const c = await client.stop(10_000);
    assert.equal(c.code, 0, `the client board exits 0 when every job passed: ${client.stderr}`);
    assert.equal((await server.stop()).code, 0);
  } finally {
    await client?.stop(2000);
    await server?.stop(2000);
    ns.close();
  }
});
