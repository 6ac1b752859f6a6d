// One simulated (or TAP-attached) host: a Core, a Link and the clock. Frames from the link go
// into rx at once; the poll and the dispatch of their events follow at the end of the scheduler
// step that delivered them (a burst). After a socket call the stack drains the core's events,
// polls and dispatches them; poll(now) is rescheduled at the deadline it returns. Above that, a
// small socket API (listen/connect, Conn with write/read/shutdown/close/abort and events) on which
// tests, the simulator and later a net.Socket-compatible Duplex are built.
import type { Scheduler, Timer } from "../time/clock.ts";
import { Core, type CoreEvent, type CoreOptions, type SocketOption, type TcpInfo } from "../core.ts";
import { Emitter } from "../emitter.ts";
import type { Link } from "../link/link.ts";
import { concat, ipToU32, parseFrame, toBytes, u32ToIp, type Ip, type Mac } from "../packet/packet.ts";

export interface StackOptions {
  name: string;
  mac: Mac;
  ip: Ip;
  prefix?: number;
  gateway?: Ip;
  seed?: number | bigint;
  clock: Scheduler;
  link?: Link;
  /** An existing Core, or options to create one (wasm path/bytes, profile). */
  core?: Core | CoreOptions;
  /** How many of the latest state transitions `transitions` keeps (default 4096; Infinity: all). */
  keepTransitions?: number;
  /** Get the address by DHCP (ip "0.0.0.0" until a lease; `requestedIp`: INIT-REBOOT with a
   *  remembered address). Needs `link`. */
  dhcp?: boolean | { requestedIp?: Ip };
}

/** A connection's state change, from the core's STATE event, stamped with virtual time. */
export interface StateTransition {
  timeMs: number;
  stack: string;
  handle: number;
  from: string;
  to: string;
  /** "198.18.0.2:49152" (empty if the core no longer knew the handle and it was never seen) */
  local: string;
  remote: string;
}

/** A negative core result, as an Error with Node-style `code` ("ECONNREFUSED") and `errno` (-111). */
export class PetrelError extends Error {
  constructor(readonly code: string, readonly errno: number, what: string) {
    super(`${what}: ${code} (${errno})`);
    this.name = "PetrelError";
  }
}

type StackEvents = {
  state: (t: StateTransition) => void;
  /** A frame the core sent / received (before the link). */
  tx: (frame: Uint8Array) => void;
  rx: (frame: Uint8Array, result: number) => void;
  /** rx returned < 0: the frame was dropped, `reason` names why. */
  drop: (reason: string, frame: Uint8Array) => void;
  /** Every core event, before dispatch. */
  event: (e: CoreEvent) => void;
};

const MAX_DISPATCH = 1_000_000;
/** Listener.accepted keeps the latest this many connections (the history tests look at; bounded). */
export const ACCEPTED_KEPT = 64;
/** Events after which a link reading a burst of frames lets the application run first (Link.endBurst). */
const APP_TURN = new Set(["ACCEPTABLE", "CONNECTED", "EOF", "CLOSED", "ERROR"]);
const MAX_ZERO_POLLS = 10_000;

/** A core event waiting for dispatch; a STATE event caused by a received frame carries it. */
interface QueuedEvent extends CoreEvent {
  rx?: Uint8Array;
}

export class Stack extends Emitter<StackEvents> {
  readonly name: string;
  /** Our address now: follows the core's ADDRESS events (DHCP, ifaceSet); "0.0.0.0" while none. */
  ip: string;
  readonly mac: Mac;
  /** The seed the core was initialised with (ISNs, ephemeral ports); host choices derive from it too. */
  readonly seed: number | bigint;
  readonly core: Core;
  readonly clock: Scheduler;
  link: Link | null = null;
  /** The state transitions of every connection of this stack, in order: the latest
   *  `keepTransitions` of them (older ones are dropped in blocks, so a long-running host stays flat). */
  readonly transitions: StateTransition[] = [];
  private readonly keepTransitions: number;
  /** Handles whose connection reached CLOSED: forgotten once the app has freed them too. */
  private finished = new Set<number>();
  private conns = new Map<number, Conn>();
  private listeners_ = new Map<number, Listener>();
  private endpoints = new Map<number, { local: string; remote: string }>();
  private handleTransitions = new Map<number, StateTransition[]>();
  private pollTimer: Timer | null = null;
  private zeroPolls = 0;
  private zeroPollAt = -1;
  private depth = 0;
  private evQueue: CoreEvent[] = [];
  private dispatching = false;
  /** A core call happened since the last poll (settle). */
  private pollDue = false;
  private rxQueue: Uint8Array[] = [];
  /** The link calls settleLater after each batch of frames (Link.onBatchEnd). */
  private batched = false;

  constructor(o: StackOptions) {
    super();
    this.name = o.name;
    this.ip = typeof o.ip === "number" ? u32ToIp(o.ip) : o.ip;
    this.seed = o.seed ?? 0;
    this.mac = o.mac;
    this.clock = o.clock;
    this.keepTransitions = o.keepTransitions ?? 4096;
    this.core = o.core instanceof Core ? o.core : new Core(o.core ?? {});
    this.core.onTx = (frame) => {
      this.emit("tx", frame);
      if (this.link) this.link.send(frame);
    };
    // no copy when the link copies frames itself and no "tx" listener wants one to keep
    this.core.txFrom = (buffer, offset, length) => {
      const link = this.link;
      if (!link?.sendFrom || this.listenerCount("tx") > 0) return false;
      link.sendFrom(buffer, offset, length);
      return true;
    };
    const rc = this.core.init({ mac: o.mac, ip: o.ip, prefix: o.prefix, gateway: o.gateway, seed: o.seed });
    if (rc !== 0) throw new PetrelError(this.core.errorName(rc), rc, `${this.name}: init`);
    this.on("event", (e) => { if (e.name === "ADDRESS") this.ip = u32ToIp(e.arg >>> 0); });
    if (o.link) this.attach(o.link);
    if (o.dhcp) {
      const requested = typeof o.dhcp === "object" ? o.dhcp.requestedIp : undefined;
      const r = this.call((c) => c.dhcpStart(this.clock.now, requested));
      if (r !== 0) throw new PetrelError(this.core.errorName(r), r, `${this.name}: dhcp_start`);
    }
  }

  /** Connect the stack to a link (once). */
  attach(link: Link): this {
    if (this.link) throw new Error(`${this.name}: already attached to a link`);
    this.link = link;
    link.onFrame((f) => this.fromLink(f), { transient: true }); // fromLink copies what it keeps
    if (link.onBatchEnd) {
      // a link that reads frames in batches (TapLink): poll and dispatch once per batch, not per frame
      this.batched = true;
      link.onBatchEnd(this.settleLater);
    }
    return this;
  }

  get now(): number {
    return this.clock.now;
  }

  /**
   * Deliver a frame to the core now and settle at once (poll, dispatch its events), as if it were
   * the only frame arriving. Returns rx's result.
   */
  receive(frame: Uint8Array): number {
    if (this.depth > 0) {
      // a link delivered synchronously from inside a core call: never re-enter the module
      this.rxQueue.push(frame.slice());
      return 0;
    }
    const rc = this.rxFrame(frame);
    this.settle();
    this.emit("rx", frame, rc);
    if (rc < 0) this.emit("drop", this.core.errorName(rc), frame);
    return rc;
  }

  /**
   * A frame from the link. The core takes it at once (rx, its events drained so the event ring
   * cannot overflow), but the poll and the dispatch of its events wait until the scheduler's step
   * ends (Scheduler.defer, when it has it): every frame of a burst the link delivers in one step
   * is received before the application hears of any, as an OS handles a batch of received packets
   * before it wakes the reader. One poll and one read per burst instead of per frame. On a real
   * clock (no defer) a link with batches (Link.onBatchEnd) settles once per batch, and any other
   * link at each frame.
   */
  private fromLink(frame: Uint8Array): void {
    if (this.depth > 0) {
      this.rxQueue.push(frame.slice());
      return;
    }
    const rc = this.rxFrame(frame);
    if (this.clock.defer) this.clock.defer(this.settleLater);
    else if (!this.batched) this.settle();
    if (rc < 0 || this.listenerCount("rx") > 0) {
      const kept = frame.slice(); // a listener may keep it; the link may reuse `frame` (transient)
      this.emit("rx", kept, rc);
      if (rc < 0) this.emit("drop", this.core.errorName(rc), kept);
    }
  }

  /** rx one frame and queue the events it caused, each STATE event tagged with the frame (its
   *  4-tuple names connections the host has no handle for yet). */
  private rxFrame(frame: Uint8Array): number {
    const q = this.evQueue;
    const before = q.length;
    this.depth++;
    let rc: number;
    try {
      rc = this.core.rx(frame, this.clock.now);
      this.core.drainEvents(q);
    } finally {
      this.depth--;
    }
    for (let i = before; i < q.length; i++) if (q[i]!.name === "STATE") (q[i] as QueuedEvent).rx = frame.slice();
    return rc;
  }

  /** Alias of receive(): inject a crafted frame into this stack. */
  inject(frame: Uint8Array): number {
    return this.receive(frame);
  }

  /**
   * Run a core call, then drain its events, poll, dispatch and reschedule the poll timer (inside
   * a dispatch, the poll and dispatch happen when its queue runs dry).
   * Use it for raw ABI calls in tests: `stack.call(c => c.send(h, data, stack.now))`.
   */
  call<T>(fn: (core: Core) => T): T {
    this.depth++;
    let result: T;
    try {
      result = fn(this.core);
    } finally {
      this.depth--;
    }
    if (this.depth === 0) this.settle();
    return result;
  }

  /**
   * After a core call (or a burst of frames): drain the events, then poll and dispatch. Inside a
   * dispatch (an event handler's own calls) only the draining happens at once: the dispatch loop
   * polls once when its queue runs dry, and dispatches what that adds.
   */
  private settle(): void {
    // frames that arrived during a core call
    for (let i = 0; this.rxQueue.length && i < MAX_DISPATCH; i++) this.rxFrame(this.rxQueue.shift()!);
    this.pollDue = true;
    if (this.dispatching) {
      this.drain();
      return;
    }
    this.dispatch();
  }

  /** Pop the core's events onto the queue (after every call: the ring must not overflow). */
  private drain(): void {
    this.depth++;
    try {
      this.core.drainEvents(this.evQueue);
    } finally {
      this.depth--;
    }
  }

  /** poll(now), its events queued, and the poll timer moved to the deadline it returns. */
  private poll(): void {
    this.pollDue = false;
    this.depth++;
    let ms: number;
    try {
      ms = this.core.poll(this.clock.now);
      this.core.drainEvents(this.evQueue);
    } finally {
      this.depth--;
    }
    this.schedulePoll(ms);
  }

  private schedulePoll(ms: number): void {
    if (ms < 0) {
      this.clock.cancel(this.pollTimer);
      this.pollTimer = null;
      return;
    }
    const at = Math.floor(this.clock.now) + ms;
    // a poll already due by then stays: it polls (harmlessly early) and re-arms for this deadline.
    // On a real link a deadline moves with every frame (now + the delayed-ACK time…): replacing the
    // timer each time cost a clearTimeout and a setTimeout per frame
    if (ms > 0 && this.pollTimer && !this.pollTimer.cancelled && this.pollTimer.at <= at) return;
    this.clock.cancel(this.pollTimer);
    this.pollTimer = null;
    if (ms === 0) {
      if (this.zeroPollAt === this.clock.now) {
        if (++this.zeroPolls > MAX_ZERO_POLLS) throw new Error(`${this.name}: poll returned 0 more than ${MAX_ZERO_POLLS} times at t=${this.clock.now} ms`);
      } else {
        this.zeroPollAt = this.clock.now;
        this.zeroPolls = 0;
      }
    }
    this.pollTimer = this.clock.at(at, () => {
      this.pollTimer = null;
      this.call(() => 0);
    });
  }

  /** Deferred by fromLink (one function, so a burst defers it once). */
  private readonly settleLater = (): void => {
    if (this.depth === 0) this.settle();
  };

  /** When the next poll is scheduled (virtual ms), or null. */
  get nextPollAt(): number | null {
    return this.pollTimer && !this.pollTimer.cancelled ? this.pollTimer.at : null;
  }

  private dispatch(): void {
    if (this.dispatching) return; // the outer loop picks the new events up, in order
    this.dispatching = true;
    const q = this.evQueue;
    let taken = 0; // handlers append to q while it is walked; taken ones are removed at the end
    try {
      for (;;) {
        if (this.pollDue) this.poll();
        if (taken === q.length) break;
        while (taken < q.length) {
          if (taken > MAX_DISPATCH) throw new Error(`${this.name}: more than ${MAX_DISPATCH} events in one dispatch`);
          this.handle(q[taken++]!);
        }
      }
    } finally {
      if (taken === q.length) q.length = 0; // the same array again: no allocation per dispatch
      else q.splice(0, taken);
      this.dispatching = false;
    }
    if (this.finished.size) this.sweep();
  }

  /**
   * Forget connections that are over: CLOSED in the core and freed by the app (tcp_close or
   * abort). Their Conn objects live on with whoever holds them; the stack keeps nothing per
   * connection once it is gone, so a host serving connections forever stays the same size.
   */
  private sweep(): void {
    for (const h of this.finished) {
      const conn = this.conns.get(h);
      if (conn && !conn.freed) continue; // the app still holds the handle: swept after its close
      this.conns.delete(h);
      this.endpoints.delete(h);
      this.handleTransitions.delete(h);
      this.finished.delete(h);
    }
  }

  /** How much per-connection state the host side holds (for tests and the status page). */
  sizes(): { conns: number; endpoints: number; handleTransitions: number; transitions: number; finished: number; listeners: number; queued: number } {
    return {
      conns: this.conns.size,
      endpoints: this.endpoints.size,
      handleTransitions: this.handleTransitions.size,
      transitions: this.transitions.length,
      finished: this.finished.size,
      listeners: this.listeners_.size,
      queued: this.evQueue.length + this.rxQueue.length,
    };
  }

  private endpointOf(h: number, rx: Uint8Array | null): { local: string; remote: string } {
    const info = this.core.info(h);
    if (typeof info !== "number") {
      const e = { local: `${info.localIp}:${info.localPort}`, remote: `${info.remoteIp}:${info.remotePort}` };
      this.endpoints.set(h, e);
      return e;
    }
    const known = this.endpoints.get(h);
    if (known) return known;
    // tcp_info only answers for app-owned handles: a connection not yet accepted is named by the
    // segment that created it (the frame being processed)
    const p = rx ? parseFrame(rx) : null;
    if (p?.ip && p.tcp) {
      const e = { local: `${p.ip.dst}:${p.tcp.dport}`, remote: `${p.ip.src}:${p.tcp.sport}` };
      this.endpoints.set(h, e);
      return e;
    }
    return { local: "", remote: "" };
  }

  private handle(e: CoreEvent): void {
    this.emit("event", e);
    // the application must act before the link reads on: accept, answer a FIN with its close,
    // free a closed handle (Node runs those callbacks between link wake-ups, not between frames)
    if (APP_TURN.has(e.name)) this.link?.endBurst?.();
    let conn = this.conns.get(e.handle);
    switch (e.name) {
      case "STATE": {
        const from = e.arg & 0xff;
        const to = (e.arg >>> 8) & 0xff;
        if ((from === 0 || from === 1) && conn?.freed) {
          this.conns.delete(e.handle); // the handle was reused for a new connection
          conn = undefined;
        }
        if ((from === 0 || from === 1) && (!conn || conn.freed)) this.endpoints.delete(e.handle);
        const ep = this.endpointOf(e.handle, (e as QueuedEvent).rx ?? null);
        const t: StateTransition = { timeMs: this.clock.now, stack: this.name, handle: e.handle, from: this.core.stateName(from), to: this.core.stateName(to), ...ep };
        this.transitions.push(t);
        if (this.transitions.length >= 2 * this.keepTransitions) this.transitions.splice(0, this.transitions.length - this.keepTransitions);
        if (from === 0 || from === 1) this.handleTransitions.set(e.handle, []); // a new connection on this handle
        const list = this.handleTransitions.get(e.handle) ?? [];
        list.push(t);
        this.handleTransitions.set(e.handle, list);
        if (conn) conn._state(t);
        this.emit("state", t);
        if (to === 0) this.finished.add(e.handle);
        else this.finished.delete(e.handle); // a new connection on a reused handle
        break;
      }
      case "CONNECTED":
        conn?._connected();
        break;
      case "READABLE":
        conn?._readable(true);
        break;
      case "EOF":
        conn?._readable();
        break;
      case "WRITABLE":
        conn?._flush();
        break;
      case "ERROR":
        conn?._error(e.arg);
        break;
      case "SOFT_ERROR":
        conn?._softError(e.arg);
        break;
      case "CLOSED":
        conn?._closed(e.arg);
        break;
      case "ACCEPTABLE":
        this.listeners_.get(e.handle)?._acceptable();
        break;
    }
  }

  /** @internal */
  _register(conn: Conn): void {
    this.conns.set(conn.handle, conn);
    const prior = this.handleTransitions.get(conn.handle);
    if (prior) conn.transitions.push(...prior.filter((t) => !conn.transitions.includes(t)));
  }

  /** @internal */
  _unregisterListener(l: Listener): void {
    this.listeners_.delete(l.handle);
  }

  /** Listen on `port`; each accepted connection is passed to onConnection (and the 'connection' event). */
  listen(port: number, backlog = 4, onConnection?: (c: Conn) => void, opts: { autoAccept?: boolean } = {}): Listener {
    const lh = this.call((c) => c.listen(port, backlog));
    if (lh < 0) throw new PetrelError(this.core.errorName(lh), lh, `${this.name}: listen(${port})`);
    const l = new Listener(this, lh, port, opts.autoAccept ?? true);
    if (onConnection) l.on("connection", onConnection);
    this.listeners_.set(lh, l);
    return l;
  }

  /** Start an active open. Throws PetrelError for an immediate failure (EMFILE, EADDRINUSE, ENETUNREACH…). */
  connect(ip: Ip, port: number, opts: { localPort?: number } = {}): Conn {
    let conn: Conn | null = null;
    // register the Conn before events are dispatched: wrap with depth so dispatch waits
    this.depth++;
    let h: number;
    try {
      h = this.core.connect(ip, port, opts.localPort ?? 0, this.clock.now);
    } finally {
      this.depth--;
    }
    if (h >= 0) {
      conn = new Conn(this, h, "active");
      this._register(conn);
    }
    this.settle();
    if (h < 0) throw new PetrelError(this.core.errorName(h), h, `${this.name}: connect(${typeof ip === "number" ? u32ToIp(ip) : ip}:${port})`);
    return conn!;
  }

  /** name → value for every core counter. */
  counters(): Record<string, number> {
    return this.core.counters();
  }

  /** Live connections known to the host side. */
  connections(): Conn[] {
    return [...this.conns.values()].filter((c) => !c.freed);
  }

  override toString(): string {
    return `${this.name} ${this.ip}`;
  }
}

type ListenerEvents = { connection: (c: Conn) => void };

export class Listener extends Emitter<ListenerEvents> {
  /** The connections accepted so far: the latest ACCEPTED_KEPT of them (older ones are dropped). */
  readonly accepted: Conn[] = [];
  closed = false;

  constructor(readonly stack: Stack, readonly handle: number, readonly port: number, public autoAccept: boolean) {
    super();
  }

  /** @internal */
  _acceptable(): void {
    if (this.autoAccept && !this.closed) this.acceptAll();
  }

  /** Accept one queued connection; null when none (EAGAIN). */
  accept(): Conn | null {
    this.stack["depth"]++;
    let h: number;
    try {
      h = this.stack.core.accept(this.handle);
    } finally {
      this.stack["depth"]--;
    }
    let conn: Conn | null = null;
    if (h >= 0) {
      conn = new Conn(this.stack, h, "passive");
      this.stack._register(conn);
      conn._markConnected();
      this.accepted.push(conn);
      if (this.accepted.length >= 2 * ACCEPTED_KEPT) this.accepted.splice(0, this.accepted.length - ACCEPTED_KEPT);
    }
    this.stack.call(() => 0);
    if (h < 0 && h !== this.stack.core.errorCode("EAGAIN")) throw new PetrelError(this.stack.core.errorName(h), h, `accept on port ${this.port}`);
    if (conn) this.emit("connection", conn);
    return conn;
  }

  /** Accept everything queued (bounded by the backlog limit). */
  acceptAll(): Conn[] {
    const out: Conn[] = [];
    for (let i = 0; i < 1024; i++) {
      const c = this.accept();
      if (!c) break;
      out.push(c);
    }
    return out;
  }

  /** Stop listening (queued, not accepted connections are reset by the core). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const rc = this.stack.call((c) => c.close(this.handle, this.stack.now));
    this.stack._unregisterListener(this);
    if (rc < 0) throw new PetrelError(this.stack.core.errorName(rc), rc, `close listener ${this.port}`);
  }
}

type ConnEvents = {
  connect: () => void;
  data: (chunk: Uint8Array) => void;
  end: () => void;
  /** The connection is over; `error` is the name of the error that ended it, or null. */
  close: (error: string | null) => void;
  error: (code: string, errno: number) => void;
  /** A soft error (ICMP unreachable, time exceeded, parameter problem, ARP failure) reported when
   *  the retransmissions reach R1 (RFC 1122 4.2.3.5, 4.2.3.9): the connection goes on. */
  softerror: (code: string, errno: number) => void;
  state: (t: StateTransition) => void;
  /** Everything written has been handed to the core's send ring. */
  drain: () => void;
};

export class Conn extends Emitter<ConnEvents> {
  readonly transitions: StateTransition[] = [];
  connected = false;
  /** The peer's FIN was read (recv returned 0). */
  ended = false;
  /** The core reported CLOSED (or the handle was aborted). */
  closed = false;
  /** tcp_close/tcp_abort was called: the handle is no longer ours. */
  freed = false;
  /** Name of the error that ended the connection ("ECONNRESET"…), or null. */
  error: string | null = null;
  errno = 0;
  /** The last soft error the core reported (SOFT_ERROR event), or null; it does not end the connection. */
  softError: string | null = null;
  /** Total bytes received / accepted by the core's send ring. */
  bytesRead = 0;
  bytesWritten = 0;
  /** When true, READABLE does not recv: data stays in the core (its window closes). */
  paused = false;
  /** Free the handle (tcp_close) automatically when the core reports CLOSED. */
  autoFree = true;
  private buffered: Uint8Array[] = [];
  private pending = new ByteQueue();
  private shutdownPending = false;
  private closePending = false;
  private lastState = "CLOSED";
  private endpoint: { local: string; remote: string } | null = null;

  constructor(readonly stack: Stack, readonly handle: number, readonly role: "active" | "passive") {
    super();
    this.lastState = role === "active" ? "SYN_SENT" : "ESTABLISHED";
    this.fillEndpoint();
  }

  private fillEndpoint(): void {
    const info = this.stack.core.info(this.handle);
    if (typeof info !== "number") this.endpoint = { local: `${info.localIp}:${info.localPort}`, remote: `${info.remoteIp}:${info.remotePort}` };
  }

  get local(): string {
    return this.endpoint?.local ?? "";
  }
  get remote(): string {
    return this.endpoint?.remote ?? "";
  }
  get localPort(): number {
    return Number(this.local.split(":")[1] ?? 0);
  }

  /** Current state name (from the core while the handle is ours, else the last transition seen). */
  get state(): string {
    if (!this.freed) {
      const s = this.stack.core.state(this.handle);
      if (s >= 0) return this.stack.core.stateName(s);
    }
    return this.lastState;
  }

  /** The sequence of states this connection went through, e.g. ["SYN_SENT","ESTABLISHED",…]. */
  get states(): string[] {
    return this.transitions.length ? [this.transitions[0]!.from, ...this.transitions.map((t) => t.to)] : [this.state];
  }

  info(): TcpInfo | null {
    if (this.freed) return null;
    const i = this.stack.core.info(this.handle);
    return typeof i === "number" ? null : i;
  }

  /** Bytes queued on the host side, not yet taken by the core's send ring. */
  get pendingBytes(): number {
    return this.pending.length;
  }

  /**
   * Write data: what the send ring takes now goes to the core, the rest is queued here and
   * retried on WRITABLE. Returns the bytes the core took now. Throws PetrelError for EPIPE etc.
   */
  write(data: Uint8Array | string): number {
    if (this.freed || this.shutdownPending || this.closePending) throw new PetrelError("EPIPE", -32, "write after end");
    const bytes = toBytes(data);
    if (bytes.length === 0) return 0;
    const before = this.bytesWritten;
    this.pending.push(bytes);
    if (this.connected) this._flush();
    return this.bytesWritten - before;
  }

  /** Write then shutdown (Node's end()). */
  end(data?: Uint8Array | string): void {
    if (data !== undefined) this.write(data);
    this.shutdown();
  }

  /** Close the sending side (FIN) once everything queued is in the send ring. */
  shutdown(): void {
    if (this.freed) return;
    this.shutdownPending = true;
    this.afterFlush();
  }

  /** Done with the connection: FIN after queued data; the core finishes the close alone. */
  close(opts: { discard?: boolean } = {}): void {
    if (this.freed) return;
    this.closePending = true;
    if (this.closed || this.error || opts.discard) this.pending.clear();
    this.afterFlush();
  }

  /**
   * tcp_set_option (docs/abi.md): NODELAY 0/1; KEEPALIVE idle ms (0 = off), KEEPINTVL ms, KEEPCNT
   * probes; USER_TIMEOUT ms (0 = the retry count). Through call(), so the poll deadline is
   * recomputed at once (a keepalive or user-timeout deadline may now be the earliest). Throws
   * PetrelError (EINVAL for an unknown option or a value out of range).
   */
  setOption(opt: SocketOption, value: number): void {
    if (this.freed) return;
    const rc = this.stack.call((c) => c.setOption(this.handle, opt, value));
    if (rc < 0) throw new PetrelError(this.stack.core.errorName(rc), rc, `setOption(${opt}, ${value})`);
  }

  /** RST (in synchronized states) and free the handle at once. */
  abort(): void {
    if (this.freed) return;
    this.freed = true;
    this.pending.clear();
    const rc = this.stack.call((c) => c.abort(this.handle, this.stack.now));
    if (rc < 0) throw new PetrelError(this.stack.core.errorName(rc), rc, "abort");
    if (!this.closed) {
      this.closed = true;
      this.emit("close", this.error);
    }
  }

  /** Data received and not yet consumed; when paused, also recv from the core (up to `max`). */
  read(max = Infinity): Uint8Array {
    if (this.paused && !this.freed) {
      for (let i = 0; i < 1_000_000 && this.bufferedBytes < max; i++) {
        const r = this.stack.call((c) => c.recv(this.handle, this.stack.now, max - this.bufferedBytes));
        if (typeof r === "number") {
          if (r === 0) this.markEnded();
          break;
        }
        this.bytesRead += r.length;
        this.buffered.push(r);
      }
    }
    const all = concat(...this.buffered);
    const out = all.subarray(0, Math.min(max, all.length));
    const rest = all.subarray(out.length);
    this.buffered = rest.length ? [rest.slice()] : [];
    return out.slice();
  }

  get bufferedBytes(): number {
    let n = 0;
    for (const b of this.buffered) n += b.length;
    return n;
  }

  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
    this._readable();
  }

  // ── called by Stack on events ────────────────────────────────────────────────────────────
  /** @internal */
  _markConnected(): void {
    this.connected = true;
  }
  /** @internal */
  _state(t: StateTransition): void {
    if (!this.transitions.includes(t)) this.transitions.push(t);
    this.lastState = t.to;
    if (!this.endpoint || !this.endpoint.local) this.fillEndpoint();
    if (!this.endpoint?.local && t.local) this.endpoint = { local: t.local, remote: t.remote };
    this.emit("state", t);
    if (t.to === "CLOSED") this._closed(0);
  }
  /** @internal */
  _connected(): void {
    if (this.connected) return;
    this.connected = true;
    this.fillEndpoint();
    this.emit("connect");
    this._flush();
  }
  /** @internal read until recv says EAGAIN, end of stream or an error. `dataOnly` (a READABLE
   *  event): stop once nothing is readable instead of asking recv again: the EOF event that
   *  follows a FIN does that. */
  _readable(dataOnly = false): void {
    if (this.paused || this.freed || this.ended) return;
    for (let i = 0; i < 1_000_000 && !this.paused && !this.freed; i++) {
      const r = this.stack.call((c) => c.recv(this.handle, this.stack.now));
      if (typeof r === "number") {
        if (r === 0) this.markEnded();
        return;
      }
      this.bytesRead += r.length;
      if (this.listenerCount("data") > 0) this.emit("data", r);
      else this.buffered.push(r);
      if (dataOnly && !this.freed && this.stack.core.readable(this.handle) === 0) return;
    }
  }
  private markEnded(): void {
    if (this.ended) return;
    this.ended = true;
    this.emit("end");
  }
  /** @internal push queued writes into the send ring */
  _flush(): void {
    if (this.freed || !this.connected) return;
    for (let i = 0; this.pending.length && i < 1_000_000; i++) {
      const head = this.pending.peek();
      const n = this.stack.call((c) => c.send(this.handle, head, this.stack.now));
      if (n < 0) {
        const name = this.stack.core.errorName(n);
        if (name === "EAGAIN" || name === "ENOTCONN") return; // retried on WRITABLE / CONNECTED
        this.pending.clear();
        this._error(n);
        return;
      }
      if (n === 0) return;
      this.bytesWritten += n;
      this.pending.consume(n);
    }
    if (this.pending.length === 0) {
      this.emit("drain");
      this.afterFlush();
    }
  }
  private afterFlush(): void {
    if (this.freed || this.pending.length) return;
    if (this.closePending) {
      this.freed = true;
      const rc = this.stack.call((c) => c.close(this.handle, this.stack.now));
      if (rc < 0 && this.stack.core.errorName(rc) !== "EBADF") throw new PetrelError(this.stack.core.errorName(rc), rc, "close");
      return;
    }
    if (this.shutdownPending && this.connected) {
      this.shutdownPending = false;
      const rc = this.stack.call((c) => c.shutdown(this.handle, this.stack.now));
      if (rc < 0) this._error(rc);
      this.shutdownPending = true; // further writes are EPIPE
    }
  }
  /** @internal */
  _softError(errno: number): void {
    this.softError = this.stack.core.errorName(errno);
    this.emit("softerror", this.softError, errno);
  }
  /** @internal */
  _error(errno: number): void {
    if (this.error) return;
    this.errno = errno;
    this.error = this.stack.core.errorName(errno);
    this.emit("error", this.error, errno);
  }
  /** @internal */
  _closed(arg: number): void {
    if (arg < 0) this._error(arg);
    if (!this.paused) this._readable();
    if (this.closed) return;
    this.closed = true;
    this.emit("close", this.error);
    if (this.autoFree && !this.freed) {
      this.freed = true;
      this.pending.clear();
      this.stack.call((c) => c.close(this.handle, this.stack.now));
    }
  }
}

/**
 * Bytes written but not yet taken by the core's send ring, copied into one buffer that the
 * connection keeps (it grows to the largest backlog, is compacted when it runs out of room at the
 * end, and is dropped when it drains past 1 MiB) instead of a new copy per write().
 */
class ByteQueue {
  private buf = new Uint8Array(0);
  private head = 0;
  private tail = 0;

  get length(): number {
    return this.tail - this.head;
  }

  /** Append a copy of data. */
  push(data: Uint8Array): void {
    const n = data.length;
    if (this.tail + n > this.buf.length) {
      const live = this.tail - this.head;
      if (live + n <= this.buf.length) {
        this.buf.copyWithin(0, this.head, this.tail);
      } else {
        const grown = new Uint8Array(Math.max(live + n, 2 * this.buf.length, 16 * 1024));
        grown.set(this.buf.subarray(this.head, this.tail));
        this.buf = grown;
      }
      this.head = 0;
      this.tail = live;
    }
    this.buf.set(data, this.tail);
    this.tail += n;
  }

  /** The queued bytes (a view, valid until the next push or consume). */
  peek(): Uint8Array {
    return this.buf.subarray(this.head, this.tail);
  }

  /** Drop n bytes from the front. */
  consume(n: number): void {
    this.head += n;
    if (this.head >= this.tail) this.clear();
  }

  clear(): void {
    this.head = this.tail = 0;
    if (this.buf.length > 1 << 20) this.buf = new Uint8Array(0);
  }
}

export { ipToU32 };
