// Under a SYN flood over real TAP devices (RFC 4987): forged SYNs from 762 addresses that never
// answer (198.18.1.1 … 198.18.3.254), written into the bridge for 4 s — into the native board at
// BOARD_RATE, into the Node host at NODE_RATE — while a
// kernel-side client connects every 100 ms and sends a line that must come back (echo). Every
// connect during the flood, and the first five after it, succeeds within 1 s at its first SYN; on
// the native board (build/linux/petrel-linux) and on the Node host (`petrel serve`). What makes
// that hold: half-open connections take at most half the table and every SYN past that gets a
// cookie (socket/demux.ts), a flood of unanswered next hops costs no ARP broadcast per SYN
// (iface/arp.ts), both hosts raise their TAP's txqueuelen to 16 384 frames and the Node host reads
// 32 frames per native call (host/link/tap.ts); the kernel's drop count at the SUT's TAP is reported.
// Then churn: 5 000 sequential HTTP/1.0 requests to `petrel serve --profile server`'s status page
// (Petrel closes first, so each leaves a TIME-WAIT; the table has 64 slots): all answered.
// Fixtures: tests/support/flood.ts (bridge, forging TAP, SYN builder), tests/boards/support.ts
// (Netns, Board), tests/boards/peer.mjs (probe, http-churn). Addresses 198.18.0.0/16 in the
// test's own namespaces only; every wait is bounded.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../../host/node/files.ts";
import { test, type TestContext } from "node:test";
import { interopUnavailable } from "../support/netns.ts";
import { unavailable } from "../support/env.ts";
import { attach, flood, FLOOD_KERNEL_IP, FLOOD_PREFIX, FLOOD_SUT_IP, floodBridge, forgedSyns, petrelServe, type ProbeAttempt, splitAttempts } from "../support/flood.ts";
import { Board, BOARD_BIN, Netns, netUnavailable, tapName } from "./support.ts";

const FLOOD_MS = 4000;
/** FLOOD_RATE=N floods both hosts at N forged SYNs per second instead of their rates below (for experiments). */
const RATE = process.env.FLOOD_RATE ? Number(process.env.FLOOD_RATE) : undefined;
/** The Node host's flood. At 290 000 SYN/s or more the forging process (its TapLink batches its
 *  writes) outruns a JavaScript host sharing the 2 cores with it, so the Node host is paced. It had
 *  been paced at 150 000 after a CI run dropped 8 % at 213 000: the core's size cuts had made the
 *  small helpers called in every walk of the connection table (tcbAt, SipHash's round) calls that
 *  Node 20's V8 did not inline (1.8 µs of CPU per forged SYN in the core instead of 1.1–1.3). The
 *  Node host turns V8's wasm inlining on now (host/node/wasm-source.ts), which puts the SYN's cost
 *  back below what it was when bench:flood measured petrel serve taking 272 000 SYN/s with no drop.
 *  At 220 000 a CI run still dropped 0.4 % of the frames at the Node host's TAP queue (3 603 of
 *  880 000; every connect got in, but a dropped probe SYN waits for the client's 1 s retransmission):
 *  150 000, where no CI run has dropped a frame, keeps the test about the rule and not the machine;
 *  bench:flood measures the full rate (README). */
const NODE_RATE = RATE ?? 150_000;
/** The native board's flood. It had been flooded at the TAP's full rate (as fast as the forging
 *  process writes: 288 000–334 000 SYN/s in CI runs). The board takes about 310 000 a second on 2
 *  shared cores, so the run where the forger reached 334 000 dropped 7 % of the frames at the
 *  board's TAP queue (91 820 of 1 336 000), probe SYNs among them, and 22 of 39 connects waited for
 *  the client's 1 s retransmission: the forger's speed against the board's, not the rule. 250 000,
 *  below every rate the board has taken without a drop, keeps the test about the rule; bench:flood
 *  measures the full rate (README). */
const BOARD_RATE = RATE ?? 250_000;
/** The flood fixture wrote at least this many SYNs: three times the SUT's TAP queue (TAP_QUEUE_LEN),
 *  so the SUT had to keep reading during the flood. A sanity check of the fixture, not of the SUT; the
 *  rate it reached is in the diagnostics (about 270 000/s on an idle 2-core machine, 23 000/s when
 *  the same machine ran 25 other processes). */
const MIN_SYNS = 50_000;
const INTERVAL_MS = 100;
const LIMIT_MS = 1000;
/** The probe gives up on one attempt after this (two SYN retransmissions: 1 s + 2 s). */
const GIVE_UP_MS = 3500;
/** The probe starts 500 ms before the flood and runs 1.5 s past it (the first connects after it). */
const PROBE_MS = 500 + FLOOD_MS + 1500;
const ECHO = 7;
/** The TAP's txqueuelen both hosts set at open (boards/linux/tap.h, native/tap.c). */
const TAP_QUEUE_LEN = 16_384;

const fmt = (a: ProbeAttempt[]): string => a.map((x) => (x.ok ? `${x.ms}` : `✗${x.error}`)).join(" ");
const late = (a: ProbeAttempt[], limit: number): ProbeAttempt[] => a.filter((x) => !x.ok || x.ms > limit);

/** Flood the SUT (on br0 with MAC `mac`) and probe it; asserts the connects during and after. */
async function floodAndProbe(t: TestContext, ns: Netns, link: ReturnType<typeof floodBridge>, mac: string, dev: string, rate: number, report?: () => Promise<string>): Promise<void> {
  const frames = forgedSyns(mac, ECHO, 65_536);
  // the bridge learns the SUT's port, and the SUT the kernel's MAC, before the flood begins
  const warm = await ns.peer<{ connected?: boolean }>("connect", { host: FLOOD_SUT_IP, port: ECHO }, 5000);
  assert.equal(warm.connected, true, `a connect before the flood: ${JSON.stringify(warm)}`);
  const probe = ns.peer<{ attempts: ProbeAttempt[] }>("probe", { host: FLOOD_SUT_IP, port: ECHO, intervalMs: INTERVAL_MS, durationMs: PROBE_MS, limitMs: GIVE_UP_MS, echo: true }, PROBE_MS + GIVE_UP_MS + 5000);
  await new Promise((r) => setTimeout(r, 500));
  const f = await flood(link, frames, FLOOD_MS, { perSecond: rate });
  const r = await probe;
  assert.equal(r.error, undefined, `probe: ${r.error}`);
  const js = JSON.parse(ns.exec(["ip", "-s", "-j", "link", "show", "dev", dev]).stdout) as { txqlen: number; stats64: { tx: { packets: number; dropped: number } } }[];
  const { during, after } = splitAttempts(r.attempts, f.start, f.end, 5);
  const worst = (a: ProbeAttempt[]): number => Math.max(...a.map((x) => (x.ok ? x.ms : Infinity)));
  t.diagnostic(`flood: ${f.sent} SYNs in ${f.end - f.start} ms (${Math.round(f.sent / ((f.end - f.start) / 1000))}/s); SUT TAP (txqueuelen ${js[0]!.txqlen}): ${js[0]!.stats64.tx.packets} frames in, ${js[0]!.stats64.tx.dropped} dropped`);
  t.diagnostic(`connects during the flood: ${during.length - late(during, LIMIT_MS).length}/${during.length} within ${LIMIT_MS} ms (slowest ${worst(during)} ms); after it ${after.length - late(after, LIMIT_MS).length}/${after.length} (slowest ${worst(after)} ms)`);
  if (report) t.diagnostic(await report());
  assert.equal(js[0]!.txqlen, TAP_QUEUE_LEN, "the SUT raised its TAP's txqueuelen");
  assert.ok(f.sent >= MIN_SYNS, `the flood wrote ${f.sent} SYNs`);
  // the probe tries every 100 ms; a machine loaded by other work delays its timer, so half of that
  // is enough to cover the flood (each attempt's own check below is unchanged)
  assert.ok(during.length >= FLOOD_MS / INTERVAL_MS / 2, `${during.length} connects were tried during the flood`);
  assert.equal(after.length, 5, "five connects were tried after it");
  assert.deepEqual(late(during, LIMIT_MS), [], `every connect during the flood succeeds within ${LIMIT_MS} ms and echoes: ${fmt(during)}`);
  assert.deepEqual(late(after, LIMIT_MS), [], `and every one after it: ${fmt(after)}`);
}

test("SYN flood over TAP at 250 000 SYN/s: the native board answers a real client every 100 ms during 4 s of forged SYNs and after them, each within 1 s", { timeout: 460_000 }, async (t) => {
  if (!existsSync(BOARD_BIN) && !netUnavailable(process.execPath)) {
    // not built yet (linux.test.ts builds it; this file sorts after it, so that build is normally done)
    const b = spawnSync(process.execPath, [join(ROOT, "scripts", "build-boards.mjs")], { encoding: "utf8", timeout: 400_000 });
    assert.equal(b.status, 0, `build-boards failed:\n${b.stdout}\n${b.stderr}`);
  }
  const why = netUnavailable();
  if (why) return unavailable(t, why);
  const ns = new Netns("flood");
  let board: Board | undefined;
  let link: ReturnType<typeof floodBridge> | undefined;
  try {
    link = floodBridge(ns);
    const dev = tapName("s");
    board = new Board(["--tap", dev, "--ip", `${FLOOD_SUT_IP}/${FLOOD_PREFIX}`, "--services", "echo"], ns.name);
    const ready = await board.ready();
    attach(ns, dev);
    const b = board;
    await floodAndProbe(t, ns, link, ready.mac, dev, BOARD_RATE, async () => {
      const st = await b.status();
      const c = st.counters;
      return `board after the flood: ${st.connections} connections, rx ${st.rx_frames} frames; arp tx ${c[7]} dropped for want of resolution ${c[9]} failed ${c[10]}; cookies sent ${c[59]} ok ${c[60]}; SYNs dropped: backlog ${c[25]} table ${c[26]}; half-open evicted ${c[62]}`;
    });
    assert.equal((await board.stop()).code, 0, `the board exits 0: ${board.stderr}`);
  } finally {
    await board?.stop(2000);
    link?.close();
    ns.close();
  }
});

test("SYN flood over TAP at 150 000 SYN/s: `petrel serve` (Node host) answers a real client every 100 ms during 4 s of forged SYNs and after them, each within 1 s", { timeout: 60_000 }, async (t) => {
  const why = interopUnavailable();
  if (why) return unavailable(t, why);
  const ns = new Netns("floodn");
  let serve: ReturnType<typeof petrelServe> | undefined;
  let link: ReturnType<typeof floodBridge> | undefined;
  try {
    link = floodBridge(ns);
    const dev = tapName("n");
    serve = petrelServe(ns, dev, ["--services", "echo"]);
    const mac = await serve.ready;
    attach(ns, dev);
    await floodAndProbe(t, ns, link, mac, dev, NODE_RATE);
    assert.equal(serve.proc.exitCode, null, `petrel serve still runs: ${serve.stderr()}`);
  } finally {
    await serve?.stop();
    link?.close();
    ns.close();
  }
});

test("churn: 5 000 sequential HTTP/1.0 requests to `petrel serve --profile server`'s status page, Petrel closing first (64 slots): all answered", { timeout: 120_000 }, async (t) => {
  const why = interopUnavailable();
  if (why) return unavailable(t, why);
  const ns = new Netns("churn");
  let serve: ReturnType<typeof petrelServe> | undefined;
  try {
    ns.ip("link", "add", "br0", "type", "bridge", "forward_delay", "0");
    ns.ip("link", "set", "br0", "up");
    ns.ip("addr", "add", `${FLOOD_KERNEL_IP}/${FLOOD_PREFIX}`, "dev", "br0");
    const dev = tapName("h");
    serve = petrelServe(ns, dev, ["--profile", "server", "--services", "http"]);
    await serve.ready;
    attach(ns, dev);
    const n = 5000;
    const r = await ns.peer<{ ok: number; ms: number }>("http-churn", { host: FLOOD_SUT_IP, port: 80, path: "/", n }, 90_000);
    t.diagnostic(`churn: ${r.ok} requests in ${r.ms} ms`);
    assert.equal(r.error, undefined, `http-churn: ${r.error}`);
    assert.equal(r.ok, n, "every request answered 200 with a body");
    assert.equal(serve.proc.exitCode, null, `petrel serve still runs: ${serve.stderr()}`);
  } finally {
    await serve?.stop();
    ns.close();
  }
});
