// boards/linux: the release module on a TAP device with both engines of boards/common/core.h —
// wasm2c (native code, build/linux/petrel-linux) and WAMR (the .wasm loaded at run time and
// interpreted, build/linux/petrel-linux-wamr, as on an ESP32) — checked against the Linux kernel (in a
// namespace this test creates) with one interop table for both engines, and against a second native
// board over a bridge. Addresses 198.18.0.1 (kernel), .2 and .3 (boards), only inside the test's namespaces.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import binaryen from "binaryen";
import { ABI } from "../../host/abi.ts";
import { Core } from "../../host/core.ts";
import { ROOT, wasmPathFor } from "../../host/node/files.ts";
import { ensureDebianTool, unavailable } from "../support/env.ts";
import { Board, BOARD2_IP, BOARD_BIN, BOARD_IP, ENGINES, type Engine, KERNEL_IP, Netns, netUnavailable, rootHasLink, SERVER_BOARD_BIN, sha256File, tapName, WAMR_BIN } from "./support.ts";

const MB = 1 << 20;
const SERVICES = ["--services", "echo,discard,chargen"];

test("boards/linux builds both engines from the release .wasm the Node host loads (sha256 checked)", { timeout: 400_000 }, (t) => {
  for (const [cmd, pkg] of [["make", "make"], ["gcc", "gcc"], ["wasm2c", "wabt"], ["cmake", "cmake"]] as const) {
    const why = ensureDebianTool(cmd, pkg);
    if (why) return unavailable(t, why);
  }
  const r = spawnSync(process.execPath, [join(ROOT, "scripts", "build-boards.mjs")], { encoding: "utf8", timeout: 360_000 });
  assert.equal(r.status, 0, `build-boards failed:\n${r.stdout}\n${r.stderr}`);
  // the server profile's wasm2c board too (the bulk cases below; the WAMR board loads that profile's .wasm)
  const s = spawnSync("make", ["-s", "-f", join(ROOT, "boards", "linux", "Makefile"), "PROFILE=server", SERVER_BOARD_BIN], { cwd: ROOT, encoding: "utf8", timeout: 200_000 });
  assert.equal(s.status, 0, `the server-profile board failed to build:\n${s.stdout}\n${s.stderr}`);

  const hostWasm = wasmPathFor(); // what the Node host loads by default (host/node/wasm-source.ts)
  const hostSha = sha256File(hostWasm);
  for (const [engine, bin] of Object.entries(ENGINES)) {
    const v = spawnSync(bin, ["--version"], { encoding: "utf8", timeout: 10_000 });
    assert.equal(v.status, 0, v.stderr);
    const m = /engine (\S+) wasm (\S+) sha256 ([0-9a-f]{64}) bytes (\d+)/.exec(v.stdout);
    assert.ok(m, `--version prints the engine and the module's hash: ${v.stdout}`);
    assert.equal(m[1], engine === "wamr" ? "wamr-fast-interp" : "wasm2c");
    assert.equal(m[2], hostWasm, `${engine}: the board was built for build/petrel.wasm`);
    assert.equal(m[3], hostSha, `${engine}: the board runs the module the Node host loads`);
    assert.equal(Number(m[4]), readFileSync(hostWasm).length);
  }
  assert.equal(sha256File(join(ROOT, "build", "linux", "petrel.wasm")), hostSha, "wasm2c translated that very file");
  const header = readFileSync(join(ROOT, "build", "linux", "petrel_core.h"), "utf8");
  assert.match(header, /import: 'petrel' 'tx'/, "the module imports petrel.tx");
  assert.doesNotMatch(header, /import: '(?!petrel')/, "and nothing outside module petrel");
});

// Bad values are refused before the TAP is opened (no root needed): exit status 2 and one line on
// stderr naming the value.
for (const [engine, bin] of [["wasm2c", BOARD_BIN], ["wamr", WAMR_BIN]] as const) test(`boards/linux (${engine}): an over-long --tap, a non-numeric --seed, --gw off the subnet, a network or broadcast --ip, --dhcp with --ip, a --connect name without a DNS server, a bad name or --dns list: one line, exit 2`, (t) => {
  if (!existsSync(bin)) return unavailable(t, `${bin} not built (the build test above builds it)`);
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
    [[...base, "--dhcp"], /--ip and --dhcp exclude each other/],
    [[...base, "--dhcp-delay", "0"], /--dhcp-delay goes with --dhcp/],
    [["--tap", "t0", "--dhcp", "--dhcp-delay", "soon"], /--dhcp-delay must be 0\.\.60000 ms: soon/],
    [[...base, "--connect", "echo.petrel.test:7"], /--connect names a host: give a DNS server with --dns ADDR, or use --dhcp/],
    [[...base, "--dns", "198.18.0.1", "--connect", "bad*name:7"], /--connect: HOST is neither an IPv4 address nor a host name .*: bad\*name:7/],
    [[...base, "--dns", "198.18.0.1,dns"], /--dns takes at most 3 IPv4 addresses separated by commas: 198\.18\.0\.1,dns/],
    [[...base, "--dns", "198.18.0.1,198.18.0.3,198.18.0.4,198.18.0.5"], /--dns takes at most 3 IPv4 addresses/],
    [[...base, "--tso", "maybe"], /--tso takes on or off: maybe/],
  ];
  for (const [args, want] of cases) {
    const r = spawnSync(bin, args, { encoding: "utf8", timeout: 10_000 });
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
    const lines = r.stderr.split("\n").filter(Boolean);
    assert.equal(lines.length, 1, `${args.join(" ")}: one line, got ${JSON.stringify(r.stderr)}`);
    assert.match(lines[0]!, want);
  }
});

test("petrel-linux-wamr --wasm: the ready line's sha256 is the loaded file's; wasm2c refuses --wasm", (t) => {
  if (!existsSync(WAMR_BIN)) return unavailable(t, `${WAMR_BIN} is missing (the build case failed)`);
  const tiny = wasmPathFor("tiny");
  const v = spawnSync(WAMR_BIN, ["--wasm", tiny, "--version"], { encoding: "utf8", timeout: 10_000 });
  assert.equal(v.status, 0, v.stderr);
  assert.match(v.stdout, new RegExp(`wasm ${tiny} sha256 ${sha256File(tiny)} bytes ${readFileSync(tiny).length}\n`));
  assert.notEqual(sha256File(tiny), sha256File(wasmPathFor()), "a different module, a different hash");
  const w = spawnSync(BOARD_BIN, ["--wasm", tiny, "--version"], { encoding: "utf8", timeout: 10_000 });
  assert.equal(w.status, 2);
  assert.match(w.stderr, /^petrel-linux: --wasm is for petrel-linux-wamr/);
  const missing = spawnSync(WAMR_BIN, ["--wasm", "/nonexistent/petrel.wasm", "--version"], { encoding: "utf8", timeout: 10_000 });
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /^petrel-linux-wamr: cannot open the module: \/nonexistent\/petrel\.wasm\n/);
});

test("petrel-linux-wamr: a corrupted module fails to load with WAMR's text, exit 1", (t) => {
  if (!existsSync(WAMR_BIN)) return unavailable(t, `${WAMR_BIN} is missing (the build case failed)`);
  const dir = mkdtempSync(join(tmpdir(), "petrel-wamr-"));
  try {
    const good = readFileSync(wasmPathFor());
    const cases: [string, Buffer, RegExp][] = [
      ["truncated", good.subarray(0, 1000), /^petrel-linux-wamr: wasm_runtime_load: WASM module load failed: unexpected end/],
      ["bad magic", Buffer.concat([Buffer.from("\0asn"), good.subarray(4)]), /^petrel-linux-wamr: wasm_runtime_load: WASM module load failed: magic header not detected/],
    ];
    for (const [name, bytes, want] of cases) {
      const f = join(dir, `${name.replace(" ", "-")}.wasm`);
      writeFileSync(f, bytes);
      const r = spawnSync(WAMR_BIN, ["--wasm", f, "--version"], { encoding: "utf8", timeout: 10_000 });
      assert.equal(r.status, 1, `${name}: ${r.stderr}`);
      assert.match(r.stderr, want, name);
      assert.equal(r.stderr.trim().split("\n").length, 1, `${name}: one line, no trace`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// A frame the kernel refuses (here: the TAP is down, write(2) fails with EIO) is a lost frame: counted
// in tx_errors, not in tx_frames, and the board goes on (a client job's ARP requests are the frames).
for (const [engine, bin] of Object.entries(ENGINES)) test(`[${engine}] frames the kernel refuses (the TAP down) are counted in tx_errors, and the board runs on`, { timeout: 30_000 }, async (t) => {
  const why = netUnavailable(bin);
  if (why) return unavailable(t, why);
  const ns = new Netns("d");
  let board: Board | undefined;
  try {
    board = new Board(["--tap", tapName("d"), "--ip", `${BOARD_IP}/24`, "--services", "echo", "--connect", `${KERNEL_IP}:9`], ns.name, bin);
    await board.ready();
    let st = await board.status();
    for (let i = 0; i < 40 && st.tx_errors < 1; i++) {
      await new Promise((res) => setTimeout(res, 100));
      st = await board.status();
    }
    assert.ok(st.tx_errors >= 1, `the ARP requests written into the TAP that is down were counted as lost: ${JSON.stringify(st)}`);
    assert.equal(st.tx_frames, 0, "none counted as sent");
    assert.equal(st.tx_writes, st.tx_errors, "each was one refused write(2)");
    assert.equal((await board.stop()).code, 0, board.stderr);
  } finally {
    await board?.stop(2000);
    ns.close();
  }
});

/** A stand-in for the core with every function export of the real module (build/petrel.wasm), same
 *  signatures: each returns 0 (abi_version the real one), but poll executes `unreachable`. */
async function trappingModule(): Promise<Uint8Array> {
  const real = binaryen.readBinary(readFileSync(wasmPathFor("default")));
  const funcs: string[] = [];
  try {
    for (let i = 0; i < real.getNumExports(); i++) {
      const e = binaryen.getExportInfo(real.getExportByIndex(i));
      if (e.kind !== binaryen.ExternalFunction) continue;
      const f = binaryen.getFunctionInfo(real.getFunction(e.value));
      const params = binaryen.expandType(f.params).map((t) => (t === binaryen.i64 ? "i64" : "i32"));
      const result = binaryen.expandType(f.results).map((t) => (t === binaryen.i64 ? "i64" : "i32"));
      const body = e.name === "poll" ? "unreachable" : result.length ? `(${result[0]}.const ${e.name === "abi_version" ? 1 : 0})` : "";
      funcs.push(`(func (export "${e.name}") ${params.length ? `(param ${params.join(" ")})` : ""} ${result.length ? `(result ${result[0]})` : ""} ${body})`);
    }
  } finally {
    real.dispose();
  }
  assert.ok(funcs.length > 30, "the real module's exports were read");
  const mod = binaryen.parseText(`(module (import "petrel" "tx" (func (param i32 i32))) (memory (export "memory") 1) ${funcs.join(" ")})`);
  try {
    assert.ok(mod.validate(), "the stand-in module validates");
    return mod.emitBinary();
  } finally {
    mod.dispose();
  }
}

test("petrel-linux-wamr: an exception in the core names the call and WAMR's text, exit 70", { timeout: 30_000 }, async (t) => {
  const why = netUnavailable(WAMR_BIN);
  if (why) return unavailable(t, why);
  const dir = mkdtempSync(join(tmpdir(), "petrel-wamr-"));
  const ns = new Netns("f");
  let board: Board | undefined;
  try {
    const f = join(dir, "traps-in-poll.wasm");
    writeFileSync(f, await trappingModule());
    board = new Board(["--tap", tapName("f"), "--ip", `${BOARD_IP}/24`, "--wasm", f], ns.name, WAMR_BIN);
    let timer: NodeJS.Timeout | undefined;
    const end = await Promise.race([board.exited, new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error("the board did not exit")), 10_000)))])
      .finally(() => clearTimeout(timer));
    assert.equal(end.code, 70, board.stderr);
    assert.match(board.stderr, /^petrel-linux-wamr: the core faulted: poll: Exception: unreachable\n$/);
    assert.ok(board.lines.some((l) => l.event === "trap"), "and prints its status as a 'trap' line");
  } finally {
    await board?.stop(2000);
    ns.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

interface Env { ns: Netns; board: Board; dev: string }

/** The board of `engine` running the server profile (64 connections, 64 KiB rings, as bench:tap's
 *  board): wasm2c's is its own build, WAMR's board loads that profile's module. */
const serverBoard = (engine: Engine): string[] => (engine === "wasm2c" ? [SERVER_BOARD_BIN] : [WAMR_BIN, "--wasm", wasmPathFor("server")]);

/** A board (engine `engine`; `bin`: another command line for it) serving echo/discard/chargen at
 *  198.18.0.2, its TAP moved into a fresh namespace where the kernel is 198.18.0.1. Ends with a clean
 *  stop (exit 0 on SIGTERM); torn down afterwards, also on failure; the whole case is bounded. */
function boardCase(engine: Engine, name: string, timeoutMs: number, fn: (env: Env, t: TestContext) => Promise<void>, extra: string[] = [], bin: string[] = [ENGINES[engine]]): void {
  test(`[${engine}] ${name}`, { timeout: timeoutMs + 20_000 }, async (t) => {
    const why = netUnavailable(bin[0]);
    if (why) return unavailable(t, why);
    const dev = tapName("k");
    const ns = new Netns("k");
    let board: Board | undefined;
    try {
      board = new Board(["--tap", dev, "--ip", `${BOARD_IP}/24`, ...SERVICES, ...extra], undefined, bin);
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
      assert.equal(end.exit?.memory, (await board.ready()).memory, "linear memory did not grow");
    } finally {
      await board?.stop(2000);
      ns.close();
    }
  });
}

/** Wait (bounded) until the board holds no connection. */
async function allSlotsFree(board: Board): Promise<number> {
  let st = await board.status();
  for (let i = 0; i < 30 && st.connections !== 0; i++) {
    await new Promise((res) => setTimeout(res, 100));
    st = await board.status();
  }
  return st.connections;
}

// One interop table, both engines.
for (const engine of Object.keys(ENGINES) as Engine[]) {
  boardCase(engine, "the board's TAP lives on in the namespace: ready line, moved device, ARP + ping", 20_000, async ({ ns, board, dev }) => {
    const ready = await board.ready();
    assert.equal(ready.engine, engine === "wamr" ? "wamr-fast-interp" : "wasm2c");
    assert.equal(ready.wasm, wasmPathFor());
    assert.equal(ready.wasm_sha256, sha256File(wasmPathFor()));
    assert.equal(ready.wasm_bytes, readFileSync(wasmPathFor()).length);
    assert.deepEqual(ready.config, Object.values(new Core().config()), "the native core reports the Node core's configuration");
    assert.equal(rootHasLink(dev), false, "the TAP left the root namespace");
    const why = ensureDebianTool("ping", "iputils-ping");
    assert.equal(why, null, why ?? "");
    const ping = ns.exec(["ping", "-c", "3", "-i", "0.2", "-W", "1", BOARD_IP]);
    assert.equal(ping.code, 0, ping.stdout + ping.stderr);
    assert.match(ping.stdout, /3 received/);
    const neigh = ns.exec(["ip", "neigh", "show", BOARD_IP, "dev", dev]);
    assert.match(neigh.stdout, new RegExp(`lladdr ${ready.mac}`), "the kernel resolved the board's MAC by ARP");
  });

  /** The loop's system calls on the TAP (read() and poll()), frames read, and timer re-arms, during `fn`. */
  async function loopCost(board: Board, fn: () => Promise<void> | void): Promise<{ frames: number; calls: number; polls: number; alarms: number }> {
    const before = await board.status();
    await fn();
    const after = await board.status();
    const d = (k: "rx_frames" | "reads" | "polls" | "alarms") => after[k]! - before[k]!;
    // the status request itself (SIGUSR1) ends one read() early: that read is not counted against `fn`
    return { frames: d("rx_frames"), calls: d("reads") + d("polls") - 1, polls: d("polls"), alarms: d("alarms") };
  }

  boardCase(engine, "one frame at a time (40 pings 10 ms apart): one system call per frame, a read() that waits for it, and no timer re-armed per frame", 20_000, async ({ ns, board }, t) => {
    const warm = ns.exec(["ping", "-c", "1", "-W", "1", BOARD_IP]);
    assert.equal(warm.code, 0, warm.stdout + warm.stderr);
    const c = await loopCost(board, () => {
      const ping = ns.exec(["ping", "-c", "40", "-i", "0.01", "-W", "1", BOARD_IP]);
      assert.equal(ping.code, 0, ping.stdout + ping.stderr);
      assert.match(ping.stdout, /40 received/);
    });
    t.diagnostic(JSON.stringify(c));
    assert.ok(c.frames >= 40, `${c.frames} frames read`);
    // poll() then read() would be two calls per frame (about 80); the alarm rings at most once in
    // the 0.4 s (its deadline is a second away), and re-arming it per frame would be about 40 calls
    assert.ok(c.calls <= c.frames + 3, `${c.frames} frames cost ${c.calls} system calls (${c.polls} poll())`);
    assert.ok(c.alarms <= 3, `the alarm was set ${c.alarms} times`);
  });

  boardCase(engine, "a burst of 20 frames queued on the TAP while the board sleeps: each read and answered, one system call per frame", 20_000, async ({ ns, board }) => {
    const warm = ns.exec(["ping", "-c", "1", "-W", "1", BOARD_IP]); // ARP resolved before the burst
    assert.equal(warm.code, 0, warm.stdout + warm.stderr);
    let answered = 0, asked = 0;
    const c = await loopCost(board, async () => {
      const before = await board.status();
      board.proc.kill("SIGSTOP"); // the board sleeps while the kernel queues 20 echo requests on the TAP
      try {
        ns.exec(["ping", "-c", "20", "-i", "0.01", "-w", "1", BOARD_IP]); // no reply can come: it gives up after 1 s
      } finally {
        board.proc.kill("SIGCONT");
      }
      let after = await board.status();
      asked = 2;
      for (let i = 0; i < 20 && after.rx_frames - before.rx_frames < 20; i++) {
        await new Promise((res) => setTimeout(res, 50));
        after = await board.status();
        asked++;
      }
      answered = after.tx_frames - before.tx_frames;
    });
    assert.ok(c.frames >= 20, `the board read the burst: ${c.frames} frames`);
    assert.ok(answered >= 20, `and answered every request: ${answered} frames sent`);
    // each status request in between ends one read() early too
    assert.ok(c.calls <= c.frames + asked + 2, `${c.frames} frames cost ${c.calls} system calls (${asked} status requests)`);
  });

  boardCase(engine, "an idle board (no traffic, no timer due) wakes at most once a second", 20_000, async ({ board }) => {
    const c = await loopCost(board, () => new Promise((res) => setTimeout(res, 2500)));
    assert.equal(c.frames, 0);
    // the alarm's deadline is at most a second away; if it rang every millisecond after its first
    // ring, unset, this would be about 1 500
    assert.ok(c.calls <= 6, `2.5 s idle cost ${c.calls} system calls`);
  });

  boardCase(engine, "kernel client → board echo: 3 MB of random data, sha256 equal", 40_000, async ({ ns }) => {
    const r = await ns.peer<{ received: number; shaSent: string; shaRecv: string; ms: number }>("echo-client", { host: BOARD_IP, port: 7, bytes: 3 * MB }, 30_000);
    assert.equal(r.error, undefined);
    assert.equal(r.received, 3 * MB);
    assert.equal(r.shaRecv, r.shaSent);
  });

  boardCase(engine, "kernel → board discard: 50 MB", 60_000, async ({ ns, board }) => {
    const r = await ns.peer<{ hadError: boolean; ms: number }>("send", { host: BOARD_IP, port: 9, bytes: 50 * MB }, 50_000);
    assert.equal(r.error, undefined);
    assert.equal(r.hadError, false);
    const st = await board.status();
    assert.ok(st.rx_frames > (50 * MB) / 1500, `the board took ${st.rx_frames} frames`);
  });

  /** chargen → kernel, 5 MB checked against RFC 864; the board's frames and write(2) calls meanwhile. */
  async function chargen(ns: Netns, board: Board): Promise<{ frames: number; writes: number; errors: number }> {
    const before = await board.status();
    const r = await ns.peer<{ received: number; mismatch: number }>("chargen", { host: BOARD_IP, port: 19, bytes: 5 * MB }, 30_000);
    assert.equal(r.error, undefined);
    assert.ok(r.received >= 5 * MB);
    assert.equal(r.mismatch, -1, "every byte follows RFC 864");
    const after = await board.status();
    return { frames: after.tx_frames - before.tx_frames, writes: after.tx_writes! - before.tx_writes!, errors: after.tx_errors - before.tx_errors };
  }

  boardCase(engine, "board chargen → kernel: 5 MB of the RFC 864 pattern", 40_000, async ({ ns, board }) => {
    assert.equal((await chargen(ns, board)).errors, 0);
  });

  boardCase(engine, "server profile: board chargen → kernel, 5 MB of the RFC 864 pattern, the segments written as TSO super-frames (far fewer write(2) calls than frames)", 40_000, async ({ ns, board }, t) => {
    assert.equal((await board.ready()).tso, true, "TSO is on by default");
    const c = await chargen(ns, board);
    t.diagnostic(JSON.stringify(c));
    assert.ok(c.frames > (5 * MB) / 1460, `${c.frames} frames sent`);
    assert.ok(c.writes < c.frames / 4, `${c.frames} frames in ${c.writes} write(2) calls`);
    assert.equal(c.errors, 0);
  }, [], serverBoard(engine));

  boardCase(engine, "server profile, --tso off: board chargen → kernel 5 MB, one write(2) per frame", 40_000, async ({ ns, board }) => {
    assert.equal((await board.ready()).tso, false);
    const c = await chargen(ns, board);
    assert.ok(c.frames > (5 * MB) / 1460, `${c.frames} frames sent`);
    assert.equal(c.writes, c.frames);
    assert.equal(c.errors, 0);
  }, ["--tso", "off"], serverBoard(engine));

  boardCase(engine, "server profile: board chargen → kernel through a bridge port without TSO: the kernel cuts every super-frame back into segments and checksums them in software before the socket; 5 MB byte-exact, no checksum error", 40_000, async ({ ns, board, dev }, t) => {
    const why = ensureDebianTool("ethtool", "ethtool");
    assert.equal(why, null, why ?? "");
    // the TAP and veth va are ports of br0, the kernel's address is on va's peer vb; va segments and
    // checksums in software (TSO, GSO and checksum offload off), vb does not merge them again (GRO off)
    ns.ip("addr", "flush", "dev", dev);
    ns.ip("link", "add", "br0", "type", "bridge");
    ns.ip("link", "set", "br0", "arp", "off");
    ns.ip("link", "add", "va", "type", "veth", "peer", "name", "vb");
    ns.ip("link", "set", dev, "master", "br0");
    ns.ip("link", "set", "va", "master", "br0");
    for (const d of ["br0", "va", "vb"]) ns.ip("link", "set", d, "up");
    ns.ip("addr", "add", `${KERNEL_IP}/24`, "dev", "vb");
    for (const args of [["va", "tso", "off", "gso", "off", "tx", "off"], ["vb", "gro", "off"]]) {
      const r = ns.exec(["ethtool", "-K", ...args], 10_000);
      assert.equal(r.code, 0, `ethtool -K ${args.join(" ")}: ${r.stderr}`);
    }
    const vbPackets = (): number => (JSON.parse(ns.exec(["ip", "-s", "-j", "link", "show", "dev", "vb"]).stdout) as { stats64: { rx: { packets: number } } }[])[0]!.stats64.rx.packets;
    const tcp = (): Record<string, number> => {
      const [names, values] = ns.exec(["cat", "/proc/net/snmp"]).stdout.split("\n").filter((l) => l.startsWith("Tcp:")).map((l) => l.split(/\s+/).slice(1));
      return Object.fromEntries(names!.map((k, i) => [k, Number(values![i])]));
    };
    const rx0 = vbPackets();
    const c = await chargen(ns, board);
    await new Promise((res) => setTimeout(res, 200)); // the frames the last status line flushed
    const rx = vbPackets() - rx0;
    t.diagnostic(JSON.stringify({ ...c, vbReceived: rx }));
    // the kernel ACKs every other segment here (vb gets them one by one), so the runs are shorter
    assert.ok(c.writes < c.frames / 2, `${c.frames} frames in ${c.writes} write(2) calls: super-frames went out`);
    assert.ok(rx >= c.frames, `vb received ${rx} frames, one per frame the board sent (${c.frames}): the super-frames were cut`);
    assert.equal(tcp().InCsumErrors, 0);
  }, [], serverBoard(engine));

  boardCase(engine, "RFC 862: kernel node:dgram client → the board's UDP echo (port 7): 60 datagrams of 0..1472 bytes byte-exact", 40_000, async ({ ns, board }) => {
    const r = await ns.peer<{ ok: number; retries: number }>("udp-echo", { host: BOARD_IP, port: 7, n: 60, seed: 11 }, 30_000);
    assert.equal(r.error, undefined);
    assert.equal(r.ok, 60);
    const st = await board.status();
    const c = (name: string): number => st.counters[ABI.counters[name]!]!;
    assert.equal(c("UDP_RX"), 60 + r.retries);
    assert.equal(c("UDP_TX"), 60 + r.retries);
  });

  boardCase(engine, "RFC 1122 4.1.3.1: kernel → a closed UDP port of the board: ICMP port unreachable, ECONNREFUSED", 20_000, async ({ ns }) => {
    const r = await ns.peer<{ ms: number }>("udp-closed", { host: BOARD_IP, port: 4321 }, 10_000);
    assert.equal(r.error, "ECONNREFUSED");
  });

  boardCase(engine, "kernel → a closed port of the board: RST, ECONNREFUSED", 20_000, async ({ ns }) => {
    const r = await ns.peer<{ connected?: boolean }>("connect", { host: BOARD_IP, port: 4321 }, 10_000);
    assert.equal(r.error, "ECONNREFUSED");
  });

  boardCase(engine, "kernel aborts an echo connection (RST): the board frees the slot and serves on", 30_000, async ({ ns, board }) => {
    const r = await ns.peer<{ echoed: number }>("reset", { host: BOARD_IP, port: 7, bytes: 4000 }, 10_000);
    assert.equal(r.error, undefined);
    assert.ok(r.echoed > 0);
    assert.equal(await allSlotsFree(board), 0, "the RST closed the board's connection");
    const again = await ns.peer<{ ok: number; failed: string[] }>("sequential", { host: BOARD_IP, port: 7, n: 1 }, 10_000);
    assert.deepEqual(again.failed, []);
  });

  boardCase(engine, "100 sequential connections to the board's echo, then every slot free again", 60_000, async ({ ns, board }) => {
    const r = await ns.peer<{ ok: number; failed: string[] }>("sequential", { host: BOARD_IP, port: 7, n: 100 }, 50_000);
    assert.equal(r.error, undefined);
    assert.deepEqual(r.failed, []);
    assert.equal(r.ok, 100);
    assert.equal(await allSlotsFree(board), 0, "the kernel closed first, so the board holds no TIME-WAIT: all slots free");
  });

  boardCase(engine, "20 concurrent echo connections (more than the core's 16 slots), 64 KB each, all byte-exact", 60_000, async ({ ns, board }) => {
    const r = await ns.peer<{ ok: number; failed: string[] }>("concurrent", { host: BOARD_IP, port: 7, n: 20, bytes: 64 * 1024 }, 50_000);
    assert.equal(r.error, undefined);
    assert.deepEqual(r.failed, []);
    assert.equal(r.ok, 20);
    assert.equal(await allSlotsFree(board), 0);
  });
}

for (const engine of Object.keys(ENGINES) as Engine[]) {
  test(`[${engine}] --host-ip configures the kernel side (a board started inside the namespace)`, { timeout: 40_000 }, async (t) => {
    const why = netUnavailable(ENGINES[engine]);
    if (why) return unavailable(t, why);
    const ns = new Netns("h");
    const dev = tapName("h");
    let board: Board | undefined;
    try {
      board = new Board(["--tap", dev, "--ip", `${BOARD_IP}/24`, "--host-ip", `${KERNEL_IP}/24`, "--services", "echo"], ns.name, ENGINES[engine]);
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
}

test("native ↔ native, engine ↔ engine: a WAMR board serving a wasm2c board, two TAPs bridged in one namespace (echo 3 MB, discard 50 MB, chargen 5 MB)", { timeout: 90_000 }, async (t) => {
  const why = netUnavailable() ?? netUnavailable(WAMR_BIN);
  if (why) return unavailable(t, why);
  const ns = new Netns("n");
  const devA = tapName("a"), devB = tapName("b");
  let server: Board | undefined, client: Board | undefined;
  try {
    server = new Board(["--tap", devA, "--ip", `${BOARD_IP}/24`, ...SERVICES], undefined, WAMR_BIN);
    client = new Board(["--tap", devB, "--ip", `${BOARD2_IP}/24`, "--wait-stdin",
      "--connect", `${BOARD_IP}:7`, "--send-bytes", "3M",
      "--connect", `${BOARD_IP}:9`, "--send-bytes", "50M",
      "--connect", `${BOARD_IP}:19`, "--send-bytes", "5M"]);
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
    assert.deepEqual(results.map((r) => [r.mode, r.received]), [["echo", 3 * MB], ["discard", 0], ["chargen", 5 * MB]]);
    assert.equal(results[1]!.sent, 50 * MB);
    const c = await client.stop(10_000);
    assert.equal(c.code, 0, `the client board exits 0 when every job passed: ${client.stderr}`);
    assert.equal((await server.stop()).code, 0);
  } finally {
    await client?.stop(2000);
    await server?.stop(2000);
    ns.close();
  }
});
