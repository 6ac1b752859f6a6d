// One simulated (or TAP-attached) host: a Core, a Link and the clock. Frames from the link go
// into rx at once; the dispatch of their events and then the poll follow at the end of the scheduler
// step that delivered them (a burst). After a socket call the stack drains the core's events,
// dispatches them and polls (the poll ends the app's turn: what the handlers did rides on what it
// sends), until no event is left; poll(now) is rescheduled at the deadline it returns. Above that, a
// small socket API (listen/connect, Conn with write/read/shutdown/close/abort and events) on which
// tests, the simulator and later a net.Socket-compatible Duplex are built.
import { Core, type CoreEvent, type CoreOptions } from "../core.ts";
import { Emitter } from "../emitter.ts";
import type { Link } from "../link/link.ts";
import { u32ToIp, type Ip, type Mac } from "../packet/packet.ts";
import type { Scheduler, Timer } from "../time/clock.ts";
import { Conn } from "./conn.ts";
import { Listener } from "./listener.ts";
import { PetrelError, TransitionLog, type StateTransition } from "./transition.ts";

export { Conn } from "./conn.ts";
export { ACCEPTED_KEPT, Listener } from "./listener.ts";
export { PetrelError, type StateTransition } from "./transition.ts";

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
  /** Start the DHCP client; initDelayMs: the longest random wait before the first DISCOVER (RFC
   *  2131 4.4.1; the build's default is 1–10 s, 0 = at once). */
  dhcp?: boolean | { requestedIp?: Ip; initDelayMs?: number };
}

type StackEvents = {
  state: (t: StateTransition) => void;
  /** A frame the core sent / received (before the link). */
  tx: (frame: Uint8Array) => void;
  rx: (frame: Uint8Array, result: number) => void;
  /** rx returned < 0: the frame was dropped, `reason` names why. */
  drop: (reason: string, frame: Uint8Array) => void;
  /** Every core event, before dispatch (a READABLE merged into an earlier one of its handle,
   *  still waiting for dispatch, is not: queueEvents). */
  event: (e: CoreEvent) => void;
};

const MAX_DISPATCH = 1_000_000;
/** Events after which a link reading a burst of frames lets the application run first (Link.endBurst). */
const APP_TURN = new Set(["ACCEPTABLE", "CONNECTED", "EOF", "CLOSED", "ERROR"]);
const MAX_ZERO_POLLS = 10_000;

/** A core event waiting for dispatch; a new connection's first STATE event caused by a received
 *  frame carries it. */
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
  /** The state transitions of every connection of this stack, and of each handle's connection. */
  private readonly log: TransitionLog;
  /** Handles whose connection reached CLOSED: forgotten once the app has freed them too. */
  private finished = new Set<number>();
  private conns = new Map<number, Conn>();
  private listeners_ = new Map<number, Listener>();
  private pollTimer: Timer | null = null;
  private zeroPolls = 0;
  private zeroPollAt = -1;
  private depth = 0;
  private evQueue: CoreEvent[] = [];
  private dispatching = false;
  /** A core call happened since the last poll (settle). */
  private pollDue = false;
  private rxQueue: Uint8Array[] = [];
  /** Handles with a READABLE event queued and not dispatched yet, and no other event of theirs
   *  queued after it: a later READABLE of theirs is merged into that one (queueEvents). */
  private readablePending = new Set<number>();
  /** READABLE events merged into an earlier one of the same handle (one read takes both). */
  mergedReadable = 0;
  /** The link calls settleLater after each batch of frames (Link.onBatchEnd). */
  private batched = false;
  /** The time the current batch's frames are received at (read at its first frame), or -1. */
  private batchNow = -1;

  constructor(o: StackOptions) {
    super();
    this.name = o.name;
    this.ip = typeof o.ip === "number" ? u32ToIp(o.ip) : o.ip;
    this.seed = o.seed ?? 0;
    this.mac = o.mac;
    this.clock = o.clock;
    this.core = o.core instanceof Core ? o.core : new Core(o.core ?? {});
    this.log = new TransitionLog(this.name, this.core, o.keepTransitions ?? 4096);
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
      const d = typeof o.dhcp === "object" ? o.dhcp : {};
      if (d.initDelayMs !== undefined) {
        const rc = this.core.dhcpInitDelay(d.initDelayMs);
        if (rc !== 0) throw new PetrelError(this.core.errorName(rc), rc, `${this.name}: dhcp_init_delay`);
      }
      const r = this.call((c) => c.dhcpStart(this.clock.now, d.requestedIp));
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

  /** The state transitions of every connection of this stack, in order: the latest
   *  `keepTransitions` of them (older ones are dropped in blocks, so a long-running host stays flat). */
  get transitions(): readonly StateTransition[] {
    return this.log.all;
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
    let now: number;
    if (this.batched) {
      // one clock reading per batch (the frames of a batch were read together): a RealClock's
      // now is a performance.now() call, a measurable share of a frame's cost
      if (this.batchNow < 0) this.batchNow = now = this.clock.now;
      else now = this.batchNow;
    } else now = this.clock.now;
    const rc = this.rxFrame(frame, now);
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
  private rxFrame(frame: Uint8Array, now = this.clock.now): number {
    const q = this.evQueue;
    const before = q.length;
    this.depth++;
    let rc: number;
    try {
      rc = this.core.rx(frame, now);
      this.queueEvents();
    } finally {
      this.depth--;
    }
    // a new connection's first transition (from CLOSED or LISTEN) keeps a copy of the frame: its
    // 4-tuple names a connection not accepted yet (TransitionLog.record); later ones need none
    for (let i = before; i < q.length; i++) {
      const e = q[i]!;
      if (e.name === "STATE" && (e.arg & 0xff) <= 1) (e as QueuedEvent).rx = frame.slice();
    }
    return rc;
  }

  /**
   * Pop the core's events onto the queue (after every call: the ring must not overflow), then drop
   * each new READABLE whose handle already has a READABLE waiting for dispatch with no other event
   * of that handle after it: the first one's handler reads everything
   * readable when it runs, the data of both (every frame of a batch is in the core before the
   * dispatch). A burst of data segments then costs one event dispatch and one read per connection
   * instead of one per segment. Another event of the handle (EOF, STATE…) ends the run, so the
   * order of a handle's events is kept.
   */
  private queueEvents(): void {
    const q = this.evQueue;
    const from = q.length;
    this.core.drainEvents(q);
    const pending = this.readablePending;
    let to = from;
    for (let i = from; i < q.length; i++) {
      const e = q[i]!;
      if (e.name === "READABLE") {
        if (pending.has(e.handle)) {
          this.mergedReadable++;
          continue;
        }
        pending.add(e.handle);
      } else if (pending.size !== 0) pending.delete(e.handle);
      if (to !== i) q[to] = e;
      to++;
    }
    q.length = to;
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
    this.batchNow = -1;
    // frames that arrived during a core call
    for (let i = 0; this.rxQueue.length && i < MAX_DISPATCH; i++) this.rxFrame(this.rxQueue.shift()!);
    this.pollDue = true;
    if (this.dispatching) {
      this.drain();
      return;
    }
    this.dispatch();
  }

  /** Queue the core's events (queueEvents) outside any other core call. */
  private drain(): void {
    this.depth++;
    try {
      this.queueEvents();
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
      this.queueEvents();
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
    this.batchNow = -1;
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
      // the app's handlers run before the poll that ends their turn, so what they do rides on the
      // segment that poll sends (a close right after EOF: the FIN carries the ACK of the peer's FIN)
      for (;;) {
        while (taken < q.length) {
          if (taken > MAX_DISPATCH) throw new Error(`${this.name}: more than ${MAX_DISPATCH} events in one dispatch`);
          this.handle(q[taken++]!);
        }
        if (!this.pollDue) break;
        this.poll();
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
      this.log.forget(h);
      this.finished.delete(h);
    }
  }

  /** How much per-connection state the host side holds (for tests and the status page). */
  sizes(): { conns: number; endpoints: number; handleTransitions: number; transitions: number; finished: number; listeners: number; queued: number } {
    return {
      conns: this.conns.size,
      ...this.log.sizes(),
      finished: this.finished.size,
      listeners: this.listeners_.size,
      queued: this.evQueue.length + this.rxQueue.length,
    };
  }

  private handle(e: CoreEvent): void {
    if (e.name === "READABLE") this.readablePending.delete(e.handle);
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
        const t = this.log.record(e.handle, from, to, this.clock.now, (e as QueuedEvent).rx ?? null, !!conn);
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

  /** @internal A core call whose events wait for the next settle (Listener.accept registers the
   *  connection before they are dispatched). */
  _quietCall<T>(fn: (core: Core) => T): T {
    this.depth++;
    try {
      return fn(this.core);
    } finally {
      this.depth--;
    }
  }

  /** @internal */
  _register(conn: Conn): void {
    this.conns.set(conn.handle, conn);
    const prior = this.log.ofHandle(conn.handle);
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
    // register the Conn before its events are dispatched
    const h = this._quietCall((c) => c.connect(ip, port, opts.localPort ?? 0, this.clock.now));
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
