// A bandwidth limit as link middleware: a transmit queue that puts frames on the wire one after
// another, each taking its serialisation time (bits / rate), so back-to-back frames are spaced in
// virtual time like on a real link. Only the transmit direction is shaped (the far end's port shapes
// its own); received frames pass straight through. Order is preserved (FIFO). An optional queue
// limit drops at the tail, like a router's output queue.
import type { Scheduler } from "../time/clock.ts";
import { Middleware, type Link } from "./link.ts";

export interface BandwidthOptions {
  /** Link rate in Mbit/s (1 Mbit = 10^6 bits). */
  mbps: number;
  /** Bytes counted per frame on top of the Ethernet frame (preamble 8 + FCS 4 + gap 12 = 24 on real Ethernet; default 0). */
  overheadBytes?: number;
  /** Frames waiting (not counting the one being sent) before new ones are dropped; default unlimited. */
  queueFrames?: number;
}

export interface BandwidthStats {
  frames: number;
  /** Frames dropped because the queue was full. */
  dropped: number;
  /** Largest number of frames waiting at once. */
  maxQueued: number;
}

export class BandwidthLink extends Middleware {
  readonly stats: BandwidthStats = { frames: 0, dropped: 0, maxQueued: 0 };
  /** Virtual time at which the wire is free again. */
  private busyUntil = 0;
  /** Departure times of frames accepted but not yet sent (for the queue limit). */
  private departures: number[] = [];
  private readonly msPerByte: number;

  constructor(inner: Link, private readonly clock: Scheduler, private readonly o: BandwidthOptions) {
    super(inner);
    if (!(o.mbps > 0)) throw new RangeError(`bandwidth must be > 0 Mbit/s (got ${o.mbps})`);
    this.msPerByte = 8 / (o.mbps * 1000); // bits per byte / bits per ms
  }

  /** Serialisation time of a frame of `len` bytes, in ms. */
  serialisationMs(len: number): number {
    return (len + (this.o.overheadBytes ?? 0)) * this.msPerByte;
  }

  /** Frames waiting or being sent right now. */
  get queued(): number {
    const now = this.clock.now;
    while (this.departures.length && this.departures[0]! <= now) this.departures.shift();
    return this.departures.length;
  }

  protected override down(frame: Uint8Array): void {
    const now = this.clock.now;
    const waiting = this.queued;
    if (this.o.queueFrames !== undefined && waiting > this.o.queueFrames) {
      this.stats.dropped++;
      return;
    }
    this.stats.frames++;
    this.stats.maxQueued = Math.max(this.stats.maxQueued, waiting);
    const start = Math.max(now, this.busyUntil);
    const done = start + this.serialisationMs(frame.length);
    this.busyUntil = done;
    this.departures.push(done);
    // the frame enters the switch when its last bit has left (store-and-forward)
    this.clock.at(done, () => this.inner.send(frame));
  }
}
