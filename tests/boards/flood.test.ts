// Under a SYN flood over real TAP devices (RFC 4987): forged SYNs from 762 addresses that never
// answer (198.18.1.1 … 198.18.3.254), written as fast as a TAP takes them for 4 s, while a kernel-side
// client connects every 100 ms. Each connect during the flood and the first ones after it succeed
// within 1 s, on the native board (build/linux/petrel-linux) and on the Node host (`petrel serve`).
// Then churn: 5 000 sequential HTTP/1.0 requests to `petrel serve --profile server`'s status page
// (Petrel closes first, so each leaves a TIME-WAIT; the table has 64 slots): all answered.
// Fixtures: tests/support/flood.ts (bridge, forging TAP, SYN builder), tests/boards/support.ts
// (Netns, Board), tests/boards/peer.mjs (probe, http-churn). Addresses 198.18.0.0/16 in the
// test's own namespaces only; every wait is bounded.
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { interopUnavailable } from "../support/netns.ts";
import { unavailable } from "../support/env.ts";
import { attach, flood, FLOOD_KERNEL_IP, FLOOD_PREFIX, FLOOD_SUT_IP, floodBridge, forgedSyns, petrelServe, type ProbeAttempt, splitAttempts } from "../support/flood.ts";
import { Board, Netns, netUnavailable, tapName } from "./support.ts";

const FLOOD_MS = 4000;
const INTERVAL_MS = 100;
const LIMIT_MS = 1000;
/** The probe starts 500 ms before the flood and runs 2 s past it (the first connects after it). */
const PROBE_MS = 500 + FLOOD_MS + 2000;
const ECHO = 7;

const fmt = (a: ProbeAttempt[]): string => a.map((x) => (x.ok ? `${x.ms}` : `✗${x.error}`)).join(" ");

/** Flood the SUT (on br0 with MAC `mac`) and probe it; asserts the connects during and after. */
async function floodAndProbe(t: TestContext, ns: Netns, link: ReturnType<typeof floodBridge>, mac: string): Promise<void> {
  const frames = forgedSyns(mac, ECHO);
  // the bridge learns the SUT's port, and the SUT the kernel's MAC, before the flood begins
  const warm = await ns.peer<{ connected?: boolean }>("connect", { host: FLOOD_SUT_IP, port: ECHO }, 5000);
  assert.equal(warm.connected, true, `a connect before the flood: ${JSON.stringify(warm)}`);
  const probe = ns.peer<{ attempts: ProbeAttempt[] }>("probe", { host: FLOOD_SUT_IP, port: ECHO, intervalMs: INTERVAL_MS, durationMs: PROBE_MS, limitMs: LIMIT_MS }, PROBE_MS + 5000);
  await new Promise((r) => setTimeout(r, 500));
  const f = await flood(link, frames, FLOOD_MS);
  const r = await probe;
  assert.equal(r.error, undefined, `probe: ${r.error}`);
  const { during, after } = splitAttempts(r.attempts, f.start, f.end, 5);
  const worst = Math.max(...[...during, ...after].map((a) => (a.ok ? a.ms : Infinity)));
  t.diagnostic(`flood: ${f.sent} SYNs in ${f.end - f.start} ms (${Math.round(f.sent / ((f.end - f.start) / 1000))}/s), ${f.errors} write errors; ` +
    `connects during ${during.filter((a) => a.ok).length}/${during.length}, after ${after.filter((a) => a.ok).length}/${after.length}; slowest ${worst} ms of ${LIMIT_MS}`);
  assert.ok(f.sent > 10_000, `the flood wrote ${f.sent} SYNs`);
  assert.ok(during.length >= FLOOD_MS / INTERVAL_MS - 5, `${during.length} connects were tried during the flood`);
  assert.equal(after.length, 5, "five connects were tried after it");
  assert.deepEqual(during.filter((a) => !a.ok), [], `every connect during the flood succeeds within ${LIMIT_MS} ms: ${fmt(during)}`);
  assert.deepEqual(after.filter((a) => !a.ok), [], `and every one after it: ${fmt(after)}`);
}

test("SYN flood over TAP: the native board answers a real client every 100 ms during and after 4 s of forged SYNs", { timeout: 60_000 }, async (t) => {
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
    await floodAndProbe(t, ns, link, ready.mac);
    const st = await board.status();
    t.diagnostic(`board after the flood: ${st.connections} connections, rx ${st.rx_frames} frames`);
    assert.equal((await board.stop()).code, 0, `the board exits 0: ${board.stderr}`);
  } finally {
    await board?.stop(2000);
    link?.close();
    ns.close();
  }
});

test("SYN flood over TAP: `petrel serve` (Node host) answers a real client every 100 ms during and after 4 s of forged SYNs", { timeout: 60_000 }, async (t) => {
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
    await floodAndProbe(t, ns, link, mac);
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
