// gVisor's link/channel: a link whose far end is the test itself. Frames the stack sends are
// queued with their virtual time (drain / take); inject() delivers a frame to the stack, through the
// scheduler (optionally after a delay), so it never re-enters the core inside tx.
import type { Clock } from "../time/clock.ts";
import { parseFrame, type ParsedFrame } from "../packet/packet.ts";
import { Handlers, type FrameHandler, type Link } from "./link.ts";

export interface CapturedFrame {
  timeMs: number;
  frame: Uint8Array;
  parsed: ParsedFrame;
}

export class ChannelLink implements Link {
  private handlers = new Handlers();
  private queue: CapturedFrame[] = [];
  /** Every frame ever sent by the stack (not cleared by drain). */
  readonly all: CapturedFrame[] = [];
  private watchers: ((c: CapturedFrame) => void)[] = [];

  constructor(private readonly clock: Clock) {}

  send(frame: Uint8Array): void {
    const c = { timeMs: this.clock.now, frame: frame.slice(), parsed: parseFrame(frame) };
    this.queue.push(c);
    this.all.push(c);
    for (const w of this.watchers) w(c);
  }

  onFrame(cb: FrameHandler): void {
    this.handlers.add(cb);
  }

  /** Called for each frame the stack sends (e.g. an auto ARP responder). */
  watch(cb: (c: CapturedFrame) => void): void {
    this.watchers.push(cb);
  }

  /** Deliver a frame to the stack `delayMs` from now (default: at the current time, via the scheduler). */
  inject(frame: Uint8Array, delayMs = 0): void {
    const copy = frame.slice();
    this.clock.after(delayMs, () => this.handlers.emit(copy));
  }

  /** Frames sent since the last drain, oldest first. */
  drain(): CapturedFrame[] {
    const q = this.queue;
    this.queue = [];
    return q;
  }

  /** The oldest undrained frame, or undefined. */
  take(): CapturedFrame | undefined {
    return this.queue.shift();
  }

  get queued(): number {
    return this.queue.length;
  }
}
