// Virtual time and a deterministic scheduler (gVisor's faketime.ManualClock is the model).
// Events run in (time, insertion order); nothing reads the wall clock. Every run loop is bounded
// and throws a clear error when a bound is hit instead of spinning.

export interface Timer {
  readonly at: number;
  readonly seq: number;
  cancelled: boolean;
}

interface Entry extends Timer {
  fn: () => void;
}

/** What a Stack and the link middleware need from time: the current ms and one-shot timers.
 *  `Clock` (virtual, deterministic) and `RealClock` (host/node/realtime.ts, wall-clock) implement it. */
export interface Scheduler {
  readonly now: number;
  at(at: number, fn: () => void): Timer;
  after(delay: number, fn: () => void): Timer;
  cancel(t: Timer | null | undefined): void;
  /**
   * Optional: run fn once the callback being run returns (the end of this step), once however
   * often it is deferred before then; at once when no callback is running. A Stack defers its
   * poll and event dispatch with it, so a burst of frames delivered in one step is received
   * before the application hears of any. Without it the Stack settles after every frame.
   */
  defer?(fn: () => void): void;
}

/** Only the current time (pcap and trace middleware stamp frames with it). */
export interface TimeSource {
  readonly now: number;
}

export interface RunBounds {
  /** Virtual milliseconds from now after which the run gives up (default 10 minutes). */
  maxVirtualMs?: number;
  /** Scheduled callbacks after which the run gives up (default 1,000,000). */
  maxSteps?: number;
}

/** Which bound a run hit: nothing left to run, its virtual time, or its steps. */
export type BoundKind = "idle" | "time" | "steps";

export class BoundError extends Error {
  constructor(message: string, readonly kind?: BoundKind) {
    super(message);
    this.name = "BoundError";
  }
}

const DEFAULT_MAX_MS = 600_000;
const DEFAULT_MAX_STEPS = 1_000_000;

export class Clock implements Scheduler {
  /** Current virtual time in milliseconds (an integer unless a caller schedules fractions). */
  now: number;
  private heap: Entry[] = [];
  /**
   * Callbacks scheduled for the current instant (at == now when scheduled), in seq order: a FIFO
   * beside the heap, so the common zero-delay case (a frame on a link without delay, a poll due
   * now) costs an array push instead of a heap sift. step() takes whichever head is earlier in
   * (at, seq), so the order is exactly the heap's would be.
   */
  private fifo: Entry[] = [];
  private fifoHead = 0;
  private seq = 0;
  /** Callbacks run since creation. */
  steps = 0;
  /** Functions deferred to the end of the running step (defer()), in order, each once. */
  private deferred: (() => void)[] = [];
  private inStep = false;

  constructor(start = 0) {
    this.now = start;
  }

  /** Run fn at absolute time `at` (clamped to now). Ties run in the order they were scheduled. */
  at(at: number, fn: () => void): Timer {
    const t = at > this.now ? at : this.now;
    const e: Entry = { at: t, seq: this.seq++, cancelled: false, fn };
    // the FIFO stays sorted by (at, seq) as long as every entry has at == now when added
    const last = this.fifo.length > this.fifoHead ? this.fifo[this.fifo.length - 1]! : null;
    if (t === this.now && (last === null || last.at <= t)) this.fifo.push(e);
    else this.push(e);
    return e;
  }

  /** Run fn `delay` ms from now. */
  after(delay: number, fn: () => void): Timer {
    return this.at(this.now + Math.max(0, delay), fn);
  }

  cancel(t: Timer | null | undefined): void {
    if (t) t.cancelled = true;
  }

  defer(fn: () => void): void {
    if (!this.inStep) {
      fn();
      return;
    }
    if (!this.deferred.includes(fn)) this.deferred.push(fn);
  }

  /** Number of live (not cancelled) scheduled callbacks. */
  get pending(): number {
    let n = 0;
    for (const e of this.heap) if (!e.cancelled) n++;
    for (let i = this.fifoHead; i < this.fifo.length; i++) if (!this.fifo[i]!.cancelled) n++;
    return n;
  }

  /** Time of the next live callback, or null. */
  peek(): number | null {
    this.dropCancelled();
    const e = this.next();
    return e ? e.at : null;
  }

  /** Run the next live callback (advancing time to it). false when nothing is scheduled. */
  step(): boolean {
    this.dropCancelled();
    const e = this.next();
    if (!e) return false;
    if (e === this.heap[0]) this.pop();
    else this.shiftFifo();
    this.now = e.at;
    this.steps++;
    this.inStep = true;
    try {
      e.fn();
      // what the callback deferred runs inside the same step (and may defer more)
      for (let i = 0; i < this.deferred.length; i++) this.deferred[i]!();
    } finally {
      if (this.deferred.length !== 0) this.deferred = [];
      this.inStep = false;
    }
    return true;
  }

  /**
   * Run callbacks until `predicate()` is true (checked before each step). Throws BoundError when
   * the queue runs dry, `maxVirtualMs` passes or `maxSteps` callbacks ran before it holds.
   * Returns the virtual time at which it held. `afterStep` runs after every callback (a run that
   * watches the simulation, e.g. checks invariants, does it there).
   */
  runUntil(predicate: () => boolean, bounds: RunBounds & { what?: string; afterStep?: () => void } = {}): number {
    const start = this.now;
    const limit = start + (bounds.maxVirtualMs ?? DEFAULT_MAX_MS);
    const maxSteps = bounds.maxSteps ?? DEFAULT_MAX_STEPS;
    const what = bounds.what ?? "predicate";
    for (let n = 0; ; n++) {
      if (predicate()) return this.now;
      const next = this.peek();
      if (next === null) {
        throw new BoundError(`runUntil: ${what} not met and nothing left to run at t=${this.now} ms (started t=${start})`, "idle");
      }
      if (next > limit) {
        this.now = limit;
        throw new BoundError(`runUntil: ${what} not met within ${limit - start} virtual ms (t=${this.now} ms)`, "time");
      }
      if (n >= maxSteps) {
        throw new BoundError(`runUntil: ${what} not met after ${maxSteps} steps (t=${this.now} ms)`, "steps");
      }
      this.step();
      bounds.afterStep?.();
    }
  }

  /** Run everything scheduled up to now + ms, then set the time to now + ms. */
  runFor(ms: number, bounds: { maxSteps?: number } = {}): void {
    const end = this.now + ms;
    const maxSteps = bounds.maxSteps ?? DEFAULT_MAX_STEPS;
    for (let n = 0; ; n++) {
      const next = this.peek();
      if (next === null || next > end) break;
      if (n >= maxSteps) throw new BoundError(`runFor(${ms}): more than ${maxSteps} steps (t=${this.now} ms)`);
      this.step();
    }
    this.now = end;
  }

  /** Run until nothing is scheduled; bounded like runUntil. */
  runUntilIdle(bounds: RunBounds = {}): number {
    return this.runUntil(() => this.peek() === null, { ...bounds, what: "idle" });
  }

  // ── binary heap on (at, seq) ──────────────────────────────────────────────────────────────
  private static less(x: Entry, y: Entry): boolean {
    return x.at < y.at || (x.at === y.at && x.seq < y.seq);
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!Clock.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): Entry | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && Clock.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && Clock.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }

  private dropCancelled(): void {
    while (this.heap.length && this.heap[0]!.cancelled) this.pop();
    while (this.fifoHead < this.fifo.length && this.fifo[this.fifoHead]!.cancelled) this.shiftFifo();
  }

  /** The earlier of the heap's top and the FIFO's head (cancelled ones already dropped), or undefined. */
  private next(): Entry | undefined {
    const h = this.heap[0];
    const f = this.fifoHead < this.fifo.length ? this.fifo[this.fifoHead] : undefined;
    if (!f) return h;
    if (!h) return f;
    return Clock.less(h, f) ? h : f;
  }

  private shiftFifo(): void {
    this.fifo[this.fifoHead++] = undefined as never; // let the entry go
    if (this.fifoHead === this.fifo.length) {
      this.fifo = []; // (setting length is a runtime call)
      this.fifoHead = 0;
    } else if (this.fifoHead > 4096 && this.fifoHead * 2 > this.fifo.length) {
      this.fifo = this.fifo.slice(this.fifoHead);
      this.fifoHead = 0;
    }
  }
}
