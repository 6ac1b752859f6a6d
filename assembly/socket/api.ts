// The socket calls of the ABI: handles, pointer/length checks against the io buffer, the local
// port, accept and the options. The user calls themselves (RFC 9293 3.10.1–3.10.6: OPEN, SEND,
// RECEIVE, CLOSE, ABORT, STATUS, per state) are tcp/user.ts. Every call validates its handle,
// pointers and lengths and returns an error code.
import { EPHEMERAL_FIRST, MAX_CONNS, KEEPALIVE_MAX_MS, KEEPALIVE_MAX_COUNT, USER_TIMEOUT_MAX_MS } from "../config";
import { C, count } from "../counters";
import { Err } from "../errors";
import { ifaceIp, ifaceIsBroadcast, ifaceRoutable } from "../iface/iface";
import { ringLen, ringFree } from "../storage/ring";
import { Ev, eventPush } from "../storage/events";
import { Tcb, TF, setOffered, setPersistLimit, tcbAllocReusing, tcbAt, tcbFromHandle, tcbHandle, tcbLookup, tcbCount, flagged } from "../tcp/tcb";
import { keyedHash } from "../tcp/isn";
import { State } from "../tcp/state";
import { STATUS_BYTES, userAbort, userClose, userOpen, userReceive, userSend, userShutdown, userStatus } from "../tcp/user";
import { Opt } from "./constants";
import { ioRange } from "./io";
import { acceptFrom, isListenerHandle, listenerForPort, listenerFromHandle, unlisten } from "./listeners";

let nextPort: u32 = 0;

export function apiInit(): void {
  nextPort = <u32>(keyedHash(0x5045_5452_454c, 1) % 16384);  // seeded start of the ephemeral range
}

/** tcp_accept: the oldest connection that completed its handshake. */
export function accept(lh: i32): i32 {
  const l = listenerFromHandle(lh);
  if (l < 0) return Err.EBADF;
  const t = acceptFrom(l);
  if (t == null) return Err.EAGAIN;
  const h = tcbHandle(t);
  const n = ringLen(t.rx);
  if (n > 0) eventPush(Ev.READABLE, h, n);
  if (flagged(t, TF.FIN_RCVD)) eventPush(Ev.EOF, h, 0);
  return h;
}

function ephemeralPort(rip: u32, rport: u32): u32 {
  const lip = ifaceIp();
  for (let i = 0; i < 16384; i++) {
    const port = <u32>EPHEMERAL_FIRST + ((nextPort + <u32>i) & 16383);
    if (listenerForPort(port) >= 0 || tcbLookup(lip, port, rip, rport) != null) continue;
    nextPort = (nextPort + <u32>i + 1) & 16383;
    return port;
  }
  return 0;
}

/** tcp_connect: active OPEN (RFC 9293 3.10.1, tcp/user.ts) once the address and the local port
 *  are checked. */
export function connect(ip: u32, port: i32, localPort: i32, now: u32): i32 {
  if (port <= 0 || port > 0xffff || <u32>localPort > 0xffff) return Err.EINVAL;   // (unsigned: a negative one too)
  // RFC 9293 3.9.1.1 / MUST-46: no OPEN to a broadcast or multicast address; nor to ourselves,
  // 0/8, loopback 127/8 (not on this interface) or the reserved 240/4
  const top = ip >>> 24;
  if (ip == ifaceIp() || ifaceIsBroadcast(ip) || top == 0 || top == 127 || top >= 224) return Err.EINVAL;
  if (ifaceIp() == 0) return Err.EADDRNOTAVAIL;   // no address yet (DHCP), or the lease ended
  if (!ifaceRoutable(ip)) return Err.ENETUNREACH;
  const lip = ifaceIp();
  let lport = <u32>localPort;
  if (lport == 0) {
    lport = ephemeralPort(ip, <u32>port);
    if (lport == 0) return Err.EADDRINUSE;
  } else {
    const old = tcbLookup(lip, lport, ip, <u32>port);
    if (old != null) {
      if (old.state == State.TIME_WAIT) count(C.TCP_TIME_WAIT_REUSE);
      return Err.EADDRINUSE;   // the 4-tuple is in use, TIME-WAIT included (RFC 9293 3.4.2)
    }
  }
  const t = tcbAllocReusing();              // a TIME-WAIT slot when the table is full
  if (t == null) return Err.EMFILE;
  userOpen(t, lip, lport, ip, <u32>port, now);
  return tcbHandle(t);
}

/** A connection handle the app still owns. */
function owned(h: i32): Tcb | null {
  const t = tcbFromHandle(h);
  if (t == null || !flagged(t, TF.APP_OWNED)) return null;
  return t;
}

/** tcp_send (RFC 9293 3.10.2, tcp/user.ts). */
export function send(h: i32, ptr: i32, len: i32, now: u32): i32 {
  const t = owned(h);
  if (t == null) return Err.EBADF;
  if (!ioRange(ptr, len)) return Err.EINVAL;
  return userSend(t, <usize>ptr, len, now);
}

/** tcp_recv (RFC 9293 3.10.3, tcp/user.ts). 0 = end of stream. */
export function recv(h: i32, ptr: i32, len: i32, now: u32): i32 {
  const t = owned(h);
  if (t == null) return Err.EBADF;
  if (!ioRange(ptr, len)) return Err.EINVAL;
  return userReceive(t, <usize>ptr, len, now);
}

/** tcp_shutdown: CLOSE of the sending side (RFC 9293 3.10.4, tcp/user.ts). */
export function shutdown(h: i32, now: u32): i32 {
  const t = owned(h);
  if (t == null) return Err.EBADF;
  return userShutdown(t, now);
}

/** tcp_close: the app gives the handle back; the core finishes the close by itself (RFC 9293
 *  3.10.4, tcp/user.ts). */
export function close(h: i32, now: u32): i32 {
  if (isListenerHandle(h)) {
    const l = listenerFromHandle(h);
    if (l < 0) return Err.EBADF;
    unlisten(l, now);
    return 0;
  }
  const t = owned(h);
  if (t == null) return Err.EBADF;
  userClose(t, now);
  return 0;
}

/** tcp_abort: ABORT (RFC 9293 3.10.5, tcp/user.ts); for a listener the same as tcp_close. */
export function abort(h: i32, now: u32): i32 {
  if (isListenerHandle(h)) return close(h, now);
  const t = owned(h);
  if (t == null) return Err.EBADF;
  userAbort(t, now);
  return 0;
}

/** tcp_set_option: per-connection switches (Opt in constants.ts). Keepalive and the user timeout
 *  act in tcp/liveness.ts; the limits keep every deadline inside time.ts's range. A change takes
 *  effect at the next poll (the host polls after every call). */
export function setOption(h: i32, opt: i32, value: i32): i32 {
  const t = owned(h);
  if (t == null) return Err.EBADF;
  if (value < 0) return Err.EINVAL;
  const v = <u32>value;
  if (opt == Opt.NODELAY) t.noDelay = value != 0;
  else if (opt == Opt.KEEPALIVE) { if (v > KEEPALIVE_MAX_MS) return Err.EINVAL; t.keepIdle = v; }
  else if (opt == Opt.KEEPINTVL) { if (v == 0 || v > KEEPALIVE_MAX_MS) return Err.EINVAL; t.keepIntvl = v; }
  else if (opt == Opt.KEEPCNT) { if (v == 0 || v > KEEPALIVE_MAX_COUNT) return Err.EINVAL; t.keepCount = v; }
  else if (opt == Opt.USER_TIMEOUT) { if (v > USER_TIMEOUT_MAX_MS) return Err.EINVAL; t.userTimeout = v; }
  else return Err.EINVAL;
  return 0;
}

/** tcp_set_default: which extensions new connections offer (Opt.SACK, TIMESTAMPS, WINDOW_SCALING),
 *  and the stack-wide persist limit (Opt.PERSIST_TIMEOUT, ms, 0 = none; tcp/liveness.ts). */
export function setDefault(opt: i32, value: i32): i32 {
  if (opt == Opt.PERSIST_TIMEOUT) {
    if (<u32>value > USER_TIMEOUT_MAX_MS) return Err.EINVAL;   // (a negative value too)
    setPersistLimit(<u32>value);
    return 0;
  }
  if (<u32>value > 1) return Err.EINVAL;
  if (opt == Opt.SACK) setOffered(TF.SACK_OK, value != 0);
  else if (opt == Opt.TIMESTAMPS) setOffered(TF.TS_OK, value != 0);
  else if (opt == Opt.WINDOW_SCALING) setOffered(TF.WS_OK, value != 0);
  else return Err.EINVAL;
  return 0;
}

// state, error and info answer for every live connection handle, also one not yet accepted (its
// handle appears in STATE events), so that a host can name it in a trace; they change nothing.
export function state(h: i32): i32 {
  if (isListenerHandle(h)) return listenerFromHandle(h) >= 0 ? State.LISTEN : Err.EBADF;
  const t = tcbFromHandle(h);
  return t == null ? Err.EBADF : t.state;
}

export function error(h: i32): i32 {
  const t = tcbFromHandle(h);
  return t == null ? Err.EBADF : t.err;
}

export function readable(h: i32): i32 {
  const t = owned(h);
  return t == null ? Err.EBADF : ringLen(t.rx);
}

export function writable(h: i32): i32 {
  const t = owned(h);
  if (t == null) return Err.EBADF;
  return flagged(t, TF.FIN_QUEUED) ? 0 : ringFree(t.tx);
}

/** tcp_info: STATUS (RFC 9293 3.10.6, tcp/user.ts), 29 u32 (docs/abi.md). Returns the bytes written. */
export function info(h: i32, ptr: i32): i32 {
  const t = tcbFromHandle(h);
  if (t == null) return Err.EBADF;
  if (!ioRange(ptr, STATUS_BYTES)) return Err.EINVAL;
  userStatus(t, <usize>ptr);
  return STATUS_BYTES;
}

/** Number of connection slots in use (for tests and the status page). */
export function connectionsInUse(): i32 {
  return tcbCount();
}
