// One run of a scenario on the simulator the CLI uses (SimNet: Petrel cores on a switch, seeded
// fault links, the virtual clock), stepped frame by frame for the page. Besides what SimNet records
// (trace lines, pcap, state transitions) it keeps, for the diagrams, every frame a core sent with
// its fate on the wire (delivered when and where, lost, corrupted, duplicated, reordered) and
// whether it repeats sequence space already sent (a retransmission). Browser-neutral: no DOM here,
// so the same run can be driven from Node.
import type { TcpInfo } from "../host/core.ts";
import { buildTcpFrame, FIN, parseFrame, SYN, type ParsedFrame, type TcpOption } from "../host/packet/packet.ts";
import type { FaultDecision } from "../host/link/fault.ts";
import { SimNet } from "../host/sim/sim.ts";
import type { Conn, Stack } from "../host/stack/stack.ts";
import type { Scenario } from "./scenario.ts";

export const SERVER_IP = "198.18.0.1";
export const SERVICE_PORT = { echo: 7, discard: 9, chargen: 19 } as const;
const ATTACKER = "attacker";
const ATTACKER_MAC = "02:00:00:00:00:fe";
/** SYN flood: forged SYNs, one every FLOOD_GAP_MS from t=0. */
const FLOOD_SYNS = 24;
const FLOOD_GAP_MS = 2;
/** Zero window: how long the server's application does not read. */
const ZEROWIN_PAUSE_MS = 3000;
/** A run ends when nothing is scheduled; these bound it anyway (virtual ms, scheduler steps). */
export const MAX_VIRTUAL_MS = 3_600_000;
const MAX_STEPS_PER_FRAME = 200_000;

type Wasm = Uint8Array | WebAssembly.Module;

export type Fate = "in-flight" | "delivered" | "lost" | "corrupted";

/** One frame a host sent, and what became of it. */
export interface WireMsg {
  id: number;
  from: string;
  /** The host it is addressed to (null: broadcast or nobody). */
  to: string | null;
  sentMs: number;
  /** When the receiving core took it (first copy), or null. */
  arrivedMs: number | null;
  /** Places of the send and of the arrival in the order things happened (the sequence diagram's rows). */
  sentOrder: number;
  arrivedOrder: number | null;
  fate: Fate;
  duplicated: boolean;
  reordered: boolean;
  parsed: ParsedFrame;
  /** A TCP segment repeating sequence space its sender had already sent (SYN, data or FIN). */
  retransmit: boolean;
  /** Sequence and acknowledgment numbers relative to each side's ISN (the SYN is seq 0). */
  relSeq: number | null;
  relAck: number | null;
  bytes: Uint8Array;
}

/** A connection changed state (beside its host's time-line on the sequence diagram). */
export interface StateMark {
  order: number;
  timeMs: number;
  host: string;
  local: string;
  remote: string;
  to: string;
}

/** A connection as the diagrams show it: one end on one host. */
export interface ConnView {
  key: string;
  host: string;
  local: string;
  remote: string;
  states: string[];
  state: string;
  last: { from: string; to: string; timeMs: number } | null;
}

const pattern = (n: number, offset = 0): Uint8Array => {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = 32 + ((offset + i) % 95); // printable ASCII, like chargen
  return b;
};

export class Simulation {
  readonly net: SimNet;
  readonly server: Stack;
  readonly clients: Stack[] = [];
  readonly msgs: WireMsg[] = [];
  /** State changes of connections between simulated hosts, in order. */
  readonly marks: StateMark[] = [];
  /** Counts sends, arrivals and state changes: their order. */
  private order = 0;
  /** Host names in lane order: clients, server, then the attacker when there is one. */
  readonly lanes: string[] = [];
  /** The connection whose data the time-sequence graph follows (the first end that sends the service's bytes). */
  sender: Conn | null = null;
  /** cwnd/ssthresh/flight of `sender` after each step (when they changed). */
  readonly cc: { t: number; cwnd?: number; ssthresh?: number; flight: number }[] = [];
  /** Bytes each connection end's application received ("server 198.18.0.1:7 ← 198.18.0.2:49152"). */
  readonly received = new Map<string, number>();
  finished = false;
  error: string | null = null;
  private byIndex = new Map<string, number[]>();
  /** Per receiving host: frames sent to it that have not arrived (nor been lost), oldest first. */
  private pending = new Map<string, WireMsg[]>();
  private macToHost = new Map<string, string>();
  private ipToHost = new Map<string, string>();
  private highest = new Map<string, number>();
  private isn = new Map<string, number>();
  private synsSent = new Set<string>();
  private lastCc = "";

  /** `wasm`: the module of the scenario's profile (bytes or compiled), or a function giving it. */
  constructor(readonly scenario: Scenario, wasm: Wasm | ((profile: Scenario["profile"]) => Wasm)) {
    const s = scenario;
    const module = typeof wasm === "function" ? wasm(s.profile) : wasm;
    this.net = new SimNet({ seed: s.seed, delayMs: s.delay / 2, traceFaults: true, core: { wasm: module }, onFault: (h, d) => this.onFault(h, d) });
    const faulty = s.loss + s.reorder + s.dup + s.corrupt > 0;
    const host = (name: string, ip: string, mac: string): Stack => {
      const st = this.net.host({
        name, ip, mac,
        fault: faulty ? { tx: { loss: s.loss, reorder: s.reorder, duplicate: s.dup, corrupt: s.corrupt }, rx: {} } : undefined,
        bandwidth: s.bandwidth > 0 ? s.bandwidth : undefined,
      });
      if (!s.sack) st.core.setDefault("SACK", false);
      if (!s.ts) st.core.setDefault("TIMESTAMPS", false);
      if (!s.ws) st.core.setDefault("WINDOW_SCALING", false);
      this.macToHost.set(mac, name);
      this.ipToHost.set(ip, name);
      this.byIndex.set(name, []);
      st.on("tx", (f) => this.sent(name, f));
      st.on("rx", (f, rc) => this.arrived(name, f, rc));
      st.on("state", (t) => {
        if (this.ipToHost.has(t.remote.split(":")[0] ?? "")) this.marks.push({ order: this.order++, timeMs: t.timeMs, host: name, local: t.local, remote: t.remote, to: t.to });
      });
      return st;
    };
    this.server = host("server", SERVER_IP, "02:00:00:00:00:01");
    for (let i = 1; i <= s.clients; i++) this.clients.push(host(s.clients === 1 ? "client" : `client${i}`, `198.18.0.${i + 1}`, `02:00:00:00:00:0${i + 1}`));
    this.lanes.push(...this.clients.map((c) => c.name), "server");
    this.start();
  }

  // ── the applications ──────────────────────────────────────────────────────────────────────
  private serviceApp(c: Conn): void {
    const s = this.scenario;
    const name = `${c.stack.name} ${c.local} ← ${c.remote}`;
    this.received.set(name, 0);
    c.on("data", (d) => {
      this.received.set(name, this.received.get(name)! + d.length);
      if (s.service === "echo") c.write(d);
    });
    c.on("end", () => c.close());
    if (s.service === "chargen") {
      if (s.bytes > 0) c.write(pattern(s.bytes));
      c.end();
      this.sender ??= c;
    }
    if (s.preset === "zerowin") {
      c.pause(); // the application stops reading: the receive window fills and closes
      this.net.clock.after(ZEROWIN_PAUSE_MS, () => c.resume());
    }
  }

  private clientApp(c: Conn): void {
    const s = this.scenario;
    const name = `${c.stack.name} ${c.local} ← ${c.remote}`;
    this.received.set(name, 0);
    c.on("data", (d) => this.received.set(name, this.received.get(name)! + d.length));
    c.on("end", () => c.close());
    if (s.service !== "chargen") {
      if (s.bytes > 0) c.write(pattern(s.bytes));
      c.end();
      this.sender ??= c;
    }
  }

  private start(): void {
    const s = this.scenario;
    const port = SERVICE_PORT[s.service];
    if (s.preset === "simopen") {
      // both ends actively open at the same instant, to each other's fixed port
      const client = this.clients[0]!;
      this.serviceApp(this.server.connect(client.ip, 6000, { localPort: port }));
      for (const c of this.clients.slice(1)) this.clientApp(c.connect(SERVER_IP, port));
      this.clientApp(client.connect(SERVER_IP, port, { localPort: 6000 }));
      return;
    }
    this.server.listen(port, 4, (c) => this.serviceApp(c));
    if (s.preset === "synflood") this.flood(port);
    const delay = s.preset === "synflood" ? FLOOD_GAP_MS * FLOOD_SYNS / 2 : 0;
    this.clients.forEach((c, i) => this.net.clock.after(delay + i, () => this.clientApp(c.connect(SERVER_IP, port))));
  }

  /** Forged SYNs from addresses of the link that nobody answers for, through a port of their own. */
  private flood(port: number): void {
    const wire = this.net.switch.port({ name: ATTACKER });
    this.lanes.push(ATTACKER);
    this.byIndex.set(ATTACKER, []);
    this.macToHost.set(ATTACKER_MAC, ATTACKER);
    for (let i = 0; i < FLOOD_SYNS; i++) {
      this.net.clock.after(i * FLOOD_GAP_MS, () => {
        const f = buildTcpFrame({
          srcMac: ATTACKER_MAC, dstMac: "02:00:00:00:00:01", src: `198.18.0.${100 + i}`, dst: SERVER_IP,
          sport: 20_000 + i, dport: port, seq: (i * 2_654_435_761) >>> 0, flags: "S", win: 8192, options: [{ kind: "mss", value: 1460 }],
        });
        this.sent(ATTACKER, f);
        wire.send(f);
      });
    }
  }

  // ── the wire, seen from the hosts ─────────────────────────────────────────────────────────
  private dirKey(p: ParsedFrame): string | null {
    return p.ip && p.tcp ? `${p.ip.src}:${p.tcp.sport}>${p.ip.dst}:${p.tcp.dport}` : null;
  }

  private sent(from: string, bytes: Uint8Array): void {
    const parsed = parseFrame(bytes);
    const to = parsed.eth ? this.macToHost.get(parsed.eth.dst) ?? (parsed.ip ? this.ipToHost.get(parsed.ip.dst) ?? null : null) : null;
    const msg: WireMsg = {
      id: this.msgs.length, from, to, sentMs: this.net.now, arrivedMs: null, sentOrder: this.order++, arrivedOrder: null, fate: "in-flight", duplicated: false, reordered: false,
      parsed, retransmit: false, relSeq: null, relAck: null, bytes: bytes.slice(),
    };
    const t = parsed.tcp;
    const key = this.dirKey(parsed);
    if (t && key) {
      const back = `${parsed.ip!.dst}:${t.dport}>${parsed.ip!.src}:${t.sport}`;
      if (t.flags & SYN) this.isn.set(key, t.seq);
      const isn = this.isn.get(key);
      if (isn !== undefined) {
        const rel = (t.seq - isn) >>> 0;
        msg.relSeq = rel;
        const end = rel + t.payload.length + (t.flags & SYN ? 1 : 0) + (t.flags & FIN ? 1 : 0);
        const high = this.highest.get(key) ?? 0;
        // a SYN,ACK after our own SYN (simultaneous open) reuses the SYN's number but is no repeat
        const synRepeat = !(t.flags & SYN) || this.synsSent.has(`${key} ${t.flags}`);
        if (end > rel && end <= high && synRepeat) msg.retransmit = true;
        if (t.flags & SYN) this.synsSent.add(`${key} ${t.flags}`);
        this.highest.set(key, Math.max(high, end));
      }
      const peerIsn = this.isn.get(back);
      if (peerIsn !== undefined && t.flags & 0x10) msg.relAck = (t.ack - peerIsn) >>> 0;
    }
    this.byIndex.get(from)!.push(msg.id);
    this.msgs.push(msg);
    if (to !== null) {
      let q = this.pending.get(to);
      if (!q) this.pending.set(to, (q = []));
      q.push(msg);
    }
  }

  private arrived(at: string, bytes: Uint8Array, rc: number): void {
    // the oldest frame for this host with these bytes; a corrupted one has other bytes (and rc < 0)
    const q = this.pending.get(at);
    if (!q) return;
    let i = q.findIndex((x) => x.fate === "in-flight" && sameBytes(x.bytes, bytes));
    if (i < 0 && rc < 0) i = q.findIndex((x) => x.fate === "corrupted" && x.bytes.length === bytes.length);
    if (i < 0) return; // the second copy of a duplicated frame
    const m = q[i]!;
    q.splice(i, 1);
    m.arrivedMs = this.net.now;
    m.arrivedOrder = this.order++;
    if (m.fate === "in-flight") m.fate = "delivered";
  }

  private onFault(host: string, d: FaultDecision): void {
    if (d.dir !== "tx") return;
    const id = this.byIndex.get(host)?.[d.index];
    if (id === undefined) return;
    const m = this.msgs[id]!;
    if (d.lost) {
      m.fate = "lost";
      const q = m.to === null ? undefined : this.pending.get(m.to);
      const i = q?.indexOf(m) ?? -1;
      if (i >= 0) q!.splice(i, 1);
    }
    else if (d.corrupted) m.fate = "corrupted";
    if (d.duplicated) m.duplicated = true;
    if (d.reordered) m.reordered = true;
  }

  // ── time ──────────────────────────────────────────────────────────────────────────────────
  get now(): number {
    return this.net.now;
  }

  /** Run until the next frame is sent or a connection changes state; false when the run is over. */
  stepFrame(): boolean {
    if (this.finished) return false;
    const msgs = this.msgs.length;
    const transitions = this.net.transitions.length;
    try {
      for (let i = 0; i < MAX_STEPS_PER_FRAME; i++) {
        if (!this.net.clock.step()) return this.finish(null);
        this.sample();
        if (this.msgs.length > msgs || this.net.transitions.length > transitions) return true;
        if (this.net.now > MAX_VIRTUAL_MS) return this.finish(`stopped at the bound of ${MAX_VIRTUAL_MS / 1000} s of virtual time`);
      }
      return this.finish(`stopped: ${MAX_STEPS_PER_FRAME} scheduler steps without a frame`);
    } catch (e) {
      return this.finish(e instanceof Error ? e.message : String(e));
    }
  }

  /** Step `n` frames (or to the end); returns the frames stepped. */
  stepFrames(n: number): number {
    let k = 0;
    while (k < n && this.stepFrame()) k++;
    return k;
  }

  runToEnd(maxFrames = 1_000_000): void {
    this.stepFrames(maxFrames);
  }

  private finish(error: string | null): false {
    this.finished = true;
    this.error = error;
    return false;
  }

  private sample(): void {
    const c = this.sender;
    if (!c) return;
    const i: TcpInfo | null = c.info();
    if (!i) return;
    const flight = Math.max(0, ((i.sndMax ?? i.sndNxt) - i.sndUna) | 0);
    const key = `${i.cwnd}/${i.ssthresh}/${flight}`;
    if (key === this.lastCc) return;
    this.lastCc = key;
    this.cc.push({ t: this.net.now, cwnd: i.cwnd, ssthresh: i.ssthresh, flight });
  }

  // ── what the views read ───────────────────────────────────────────────────────────────────
  /** Every connection between two simulated hosts (one view per end), in order of appearance. */
  connections(): ConnView[] {
    const out = new Map<string, ConnView>();
    for (const t of this.net.transitions) {
      const remoteIp = t.remote.split(":")[0] ?? "";
      if (!this.ipToHost.has(remoteIp)) continue; // a forged SYN's half-open connection
      const key = `${t.stack} ${t.local} ${t.remote}`;
      let v = out.get(key);
      if (!v) out.set(key, (v = { key, host: t.stack, local: t.local, remote: t.remote, states: [t.from], state: t.from, last: null }));
      v.states.push(t.to);
      v.state = t.to;
      v.last = { from: t.from, to: t.to, timeMs: t.timeMs };
    }
    return [...out.values()];
  }

  hostByIp(ip: string): string | undefined {
    return this.ipToHost.get(ip);
  }

  /** The window scale the sender of `m` applies to the receiver's windows (RFC 7323), 0 when off. */
  windowShift(key: string): number {
    const syn = (k: string) => this.msgs.find((m) => this.dirKey(m.parsed) === k && m.parsed.tcp!.flags & SYN)?.parsed.tcp?.options;
    const ws = (o: TcpOption[] | null | undefined) => o?.find((x) => x.kind === "wscale") as { value: number } | undefined;
    const [a, b] = key.split(">");
    const mine = ws(syn(key));
    const theirs = ws(syn(`${b}>${a}`));
    return mine && theirs ? theirs.value : 0;
  }

  pcap(): Uint8Array {
    return this.net.pcap.bytes();
  }

  trace(): string {
    return this.net.trace();
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
