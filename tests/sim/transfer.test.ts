// runTransfer (host/sim/transfer.ts), the `petrel sim transfer` CLI (host/cli/sim.ts via
// scripts/sim-transfer.ts), the bandwidth middleware, the time-sequence graph and tcp_info parsing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TCP_INFO_WORDS, type TcpInfo } from "../../host/core.ts";
import { ROOT } from "../../host/node/files.ts";
import { renderTimeSequenceSvg } from "../../host/sim/plot.ts";
import { readPcap } from "../../host/packet/pcap.ts";
import { SimNet } from "../../host/sim/sim.ts";
import { parseSize, reproduceCommand } from "../../host/sim/describe.ts";
import { faultMix, transferTimeBound } from "../../host/sim/fault-mix.ts";
import { InvariantChecker, InvariantError } from "../../host/sim/invariants.ts";
import { runTransfer, runTransferOutput, type TransferResult } from "../../host/sim/transfer.ts";
import { parseTransferArgs } from "../../host/cli/sim.ts";

const KEYS = ["ok", "bytes", "sha256Match", "virtualMs", "wallMs", "retransmits", "fastRetransmits", "timeouts", "sackRecoveries", "finalStates"];
const withoutWall = (r: TransferResult): Omit<TransferResult, "wallMs"> => {
  const { wallMs: _, ...rest } = r;
  return rest;
};

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "scripts/sim-transfer.ts"), ...args], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("runTransfer: both directions byte-exact, both ends CLOSED; the JSON has the issue's fields in order", () => {
  const r = runTransfer({ seed: 1, bytes: 64 * 1024 });
  assert.deepEqual(Object.keys(r).slice(0, KEYS.length), KEYS);
  assert.equal(r.ok, true, r.error);
  assert.equal(r.bytes, 65536);
  assert.equal(r.sha256Match, true);
  assert.deepEqual(r.finalStates, ["CLOSED", "CLOSED"]);
  for (const k of ["virtualMs", "wallMs", "retransmits", "fastRetransmits", "timeouts", "sackRecoveries", "closedMs", "steps"] as const) {
    assert.equal(typeof r[k], "number", k);
    assert.ok(r[k] >= 0, k);
  }
  assert.equal(r.retransmits, 0, "no faults, no retransmissions");
  assert.ok(r.closedMs >= r.virtualMs + 2 * 60_000 - 1, "closedMs includes TIME_WAIT (2MSL)");
});

test("runTransfer: same seed and faults → identical result except wallMs; another seed differs", () => {
  const o = { seed: 42, bytes: 128 * 1024, loss: 0.03, reorder: 0.02, dup: 0.02, corrupt: 0.01, jitter: 3, delay: 2 };
  const a = runTransfer(o), b = runTransfer(o), c = runTransfer({ ...o, seed: 43 });
  assert.equal(a.ok, true, a.error);
  assert.ok(a.retransmits > 0, "3 % loss retransmits something");
  assert.deepEqual(withoutWall(a), withoutWall(b));
  assert.notDeepEqual(withoutWall(a), withoutWall(c));
});

test("runTransfer: a transfer that cannot complete (loss 1) → ok:false with an error naming what failed and when", () => {
  const r = runTransfer({ seed: 5, bytes: 4096, loss: 1 });
  assert.equal(r.ok, false);
  assert.equal(r.sha256Match, false);
  // a total loss: ARP fails too (RFC 1122 4.2.3.9), every 7 s; the client opens 3 times in all
  assert.match(r.error!, /EHOSTUNREACH at t=21000 ms: 3 opens, every ARP exchange of each lost/);
  assert.equal(r.opens, 3);
});

test("runTransfer: a bound that is hit names the phase, the progress and the virtual time", () => {
  const r = runTransfer({ seed: 5, bytes: 256 * 1024, loss: 0.05, maxVirtualMs: 500 });
  assert.equal(r.ok, false);
  assert.match(r.error!, /^transfer \(both directions delivered and closed\) did not finish within 500 virtual ms \(t=500 ms; client→server \d+\/262144 bytes.*client \w+, server \w+\)$/);
  const s = runTransfer({ seed: 5, bytes: 256 * 1024, maxSteps: 50 });
  assert.match(s.error!, /within 50 simulator steps/);
});

test("runTransfer: invariants after every event hold on a lossy run; the checker catches broken ones", () => {
  let steps = 0;
  const r = runTransfer({ seed: 9, bytes: 64 * 1024, loss: 0.05, reorder: 0.05, invariants: true, onStep: () => steps++ });
  assert.equal(r.ok, true, r.error);
  assert.equal(steps, r.steps, "onStep after every simulator event");
  const base: TcpInfo = {
    localIp: "198.18.0.2", localPort: 1, remoteIp: "198.18.0.1", remotePort: 2, state: 4, stateName: "ESTABLISHED",
    sndUna: 1000, sndNxt: 2000, sndWnd: 8192, rcvNxt: 5000, rcvWnd: 4096, mss: 1460, rtoMs: 1000, retransmits: 0, rxQueued: 100, txQueued: 1500, words: 15,
  };
  const cfg = { RX_BUF: 8192, TX_BUF: 8192 };
  const check = (patch: Partial<TcpInfo>, key = "x"): void => new InvariantChecker([]).checkInfo(key, { ...base, ...patch }, cfg, 7);
  check({});
  check({ sndUna: 0xfffffff0, sndNxt: 0x10, txQueued: 0x20 }); // wraps mod 2^32
  assert.throws(() => check({ sndUna: 2001 }), (e: Error) => e instanceof InvariantError && /snd_una ≤ snd_nxt/.test(e.message) && /t=7 ms/.test(e.message));
  assert.throws(() => check({ sndNxt: 1500, sndMax: 1400, words: 28 }), /snd_nxt ≤ snd_max/);
  assert.throws(() => check({ txQueued: 500 }), /in flight fits the send ring/);
  assert.throws(() => check({ rxQueued: 5000 }), /rx_queued \+ rcv_wnd ≤ RX_BUF/);
  check({ rxQueued: 4097, rcvWscale: 2, words: 28 }); // rounding to the window scale is allowed
  const c = new InvariantChecker([]);
  c.checkInfo("k", base, cfg, 1);
  assert.throws(() => c.checkInfo("k", { ...base, rcvNxt: 4999, rcvWnd: 5000 }, cfg, 2), /rcv_nxt moved back/);
  const d = new InvariantChecker([]);
  d.checkInfo("k", base, cfg, 1);
  assert.throws(() => d.checkInfo("k", { ...base, rcvWnd: 1000 }, cfg, 2), /receive window shrank/);
});

test("runTransfer: pcap keeps the capture, trace hands over tcpdump-style lines, plot draws an SVG", () => {
  const lines: string[] = [];
  const out = runTransferOutput({ seed: 3, bytes: 32 * 1024, loss: 0.05, pcap: true, trace: (l) => lines.push(l), plot: true });
  const r = out.result;
  assert.equal(r.ok, true, r.error);
  const pcap = readPcap(out.pcap!);
  assert.ok(pcap.records.length > 2 * 32 * 1024 / 1460, "every data segment of both directions is in the capture");
  assert.ok(lines.some((l) => /198\.18\.0\.2\.\d+ > 198\.18\.0\.1\.5001: Flags \[S\]/.test(l)));
  assert.ok(lines.some((l) => /ESTABLISHED -> FIN_WAIT_1/.test(l)));
  const svg = out.plotSvg!;
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg, /<\/svg>\n$/);
  for (const label of ["virtual time (s)", "sequence offset", "retransmission", "cumulative ACK", "window limit", "SACK block"]) assert.ok(svg.includes(label), label);
  // the plot shows client → server: red marks exactly when that direction resent something
  let highest = -1;
  let resent = false;
  for (const l of lines) {
    const m = /198\.18\.0\.2\.\d+ > 198\.18\.0\.1\.5001: .* seq (\d+):(\d+)/.exec(l);
    if (!m) continue;
    const start = Number(m[1]), end = Number(m[2]);
    if (highest >= 0 && start < highest) resent = true;
    highest = Math.max(highest, end);
  }
  assert.equal(svg.includes('stroke="#d62728" stroke-width="1.6"'), resent, "retransmissions drawn in red");
  const plain = runTransferOutput({ seed: 3, bytes: 32 * 1024, loss: 0.05 });
  assert.deepEqual([plain.pcap, plain.plotSvg], [null, null], "nothing kept unless asked");
});

test("plot: the cwnd/ssthresh panel is drawn when tcp_info has them, replaced by a note when not", () => {
  const data = {
    segments: [{ t: 0, seq: 0, len: 1460, fin: false, retransmit: false, lost: false, corrupted: false }, { t: 1000, seq: 0, len: 1460, fin: false, retransmit: true, lost: false, corrupted: false }],
    acks: [{ t: 5, ack: 0, win: 8192, sack: [[1460, 2920]] as [number, number][] }, { t: 1005, ack: 2920, win: 8192, sack: [] }],
    lostAcks: [],
    cc: [{ t: 0, cwnd: 2920, ssthresh: 0xffffffff, flight: 1460 }, { t: 1000, cwnd: 1460, ssthresh: 2920, flight: 1460 }],
    ccAvailable: true,
    infoWords: 28,
  };
  const full = renderTimeSequenceSvg(data, { title: "t" });
  assert.ok(full.includes(">cwnd<") && full.includes("ssthresh"));
  assert.ok(!full.includes("unavailable"));
  const legacy = renderTimeSequenceSvg({ ...data, ccAvailable: false, infoWords: 15, cc: data.cc.map(({ t, flight }) => ({ t, flight })) }, { title: "t" });
  assert.match(legacy, /cwnd and ssthresh unavailable: this core's tcp_info has 15 words/);
});

test("Core.info: reads the 28-word tcp_info layout, and leaves words a 60-byte core did not write undefined", () => {
  const net = new SimNet({ seed: 1, capture: false });
  const server = net.host({ name: "server", ip: "198.18.0.1" });
  const client = net.host({ name: "client", ip: "198.18.0.2" });
  server.listen(80);
  const c = client.connect("198.18.0.1", 80);
  net.runUntil(() => c.connected, { maxVirtualMs: 10_000 });
  const core = client.core;
  const real = core.info(c.handle) as TcpInfo;
  assert.ok(real.words === 15 || real.words === TCP_INFO_WORDS, `words ${real.words}`);
  if (real.words === 15) assert.equal(real.cwnd, undefined);
  // a core that writes all 28 words: word i = 1000 + i
  const x = core.x;
  const fake = Object.create(x, {
    tcp_info: {
      value: (_h: number, ptr: number): number => {
        const v = new DataView(x.memory.buffer, ptr, 112);
        for (let i = 0; i < 28; i++) v.setUint32(i * 4, 1000 + i, true);
        return 112;
      },
    },
  });
  Object.defineProperty(core, "x", { value: fake });
  const i = core.info(c.handle) as TcpInfo;
  assert.equal(i.words, 28);
  assert.deepEqual(
    [i.sndUna, i.txQueued, i.cwnd, i.ssthresh, i.srttMs, i.rttvarMs, i.sndWscale, i.rcvWscale, i.fastRetransmits, i.timeouts, i.sackRecoveries, i.dupAcks, i.oooBytes, i.flags, i.sndMax],
    [1005, 1014, 1015, 1016, 1017, 1018, 1019, 1020, 1021, 1022, 1023, 1024, 1025, 1026, 1027],
  );
  Object.defineProperty(core, "x", { value: x });
});

test("bandwidth: frames leave a host spaced by their serialisation time; 256 KiB at 10 Mbit/s takes ≥ 210 ms", () => {
  const net = new SimNet({ seed: 2 });
  const a = net.host({ name: "a", ip: "198.18.0.1", bandwidth: 10 });
  const b = net.host({ name: "b", ip: "198.18.0.2", bandwidth: 10 });
  let got = 0;
  a.listen(9, 4, (c) => c.on("data", (d) => (got += d.length)));
  const c = b.connect("198.18.0.1", 9);
  c.write(new Uint8Array(64 * 1024));
  net.runUntil(() => got === 64 * 1024, { maxVirtualMs: 60_000 });
  const fromB = net.frames.filter((f) => f.from === "b");
  for (let i = 1; i < fromB.length; i++) {
    const gap = fromB[i]!.timeMs - fromB[i - 1]!.timeMs;
    assert.ok(gap >= (fromB[i]!.frame.length * 8) / 10_000 - 1e-9, `frame ${i}: ${gap} ms after the previous one`);
  }
  assert.equal(net.bandwidth(b)!.stats.frames, b.core.counters().TX_FRAMES);
  const r = runTransfer({ seed: 1, bytes: 256 * 1024, bandwidth: 10 });
  assert.equal(r.ok, true, r.error);
  assert.ok(r.virtualMs >= (256 * 1024 * 8) / 10_000, `${r.virtualMs} ms`);
});

test("sizes, fault mixes, bounds and reproduce commands", () => {
  assert.equal(parseSize("256K"), 262144);
  assert.equal(parseSize("1M"), 1048576);
  assert.equal(parseSize("64KiB"), 65536);
  assert.equal(parseSize("1.5k"), 1536);
  assert.equal(parseSize("4096"), 4096);
  for (const bad of ["", "K", "12X", "-1", "1e3"]) assert.equal(parseSize(bad), null, bad);
  assert.deepEqual(faultMix(17), faultMix(17));
  assert.notDeepEqual(faultMix(17), faultMix(18));
  for (let s = 1; s <= 500; s++) {
    const m = faultMix(s);
    assert.ok(m.loss! >= 0 && m.loss! <= 0.2 && m.reorder! <= 0.1 && m.dup! <= 0.05 && m.corrupt! <= 0.03 && m.jitter! <= 20);
  }
  const cfg = { RX_BUF: 8192, TX_BUF: 8192 };
  assert.ok(transferTimeBound({ seed: 1, bytes: 262144 }, cfg) < transferTimeBound({ seed: 1, bytes: 262144, loss: 0.1 }, cfg));
  assert.ok(transferTimeBound({ seed: 1, bytes: 262144, loss: 0.2 }, cfg) < 3_600_000);
  const nonZero = (o: object): object => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== 0));
  for (const s of [7, 8, 9]) {
    const m = faultMix(s);
    assert.deepEqual(parseTransferArgs(reproduceCommand(m).split(" ").slice(6)), nonZero(m), "the command reproduces the mix");
  }
});

test("README: the `petrel sim transfer` example prints what that command prints today (wallMs aside)", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const m = /```sh\nnpx petrel sim transfer ([^\n]*)\n([\s\S]*?)\n```/.exec(readme);
  assert.ok(m, "the README has the example");
  const shown = JSON.parse(m[2]!.replace(/\n\s*/g, "")) as TransferResult;
  const o = parseTransferArgs(m[1]!.split(" "));
  if (o === "help") return assert.fail("the example is a transfer");
  const { pcap: _p, plot: _q, trace: _t, ...run } = o;
  const now = runTransfer(run);
  assert.deepEqual(withoutWall(shown), withoutWall(now), `the README's example is stale: today ${JSON.stringify(now)}`);
});

test("CLI: `petrel sim transfer` prints exactly one JSON line and exits 0 when ok, 1 when not, 2 for bad usage", () => {
  const ok = cli(["--seed", "3", "--bytes", "64K", "--loss", "2%"]);
  assert.equal(ok.status, 0, ok.stderr);
  const lines = ok.stdout.split("\n").filter(Boolean);
  assert.equal(lines.length, 1);
  const j = JSON.parse(lines[0]!) as TransferResult;
  assert.deepEqual(Object.keys(j).slice(0, KEYS.length), KEYS);
  assert.equal(j.ok, true);
  assert.equal(j.bytes, 65536);
  const again = JSON.parse(cli(["transfer", "--seed", "3", "--bytes", "64K", "--loss", "0.02"]).stdout) as TransferResult;
  assert.deepEqual(withoutWall(again), withoutWall(j), "same seed → same JSON except wallMs");

  const lost = cli(["--seed", "3", "--bytes", "64K", "--loss", "1"]);
  assert.equal(lost.status, 1);
  const jl = JSON.parse(lost.stdout) as TransferResult;
  assert.equal(jl.ok, false);
  assert.match(jl.error!, /EHOSTUNREACH/);

  for (const bad of [["--bytes", "12X"], ["--loss", "1.5"], ["--profile", "huge"], ["--frobnicate"], ["--bandwidth", "0"]]) {
    const r = cli(bad);
    assert.equal(r.status, 2, bad.join(" "));
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /petrel sim transfer: /);
  }
  const help = cli(["--help"]);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /usage: petrel sim transfer --seed S --bytes N/);
});

test("CLI: --trace goes to stderr (stdout stays one JSON line), --plot and --pcap write files", () => {
  const dir = mkdtempSync(join(tmpdir(), "petrel-cli-"));
  try {
    const r = cli(["--seed", "4", "--bytes", "16K", "--trace", "--plot", join(dir, "p.svg"), "--pcap", join(dir, "p.pcap"), "--check"]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.split("\n").filter(Boolean).length, 1);
    assert.match(r.stderr, /Flags \[S\.\]/);
    assert.ok(existsSync(join(dir, "p.svg")) && existsSync(join(dir, "p.pcap")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
