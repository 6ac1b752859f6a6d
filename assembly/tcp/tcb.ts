// The transmission control block (RFC 9293 3.3.1) and the fixed pool that holds them.
//
//   Tcb (one per connection, laid out in Region.TCBS)
//   ┌────────────┬──────────────────────────────────────────────────────────────┐
//   │ identity   │ state, gen, flags, listener, 4-tuple                         │
//   │ send       │ iss, sndUna, sndNxt, sndWnd, sndWl1, sndWl2, finSeq, mss     │
//   │ receive    │ irs, rcvNxt, rcvUp, rcvAdv (right edge last advertised)      │
//   │ timers     │ rtxAt / closeAt (absolute deadlines), rto, retries           │
//   │ options    │ window shifts, timestamps (RFC 7323), SACK state (RFC 2018)   │
//   │ buffers    │ rx, tx: Ring headers over Region.RX_RINGS / TX_RINGS;         │
//   │            │ ooo, sack: range tables in Region.RANGES                     │
//   └────────────┴──────────────────────────────────────────────────────────────┘
import { MAX_CONNS, RX_BUF, TX_BUF, KEEPALIVE_INTVL_MS, KEEPALIVE_COUNT, OOO_RANGES, SACK_RANGES } from "../config";
import { Region, regionAlloc } from "../storage/layout";
import { Ring, ringInit, ringClear } from "../storage/ring";
import { handleSlot, nextGen } from "../storage/handle";
import { eventPush } from "../storage/events";
import { Ev } from "../storage/events";
import { State } from "./state";
import { C, count } from "../counters";

export namespace TF {
  // In order of use: a flag in bits 0–5 is a one-byte constant in the module (tested, set or
  // cleared), one in bits 6–12 two bytes, 13–19 three.
  @inline export const IN_USE: u32 = 1 << 0;       // slot allocated
  // negotiated on the SYNs (while SYN-SENT: offered): RFC 7323 timestamps, RFC 2018 SACK, RFC 7323
  // window scale
  @inline export const TS_OK: u32 = 1 << 1;
  @inline export const SACK_OK: u32 = 1 << 4;
  @inline export const WS_OK: u32 = 1 << 6;
  @inline export const APP_OWNED: u32 = 1 << 2;    // the app holds a handle (connect, or accepted)
  @inline export const ACK_NOW: u32 = 1 << 3;      // an ACK is owed
  @inline export const RTX_ARMED: u32 = 1 << 5;
  @inline export const RECOVERY: u32 = 1 << 7;     // NewReno fast recovery until SND.UNA ≥ recover
  @inline export const RTT_TIMING: u32 = 1 << 8;   // rttSeq/rttAt time a segment
  @inline export const FIN_QUEUED: u32 = 1 << 9;   // CLOSE/shutdown: send FIN after the queued data
  // the core's own connection (the resolver's DNS over TCP): no events, no handle for the host; kept
  // in CLOSED until its owner lets go (then ORPHAN)
  @inline export const CORE: u32 = 1 << 10;
  @inline export const ZWP: u32 = 1 << 11;         // retransmission timer is probing a zero window
  @inline export const FIN_RCVD: u32 = 1 << 12;    // peer's FIN accepted (end of stream)
  @inline export const DELACK: u32 = 1 << 13;      // an ACK is owed by delAckAt (RFC 9293 3.8.6.3)
  @inline export const CLOSE_ARMED: u32 = 1 << 14; // TIME_WAIT or orphaned FIN_WAIT_2 deadline
  @inline export const FIN_SENT: u32 = 1 << 15;    // finSeq is valid
  @inline export const WND_SHUT: u32 = 1 << 16;    // the peer's window is shut on waiting data since zwSince
  @inline export const WANT_WRITE: u32 = 1 << 17;  // a send came up short: report WRITABLE later
  @inline export const PMTU_LOW: u32 = 1 << 18;    // an ICMP lowered mss below pmtuMss; raised again at pmtuAt (icmp.ts)
  @inline export const PASSIVE: u32 = 1 << 19;     // created from a listener (SYN_RCVD → LISTEN on RST)
  @inline export const ORPHAN: u32 = 1 << 20;      // the app closed its handle; the core finishes alone
  @inline export const SYN_RESENT: u32 = 1 << 21;  // our SYN or SYN-ACK timed out (RFC 6298 5.7)
  @inline export const RESENT: u32 = 1 << 22;      // retransmitted since the last RTT sample (rtxTs valid)
  @inline export const FIN_PENDING: u32 = 1 << 23; // rcvFinSeq holds a FIN that arrived out of order
  @inline export const SYN_FLOOD: u32 = 1 << 24;   // half-open under pressure: fewer SYN-ACK retries (timers.ts)
  @inline export const OOW_ACKED: u32 = 1 << 25;   // oowAckAt is valid
}

/** The extensions the host turned off (tcp_set_default): a new connection offers the others. */
export let withheld: u32 = 0;
export function setOffered(f: u32, on: bool): void { withheld = on ? withheld & ~f : withheld | f; }

/** The persist limit (tcp_set_default PERSIST_TIMEOUT, liveness.ts): ms a peer may keep its window
 *  shut while we have data for it; 0 (the default) = probe for ever (RFC 9293 MUST-37). */
export let persistLimit: u32 = 0;
export function setPersistLimit(ms: u32): void { persistLimit = ms; tcpTouched = TOUCHED_MANY; }

// poll() walks only the connection something happened to since the last poll (timers.ts tcpPoll),
// until the earliest deadline the last full walk found. Whatever can move a connection's deadline
// or owe an ACK reaches it through tcbLookup (a segment, an ICMP error), tcbFromHandle (an app
// call), tcbAlloc (a new one) or tcbTouch (the resolver's own), which note it here: 0 none, else
// the one connection, or TOUCHED_MANY (then the next poll walks them all).
@inline export const TOUCHED_MANY: usize = 1;
export let tcpTouched: usize = TOUCHED_MANY;
export function tcbTouch(t: Tcb): void {
  const p = changetype<usize>(t);
  tcpTouched = tcpTouched == 0 || tcpTouched == p ? p : TOUCHED_MANY;
}

// The fields most used come first: a load or store at an offset below 128 is one byte shorter. The
// first five survive tcbAlloc (the buffers are the slot's for good; the generation stales old
// handles); it zeroes the rest.
@unmanaged export class Tcb {
  rx: Ring;
  tx: Ring;
  ooo: usize;        // OOO_RANGES × [start, end, stamp] u32
  sack: usize;       // SACK_RANGES × [start, end] u32
  gen: u32;          // bumped on every release, so stale handles are refused
  state: i32;
  flags: u32;
  listener: i32;     // listener slot while not yet accepted, else -1
  lip: u32; rip: u32;
  lport: u32; rport: u32;
  // send sequence variables (RFC 9293 3.3.1)
  iss: u32; sndUna: u32; sndNxt: u32; sndWnd: u32; sndWl1: u32;
  sndMax: u32;       // highest sequence number sent + 1 (SND.NXT can move back on a timeout)
  mss: u32;          // effective send MSS
  rcvNxt: u32;
  rto: u32;
  err: i32;
  softErr: i32;      // a soft error (ICMP, ARP failure) reported instead of ETIMEDOUT if R2 is reached
  // RFC 5681 / RFC 6582 congestion control
  cwnd: u32; ssthresh: u32; recover: u32;
  srtt8: u32;        // RFC 6298 estimator: SRTT×8 ms (0 = no sample yet); rttvar4 below
  // out-of-order data held in the receive ring past RCV.NXT (assembler.ts): oooCount ranges at `ooo`
  oooCount: i32;
  // RFC 6675 SACK loss recovery: sackCount ranges at `sack`, retransmitted up to highRxt
  sackCount: i32; highRxt: u32;
  // RFC 7323: window shifts (applied to the peer's window / to ours)
  sndShift: u32; rcvShift: u32;
  // ── the rest ──
  acceptStamp: u32;  // order of arrival in ESTABLISHED, for FIFO accept
  sndWl2: u32;
  finSeq: u32;       // sequence number of our FIN when FIN_SENT
  // receive sequence variables
  irs: u32; rcvUp: u32; rcvAdv: u32;  // rcvAdv: the right edge last advertised
  // timers: absolute deadlines (time.ts)
  rtxAt: u32; closeAt: u32;
  retries: i32; retransmits: u32;
  rttvar4: u32;      // RTTVAR×4 ms
  rttSeq: u32; rttAt: u32;   // the one segment being timed (Karn: never a retransmitted one)
  dupAcks: u32;
  fastRetransmits: u32; timeouts: u32; dupAcksTotal: u32;
  oooStamp: u32;
  rcvFinSeq: u32;    // sequence number of a FIN that arrived ahead of RCV.NXT
  oowAckAt: u32;     // last ACK sent for an unacceptable segment (rate limit)
  // user options (tcp_set_option)
  noDelay: bool;
  keepIdle: u32; keepIntvl: u32; keepCount: u32; userTimeout: u32;
  // RFC 7323 timestamps
  tsOffset: u32;     // added to `now` for our TSval (RFC 7323 5.4: a per-connection random offset)
  tsRecent: u32; tsRecentAt: u32;
  rtxTs: u32;        // our TSval when we last retransmitted: older echoes give no RTT sample
  zwpProbes: u32;    // zero-window probes since the window closed (the persist timer's backoff)
  lastDataAt: u32;   // when data was last sent (RFC 5681 4.1: restart after idle)
  lastAckSent: u32;  // RCV.NXT carried by the last ACK we sent (Last.ACK.sent)
  // delayed ACK (RFC 9293 3.8.6.3, RFC 5681 4.2)
  delAckAt: u32; rcvMss: u32;  // rcvMss: largest segment received, the "full-sized segment"
  sackRecoveries: u32;
  // liveness (tcp/liveness.ts) and RFC 5961 5.2
  heardAt: u32;      // last acceptable segment from the peer: the keepalive idle clock starts here
  keepProbes: u32;   // keepalive probes sent since heardAt
  probeAt: u32;      // when the last of them was sent
  unaSince: u32;     // the user-timeout clock: when SND.UNA last advanced or a flight began
  maxSndWnd: u32;    // MAX.SND.WND: the largest window the peer has offered (RFC 5961 5.2)
  zwSince: u32;      // when the peer's window last shut with data waiting (the persist limit's clock)
  pmtuMss: u32;      // while PMTU_LOW: the MSS before the first lowering (RFC 1191 6.3)
  pmtuAt: u32;       // while PMTU_LOW: when to try pmtuMss again
}

@inline const TCB_SIZE: usize = (offsetof<Tcb>() + 7) & ~7;
@inline const RING_SIZE: usize = (offsetof<Ring>() + 7) & ~7;
let tcbBase: usize = 0;

export function tcbPoolInit(): void {
  tcbBase = regionAlloc(Region.TCBS, <usize>MAX_CONNS * (TCB_SIZE + 2 * RING_SIZE));
  const rxBufs = regionAlloc(Region.RX_RINGS, <usize>MAX_CONNS * <usize>RX_BUF);
  const txBufs = regionAlloc(Region.TX_RINGS, <usize>MAX_CONNS * <usize>TX_BUF);
  const perConn = <usize>OOO_RANGES * 12 + <usize>SACK_RANGES * 8;
  const ranges = regionAlloc(Region.RANGES, <usize>MAX_CONNS * perConn);
  const rings = tcbBase + <usize>MAX_CONNS * TCB_SIZE;
  memory.fill(used, 0, USED_WORDS << 2);
  for (let i = 0; i < MAX_CONNS; i++) {
    const t = tcbAt(i);
    t.rx = changetype<Ring>(rings + <usize>(2 * i) * RING_SIZE);
    t.tx = changetype<Ring>(rings + <usize>(2 * i + 1) * RING_SIZE);
    ringInit(t.rx, rxBufs + <usize>i * <usize>RX_BUF, RX_BUF);
    ringInit(t.tx, txBufs + <usize>i * <usize>TX_BUF, TX_BUF);
    t.ooo = ranges + <usize>i * perConn;
    t.sack = t.ooo + <usize>OOO_RANGES * 12;
    t.gen = 1;
    t.listener = -1;
  }
}

export function tcbAt(i: i32): Tcb { return changetype<Tcb>(tcbBase + <usize>i * TCB_SIZE); }
function tcbIndex(t: Tcb): i32 { return <i32>((changetype<usize>(t) - tcbBase) / TCB_SIZE); }

/** Handle of a connection: generation (1..127) in bits 8–14, slot index in bits 0–7. */
export function tcbHandle(t: Tcb): i32 { return <i32>(t.gen << 8) | tcbIndex(t); }

/** The live TCB a handle names, or null for a stale/forged one or the core's own (TF.CORE). */
export function tcbFromHandle(h: i32): Tcb | null {
  const i = handleSlot(h, MAX_CONNS);
  if (i < 0) return null;
  const t = tcbAt(i);
  if ((t.flags & (TF.IN_USE | TF.CORE)) != TF.IN_USE || <i32>t.gen != (h >> 8)) return null;
  tcbTouch(t);
  return t;
}

/** A free slot, initialised to CLOSED with empty rings, or null when the table is full. Every field
 *  from `state` on starts at zero; the ring headers, range tables and generation stay. */
export function tcbAlloc(): Tcb | null {
  for (let i = 0; i < MAX_CONNS; i++) {
    const t = tcbAt(i);
    if (flagged(t, TF.IN_USE)) continue;
    memory.fill(changetype<usize>(t) + offsetof<Tcb>("state"), 0, offsetof<Tcb>() - offsetof<Tcb>("state"));
    t.flags = TF.IN_USE;
    usedFlip(i);
    t.state = State.CLOSED;
    t.listener = -1;
    t.ssthresh = 0xffffffff;
    t.keepIntvl = KEEPALIVE_INTVL_MS; t.keepCount = KEEPALIVE_COUNT;
    ringClear(t.rx);
    ringClear(t.tx);
    tcbTouch(t);
    return t;
  }
  return null;
}

/** Return the slot to the pool; its handle becomes stale. */
export function tcbRelease(t: Tcb): void {
  if (flagged(t, TF.IN_USE)) usedFlip(tcbIndex(t));
  t.flags = 0;
  t.state = State.CLOSED;
  t.listener = -1;
  t.gen = nextGen(t.gen);
}

// The slots in use, a bit each (IN_USE's mirror: tcbAlloc sets it, tcbRelease clears it). The
// walks over the table visit these alone, so a lookup that finds nothing (every SYN), a SYN's
// admission counts and accept take as many steps as there are connections, not slots (lwIP walks
// its list of active PCBs the same way).
@inline const USED_WORDS: i32 = (MAX_CONNS + 31) >> 5;
const used = memory.data(USED_WORDS << 2, 4);

function usedFlip(i: i32): void {
  const w = used + (<usize>(i >> 5) << 2);
  store<u32>(w, load<u32>(w) ^ (1 << (i & 31)));
}

/** Slots in use. */
export function tcbCount(): i32 {
  let n = 0;
  for (let w = 0; w < USED_WORDS; w++) n += popcnt(load<u32>(used + (<usize>w << 2)));
  return n;
}

/** The first slot in use at i or after, or MAX_CONNS when none:
 *  `for (let i = tcbNext(0); i < MAX_CONNS; i = tcbNext(i + 1))` walks the connections. */
export function tcbNext(i: i32): i32 {
  for (; i < MAX_CONNS; i = (i | 31) + 1) {
    const w = load<u32>(used + (<usize>(i >> 5) << 2)) >>> (i & 31);
    if (w != 0) return i + ctz(w);
  }
  return MAX_CONNS;
}

/** The connection with this 4-tuple (not CLOSED), or null. */
// The walk starts at the slot the last lookup found and goes round: a connection's segments mostly
// come in a row (an echo, a handshake and its close), and many connections' in slot order (a round
// of echoes), so the first slot or the next tried is most often the one (the 4-tuple names one
// connection at most, so the order of the walk changes nothing else).
let lastFound: i32 = 0;
export function tcbLookup(lip: u32, lport: u32, rip: u32, rport: u32): Tcb | null {
  // lastFound and the slots in use after it, then those before it
  for (let i = tcbNext(lastFound), end = MAX_CONNS; ; i = tcbNext(i + 1)) {
    if (i >= end) {
      if (end != MAX_CONNS) return null;
      end = lastFound;
      i = tcbNext(0);
      if (i >= end) return null;
    }
    const t = tcbAt(i);
    if (t.state != State.CLOSED && t.lport == lport && t.rport == rport && t.rip == rip && t.lip == lip) {
      lastFound = i; tcbTouch(t); return t;
    }
  }
  return null;
}

/** The connection in `state` whose close deadline (closeAt) comes first — the oldest, since
 *  TIME-WAIT's 2 MSL and a half-open connection's life both run from entering the state — among
 *  those the core owns alone (not app-owned), passive ones of listener `l` only when l ≥ 0. */
export function tcbOldest(state: i32, l: i32): Tcb | null {
  let best: Tcb | null = null;
  for (let i = tcbNext(0); i < MAX_CONNS; i = tcbNext(i + 1)) {
    const t = tcbAt(i);
    if (t.state != state || flagged(t, TF.APP_OWNED) || !flagged(t, TF.CLOSE_ARMED)) continue;
    if (l >= 0 && t.listener != l) continue;
    if (best == null || <i32>(t.closeAt - best.closeAt) < 0) best = t;
  }
  return best;
}

/** A free slot, or else (the table is full) the oldest TIME-WAIT slot the app has let go: RFC 9293
 *  3.6.1 lets TIME-WAIT end early, and a new connection that would otherwise be refused is worth
 *  more than the last minute of an old one's quiet time. */
export function tcbAllocReusing(): Tcb | null {
  const n = tcbAlloc();
  if (n != null) return n;
  const tw = tcbOldest(State.TIME_WAIT, -1);
  if (tw == null) return null;
  count(C.TCP_TIME_WAIT_RECYCLED);
  tcbClose(tw, 0);
  return tcbAlloc();
}

/** A slot is free, or a TIME-WAIT one the app has let go could be taken (tcbAllocReusing would succeed). */
export function tcbFree(): bool {
  return tcbCount() < MAX_CONNS || tcbOldest(State.TIME_WAIT, -1) != null;
}

/** Half-open passive connections (SYN-RECEIVED, from a listener): the SYN-flood pressure gauge. */
export function halfOpenCount(): i32 {
  let n = 0;
  for (let i = tcbNext(0); i < MAX_CONNS; i = tcbNext(i + 1)) {
    const t = tcbAt(i);
    if (t.state == State.SYN_RECEIVED && flagged(t, TF.PASSIVE)) n++;
  }
  return n;
}

/** Our initial sequence number (RFC 9293 3.4.1): nothing sent yet, SND.UNA = SND.NXT = SND.MAX =
 *  ISS, and NewReno's recovery point there too (RFC 6582 3.2 step 1). */
export function issFrom(t: Tcb, iss: u32): void {
  t.iss = iss; t.sndUna = iss; t.sndNxt = iss; t.sndMax = iss; t.recover = iss;
}

/** Test, raise or lower flag bits of t: one call each, where the load (and store) of t.flags written
 *  out at a hundred and fifty sites costs bytes at every one. */
export function flagged(t: Tcb, f: u32): bool { return (t.flags & f) != 0; }
export function flagsOn(t: Tcb, f: u32): void { t.flags |= f; }
export function flagsOff(t: Tcb, f: u32): void { t.flags &= ~f; }

/** An event about t for the app, when the app holds its handle. */
export function appEvent(t: Tcb, kind: i32, arg: i32): void {
  if (flagged(t, TF.APP_OWNED)) eventPush(kind, tcbHandle(t), arg);
}

/** Every state change goes through here: the single trace point (an Ev.STATE event). */
export function setState(t: Tcb, s: i32): void {
  if (t.state == s) return;
  if (!flagged(t, TF.CORE)) eventPush(Ev.STATE, tcbHandle(t), t.state | (s << 8));
  t.state = s;
}

/** Delete the TCB `ms` from now (TIME-WAIT's 2 MSL, an orphaned FIN-WAIT-2's timeout). */
export function armClose(t: Tcb, now: u32, ms: u32): void {
  t.closeAt = now + ms;
  flagsOn(t, TF.CLOSE_ARMED);
}

/** True in the states where both sides have exchanged SYNs (RFC 9293 3.3.2). */
export function synchronized(s: i32): bool { return s >= State.ESTABLISHED; }

/** The connection reaches CLOSED (RFC 9293 "delete the TCB"). An app-owned slot stays until the app
 *  calls tcp_close (its handle still answers state/error/recv), the core's own until its owner
 *  reads the error; any other slot is freed now. */
export function tcbClose(t: Tcb, err: i32): void {
  flagsOff(t, TF.RTX_ARMED | TF.CLOSE_ARMED | TF.ACK_NOW | TF.DELACK);
  if (err != 0 && t.err == 0) t.err = err;
  const h = tcbHandle(t);
  setState(t, State.CLOSED);
  if (flagged(t, TF.APP_OWNED)) {
    if (err != 0) {
      ringClear(t.tx);
      eventPush(Ev.ERROR, h, err);
    }
    eventPush(Ev.CLOSED, h, err);
  } else if ((t.flags & (TF.CORE | TF.ORPHAN)) != TF.CORE) {
    tcbRelease(t);
  }
}
