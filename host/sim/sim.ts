// A simulated network: N stacks on one in-memory switch, one virtual clock, optional fault
// middleware per host, a wire capture (pcap + tcpdump-style trace interleaved with the
// connections' state transitions). Deterministic: the same seed gives the same run.
//
//   const net = new SimNet({ seed: 1 });
//   const server = net.host({ name: "server", ip: "198.18.0.1" });
//   const client = net.host({ name: "client", ip: "198.18.0.2" });
//   server.listen(7, 4, (c) => c.on("data", (d) => c.write(d)));
//   const conn = client.connect("198.18.0.1", 7);
//   net.runUntil(() => conn.connected);
import { Clock, type RunBounds } from "../time/clock.ts";
import type { CoreOptions, Profile } from "../core.ts";
import { BandwidthLink, type BandwidthOptions } from "../link/bandwidth.ts";
import { FaultLink, type FaultDecision, type FaultOptions, type FaultSettings } from "../link/fault.ts";
import type { Link } from "../link/link.ts";
import { Switch, type SwitchPort } from "../link/switch.ts";
import { parseFrame, type ParsedFrame } from "../packet/packet.ts";
import { PcapWriter } from "../packet/pcap.ts";
import { Prng } from "../time/prng.ts";
import { Stack, type StateTransition } from "../stack/stack.ts";
import { formatFrame, formatTime } from "../packet/trace.ts";

export interface SimNetOptions {
  seed?: number;
  /** Per switch-port delay in ms (a frame between two hosts takes twice this). Default 0.5. */
  delayMs?: number;
  switchMode?: "learning" | "hub";
  /** Called with every trace line as it is produced (e.g. console.log). Lines are also kept in `lines`. */
  onLine?: (line: string) => void;
  /** Add state-transition lines to the trace (default true). */
  traceStates?: boolean;
  /** Add fault decisions and rx drops to the trace (default true for faults, false for drops). */
  traceFaults?: boolean;
  traceDrops?: boolean;
  /** Default wasm for every host (path/bytes/profile). */
  core?: CoreOptions;
  /** Record frames, pcap and trace lines (default true; benchmarks turn it off). */
  capture?: boolean;
  /** Called for every fault decision that altered a frame (lost, duplicated, reordered, corrupted), on any host. */
  onFault?: (host: string, d: FaultDecision) => void;
}

export interface HostOptions {
  name: string;
  ip: string;
  mac?: string;
  prefix?: number;
  gateway?: string;
  /** Seed for the core (ISN, ephemeral ports); default derived from the net's seed and the host's index. */
  seed?: number;
  /** Fault injection between this host and the switch (both directions unless tx/rx given). */
  fault?: FaultSettings & { seed?: number; tx?: FaultSettings; rx?: FaultSettings; drop?: (frame: Uint8Array, dir: "tx" | "rx", index: number) => boolean; observe?: FaultOptions["observe"] };
  /** This host's port delay (ms). */
  delayMs?: number;
  /** Transmit rate limit (Mbit/s, or BandwidthLink options): frames leave this host spaced by their serialisation time. */
  bandwidth?: number | BandwidthOptions;
  profile?: Profile;
  wasm?: string | Uint8Array;
}

/** One frame seen on the wire (entering the switch). */
export interface WireFrame {
  timeMs: number;
  /** Name of the host that sent it. */
  from: string;
  frame: Uint8Array;
  parsed: ParsedFrame;
}

export class SimNet {
  readonly clock = new Clock(0);
  readonly switch: Switch;
  readonly hosts: Stack[] = [];
  readonly pcap = new PcapWriter();
  /** Every frame that entered the switch, in order. */
  readonly frames: WireFrame[] = [];
  /** The trace: frame lines and state-transition lines, in order. */
  readonly lines: string[] = [];
  /** Every state transition of every host, in order (recorded with the capture: not when `capture` is false). */
  readonly transitions: StateTransition[] = [];
  readonly seed: number;
  private rng: Prng;
  private faults = new Map<Stack, FaultLink>();
  private shapers = new Map<Stack, BandwidthLink>();
  private ports = new Map<Stack, SwitchPort>();
  private lastFrameTime = 0;

  constructor(private readonly o: SimNetOptions = {}) {
    this.seed = o.seed ?? 1;
    this.rng = new Prng(this.seed, 99);
    this.switch = new Switch(this.clock, { mode: o.switchMode, delayMs: o.delayMs ?? 0.5 });
    if (o.capture !== false) this.switch.tap((frame, t, from) => {
      const host = this.hosts.find((h) => this.ports.get(h) === from);
      const parsed = parseFrame(frame);
      this.frames.push({ timeMs: t, from: host?.name ?? from.name, frame, parsed });
      this.pcap.write(t, frame);
      this.lastFrameTime = t;
      this.line(formatFrame(t, parsed));
    });
  }

  /** Append a line to the trace. */
  line(s: string): void {
    this.lines.push(s);
    this.o.onLine?.(s);
  }

  /** Add a host on a new switch port. */
  host(h: HostOptions): Stack {
    const index = this.hosts.length + 1;
    const port = this.switch.port({ name: h.name, delayMs: h.delayMs });
    let link: Link = port;
    let fault: FaultLink | undefined;
    if (h.fault) {
      fault = new FaultLink(port, this.clock, {
        ...h.fault,
        seed: h.fault.seed ?? this.seed * 1000 + index,
        log: this.o.traceFaults === false && !this.o.onFault ? undefined : (d) => {
          this.o.onFault?.(h.name, d);
          if (this.o.traceFaults !== false) this.line(`  ${h.name} fault ${describeFault(d)}`);
        },
      });
      link = fault;
    }
    // stack → bandwidth (serialisation) → fault → switch port: a frame is lost after it took its time on the wire
    let shaper: BandwidthLink | undefined;
    if (h.bandwidth !== undefined) {
      shaper = new BandwidthLink(link, this.clock, typeof h.bandwidth === "number" ? { mbps: h.bandwidth } : h.bandwidth);
      link = shaper;
    }
    const coreOpts: CoreOptions = h.wasm || h.profile ? { wasm: h.wasm, profile: h.profile } : (this.o.core ?? {});
    const stack = new Stack({
      name: h.name,
      ip: h.ip,
      mac: h.mac ?? `02:00:00:00:00:${index.toString(16).padStart(2, "0")}`,
      prefix: h.prefix ?? 24,
      gateway: h.gateway,
      seed: h.seed ?? this.rng.u32(),
      clock: this.clock,
      core: coreOpts,
    });
    this.ports.set(stack, port);
    if (fault) this.faults.set(stack, fault);
    if (shaper) this.shapers.set(stack, shaper);
    stack.attach(link);
    stack.on("state", (t) => {
      if (this.o.capture !== false) this.transitions.push(t);
      // state lines carry their own time only when it differs from the last frame line's
      const at = t.timeMs !== this.lastFrameTime ? ` (at ${formatTime(t.timeMs)})` : "";
      if (this.o.traceStates !== false) this.line(`  ${t.stack} ${t.local} ${t.from} -> ${t.to}${at}`);
    });
    if (this.o.traceDrops) stack.on("drop", (reason) => this.line(`  ${h.name} drop ${reason}`));
    this.hosts.push(stack);
    return stack;
  }

  /** The fault middleware of a host (if it has one). */
  fault(s: Stack): FaultLink | undefined {
    return this.faults.get(s);
  }

  /** The bandwidth middleware of a host (if it has one). */
  bandwidth(s: Stack): BandwidthLink | undefined {
    return this.shapers.get(s);
  }

  get now(): number {
    return this.clock.now;
  }

  /** Run the simulation for `ms` virtual milliseconds. */
  run(ms: number, bounds: { maxSteps?: number } = {}): void {
    this.clock.runFor(ms, bounds);
  }

  /** Run until `pred()` holds; throws with a clear message when a bound is hit. */
  runUntil(pred: () => boolean, bounds: RunBounds & { what?: string } = {}): number {
    return this.clock.runUntil(pred, bounds);
  }

  /** Run until nothing is scheduled (every connection closed, every timer done). */
  runUntilIdle(bounds: RunBounds = {}): number {
    return this.clock.runUntilIdle(bounds);
  }

  /** TCP frames on the wire, optionally filtered. */
  tcpFrames(filter: (f: WireFrame & { parsed: Required<Pick<ParsedFrame, "tcp" | "ip">> }) => boolean = () => true): (WireFrame & { parsed: Required<Pick<ParsedFrame, "tcp" | "ip">> })[] {
    return this.frames.filter((f): f is WireFrame & { parsed: Required<Pick<ParsedFrame, "tcp" | "ip">> } => !!f.parsed.tcp && !!f.parsed.ip && filter(f as never));
  }

  /** The trace as one string. */
  trace(): string {
    return this.lines.join("\n");
  }
}

function describeFault(d: FaultDecision): string {
  const what = [d.lost && "lost", d.duplicated && "duplicated", d.reordered && "reordered", d.corrupted && "corrupted"].filter(Boolean).join(",");
  return `${d.dir} #${d.index} ${what}${d.delayMs && !d.lost ? ` (+${d.delayMs.toFixed(3)} ms)` : ""}`;
}
