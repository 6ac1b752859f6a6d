// Fault mixes and the virtual-time bound of a transfer (the property tests and the soak script).
import { Prng } from "../time/prng.ts";
import type { TransferOptions } from "./transfer-types.ts";

/** The fault mix of a property-test seed: chosen from the seed alone, so a seed is its reproducer.
 *  loss 0–20 % (0 for ~15 % of seeds), reorder 0–10 %, duplicate 0–5 %, corrupt 0–3 %, jitter
 *  0–20 ms (each on about half the seeds), delay 0.5–50 ms, a rate limit on ~30 %, the tiny profile
 *  on ~20 % and the server profile on ~10 %. */
export function faultMix(seed: number, bytes = 256 * 1024): TransferOptions {
  const r = new Prng(seed, 0x5eed);
  const pick = <T>(a: T[]): T => a[Math.floor(r.next() * a.length)]!;
  const p4 = (v: number): number => Math.round(v * 10_000) / 10_000;
  const o: TransferOptions = { seed, bytes };
  o.loss = r.next() < 0.15 ? 0 : p4(r.next() * 0.2);
  o.reorder = r.next() < 0.5 ? p4(r.next() * 0.1) : 0;
  o.dup = r.next() < 0.5 ? p4(r.next() * 0.05) : 0;
  o.corrupt = r.next() < 0.4 ? p4(r.next() * 0.03) : 0;
  o.jitter = r.next() < 0.5 ? Math.round(r.next() * 20) : 0;
  o.delay = pick([0.5, 1, 5, 20, 50]);
  if (r.next() < 0.3) o.bandwidth = pick([1, 10, 100]);
  const p = r.next();
  o.profile = p < 0.2 ? "tiny" : p < 0.3 ? "server" : "default";
  // a quarter of the seeds run without any extension (NewReno, no PAWS), a tenth without SACK only
  const e = r.next();
  if (e < 0.25) { o.sack = false; o.timestamps = false; o.wscale = false; } else if (e < 0.35) o.sack = false;
  return o;
}

/** The RTO rules the bound is derived from (assembly/config.ts; RFC 6298 2.1 and 5.5). */
export const RTO_RULES = { initialMs: 1000, maxMs: 60_000, retries: 12 } as const;

/**
 * An upper bound on `virtualMs` for a transfer, derived from the RTO rules (not measured):
 *
 *  Per frame, q = 1 − (1−loss)(1−corrupt)(1−reorder) is the chance it does not arrive intact and in
 *  order (a reordered segment counts as lost: a go-back-N core drops out-of-order data; a core with
 *  reassembly only does better). The sender sends a window of W = ⌊min(RX_BUF, TX_BUF, 65535) / MSS⌋
 *  segments per round; a round delivers on average prog = Σ_{i=1..W} (1−q)^i segments in order
 *  before the first loss, so the S = ⌈N / MSS⌉ + 1 segments (data + FIN) need rounds = S / prog.
 *  A round costs at most one RTT, RTT = 2 (delay + jitter + 5 ms reorder hold) + 200 ms delayed ACK
 *  + (2W + 1) serialisation times of a full frame, and a round that loses a segment or its ACK
 *  (probability 1 − (1−q)^(W+1)) ends in an RTO episode: with s = (1−q)² the chance a
 *  retransmission and its ACK both get through, the k-th consecutive timeout waits
 *  min(RTO_initial · 2^k, RTO_max) (RFC 6298 5.5; the RTO is reset by new data acked), so an
 *  episode costs E = Σ_{k=0..retries} (1−s)^k · s · Σ_{j≤k} min(1000 · 2^j, 60000) ms on average.
 *  One more episode for the handshake. Expected time T = rounds · RTT + (rounds · (1 − (1−q)^(W+1)) + 1) · E
 *  + 2S serialisation times (each host's port carries its data and the other direction's ACKs).
 *  The bound is 4T + 30 s: a run of ~n episodes has a standard deviation well under T/√n, so 4T is
 *  many deviations away; the 30 s covers short runs whose single episode backs off a few times.
 *  With RFC 6298 estimation (RTO ≥ 200 ms–1 s), fast retransmit and SACK, real runs sit far below it.
 *
 *  Not modelled: without timestamps, Karn's rule keeps a backed-off RTO until a segment sent only
 *  once is acked (RFC 6298 5; Linux alike), so episodes are not independent: after an episode that
 *  backed off to RTO_max, each later one waits 60 s until such a sample, and with a small congestion
 *  window under heavy loss a sample can take several episodes (soak seed 11841, 16 % loss, no
 *  extensions: five 60 s timeouts in a row, 410 s for a bound of 399 s). A model of that (a chain
 *  over the backoff level an episode starts at, a sample between two episodes with probability
 *  (1−q)^(flight+1)) multiplies the bound of every lossy no-timestamp seed by 2–5 on top of the
 *  model's one-episode-per-lossy-round pessimism, and would have hidden the stack bug seed 16945
 *  showed (zero-window probes sent again but timed from the first copy: RTT samples of 17–80 s,
 *  1 300 s for a bound of 1 182 s; 42 s once fixed), so the bound leaves that tail out.
 */
export function transferTimeBound(o: TransferOptions, cfg: { RX_BUF: number; TX_BUF: number; MTU?: number }): number {
  const mss = (cfg.MTU ?? 1500) - 40;
  const q = 1 - (1 - (o.loss ?? 0)) * (1 - (o.corrupt ?? 0)) * (1 - (o.reorder ?? 0));
  const W = Math.max(1, Math.floor(Math.min(cfg.RX_BUF, cfg.TX_BUF, 65535) / mss));
  const S = Math.ceil(o.bytes / mss) + 1;
  let prog = 0;
  for (let i = 1; i <= W; i++) prog += (1 - q) ** i;
  const rounds = S / Math.max(prog, 1e-9);
  const ser = o.bandwidth ? ((mss + 54) * 8) / (o.bandwidth * 1000) : 0;
  const rtt = 2 * ((o.delay ?? 1) + (o.jitter ?? 0) + 5) + 200 + (2 * W + 1) * ser;
  const s = (1 - q) ** 2;
  let episode = 0;
  let waited = 0;
  for (let k = 0; k <= RTO_RULES.retries; k++) {
    waited += Math.min(RTO_RULES.initialMs * 2 ** k, RTO_RULES.maxMs);
    episode += (1 - s) ** k * s * waited;
  }
  const episodes = rounds * (1 - (1 - q) ** (W + 1)) + 1;
  const expected = rounds * rtt + episodes * episode + 2 * S * ser;
  return Math.ceil(4 * expected + 30_000);
}
