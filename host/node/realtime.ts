// Wall-clock time for real links (TAP): the same Scheduler interface as the simulator's virtual
// Clock, backed by Node's timers. `now` is monotonic milliseconds (performance.now()) since the clock
// was made, so the core's u32 `now` starts near 0 and wraps only after 49.7 days. A deadline that is
// already due runs on setImmediate (after pending I/O), later ones on setTimeout. stop() cancels every
// outstanding timer and makes later ones inert, so a stopped stack never keeps the process alive.
import type { Scheduler, TimeSource, Timer } from "../time/clock.ts";

interface RealTimer extends Timer {
  handle: NodeJS.Timeout | NodeJS.Immediate | null;
  immediate: boolean;
}

export class RealClock implements Scheduler {
  private readonly origin = performance.now();
  private seq = 0;
  private live = new Set<RealTimer>();
  private stopped = false;
  /** Whether timers keep the event loop alive (default true). */
  private keepAlive = true;

  get now(): number {
    return performance.now() - this.origin;
  }

  at(at: number, fn: () => void): Timer {
    const t: RealTimer = { at, seq: this.seq++, cancelled: false, handle: null, immediate: false };
    if (this.stopped) {
      t.cancelled = true;
      return t;
    }
    const run = (): void => {
      this.live.delete(t);
      t.handle = null;
      if (!t.cancelled) fn();
    };
    const delay = at - this.now;
    t.immediate = delay <= 0;
    t.handle = t.immediate ? setImmediate(run) : setTimeout(run, Math.ceil(delay));
    if (!this.keepAlive) t.handle.unref();
    this.live.add(t);
    return t;
  }

  after(delay: number, fn: () => void): Timer {
    return this.at(this.now + Math.max(0, delay), fn);
  }

  cancel(t: Timer | null | undefined): void {
    if (!t || t.cancelled) return;
    t.cancelled = true;
    const rt = t as RealTimer;
    if (rt.handle) {
      if (!rt.immediate) clearTimeout(rt.handle as NodeJS.Timeout);
      else clearImmediate(rt.handle as NodeJS.Immediate);
      rt.handle = null;
    }
    this.live.delete(rt);
  }

  /** Timers not yet run or cancelled. */
  get pending(): number {
    return this.live.size;
  }

  /** Let the process exit even while timers are pending (links decide liveness). */
  unref(): this {
    this.keepAlive = false;
    for (const t of this.live) t.handle?.unref();
    return this;
  }

  /** Cancel everything and ignore later timers. */
  stop(): void {
    this.stopped = true;
    for (const t of [...this.live]) this.cancel(t);
  }
}

/** Absolute wall-clock milliseconds (Unix epoch, sub-ms resolution) for pcap timestamps. */
export const wallTime: TimeSource = {
  get now(): number {
    return performance.timeOrigin + performance.now();
  },
};
