// Property tests: 200 seeded fault mixes, 256 KiB each way at the same time between two
// Petrel stacks, half-close and close. For every seed:
//  - both directions arrive byte-exact (sha256) and both connections end CLOSED and freed;
//  - the run finishes within transferTimeBound(), counted from the open that carried the transfer (the
//    client opens again after an open whose ARP exchanges were all lost: host/sim/transfer.ts): a
//    virtual-time bound derived from the RTO rules
//    (initial RTO 1 s, doubling per consecutive timeout up to 60 s, reset when new data is acked;
//    assembly/config.ts, assembly/tcp/timers.ts). In short: with q the chance a frame is lost,
//    corrupted or reordered, W segments per window and S segments to send, a round delivers
//    prog = Σ_{i≤W}(1−q)^i segments on average, so rounds = S/prog; each round costs one RTT
//    (2·(delay+jitter+5 ms) + 200 ms delayed ACK + serialisation), and a round that loses something
//    (1−(1−q)^(W+1)) costs one RTO episode of E = Σ_k (1−s)^k·s·Σ_{j≤k} min(1 s·2^j, 60 s), s = (1−q)²;
//    bound = 4·(rounds·RTT + (episodes+1)·E + serialisation) + 30 s. Full derivation at the function
//    (host/sim/transfer.ts);
//  - after EVERY simulator event (each scheduler step: a frame delivered, a timer, a poll) the
//    invariants of InvariantChecker hold on both connections: snd_una ≤ snd_nxt ≤ snd_max (mod 2^32),
//    in flight ≤ tx_queued + SYN/FIN, tx_queued ≤ TX_BUF, rx_queued + rcv_wnd ≤ RX_BUF (+ scale
//    rounding), snd_una / rcv_nxt / the window's right edge never move back, and linear memory never
//    grows.
//
// Wall time: ~40 s for the file on 2 cores (measured; mostly the lossy tiny-profile runs).
// More seeds: `npm run soak -- --seeds 10000` (scripts/soak.ts).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Core, TCP_INFO_WORDS, type Profile } from "../../host/core.ts";
import { describeRun, reproduceCommand } from "../../host/sim/describe.ts";
import { faultMix, transferTimeBound } from "../../host/sim/fault-mix.ts";
import { runTransfer } from "../../host/sim/transfer.ts";

const SEEDS = 200;
const BYTES = 256 * 1024;
/** A healthy 256 KiB run takes a few thousand scheduler steps; an ACK storm millions. */
const MAX_STEPS = 150_000;

const configs = new Map<Profile, ReturnType<Core["config"]>>();
const configOf = (p: Profile): ReturnType<Core["config"]> => {
  if (!configs.has(p)) configs.set(p, new Core({ profile: p }).config());
  return configs.get(p)!;
};

describe(`property: ${SEEDS} seeded fault mixes, ${BYTES / 1024} KiB each way concurrently, invariants after every event`, () => {
  for (let seed = 1; seed <= SEEDS; seed++) {
    const mix = faultMix(seed, BYTES);
    it(`seed ${seed}: ${describeRun(mix)}`, () => {
      let infoWords = 0;
      const r = runTransfer({
        ...mix,
        invariants: true,
        maxSteps: MAX_STEPS,
        onStep: (run) => (infoWords = Math.max(infoWords, run.info.client?.words ?? 0, run.info.server?.words ?? 0)),
      });
      const bound = transferTimeBound(mix, configOf(mix.profile ?? "default"));
      const repro = `reproduce: ${reproduceCommand({ ...mix, maxSteps: MAX_STEPS })} --check`;
      if (r.error?.startsWith("invariant broken")) assert.fail(`${r.error}\n${repro}`);
      const problem = !r.ok ? `not ok: ${r.error ?? JSON.stringify(r)}`
        : r.virtualMs - r.openedMs > bound ? `took ${r.virtualMs - r.openedMs} virtual ms from its open, over the bound of ${bound} ms`
        : null;
      assert.equal(infoWords, TCP_INFO_WORDS, "every invariant check read the full tcp_info layout (snd_max, window scale)");
      assert.equal(problem, null, `${problem}\n${repro}`);
      assert.equal(r.sha256Match, true);
      assert.deepEqual(r.finalStates, ["CLOSED", "CLOSED"]);
    });
  }
});
