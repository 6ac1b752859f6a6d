// A bulk transfer between two simulated Petrel stacks, both directions at once, under seeded faults:
// the reproducer behind `petrel sim transfer` (issue 4), the property tests and the soak script.
//
//   client 198.18.0.2 ──┐                       ┌── server 198.18.0.1:5001
//     writes N bytes, FIN│  switch (delay/2 per  │ writes N bytes, FIN
//     reads N bytes, EOF │  port), per host tx:  │ reads N bytes, EOF
//     close              │  bandwidth → faults   │ close
//
// Each host's transmit side has a BandwidthLink (serialisation delay, when a rate is given) and a
// FaultLink (loss/duplicate/reorder/corrupt/jitter), so every frame meets exactly one fault decision.
// The run has two bounded phases: (1) both directions delivered and both ends past their close
// (TIME_WAIT or CLOSED) — `virtualMs`; (2) every connection CLOSED and freed in both cores (2MSL) —
// `closedMs`. Every bound that is hit ends the run with ok:false and an error naming what did not
// finish and the virtual time. Same options → same result, except wallMs.
import { createHash } from "node:crypto";
import { performance } from "node:perf_hooks";
import { resolve } from "node:path";
import { writeFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { BoundError } from "../time/clock.ts";
import type { Profile, TcpInfo } from "../core.ts";
import type { FaultSettings } from "../link/fault.ts";
import { decodeOptions, type TcpOption } from "../packet/packet.ts";
import { renderTimeSequenceSvg, type SeqPlotData } from "./plot.ts";
import { Prng } from "../time/prng.ts";
import { SimNet } from "./sim.ts";
import type { Conn, Stack } from "../stack/stack.ts";

export const SERVER_IP = "198.18.0.1";
export const CLIENT_IP = "198.18.0.2";
export const SERVER_PORT = 5001;

export interface TransferOptions {
  seed: number;
  /** Bytes sent in each direction. */
  bytes: number;
  /** Probabilities per frame, on each host's transmit side. */
  loss?: number;
  reorder?: number;
  dup?: number;
  corrupt?: number;
  /** One-way delay between the hosts in ms (default 1). */
  delay?: number;
  /** Extra uniform delay in [0, jitter) ms per frame. */
  jitter?: number;
  /** Link rate in Mbit/s per host (serialisation delay); default unlimited. */
  bandwidth?: number;
  profile?: Profile;
  /** Offer SACK (RFC 2018), timestamps and window scaling (RFC 7323) on the SYNs; default true each. */
  sack?: boolean;
  timestamps?: boolean;
  wscale?: boolean;
  /** Write the wire capture here. */
  pcap?: string;
  /** Print the tcpdump-style trace (true: stderr) or hand each line to a function. */
  trace?: boolean | ((line: string) => void);
  /** Write the time-sequence graph (SVG) here. */
  plot?: string;
  /** Which direction the graph shows (default client→server). */
  plotDir?: "c2s" | "s2c";
  /** Check the invariants (InvariantChecker) after every simulator event. */
  invariants?: boolean;
  /** Bound of phase 1 in virtual ms (default: 1 hour). */
  maxVirtualMs?: number;
  /** Bound of scheduler steps over the whole run (default max(1e6, 4 × bytes); a healthy 256 KiB run takes a few thousand). */
  maxSteps?: number;
  /** Called after every simulator event (for tests that watch the run). */
  onStep?: (run: TransferRun) => void;
}

export interface TransferResult {
  ok: boolean;
  bytes: number;
  sha256Match: boolean;
  /** Virtual ms until both directions were delivered and both ends had closed (TIME_WAIT or CLOSED). */
  virtualMs: number;
  wallMs: number;
  retransmits: number;
  fastRetransmits: number;
  timeouts: number;
  sackRecoveries: number;
  /** [client, server] connection state at the end. */
  finalStates: string[];
  seed: number;
  /** Virtual ms until both connections were CLOSED and freed (after TIME_WAIT). */
  closedMs: number;
  /** Scheduler steps (simulator events) the run took. */
  steps: number;
  /** Why ok is false. */
  error?: string;
}

/** An invariant was broken: the message names the stack, the rule, the values and the time. */
export class InvariantError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvariantError";
  }
}

// ── sequence arithmetic (mod 2^32) ─────────────────────────────────────────────────────────────
const seqDiff = (a: number, b: number): number => (a - b) | 0;
const seqLe = (a: number, b: number): boolean => seqDiff(a, b) <= 0;

/** States after which the connection sent its FIN or got the peer's (the sequence space is final). */
const SYNCED = new Set(["ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT"]);

interface ConnTrack {
  sndUna: number;
  rcvNxt: number;
  rightEdge: number | null;
}

/**
 * The rules checked after every simulator event, from tcp_info (docs/abi.md) and the memory size:
 *  - snd_una ≤ snd_nxt ≤ snd_max (mod 2^32; snd_max only when the core reports it), and the bytes in
 *    flight fit what the send ring holds: snd_max − snd_una ≤ tx_queued + 2 (SYN and FIN take a number);
 *  - tx_queued ≤ TX_BUF, rx_queued ≤ RX_BUF, rx_queued + rcv_wnd ≤ RX_BUF (+ 2^rcv_wscale − 1 when
 *    the window is scaled: the advertised value is rounded to the scale);
 *  - snd_una, rcv_nxt and the right edge of the receive window (rcv_nxt + rcv_wnd) never move back
 *    (the window never shrinks, RFC 9293 3.8.6; by less than 2^rcv_wscale when scaled: rounding);
 *  - linear memory never grows (the core allocates nothing after init).
 */
export class InvariantChecker {
  private track = new Map<string, ConnTrack>();
  private pages = new Map<Stack, number>();
  checks = 0;

  constructor(private readonly stacks: Stack[]) {
    for (const s of stacks) this.pages.set(s, s.core.memoryPages());
  }

  /** Check one connection's tcp_info (`key` names it: "client", "server"). */
  checkInfo(key: string, i: TcpInfo, cfg: { RX_BUF: number; TX_BUF: number }, now: number): void {
    this.checks++;
    const fail = (rule: string): never => {
      throw new InvariantError(`invariant broken at t=${now} ms on ${key} (${i.stateName}): ${rule} [snd_una=${i.sndUna} snd_nxt=${i.sndNxt}${i.sndMax !== undefined ? ` snd_max=${i.sndMax}` : ""} rcv_nxt=${i.rcvNxt} rcv_wnd=${i.rcvWnd} rx_queued=${i.rxQueued} tx_queued=${i.txQueued}]`);
    };
    if (!seqLe(i.sndUna, i.sndNxt)) fail("snd_una ≤ snd_nxt");
    const sndMax = i.sndMax ?? i.sndNxt;
    if (i.sndMax !== undefined && !seqLe(i.sndNxt, i.sndMax)) fail("snd_nxt ≤ snd_max");
    if (seqDiff(sndMax, i.sndUna) > i.txQueued + 2) fail("snd_max − snd_una ≤ tx_queued + 2 (in flight fits the send ring)");
    if (i.txQueued > cfg.TX_BUF) fail(`tx_queued ≤ TX_BUF (${cfg.TX_BUF})`);
    if (i.rxQueued > cfg.RX_BUF) fail(`rx_queued ≤ RX_BUF (${cfg.RX_BUF})`);
    const slack = i.rcvWscale ? (1 << i.rcvWscale) - 1 : 0;
    if (i.rxQueued + i.rcvWnd > cfg.RX_BUF + slack) fail(`rx_queued + rcv_wnd ≤ RX_BUF (${cfg.RX_BUF}${slack ? ` + ${slack}` : ""})`);
    if (!SYNCED.has(i.stateName)) return;
    const t = this.track.get(key);
    const edge = (i.rcvNxt + i.rcvWnd) >>> 0;
    if (t) {
      if (!seqLe(t.sndUna, i.sndUna)) fail(`snd_una moved back from ${t.sndUna}`);
      if (!seqLe(t.rcvNxt, i.rcvNxt)) fail(`rcv_nxt moved back from ${t.rcvNxt}`);
      if (t.rightEdge !== null && seqDiff(t.rightEdge, edge) > slack) fail(`receive window shrank: right edge ${edge} < ${t.rightEdge}`);
      t.sndUna = i.sndUna;
      t.rcvNxt = i.rcvNxt;
      t.rightEdge = edge;
    } else {
      this.track.set(key, { sndUna: i.sndUna, rcvNxt: i.rcvNxt, rightEdge: edge });
    }
  }

  /** Linear memory of every stack is the size it had at init. */
  checkMemory(now: number): void {
    for (const [s, pages] of this.pages) {
      const p = s.core.memoryPages();
      if (p !== pages) throw new InvariantError(`invariant broken at t=${now} ms: ${s.name}'s linear memory grew from ${pages} to ${p} pages`);
    }
  }
}

/** One end of the transfer. */
interface End {
  name: "client" | "server";
  stack: Stack;
  conn: Conn | null;
  /** What this end sends / what it must receive. */
  send: Uint8Array;
  expect: Uint8Array;
  got: Uint8Array;
  gotLen: number;
  /** First offset where received data differed from what was sent, or -1. */
  mismatchAt: number;
  /** Last tcp_info seen (for counters the core reports only per connection). */
  last: TcpInfo | null;
  /** tcp_info answered EBADF: the connection is gone. */
  gone: boolean;
}

/** The live run, as seen by onStep. */
export interface TransferRun {
  net: SimNet;
  client: Stack;
  server: Stack;
  /** The latest tcp_info of each end's connection (null before it exists / after it is gone). */
  info: { client: TcpInfo | null; server: TcpInfo | null };
}

function pseudoRandomBytes(n: number, seed: number, stream: number): Uint8Array {
  const out = new Uint8Array(n);
  const r = new Prng(seed, stream);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = r.u32();
    out[i] = v;
    out[i + 1] = v >>> 8;
    out[i + 2] = v >>> 16;
    out[i + 3] = v >>> 24;
  }
  for (; i < n; i++) out[i] = r.u32();
  return out;
}

/** Virtual times with jitter are fractional: keep microseconds. */
const roundUs = (ms: number): number => Math.round(ms * 1000) / 1000;

const sha256 = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

/** Counter names of build/abi.json the result sums over both stacks (0 when the core lacks one). */
export const TRANSFER_COUNTERS = {
  retransmits: "TCP_RETRANSMITS",
  fastRetransmits: "TCP_FAST_RETRANSMITS",
  timeouts: "TCP_RTO_TIMEOUTS",
  sackRecoveries: "TCP_SACK_RECOVERIES",
} as const;

export function runTransfer(o: TransferOptions): TransferResult {
  const wallStart = performance.now();
  const seed = o.seed >>> 0;
  const bytes = Math.floor(o.bytes);
  if (!(bytes >= 0) || !Number.isFinite(bytes)) throw new RangeError(`bytes must be ≥ 0 (got ${o.bytes})`);
  for (const k of ["loss", "reorder", "dup", "corrupt"] as const) {
    const v = o[k];
    if (v !== undefined && !(v >= 0 && v <= 1)) throw new RangeError(`${k} must be a probability in [0, 1] (got ${v})`);
  }
  for (const k of ["delay", "jitter"] as const) {
    const v = o[k];
    if (v !== undefined && !(v >= 0 && Number.isFinite(v))) throw new RangeError(`${k} must be ≥ 0 ms (got ${v})`);
  }
  if (o.bandwidth !== undefined && !(o.bandwidth > 0)) throw new RangeError(`bandwidth must be > 0 Mbit/s (got ${o.bandwidth})`);

  const traceSink = o.trace === true ? (l: string) => process.stderr.write(l + "\n") : typeof o.trace === "function" ? o.trace : undefined;
  const plotDir = o.plotDir ?? "c2s";
  const recorder = o.plot ? new SeqRecorder(plotDir === "c2s" ? "client" : "server") : null;
  const net = new SimNet({
    seed,
    delayMs: (o.delay ?? 1) / 2,
    capture: !!(o.pcap || traceSink),
    onLine: traceSink,
    traceFaults: !!traceSink,
    onFault: recorder ? (host, d) => recorder.fault(host, d.dir, d.index, d.lost, d.corrupted) : undefined,
    core: o.profile ? { profile: o.profile } : undefined,
  });
  const tx: FaultSettings = { loss: o.loss ?? 0, duplicate: o.dup ?? 0, reorder: o.reorder ?? 0, corrupt: o.corrupt ?? 0, jitterMs: o.jitter ?? 0 };
  const faulty = Object.values(tx).some((v) => v > 0);
  const hostOpts = (name: string, ip: string) => ({
    name, ip,
    fault: faulty ? { tx, rx: {} } : undefined,
    bandwidth: o.bandwidth,
  });
  const server = net.host(hostOpts("server", SERVER_IP));
  const client = net.host(hostOpts("client", CLIENT_IP));
  for (const s of [server, client]) {
    if (o.sack === false) s.core.setDefault("SACK", false);
    if (o.timestamps === false) s.core.setDefault("TIMESTAMPS", false);
    if (o.wscale === false) s.core.setDefault("WINDOW_SCALING", false);
  }
  const cfg = client.core.config();
  const c2s = pseudoRandomBytes(bytes, seed, 11);
  const s2c = pseudoRandomBytes(bytes, seed, 12);
  const mkEnd = (name: End["name"], stack: Stack, send: Uint8Array, expect: Uint8Array): End =>
    ({ name, stack, conn: null, send, expect, got: new Uint8Array(bytes), gotLen: 0, mismatchAt: -1, last: null, gone: false });
  const ends = { client: mkEnd("client", client, c2s, s2c), server: mkEnd("server", server, s2c, c2s) };
  if (recorder) recorder.attach(ends.client.stack, ends.server.stack);

  let failure: string | null = null;
  /** The app on each end: write everything and FIN at once, read everything, close after the peer's FIN. */
  const app = (e: End, conn: Conn): void => {
    e.conn = conn;
    conn.on("data", (d) => {
      if (e.gotLen + d.length > bytes) {
        failure ??= `${e.name} received ${e.gotLen + d.length} bytes, more than the ${bytes} sent (t=${roundUs(net.now)} ms)`;
        return;
      }
      e.got.set(d, e.gotLen);
      if (e.mismatchAt < 0) {
        const want = e.expect.subarray(e.gotLen, e.gotLen + d.length);
        if (Buffer.compare(d, want) !== 0) {
          let k = 0;
          while (k < d.length && d[k] === want[k]) k++;
          e.mismatchAt = e.gotLen + k;
        }
      }
      e.gotLen += d.length;
    });
    conn.on("end", () => conn.close());
    conn.on("error", (code) => (failure ??= `${e.name} connection failed with ${code} at t=${roundUs(net.now)} ms`));
    if (bytes > 0) conn.write(e.send);
    conn.end();
  };
  server.listen(SERVER_PORT, 1, (c) => app(ends.server, c));

  const maxSteps = o.maxSteps ?? Math.max(1_000_000, 4 * bytes);
  const checker = o.invariants ? new InvariantChecker([client, server]) : null;
  const sampleInfo = !!(checker || recorder || o.onStep);
  const run: TransferRun = { net, client, server, info: { client: null, server: null } };
  const sample = (e: End): void => {
    if (!e.conn || e.gone) return;
    const i = e.stack.core.info(e.conn.handle); // also after tcp_close: the handle answers until the TCB is freed
    if (typeof i === "number") {
      e.gone = true;
      run.info[e.name] = null;
      return;
    }
    e.last = i;
    run.info[e.name] = i;
    checker?.checkInfo(e.name, i, cfg, net.now);
  };
  const afterStep = (): void => {
    if (sampleInfo) {
      sample(ends.client);
      sample(ends.server);
      checker?.checkMemory(net.now);
      recorder?.sample(net.now, run.info[recorder.sender]);
      o.onStep?.(run);
    }
  };
  const status = (): string => {
    const st = (e: End): string => (e.conn ? e.conn.state : "no connection");
    return `client→server ${ends.server.gotLen}/${bytes} bytes${ends.server.conn?.ended ? " + FIN" : ""}, server→client ${ends.client.gotLen}/${bytes} bytes${ends.client.conn?.ended ? " + FIN" : ""}; client ${st(ends.client)}, server ${st(ends.server)}`;
  };
  let steps = 0;
  /** Step the simulator until pred() holds; bounded in virtual time and steps. */
  const phase = (what: string, pred: () => boolean, maxMs: number): void => {
    const limit = net.now + maxMs;
    for (;;) {
      if (failure) throw new Error(failure);
      if (pred()) return;
      const next = net.clock.peek();
      if (next === null) throw new BoundError(`${what} did not finish: nothing left to run at t=${roundUs(net.now)} ms (${status()})`);
      if (next > limit) {
        net.clock.now = limit; // like Clock.runUntil: the time that passed without the goal
        throw new BoundError(`${what} did not finish within ${maxMs} virtual ms (t=${roundUs(net.now)} ms; ${status()})`);
      }
      if (steps >= maxSteps) throw new BoundError(`${what} did not finish within ${maxSteps} simulator steps (t=${roundUs(net.now)} ms; ${status()})`);
      net.clock.step();
      steps++;
      afterStep();
    }
  };

  const PAST_CLOSE = new Set(["TIME_WAIT", "CLOSED"]);
  const delivered = (e: End): boolean => e.gotLen === bytes && !!e.conn?.ended;
  let virtualMs = 0;
  let closedMs = 0;
  let error: string | undefined;
  try {
    app(ends.client, client.connect(SERVER_IP, SERVER_PORT));
    phase("transfer (both directions delivered and closed)",
      () => delivered(ends.client) && delivered(ends.server) && PAST_CLOSE.has(ends.client.conn!.state) && PAST_CLOSE.has(ends.server.conn!.state),
      o.maxVirtualMs ?? 3_600_000);
    virtualMs = roundUs(net.now);
    const timeWaitBound = 2 * cfg.MSL_MS + 120_000; // TIME_WAIT (2MSL), plus a FIN_WAIT_2 timeout's worth
    phase("close (both connections CLOSED and freed)",
      () => ends.client.conn!.state === "CLOSED" && ends.server.conn!.state === "CLOSED" && client.core.connections() === 0 && server.core.connections() === 0,
      timeWaitBound);
    closedMs = roundUs(net.now);
  } catch (e) {
    if (!(e instanceof Error)) throw e;
    error = e.message;
    virtualMs ||= roundUs(net.now);
    closedMs = roundUs(net.now);
  }

  const digest = (e: End): boolean => e.gotLen === bytes && sha256(e.got) === sha256(e.expect);
  const sha256Match = digest(ends.client) && digest(ends.server);
  if (!error && !sha256Match) {
    const bad = [ends.server, ends.client].find((e) => !digest(e))!;
    error = `${bad.name === "server" ? "client→server" : "server→client"} data differs${bad.mismatchAt >= 0 ? ` from byte ${bad.mismatchAt}` : ""} (${bad.gotLen}/${bytes} bytes)`;
  }
  const finalStates = [ends.client, ends.server].map((e) => (e.conn ? e.conn.state : "NONE"));
  const sum = (key: keyof typeof TRANSFER_COUNTERS, fromInfo: (i: TcpInfo) => number | undefined): number => {
    const name = TRANSFER_COUNTERS[key];
    if (name in client.core.names.counters) return client.counters()[name]! + server.counters()[name]!;
    // the core has no such counter yet: use its per-connection tcp_info word if it reports one
    return [ends.client, ends.server].reduce((n, e) => n + ((e.last && fromInfo(e.last)) ?? 0), 0);
  };
  if (o.pcap) net.savePcap(resolve(o.pcap));
  if (recorder && o.plot) {
    const path = resolve(o.plot);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, renderTimeSequenceSvg(recorder.data(), {
      title: `Petrel time-sequence graph: ${plotDir === "c2s" ? "client → server" : "server → client"}`,
      subtitle: describeRun(o),
    }));
  }
  const result: TransferResult = {
    ok: !error && sha256Match && finalStates.every((s) => s === "CLOSED"),
    bytes,
    sha256Match,
    virtualMs,
    wallMs: Math.round(performance.now() - wallStart),
    retransmits: sum("retransmits", (i) => i.retransmits),
    fastRetransmits: sum("fastRetransmits", (i) => i.fastRetransmits),
    timeouts: sum("timeouts", (i) => i.timeouts),
    sackRecoveries: sum("sackRecoveries", (i) => i.sackRecoveries),
    finalStates,
    seed,
    closedMs,
    steps,
  };
  if (error) result.error = error;
  return result;
}

/** "seed 1, 256 KiB each way, loss 2 %, …" for titles and reproduce lines. */
export function describeRun(o: TransferOptions): string {
  const parts = [`seed ${o.seed}`, `${formatBytes(o.bytes)} each way`];
  const pct = (v: number | undefined, what: string): void => { if (v) parts.push(`${what} ${+(v * 100).toFixed(3)} %`); };
  pct(o.loss, "loss"); pct(o.reorder, "reorder"); pct(o.dup, "dup"); pct(o.corrupt, "corrupt");
  parts.push(`delay ${o.delay ?? 1} ms`);
  if (o.jitter) parts.push(`jitter ${o.jitter} ms`);
  if (o.bandwidth) parts.push(`${o.bandwidth} Mbit/s`);
  parts.push(`profile ${o.profile ?? "default"}`);
  const off = [o.sack === false && "SACK", o.timestamps === false && "timestamps", o.wscale === false && "window scaling"].filter(Boolean);
  if (off.length) parts.push(`no ${off.join("/")}`);
  return parts.join(", ");
}

export function formatBytes(n: number): string {
  if (n >= 1 << 20 && n % (1 << 20) === 0) return `${n / (1 << 20)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} B`;
}

/** "256K" → 262144, "1M" → 1048576, "1.5k", "4096", "64KiB"; null when malformed. */
export function parseSize(s: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?)(i?b)?\s*$/i.exec(s);
  if (!m) return null;
  const mult = { "": 1, k: 1024, m: 1 << 20, g: 1 << 30 }[m[2]!.toLowerCase() as "" | "k" | "m" | "g"];
  const v = Math.round(Number(m[1]) * mult);
  return Number.isSafeInteger(v) ? v : null;
}

/** The command line that reproduces a run (`petrel sim transfer …` once the dispatcher has it). */
export function reproduceCommand(o: TransferOptions, prefix = "npm run -s sim -- transfer"): string {
  const a = [prefix, `--seed ${o.seed}`, `--bytes ${o.bytes % 1024 === 0 && o.bytes ? `${o.bytes / 1024}K` : o.bytes}`];
  if (o.loss) a.push(`--loss ${o.loss}`);
  if (o.reorder) a.push(`--reorder ${o.reorder}`);
  if (o.dup) a.push(`--dup ${o.dup}`);
  if (o.corrupt) a.push(`--corrupt ${o.corrupt}`);
  if (o.delay !== undefined) a.push(`--delay ${o.delay}`);
  if (o.jitter) a.push(`--jitter ${o.jitter}`);
  if (o.bandwidth) a.push(`--bandwidth ${o.bandwidth}`);
  if (o.profile) a.push(`--profile ${o.profile}`);
  if (o.sack === false) a.push("--no-sack");
  if (o.timestamps === false) a.push("--no-timestamps");
  if (o.wscale === false) a.push("--no-wscale");
  if (o.maxSteps) a.push(`--max-steps ${o.maxSteps}`);
  return a.join(" ");
}

// ── recording one direction for the time-sequence graph ────────────────────────────────────────

interface LightTcp { sport: number; dport: number; seq: number; ack: number; flags: number; win: number; len: number; options: TcpOption[] | null }

/** TCP header fields of an Ethernet/IPv4 frame without checksums or copies; null if not TCP. */
function lightTcp(f: Uint8Array): LightTcp | null {
  if (f.length < 54 || f[12] !== 0x08 || f[13] !== 0x00 || f[23] !== 6) return null;
  const ihl = (f[14]! & 15) * 4;
  const total = (f[16]! << 8) | f[17]!;
  const t = 14 + ihl;
  if (f.length < t + 20) return null;
  const be16 = (o: number): number => (f[o]! << 8) | f[o + 1]!;
  const be32 = (o: number): number => ((f[o]! << 24) | (f[o + 1]! << 16) | (f[o + 2]! << 8) | f[o + 3]!) >>> 0;
  const doff = (f[t + 12]! >> 4) * 4;
  return {
    sport: be16(t), dport: be16(t + 2), seq: be32(t + 4), ack: be32(t + 8), flags: f[t + 13]!, win: be16(t + 14),
    len: Math.max(0, total - ihl - doff), options: doff > 20 ? decodeOptions(f, t + 20, doff - 20) : [],
  };
}

/**
 * Records one direction as the sender sees it (like tcptrace on a capture taken at the sender):
 * every segment the sender's core emits (with the fault link's verdict: lost / corrupted on the
 * wire), every ACK the sender's core accepts (cumulative ack, window, SACK blocks), and the
 * sender's tcp_info (cwnd, ssthresh, bytes in flight) after every simulator event.
 */
class SeqRecorder {
  readonly receiver: "client" | "server";
  private d: SeqPlotData = { segments: [], acks: [], lostAcks: [], cc: [], ccAvailable: false, infoWords: 0 };
  private isn: number | null = null;
  private peerIsn: number | null = null;
  private sndWsOffer: number | null = null;
  private rcvWsOffer: number | null = null;
  private txIndex = 0;
  private rcvTxIndex = 0;
  /** receiver's tx frame number → its cumulative ack (relative), for ACKs lost on the way back */
  private rcvAckByIndex = new Map<number, [number, number]>();
  private highest = 0;
  private byIndex = new Map<number, number>();
  private lastCc = "";

  constructor(readonly sender: "client" | "server") {
    this.receiver = sender === "client" ? "server" : "client";
  }

  attach(client: Stack, server: Stack): void {
    const snd = this.sender === "client" ? client : server;
    snd.on("tx", (f) => this.tx(snd.now, f));
    snd.on("rx", (f, rc) => { if (rc >= 0) this.rx(snd.now, f); });
    const rcv = this.sender === "client" ? server : client;
    rcv.on("tx", (f) => {
      const index = this.rcvTxIndex++;
      const h = lightTcp(f);
      if (h && this.isn !== null && h.flags & 0x10 && !(h.flags & 0x02)) this.rcvAckByIndex.set(index, [rcv.now, this.rel(h.ack)]);
    });
  }

  private rel(seq: number): number {
    return ((seq - (this.isn! + 1)) | 0);
  }

  private tx(t: number, f: Uint8Array): void {
    const index = this.txIndex++; // the FaultLink's frame number on this host's tx side
    const h = lightTcp(f);
    if (!h) return;
    if (h.flags & 0x02) {
      this.isn = h.seq;
      this.sndWsOffer = wscaleOf(h.options);
      return;
    }
    if (this.isn === null) return;
    const fin = (h.flags & 0x01) !== 0;
    if (h.len === 0 && !fin) return;
    const seq = this.rel(h.seq);
    const end = seq + h.len + (fin ? 1 : 0);
    const retransmit = end <= this.highest;
    this.highest = Math.max(this.highest, end);
    this.byIndex.set(index, this.d.segments.length);
    this.d.segments.push({ t, seq, len: h.len, fin, retransmit, lost: false, corrupted: false });
  }

  private rx(t: number, f: Uint8Array): void {
    const h = lightTcp(f);
    if (!h) return;
    if (h.flags & 0x02) {
      this.peerIsn = h.seq;
      this.rcvWsOffer = wscaleOf(h.options);
      return;
    }
    if (!(h.flags & 0x10) || this.isn === null) return;
    const shift = this.sndWsOffer !== null && this.rcvWsOffer !== null ? this.rcvWsOffer : 0;
    const sack: [number, number][] = [];
    for (const opt of h.options ?? []) if (opt.kind === "sack") for (const [l, r] of opt.blocks) sack.push([this.rel(l), this.rel(r)]);
    this.d.acks.push({ t, ack: this.rel(h.ack), win: h.win * 2 ** shift, sack });
  }

  fault(host: string, dir: "tx" | "rx", index: number, lost: boolean, corrupted: boolean): void {
    if (dir !== "tx") return;
    if (host === this.receiver) {
      const a = this.rcvAckByIndex.get(index);
      if (a && (lost || corrupted)) this.d.lostAcks.push({ t: a[0], ack: a[1] });
      return;
    }
    if (host !== this.sender) return;
    const i = this.byIndex.get(index);
    if (i === undefined) return;
    const s = this.d.segments[i]!;
    if (lost) s.lost = true;
    if (corrupted) s.corrupted = true;
  }

  sample(t: number, i: TcpInfo | null): void {
    if (!i || this.isn === null) return;
    this.d.infoWords = Math.max(this.d.infoWords, i.words);
    if (i.cwnd !== undefined) this.d.ccAvailable = true;
    const flight = seqDiff(i.sndMax ?? i.sndNxt, i.sndUna);
    const key = `${i.cwnd}/${i.ssthresh}/${flight}`;
    if (key === this.lastCc) return;
    this.lastCc = key;
    this.d.cc.push({ t, cwnd: i.cwnd, ssthresh: i.ssthresh, flight: Math.max(0, flight) });
  }

  data(): SeqPlotData {
    return this.d;
  }
}

function wscaleOf(opts: TcpOption[] | null): number | null {
  for (const o of opts ?? []) if (o.kind === "wscale") return o.value;
  return null;
}

// ── fault mixes and the virtual-time bound (property tests, soak) ──────────────────────────────

/** The fault mix of a property-test seed: chosen from the seed alone, so a seed is its reproducer.
 *  loss 0–20 % (0 for ~15 % of seeds), reorder 0–10 %, duplicate 0–5 %, corrupt 0–3 %, jitter
 *  0–20 ms (each on about half the seeds), delay 0.5–50 ms, a rate limit on ~30 %, the tiny profile
 *  on ~20 % and the server profile on ~10 %. */
export function faultMix(seed: number, bytes = 256 * 1024): TransferOptions {
  const r = new Prng(seed, 0x5eed);
  const pick = <T>(a: T[]): T => a[Math.floor(r.next() * a.length)]!;
  const p4 = (v: number): number => Math.round(v * 10_000) / 10_000;
  const o: TransferOptions = { seed, bytes };
  o.loss = r.next() < 0.15 ? 0 : p4(r.next() * 0.2);
  o.reorder = r.next() < 0.5 ? p4(r.next() * 0.1) : 0;
  o.dup = r.next() < 0.5 ? p4(r.next() * 0.05) : 0;
  o.corrupt = r.next() < 0.4 ? p4(r.next() * 0.03) : 0;
  o.jitter = r.next() < 0.5 ? Math.round(r.next() * 20) : 0;
  o.delay = pick([0.5, 1, 5, 20, 50]);
  if (r.next() < 0.3) o.bandwidth = pick([1, 10, 100]);
  const p = r.next();
  o.profile = p < 0.2 ? "tiny" : p < 0.3 ? "server" : "default";
  // a quarter of the seeds run without any extension (NewReno, no PAWS), a tenth without SACK only
  const e = r.next();
  if (e < 0.25) { o.sack = false; o.timestamps = false; o.wscale = false; } else if (e < 0.35) o.sack = false;
  return o;
}

/** The RTO rules the bound is derived from (assembly/config.ts; RFC 6298 2.1 and 5.5). */
export const RTO_RULES = { initialMs: 1000, maxMs: 60_000, retries: 12 } as const;

/**
 * An upper bound on `virtualMs` for a transfer, derived from the RTO rules (not measured):
 *
 *  Per frame, q = 1 − (1−loss)(1−corrupt)(1−reorder) is the chance it does not arrive intact and in
 *  order (a reordered segment counts as lost: a go-back-N core drops out-of-order data; a core with
 *  reassembly only does better). The sender sends a window of W = ⌊min(RX_BUF, TX_BUF, 65535) / MSS⌋
 *  segments per round; a round delivers on average prog = Σ_{i=1..W} (1−q)^i segments in order
 *  before the first loss, so the S = ⌈N / MSS⌉ + 1 segments (data + FIN) need rounds = S / prog.
 *  A round costs at most one RTT, RTT = 2 (delay + jitter + 5 ms reorder hold) + 200 ms delayed ACK
 *  + (2W + 1) serialisation times of a full frame, and a round that loses a segment or its ACK
 *  (probability 1 − (1−q)^(W+1)) ends in an RTO episode: with s = (1−q)² the chance a
 *  retransmission and its ACK both get through, the k-th consecutive timeout waits
 *  min(RTO_initial · 2^k, RTO_max) (RFC 6298 5.5; the RTO is reset by new data acked), so an
 *  episode costs E = Σ_{k=0..retries} (1−s)^k · s · Σ_{j≤k} min(1000 · 2^j, 60000) ms on average.
 *  One more episode for the handshake. Expected time T = rounds · RTT + (rounds · (1 − (1−q)^(W+1)) + 1) · E
 *  + 2S serialisation times (each host's port carries its data and the other direction's ACKs).
 *  The bound is 4T + 30 s: a run of ~n episodes has a standard deviation well under T/√n, so 4T is
 *  many deviations away; the 30 s covers short runs whose single episode backs off a few times.
 *  With RFC 6298 estimation (RTO ≥ 200 ms–1 s), fast retransmit and SACK, real runs sit far below it.
 */
export function transferTimeBound(o: TransferOptions, cfg: { RX_BUF: number; TX_BUF: number; MTU?: number }): number {
  const mss = (cfg.MTU ?? 1500) - 40;
  const q = 1 - (1 - (o.loss ?? 0)) * (1 - (o.corrupt ?? 0)) * (1 - (o.reorder ?? 0));
  const W = Math.max(1, Math.floor(Math.min(cfg.RX_BUF, cfg.TX_BUF, 65535) / mss));
  const S = Math.ceil(o.bytes / mss) + 1;
  let prog = 0;
  for (let i = 1; i <= W; i++) prog += (1 - q) ** i;
  const rounds = S / Math.max(prog, 1e-9);
  const ser = o.bandwidth ? ((mss + 54) * 8) / (o.bandwidth * 1000) : 0;
  const rtt = 2 * ((o.delay ?? 1) + (o.jitter ?? 0) + 5) + 200 + (2 * W + 1) * ser;
  const s = (1 - q) ** 2;
  let episode = 0;
  let waited = 0;
  for (let k = 0; k <= RTO_RULES.retries; k++) {
    waited += Math.min(RTO_RULES.initialMs * 2 ** k, RTO_RULES.maxMs);
    episode += (1 - s) ** k * s * waited;
  }
  const episodes = rounds * (1 - (1 - q) ** (W + 1)) + 1;
  const expected = rounds * rtt + episodes * episode + 2 * S * ser;
  return Math.ceil(4 * expected + 30_000);
}
