// An in-memory Ethernet switch. Every delivery goes through the scheduler (never synchronously
// inside send), so a stack's tx never re-enters another stack's rx. A frame from port A to port B
// arrives A.delayMs + B.delayMs after it was sent. Learning mode forwards unicast frames to the
// port that last sent from that MAC (flooding unknown ones); hub mode floods everything.
//
// Frames that reach a port at the same virtual time travel as one burst, delivered in one
// scheduler step. When every handler of the port takes transient frames (a Stack does: it copies
// each into its core), the burst's bytes sit back to back in a buffer the port reuses, and a
// sender with sendFrom (a Stack's core) is copied straight into it: one copy from the sender's
// memory to the switch, one from there into the receiver's, no allocation per frame.
import { Arena } from "../stack/arena.ts";
import type { Clock } from "../time/clock.ts";
import { Handlers, type FrameHandler, type FrameHandlerOptions, type Link } from "./link.ts";

export interface SwitchOptions {
  mode?: "learning" | "hub";
  /** Default per-port delay in ms (default 0.5: 1 ms one way between two hosts). */
  delayMs?: number;
}

export type TapHandler = (frame: Uint8Array, timeMs: number, from: SwitchPort) => void;

/** The 48-bit MAC at f[off..off+6] as a number (exact: below 2^53), the MAC table's key. */
const macKey = (f: Uint8Array, off: number): number =>
  ((f[off]! << 8) | f[off + 1]!) * 0x1_0000_0000 + (((f[off + 2]! << 24) | (f[off + 3]! << 16) | (f[off + 4]! << 8) | f[off + 5]!) >>> 0);

/**
 * Frames on their way to one port that arrive at the same virtual time: delivered in one step.
 * Pooled (bytes set): the frames' bytes back to back, frame i ending at ends[i]; otherwise each
 * frame is an array of its own.
 */
class Burst {
  readonly frames: Uint8Array[] = [];
  readonly ends: number[] = [];
  used = 0;
  delivered = false;

  constructor(readonly at: number, public bytes: Uint8Array | null) {}

  /** Add a frame; `owned`: the array is the burst's to keep (else it is copied, into `arena`). */
  add(frame: Uint8Array, owned: boolean, arena: Arena): void {
    if (!this.bytes) {
      this.frames.push(owned ? frame : arena.copy(frame.buffer, frame.byteOffset, frame.length));
      return;
    }
    const end = this.used + frame.length;
    if (end > this.bytes.length) {
      const grown = new Uint8Array(Math.max(end, 2 * this.bytes.length));
      grown.set(this.bytes.subarray(0, this.used));
      this.bytes = grown;
    }
    this.bytes.set(frame, this.used);
    this.used = end;
    this.ends.push(end);
  }
}

/** First size of a port's burst buffer (it grows to the largest burst and is kept). */
const BURST_BYTES = 16 * 1024;

export class SwitchPort implements Link {
  readonly handlers = new Handlers();
  /** The latest burst scheduled for this port (joined by frames that arrive at the same time). */
  inbound: Burst | null = null;
  /** A delivered burst's buffer, for the next burst (see Burst). */
  spare: Uint8Array | null = null;
  /** Frames this port sent into the switch / got delivered. */
  txFrames = 0;
  rxFrames = 0;
  /** The MAC table as this port's last frame saw it (valid while the table's version is unchanged):
   *  its source address, already learned here, and where its destination address was. */
  seenVersion = -1;
  seenSrc = -1;
  seenDst = -1;
  seenTarget: SwitchPort | undefined = undefined;

  constructor(readonly sw: Switch, readonly index: number, readonly name: string, public delayMs: number) {}

  /** The frame is kept until delivered (Link: the sender passes a copy it won't reuse). */
  send(frame: Uint8Array): void {
    this.txFrames++;
    this.sw.forward(this, frame);
  }

  /** The frame is copied into the receiving port's burst before this returns. */
  sendFrom(buffer: ArrayBufferLike, offset: number, length: number): void {
    this.txFrames++;
    this.sw.forwardFrom(this, buffer, offset, length);
  }

  /** @internal the switch's delivery of one frame to this port */
  deliver(frame: Uint8Array): void {
    this.rxFrames++;
    this.handlers.emit(frame);
  }

  onFrame(cb: FrameHandler, opts?: FrameHandlerOptions): void {
    this.handlers.add(cb, opts);
  }
}

export class Switch {
  readonly ports: SwitchPort[] = [];
  private macTable = new Map<number, SwitchPort>();
  /** Bumped whenever the MAC table changes (it invalidates the ports' seen* caches). */
  private tableVersion = 0;
  private taps: TapHandler[] = [];
  /** Copies of frames from sendFrom for ports whose handlers keep what they get. */
  private arena = new Arena();
  readonly mode: "learning" | "hub";
  readonly delayMs: number;

  constructor(readonly clock: Clock, opts: SwitchOptions = {}) {
    this.mode = opts.mode ?? "learning";
    this.delayMs = opts.delayMs ?? 0.5;
  }

  port(opts: { name?: string; delayMs?: number } = {}): SwitchPort {
    const p = new SwitchPort(this, this.ports.length, opts.name ?? `port${this.ports.length}`, opts.delayMs ?? this.delayMs);
    this.ports.push(p);
    return p;
  }

  /** See every frame entering the switch (at the time it is sent), e.g. for a wire trace or pcap. */
  tap(cb: TapHandler): void {
    this.taps.push(cb);
  }

  /** @internal called by SwitchPort.send: `frame` is the switch's to keep */
  forward(from: SwitchPort, frame: Uint8Array): void {
    for (const t of this.taps) t(frame, this.clock.now, from);
    this.route(from, frame, true);
  }

  /** @internal called by SwitchPort.sendFrom: the bytes are copied before this returns */
  forwardFrom(from: SwitchPort, buffer: ArrayBufferLike, offset: number, length: number): void {
    const frame = new Uint8Array(buffer, offset, length);
    if (this.taps.length > 0) this.forward(from, frame.slice()); // a tap may keep what it sees
    else this.route(from, frame, false);
  }

  /** `owned`: the array may be kept (by one target; a flood to several copies it for each). */
  private route(from: SwitchPort, frame: Uint8Array, owned: boolean): void {
    if (frame.length < 14) return;
    const bcast = (frame[0]! & 1) === 1; // broadcast or multicast
    if (this.mode === "learning") {
      const known = this.learn(from, macKey(frame, 6), bcast ? -1 : macKey(frame, 0));
      if (known) {
        if (known !== from) this.send(from, known, frame, owned);
        return;
      }
    }
    const one = owned && this.ports.length <= 2;
    for (const to of this.ports) if (to !== from) this.send(from, to, frame, one);
  }

  /**
   * Learn that `src` is behind `from`; the port `dst` is behind (undefined: unknown, or dst = -1 for
   * broadcast). A port that keeps sending between the same two addresses (a bulk transfer) skips
   * both table operations until the table changes.
   */
  private learn(from: SwitchPort, src: number, dst: number): SwitchPort | undefined {
    if (from.seenVersion === this.tableVersion && from.seenSrc === src && from.seenDst === dst) return from.seenTarget;
    if (this.macTable.get(src) !== from) {
      this.macTable.set(src, from);
      this.tableVersion++;
    }
    const target = dst < 0 ? undefined : this.macTable.get(dst);
    from.seenVersion = this.tableVersion;
    from.seenSrc = src;
    from.seenDst = dst;
    from.seenTarget = target;
    return target;
  }

  /**
   * Schedule a frame's arrival at `to`. Frames that arrive at the same virtual time as the latest
   * burst not yet delivered to that port join it: a burst is one scheduler step, so the stack
   * receives all of it before it polls and dispatches (Scheduler.defer). Each port still gets its
   * frames in the order they were sent, and a frame never arrives earlier than alone.
   */
  private send(from: SwitchPort, to: SwitchPort, frame: Uint8Array, owned: boolean): void {
    const at = this.clock.now + Math.max(0, from.delayMs + to.delayMs);
    const last = to.inbound;
    if (last && last.at === at && !last.delivered) {
      last.add(frame, owned, this.arena);
      return;
    }
    let pool: Uint8Array | null = null;
    if (to.handlers.transient) {
      pool = to.spare ?? new Uint8Array(BURST_BYTES);
      to.spare = null;
    }
    const burst = new Burst(at, pool);
    burst.add(frame, owned, this.arena);
    to.inbound = burst;
    this.clock.at(at, () => this.deliver(to, burst));
  }

  private deliver(to: SwitchPort, burst: Burst): void {
    burst.delivered = true;
    if (to.inbound === burst) to.inbound = null;
    const bytes = burst.bytes;
    if (!bytes) {
      for (const f of burst.frames) to.deliver(f);
      return;
    }
    // views of the burst's buffer; a handler that keeps frames (added since) gets copies
    const keep = !to.handlers.transient;
    let start = 0;
    for (const end of burst.ends) {
      const view = new Uint8Array(bytes.buffer, start, end - start);
      to.deliver(keep ? view.slice() : view);
      start = end;
    }
    to.spare = bytes;
  }
}
