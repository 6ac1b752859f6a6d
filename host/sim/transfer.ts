// A bulk transfer between two simulated Petrel stacks, both directions at once, under seeded faults:
// the reproducer behind `petrel sim transfer`, the property tests and the soak script.
//
//   client 198.18.0.2 ──┐                       ┌── server 198.18.0.1:5001
//     writes N bytes, FIN│  switch (delay/2 per  │ writes N bytes, FIN
//     reads N bytes, EOF │  port), per host tx:  │ reads N bytes, EOF
//     close              │  bandwidth → faults   │ close
//
// Each host's transmit side has a BandwidthLink (serialisation delay, when a rate is given) and a
// FaultLink (loss/duplicate/reorder/corrupt/jitter), so every frame meets exactly one fault decision.
// The client's app does what a real client does when an open ends with EHOSTUNREACH because the
// server never answered ARP: it opens again (at most `opens` times in all). It does so only when the
// ARP ledger (arp-ledger.ts: the fault links' record of every ARP frame) shows every exchange of the
// failed open was lost on the link, the outcome the core is designed to give (RFC 1122 2.3.2.1,
// docs/conformance.md); an EHOSTUNREACH for any other reason ends the run as a failure, naming
// what the record shows. The reopened transfer must still complete byte-exact.
// The run has two bounded phases: (1) both directions delivered and both ends past their close
// (TIME_WAIT or CLOSED) — `virtualMs`; (2) every connection CLOSED and freed in both cores (2MSL) —
// `closedMs`. Every bound that is hit ends the run with ok:false and an error naming what did not
// finish and the virtual time. Same options → same result, except wallMs.
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import type { TcpInfo } from "../core.ts";
import type { FaultSettings } from "../link/fault.ts";
import { ipToU32 } from "../packet/packet.ts";
import type { Conn, Stack } from "../stack/stack.ts";
import { BoundError } from "../time/clock.ts";
import { Prng } from "../time/prng.ts";
import { ArpLedger } from "./arp-ledger.ts";
import { describeRun } from "./describe.ts";
import { InvariantChecker } from "./invariants.ts";
import { renderTimeSequenceSvg } from "./plot.ts";
import { SeqRecorder } from "./seq-recorder.ts";
import { SimNet, type HostOptions } from "./sim.ts";
import type { TransferOptions, TransferOutput, TransferResult, TransferRun } from "./transfer-types.ts";

export type { TransferOptions, TransferOutput, TransferResult, TransferRun } from "./transfer-types.ts";

export const SERVER_IP = "198.18.0.1";
export const CLIENT_IP = "198.18.0.2";
export const SERVER_PORT = 5001;

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

const sha256Hex = (b: Uint8Array): string => bytesToHex(sha256(b));

/** Counter names of build/abi.json the result sums over both stacks. */
export const TRANSFER_COUNTERS = {
  retransmits: "TCP_RETRANSMITS",
  fastRetransmits: "TCP_FAST_RETRANSMITS",
  timeouts: "TCP_RTO_TIMEOUTS",
  sackRecoveries: "TCP_SACK_RECOVERIES",
} as const;

/** Run a transfer; the result only (see runTransferOutput for the capture and the graph). */
export function runTransfer(o: TransferOptions): TransferResult {
  return runTransferOutput(o).result;
}

/** Run a transfer and keep what `o` asks for (the pcap, the time-sequence graph). */
export function runTransferOutput(o: TransferOptions): TransferOutput {
  checkOptions(o);
  return new Transfer(o).run();
}

function checkOptions(o: TransferOptions): void {
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
}

const PAST_CLOSE = new Set(["TIME_WAIT", "CLOSED"]);

/** One run: the two hosts, their applications, and the two bounded phases. */
class Transfer {
  private readonly wallStart = performance.now();
  private readonly seed: number;
  private readonly bytes: number;
  private readonly net: SimNet;
  private readonly client: Stack;
  private readonly server: Stack;
  private readonly ends: { client: End; server: End };
  private readonly cfg: ReturnType<Stack["core"]["config"]>;
  private readonly recorder: SeqRecorder | null;
  private readonly checker: InvariantChecker | null;
  private readonly run_: TransferRun;
  private readonly maxSteps: number;
  /** Why the run failed early (an error on a connection, too much data). */
  private failure: string | null = null;
  /** Every ARP frame each host sent and what its link did to it. */
  private readonly arp = new ArpLedger();
  /** Connections the client opened, and when the latest began. */
  private opens = 0;
  private openedMs = 0;

  constructor(private readonly o: TransferOptions) {
    this.seed = o.seed >>> 0;
    this.bytes = Math.floor(o.bytes);
    this.recorder = o.plot ? new SeqRecorder((o.plotDir ?? "c2s") === "c2s" ? "client" : "server") : null;
    const recorder = this.recorder;
    this.net = new SimNet({
      seed: this.seed,
      delayMs: (o.delay ?? 1) / 2,
      capture: !!(o.pcap || o.trace),
      onLine: o.trace,
      traceFaults: !!o.trace,
      onFault: recorder ? (host, d) => recorder.fault(host, d.dir, d.index, d.lost, d.corrupted) : undefined,
      core: o.profile ? { profile: o.profile } : undefined,
    });
    const tx: FaultSettings = { loss: o.loss ?? 0, duplicate: o.dup ?? 0, reorder: o.reorder ?? 0, corrupt: o.corrupt ?? 0, jitterMs: o.jitter ?? 0 };
    const faulty = Object.values(tx).some((v) => v > 0) || !!o.drop;
    const fault = (name: End["name"]): HostOptions["fault"] => faulty
      ? { tx, rx: {}, observe: this.arp.observer(name), drop: o.drop && ((frame, dir) => o.drop!(name, dir, frame)) }
      : undefined;
    this.server = this.net.host({ name: "server", ip: SERVER_IP, fault: fault("server"), bandwidth: o.bandwidth });
    this.client = this.net.host({ name: "client", ip: CLIENT_IP, fault: fault("client"), bandwidth: o.bandwidth });
    for (const s of [this.server, this.client]) {
      if (o.sack === false) s.core.setDefault("SACK", false);
      if (o.timestamps === false) s.core.setDefault("TIMESTAMPS", false);
      if (o.wscale === false) s.core.setDefault("WINDOW_SCALING", false);
    }
    this.cfg = this.client.core.config();
    const c2s = pseudoRandomBytes(this.bytes, this.seed, 11);
    const s2c = pseudoRandomBytes(this.bytes, this.seed, 12);
    const end = (name: End["name"], stack: Stack, send: Uint8Array, expect: Uint8Array): End =>
      ({ name, stack, conn: null, send, expect, got: new Uint8Array(this.bytes), gotLen: 0, mismatchAt: -1, last: null, gone: false });
    this.ends = { client: end("client", this.client, c2s, s2c), server: end("server", this.server, s2c, c2s) };
    recorder?.attach(this.client, this.server);
    this.checker = o.invariants ? new InvariantChecker([this.client, this.server]) : null;
    this.run_ = { net: this.net, client: this.client, server: this.server, info: { client: null, server: null } };
    this.maxSteps = o.maxSteps ?? Math.max(1_000_000, 4 * this.bytes);
  }

  run(): TransferOutput {
    const { net, ends, client, server } = this;
    const startSteps = net.clock.steps;
    this.server.listen(SERVER_PORT, 1, (c) => this.app(ends.server, c));
    let virtualMs = 0;
    let closedMs = 0;
    let error: string | undefined;
    try {
      this.open();
      this.phase("transfer (both directions delivered and closed)", startSteps,
        () => this.delivered(ends.client) && this.delivered(ends.server) && PAST_CLOSE.has(ends.client.conn!.state) && PAST_CLOSE.has(ends.server.conn!.state),
        this.o.maxVirtualMs ?? 3_600_000);
      virtualMs = roundUs(net.now);
      const timeWaitBound = 2 * this.cfg.MSL_MS + 120_000; // TIME_WAIT (2MSL), plus a FIN_WAIT_2 timeout's worth
      this.phase("close (both connections CLOSED and freed)", startSteps,
        () => ends.client.conn!.state === "CLOSED" && ends.server.conn!.state === "CLOSED" && client.core.connections() === 0 && server.core.connections() === 0,
        timeWaitBound);
      closedMs = roundUs(net.now);
    } catch (e) {
      if (!(e instanceof Error)) throw e;
      error = e.message;
      virtualMs ||= roundUs(net.now);
      closedMs = roundUs(net.now);
    }
    return {
      result: this.result(virtualMs, closedMs, net.clock.steps - startSteps, error),
      pcap: this.o.pcap ? net.pcap.bytes() : null,
      plotSvg: this.recorder ? renderTimeSequenceSvg(this.recorder.data(), {
        title: `Petrel time-sequence graph: ${this.recorder.sender === "client" ? "client → server" : "server → client"}`,
        subtitle: describeRun(this.o),
      }) : null,
    };
  }

  /** The client's open (again, after an open whose ARP exchanges were all lost). */
  private open(): void {
    this.opens++;
    this.openedMs = this.net.now;
    this.app(this.ends.client, this.client.connect(SERVER_IP, SERVER_PORT));
  }

  /** The client's open ended with EHOSTUNREACH: open again if the record shows every ARP exchange
   *  of it was lost (and tries are left); otherwise this is the run's failure. */
  private unreachable(conn: Conn): void {
    const t = roundUs(this.net.now);
    const v = this.arp.verdict("client", ipToU32(CLIENT_IP), "server", ipToU32(SERVER_IP), this.openedMs, this.net.now);
    const tries = this.o.opens ?? 3;
    if (conn.connected || !v.everyExchangeLost) {
      this.failure ??= `client connection failed with EHOSTUNREACH at t=${t} ms${conn.connected ? " after it was established" : ""}, not for lost ARP exchanges: ${v.why}`;
    } else if (this.opens >= tries) {
      const [n, each, last] = this.opens === 1 ? ["1 open", "it", ""] : [`${this.opens} opens`, "each", "the last: "];
      this.failure ??= `client connection failed with EHOSTUNREACH at t=${t} ms: ${n}, every ARP exchange of ${each} lost (${last}${v.why})`;
    } else {
      this.net.clock.after(0, () => this.open()); // once this failed connection's events are over
    }
  }

  /** The app on each end: write everything and FIN at once, read everything, close after the peer's FIN. */
  private app(e: End, conn: Conn): void {
    e.conn = conn;
    conn.on("data", (d) => {
      if (e.gotLen + d.length > this.bytes) {
        this.failure ??= `${e.name} received ${e.gotLen + d.length} bytes, more than the ${this.bytes} sent (t=${roundUs(this.net.now)} ms)`;
        return;
      }
      e.got.set(d, e.gotLen);
      if (e.mismatchAt < 0) {
        const want = e.expect.subarray(e.gotLen, e.gotLen + d.length);
        let k = 0;
        while (k < d.length && d[k] === want[k]) k++;
        if (k < d.length) e.mismatchAt = e.gotLen + k;
      }
      e.gotLen += d.length;
    });
    conn.on("end", () => conn.close());
    conn.on("error", (code) => {
      if (e.name === "client" && code === "EHOSTUNREACH") this.unreachable(conn);
      else this.failure ??= `${e.name} connection failed with ${code} at t=${roundUs(this.net.now)} ms`;
    });
    if (this.bytes > 0) conn.write(e.send);
    conn.end();
  }

  private delivered(e: End): boolean {
    return e.gotLen === this.bytes && !!e.conn?.ended;
  }

  /** Step the simulator until pred() holds (Clock.runUntil), within maxMs and what is left of the steps. */
  private phase(what: string, startSteps: number, pred: () => boolean, maxMs: number): void {
    const watch = !!(this.checker || this.recorder || this.o.onStep);
    try {
      this.net.clock.runUntil(() => {
        if (this.failure) throw new Error(this.failure);
        return pred();
      }, { what, maxVirtualMs: maxMs, maxSteps: this.maxSteps - (this.net.clock.steps - startSteps), afterStep: watch ? () => this.afterStep() : undefined });
    } catch (e) {
      if (!(e instanceof BoundError)) throw e;
      const t = roundUs(this.net.now);
      if (e.kind === "idle") throw new BoundError(`${what} did not finish: nothing left to run at t=${t} ms (${this.status()})`, e.kind);
      if (e.kind === "time") throw new BoundError(`${what} did not finish within ${maxMs} virtual ms (t=${t} ms; ${this.status()})`, e.kind);
      throw new BoundError(`${what} did not finish within ${this.maxSteps} simulator steps (t=${t} ms; ${this.status()})`, e.kind);
    }
  }

  private afterStep(): void {
    this.sample(this.ends.client);
    this.sample(this.ends.server);
    this.checker?.checkMemory(this.net.now);
    this.recorder?.sample(this.net.now, this.run_.info[this.recorder.sender]);
    this.o.onStep?.(this.run_);
  }

  private sample(e: End): void {
    if (!e.conn || e.gone) return;
    const i = e.stack.core.info(e.conn.handle); // also after tcp_close: the handle answers until the TCB is freed
    if (typeof i === "number") {
      e.gone = true;
      this.run_.info[e.name] = null;
      return;
    }
    e.last = i;
    this.run_.info[e.name] = i;
    this.checker?.checkInfo(e.name, i, this.cfg, this.net.now);
  }

  private status(): string {
    const { client, server } = this.ends;
    const st = (e: End): string => (e.conn ? e.conn.state : "no connection");
    const fin = (e: End): string => (e.conn?.ended ? " + FIN" : "");
    return `client→server ${server.gotLen}/${this.bytes} bytes${fin(server)}, server→client ${client.gotLen}/${this.bytes} bytes${fin(client)}; client ${st(client)}, server ${st(server)}`;
  }

  private result(virtualMs: number, closedMs: number, steps: number, error: string | undefined): TransferResult {
    const { client, server } = this.ends;
    const digest = (e: End): boolean => e.gotLen === this.bytes && sha256Hex(e.got) === sha256Hex(e.expect);
    const sha256Match = digest(client) && digest(server);
    if (!error && !sha256Match) {
      const bad = [server, client].find((e) => !digest(e))!;
      error = `${bad.name === "server" ? "client→server" : "server→client"} data differs${bad.mismatchAt >= 0 ? ` from byte ${bad.mismatchAt}` : ""} (${bad.gotLen}/${this.bytes} bytes)`;
    }
    const finalStates = [client, server].map((e) => (e.conn ? e.conn.state : "NONE"));
    const sum = (key: keyof typeof TRANSFER_COUNTERS): number => {
      const name = TRANSFER_COUNTERS[key];
      return this.client.counters()[name]! + this.server.counters()[name]!;
    };
    const result: TransferResult = {
      ok: !error && sha256Match && finalStates.every((s) => s === "CLOSED"),
      bytes: this.bytes,
      sha256Match,
      virtualMs,
      wallMs: Math.round(performance.now() - this.wallStart),
      retransmits: sum("retransmits"),
      fastRetransmits: sum("fastRetransmits"),
      timeouts: sum("timeouts"),
      sackRecoveries: sum("sackRecoveries"),
      finalStates,
      seed: this.seed,
      closedMs,
      steps,
      opens: this.opens,
      openedMs: roundUs(this.openedMs),
    };
    if (error) result.error = error;
    return result;
  }
}
