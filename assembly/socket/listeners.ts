// Listening ports and their accept queues. A queued connection is a TCB whose `listener` names the
// slot here; the backlog counts them all, half-open (SYN_RECEIVED) and not yet accepted alike.
import { MAX_CONNS, MAX_LISTENERS, MAX_BACKLOG } from "../config";
import { Err } from "../errors";
import { Region, regionAlloc } from "../storage/layout";
import { nextGen, tablesReady } from "../storage/handle";
import { eventPush } from "../storage/events";
import { Tcb, TF, tcbAt, tcbNext, tcbRelease, setState, flagged, flagsOn } from "../tcp/tcb";
import { sendRst } from "../tcp/emit";
import { Ev } from "../storage/events";
import { State } from "../tcp/state";

@unmanaged class Listener {
  inUse: u32;
  gen: u32;
  port: u32;
  backlog: i32;
}

@inline const LISTENER_SIZE: usize = (offsetof<Listener>() + 7) & ~7;
@inline const LISTENER_BIT: i32 = 0x8000;
let base: usize = 0;
let stamp: u32 = 0;

export function listenersInit(): void {
  base = regionAlloc(Region.LISTENERS, <usize>MAX_LISTENERS * LISTENER_SIZE);
  for (let i = 0; i < MAX_LISTENERS; i++) listenerAt(i).gen = 1;
}

function listenerAt(i: i32): Listener { return changetype<Listener>(base + <usize>i * LISTENER_SIZE); }

export function isListenerHandle(h: i32): bool { return (h & LISTENER_BIT) != 0; }

/** Slot index of a live listener handle, or -1. */
export function listenerFromHandle(h: i32): i32 {
  if (!tablesReady || h <= 0 || h > 0xffff || !(h & LISTENER_BIT)) return -1;
  const i = h & 0xff;
  if (i >= MAX_LISTENERS) return -1;
  const l = listenerAt(i);
  return l.inUse && <i32>l.gen == ((h >> 8) & 0x7f) ? i : -1;
}

function handleOf(i: i32): i32 { return LISTENER_BIT | <i32>(listenerAt(i).gen << 8) | i; }

/** The slot listening on `port`, or -1. */
export function listenerForPort(port: u32): i32 {
  for (let i = 0; i < MAX_LISTENERS; i++) {
    const l = listenerAt(i);
    if (l.inUse && l.port == port) return i;
  }
  return -1;
}

export function listen(port: i32, backlog: i32): i32 {
  if (port <= 0 || port > 0xffff || backlog < 1) return Err.EINVAL;
  if (listenerForPort(<u32>port) >= 0) return Err.EADDRINUSE;
  for (let i = 0; i < MAX_LISTENERS; i++) {
    const l = listenerAt(i);
    if (l.inUse) continue;
    l.inUse = 1;
    l.port = <u32>port;
    l.backlog = backlog < MAX_BACKLOG ? backlog : MAX_BACKLOG;
    return handleOf(i);
  }
  return Err.EMFILE;
}

/** Connections held for listener i: half-open and not yet accepted. */
export function queued(i: i32): i32 {
  let n = 0;
  for (let c = tcbNext(0); c < MAX_CONNS; c = tcbNext(c + 1)) {
    const t = tcbAt(c);
    if (t.listener == i) n++;
  }
  return n;
}

export function backlogFull(i: i32): bool { return queued(i) >= listenerAt(i).backlog; }

/** RFC 4987 3.6: half-open connections of listener i hold half its backlog (at least one): further
 *  SYNs are answered with cookies, and the other half stays for the peers that return them. */
export function halfOpenFull(i: i32): bool {
  let n = 0;
  for (let c = tcbNext(0); c < MAX_CONNS; c = tcbNext(c + 1)) {
    const t = tcbAt(c);
    if (t.listener == i && t.state == State.SYN_RECEIVED) n++;
  }
  const half = listenerAt(i).backlog >> 1;
  return n >= (half > 1 ? half : 1);
}

/** Connections of listener i that completed the handshake and wait for accept. */
function readyCount(i: i32): i32 {
  let n = 0;
  for (let c = tcbNext(0); c < MAX_CONNS; c = tcbNext(c + 1)) {
    const t = tcbAt(c);
    if (t.listener == i && ready(t)) n++;
  }
  return n;
}

/** The backlog holds only connections waiting for accept (no half-open one to make room from). */
export function acceptQueueFull(i: i32): bool {
  return readyCount(i) >= listenerAt(i).backlog;
}

/** (t is in use: the walks visit only slots in use) */
function ready(t: Tcb): bool {
  return t.state != State.SYN_RECEIVED && t.state != State.CLOSED;
}

/** A passive connection has completed its handshake: queue it (FIFO) and tell the host. */
export function connectionReady(t: Tcb): void {
  const i = t.listener;
  t.acceptStamp = stamp++;
  eventPush(Ev.ACCEPTABLE, handleOf(i), readyCount(i));
}

/** The oldest ready connection of listener i, now owned by the app; null when there is none. */
export function acceptFrom(i: i32): Tcb | null {
  let best: Tcb | null = null;
  for (let c = tcbNext(0); c < MAX_CONNS; c = tcbNext(c + 1)) {
    const t = tcbAt(c);
    if (t.listener != i || !ready(t)) continue;
    if (best == null || <i32>(t.acceptStamp - best.acceptStamp) < 0) best = t;
  }
  if (best != null) {
    best.listener = -1;
    flagsOn(best, TF.APP_OWNED);
  }
  return best;
}

/** Stop listening: queued connections are reset (RFC 9293 3.10.4, CLOSE in LISTEN). */
export function unlisten(i: i32, now: u32): void {
  for (let c = tcbNext(0); c < MAX_CONNS; c = tcbNext(c + 1)) {
    const t = tcbAt(c);
    if (t.listener != i) continue;
    if (t.state != State.CLOSED) sendRst(t, now);
    setState(t, State.CLOSED);
    tcbRelease(t);
  }
  const l = listenerAt(i);
  l.inUse = 0;
  l.gen = nextGen(l.gen);
}
