// Seeded fault injection as link middleware (smoltcp's phy::FaultInjector is the model), in both
// directions: loss, duplication, reordering (extra delay), corruption (one byte flipped past the
// Ethernet header), fixed delay and jitter. Each frame draws the same fixed set of random numbers
// whatever the settings, so the same seed gives the same decisions frame by frame.
import type { Scheduler } from "../time/clock.ts";
import { Prng } from "../time/prng.ts";
import { Middleware, type Link } from "./link.ts";

export type Direction = "tx" | "rx";

export interface FaultSettings {
  /** Probability a frame is dropped. */
  loss?: number;
  /** Probability a frame is delivered twice (the copy `duplicateDelayMs` later). */
  duplicate?: number;
  duplicateDelayMs?: number;
  /** Probability a frame is held back by `reorderDelayMs` extra (so later frames overtake it). */
  reorder?: number;
  reorderDelayMs?: number;
  /** Probability one byte (past the Ethernet header) is XORed with a random non-zero value. */
  corrupt?: number;
  /** Fixed extra delay in ms, plus uniform jitter in [0, jitterMs). */
  delayMs?: number;
  jitterMs?: number;
}

export interface FaultOptions extends FaultSettings {
  seed: number | string;
  /** Per-direction overrides of the settings above. */
  tx?: FaultSettings;
  rx?: FaultSettings;
  /** Scripted drops, checked before the random ones: return true to drop this frame. */
  drop?: (frame: Uint8Array, dir: Direction, index: number) => boolean;
  /** Called for every frame the middleware altered (lost, duplicated, reordered, corrupted). */
  log?: (d: FaultDecision) => void;
  /** Called for every frame, altered or not, with its decision and the frame as it was given (a
   *  record of what the link did to each frame: the simulator's proof that an exchange was lost). */
  observe?: (d: FrameFate, frame: Uint8Array) => void;
}

export interface FaultDecision {
  dir: Direction;
  /** Frame number in this direction, from 0. */
  index: number;
  timeMs: number;
  lost: boolean;
  duplicated: boolean;
  reordered: boolean;
  corrupted: boolean;
  /** Total delay applied (ms). */
  delayMs: number;
}

export interface FaultStats {
  frames: number;
  lost: number;
  duplicated: number;
  reordered: number;
  corrupted: number;
}

/** A decision with where a corruption struck: the byte offset (−1 when not corrupted) and its XOR. */
export type FrameFate = FaultDecision & { corruptAt: number; corruptXor: number };

const emptyStats = (): FaultStats => ({ frames: 0, lost: 0, duplicated: 0, reordered: 0, corrupted: 0 });

export class FaultLink extends Middleware {
  readonly stats: Record<Direction, FaultStats> = { tx: emptyStats(), rx: emptyStats() };
  private rng: Record<Direction, Prng>;
  private settings: Record<Direction, FaultSettings>;
  /** When false, frames pass untouched (and no random numbers are drawn). */
  enabled = true;

  constructor(inner: Link, private readonly clock: Scheduler, private readonly opts: FaultOptions) {
    super(inner);
    this.rng = { tx: new Prng(opts.seed, 1), rx: new Prng(opts.seed, 2) };
    this.settings = { tx: { ...opts, ...opts.tx }, rx: { ...opts, ...opts.rx } };
  }

  /** Change the settings of one or both directions mid-run. */
  configure(s: FaultSettings, dir?: Direction): void {
    for (const d of dir ? [dir] : (["tx", "rx"] as const)) this.settings[d] = { ...this.settings[d], ...s };
  }

  /** Decide what happens to the next frame in `dir` (exposed for determinism tests). */
  decide(dir: Direction, frame: Uint8Array): FrameFate {
    const s = this.settings[dir];
    const r = this.rng[dir];
    const st = this.stats[dir];
    const index = st.frames++;
    // always draw the same numbers, whatever is enabled
    const uLoss = r.next(), uDup = r.next(), uReorder = r.next(), uCorrupt = r.next(), uJitter = r.next(), uPos = r.next(), uXor = r.u32();
    const scripted = this.opts.drop ? this.opts.drop(frame, dir, index) : false;
    const lost = scripted || uLoss < (s.loss ?? 0);
    const duplicated = !lost && uDup < (s.duplicate ?? 0);
    const reordered = !lost && uReorder < (s.reorder ?? 0);
    const corrupted = !lost && frame.length > 14 && uCorrupt < (s.corrupt ?? 0);
    const delayMs = (s.delayMs ?? 0) + uJitter * (s.jitterMs ?? 0) + (reordered ? s.reorderDelayMs ?? 5 : 0);
    const corruptAt = corrupted ? 14 + Math.floor(uPos * (frame.length - 14)) : -1;
    const corruptXor = (uXor % 255) + 1;
    if (lost) st.lost++;
    if (duplicated) st.duplicated++;
    if (reordered) st.reordered++;
    if (corrupted) st.corrupted++;
    return { dir, index, timeMs: this.clock.now, lost, duplicated, reordered, corrupted, delayMs, corruptAt, corruptXor };
  }

  protected override down(frame: Uint8Array): void {
    this.apply("tx", frame, (f) => this.inner.send(f));
  }

  protected override up(frame: Uint8Array): void {
    this.apply("rx", frame, (f) => this.handlers.emit(f));
  }

  private apply(dir: Direction, frame: Uint8Array, deliver: (f: Uint8Array) => void): void {
    if (!this.enabled) return deliver(frame);
    const d = this.decide(dir, frame);
    this.opts.observe?.(d, frame);
    if (d.lost || d.duplicated || d.reordered || d.corrupted) this.opts.log?.(d);
    if (d.lost) return;
    let f = frame;
    if (d.corrupted) {
      f = frame.slice();
      f[d.corruptAt] = f[d.corruptAt]! ^ d.corruptXor;
    }
    if (d.delayMs > 0) this.clock.after(d.delayMs, () => deliver(f));
    else deliver(f);
    if (d.duplicated) {
      const copy = f.slice();
      this.clock.after(d.delayMs + (this.settings[dir].duplicateDelayMs ?? 0), () => deliver(copy));
    }
  }
}
