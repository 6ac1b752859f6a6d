// The rules a transfer checks after every simulator event (runTransfer's `invariants` option, the
// property tests and the soak script): sequence-space order, buffer bounds, a window that never
// shrinks, and linear memory that never grows.
import type { TcpInfo } from "../core.ts";
import type { Stack } from "../stack/stack.ts";

/** An invariant was broken: the message names the stack, the rule, the values and the time. */
export class InvariantError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvariantError";
  }
}

// ── sequence arithmetic (mod 2^32) ─────────────────────────────────────────────────────────────
export const seqDiff = (a: number, b: number): number => (a - b) | 0;
export const seqLe = (a: number, b: number): boolean => seqDiff(a, b) <= 0;

/** States after which the connection sent its FIN or got the peer's (the sequence space is final). */
const SYNCED = new Set(["ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT"]);

interface ConnTrack {
  sndUna: number;
  rcvNxt: number;
  rightEdge: number | null;
}

/**
 * The rules checked after every simulator event, from tcp_info (docs/abi.md) and the memory size:
 *  - snd_una ≤ snd_nxt ≤ snd_max (mod 2^32; snd_max only when the core reports it), and the bytes in
 *    flight fit what the send ring holds: snd_max − snd_una ≤ tx_queued + 2 (SYN and FIN take a number);
 *  - tx_queued ≤ TX_BUF, rx_queued ≤ RX_BUF, rx_queued + rcv_wnd ≤ RX_BUF (+ 2^rcv_wscale − 1 when
 *    the window is scaled: the advertised value is rounded to the scale);
 *  - snd_una, rcv_nxt and the right edge of the receive window (rcv_nxt + rcv_wnd) never move back
 *    (the window never shrinks, RFC 9293 3.8.6; by less than 2^rcv_wscale when scaled: rounding);
 *  - linear memory never grows (the core allocates nothing after init).
 */
export class InvariantChecker {
  private track = new Map<string, ConnTrack>();
  private pages = new Map<Stack, number>();
  checks = 0;

  constructor(stacks: Stack[]) {
    for (const s of stacks) this.pages.set(s, s.core.memoryPages());
  }

  /** Check one connection's tcp_info (`key` names it: "client", "server"). */
  checkInfo(key: string, i: TcpInfo, cfg: { RX_BUF: number; TX_BUF: number }, now: number): void {
    this.checks++;
    const fail = (rule: string): never => {
      throw new InvariantError(`invariant broken at t=${now} ms on ${key} (${i.stateName}): ${rule} [snd_una=${i.sndUna} snd_nxt=${i.sndNxt}${i.sndMax !== undefined ? ` snd_max=${i.sndMax}` : ""} rcv_nxt=${i.rcvNxt} rcv_wnd=${i.rcvWnd} rx_queued=${i.rxQueued} tx_queued=${i.txQueued}]`);
    };
    if (!seqLe(i.sndUna, i.sndNxt)) fail("snd_una ≤ snd_nxt");
    const sndMax = i.sndMax ?? i.sndNxt;
    if (i.sndMax !== undefined && !seqLe(i.sndNxt, i.sndMax)) fail("snd_nxt ≤ snd_max");
    if (seqDiff(sndMax, i.sndUna) > i.txQueued + 2) fail("snd_max − snd_una ≤ tx_queued + 2 (in flight fits the send ring)");
    if (i.txQueued > cfg.TX_BUF) fail(`tx_queued ≤ TX_BUF (${cfg.TX_BUF})`);
    if (i.rxQueued > cfg.RX_BUF) fail(`rx_queued ≤ RX_BUF (${cfg.RX_BUF})`);
    const slack = i.rcvWscale ? (1 << i.rcvWscale) - 1 : 0;
    if (i.rxQueued + i.rcvWnd > cfg.RX_BUF + slack) fail(`rx_queued + rcv_wnd ≤ RX_BUF (${cfg.RX_BUF}${slack ? ` + ${slack}` : ""})`);
    if (!SYNCED.has(i.stateName)) return;
    const t = this.track.get(key);
    const edge = (i.rcvNxt + i.rcvWnd) >>> 0;
    if (t) {
      if (!seqLe(t.sndUna, i.sndUna)) fail(`snd_una moved back from ${t.sndUna}`);
      if (!seqLe(t.rcvNxt, i.rcvNxt)) fail(`rcv_nxt moved back from ${t.rcvNxt}`);
      if (t.rightEdge !== null && seqDiff(t.rightEdge, edge) > slack) fail(`receive window shrank: right edge ${edge} < ${t.rightEdge}`);
      t.sndUna = i.sndUna;
      t.rcvNxt = i.rcvNxt;
      t.rightEdge = edge;
    } else {
      this.track.set(key, { sndUna: i.sndUna, rcvNxt: i.rcvNxt, rightEdge: edge });
    }
  }

  /** Linear memory of every stack is the size it had at init. */
  checkMemory(now: number): void {
    for (const [s, pages] of this.pages) {
      const p = s.core.memoryPages();
      if (p !== pages) throw new InvariantError(`invariant broken at t=${now} ms: ${s.name}'s linear memory grew from ${pages} to ${p} pages`);
    }
  }
}
