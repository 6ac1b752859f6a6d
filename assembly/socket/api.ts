// User calls (RFC 9293 3.10.1–3.10.6): OPEN, SEND, RECEIVE, CLOSE (tcp_shutdown / tcp_close),
// ABORT, STATUS. Every call validates its handle, pointers and lengths and returns an error code.
import { MSS_DEFAULT, RTO_INITIAL_MS, EPHEMERAL_FIRST, FIN_WAIT2_MS, MAX_CONNS, RX_BUF, KEEPALIVE_MAX_MS,
         KEEPALIVE_MAX_COUNT, USER_TIMEOUT_MAX_MS } from "../config";
import { C, count } from "../counters";
import { Err } from "../errors";
import { ifaceIp, ifaceIsBroadcast, ifaceRoutable } from "../iface/iface";
import { ringLen, ringFree, ringRead, ringWrite } from "../storage/ring";
import { eventPush } from "../storage/events";
import { Tcb, TF, setOffered, setPersistLimit, tcbAllocReusing, tcbAt, tcbClose, tcbFromHandle, tcbHandle, tcbLookup, tcbRelease, setState, synchronized, armClose } from "../tcp/tcb";
import { tcpOutput, sendRst, rcvWindow } from "../tcp/output";
import { oooBytes } from "../tcp/assembler";
import { optionsOffer } from "../tcp/options";
import { isnFor, keyedHash } from "../tcp/isn";
import { Ev, Opt, State } from "./constants";
import { acceptFrom, isListenerHandle, listenerForPort, listenerFromHandle, unlisten } from "./listen";

let ioBase: usize = 0;
let ioSize: i32 = 0;
let nextPort: u32 = 0;

export function apiInit(io: usize, size: i32): void {
  ioBase = io;
  ioSize = size;
  nextPort = <u32>(keyedHash(0x5045_5452_454c, 1) % 16384);  // seeded start of the ephemeral range
}

/** A pointer range the host may use for data: inside the io buffer only. The ABI passes i32s; a
 *  pointer is unsigned, so both are widened as u32 before the sum (sign-extending 0xfffffff0 made
 *  [ptr, ptr + len) wrap around to a small number and pass). */
function ioRange(ptr: i32, len: i32): bool {
  if (len < 0) return false;
  const start = <u64><u32>ptr;
  return start >= <u64>ioBase && start + <u64><u32>len <= <u64>ioBase + <u64><u32>ioSize;
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
  if (t.flags & TF.FIN_RCVD) eventPush(Ev.EOF, h, 0);
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

/** tcp_connect: active OPEN (RFC 9293 3.10.1). */
export function connect(ip: u32, port: i32, localPort: i32, now: u32): i32 {
  if (port <= 0 || port > 0xffff || localPort < 0 || localPort > 0xffff) return Err.EINVAL;
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
  t.lip = lip; t.lport = lport; t.rip = ip; t.rport = <u32>port;
  t.iss = isnFor(lip, <u16>lport, ip, <u16>port, now);
  t.sndUna = t.iss; t.sndNxt = t.iss; t.sndMax = t.iss; t.recover = t.iss;
  t.sndWnd = 0;
  t.mss = <u32>MSS_DEFAULT;
  t.rto = RTO_INITIAL_MS;
  t.flags |= TF.APP_OWNED;
  optionsOffer(t, now);
  count(C.TCP_ACTIVE_OPENS);
  setState(t, State.SYN_SENT);
  tcpOutput(t, now);     // <SEQ=ISS><CTL=SYN>
  return tcbHandle(t);
}

/** A connection handle the app still owns. */
function owned(h: i32): Tcb | null {
  const t = tcbFromHandle(h);
  if (t == null || !(t.flags & TF.APP_OWNED)) return null;
  return t;
}

/** tcp_send (RFC 9293 3.10.2). */
export function send(h: i32, ptr: i32, len: i32, now: u32): i32 {
  const t = owned(h);
  if (t == null) return Err.EBADF;
  if (!ioRange(ptr, len)) return Err.EINVAL;
  const s = t.state;
  if (s == State.CLOSED) return t.err != 0 ? t.err : Err.ENOTCONN;
  if ((t.flags & TF.FIN_QUEUED) || (s != State.SYN_SENT && s != State.SYN_RECEIVED && s != State.ESTABLISHED && s != State.CLOSE_WAIT)) return Err.EPIPE;
  if (len == 0) return 0;
  const n = ringWrite(t.tx, <usize>ptr, len);
  if (n < len) t.flags |= TF.WANT_WRITE;
  if (n == 0) return Err.EAGAIN;
  if (synchronized(s)) tcpOutput(t, now);
  return n;
}

/** tcp_recv (RFC 9293 3.10.3). 0 = end of stream. */
export function recv(h: i32, ptr: i32, len: i32, now: u32): i32 {
  const t = owned(h);
  if (t == null) return Err.EBADF;
  if (!ioRange(ptr, len)) return Err.EINVAL;
  if (ringLen(t.rx) > 0) {
    if (len == 0) return 0;
    const n = ringRead(t.rx, <usize>ptr, len);
    windowUpdate(t, now);
    return n;
  }
  if (t.flags & TF.FIN_RCVD) return 0;
  if (t.state == State.CLOSED) return t.err;
  return Err.EAGAIN;
}

/** After the app frees receive space: rcvWindow() moves the right edge only in steps of
 *  min(RCV.BUFF / 2, MSS) (receiver SWS avoidance, RFC 9293 3.8.6.2.2), and a moved edge is sent at
 *  once. Holding it for the next ACK (Linux sends only when the window doubles) was measured to
 *  hurt: with small rings the sender is window-limited, fewer segments in flight give fewer
 *  duplicate ACKs, and a loss more often ends in a timeout (40 seeded 2 %-loss runs, default
 *  profile, no extensions: 4.3 timeouts a run instead of 1.4). */
function windowUpdate(t: Tcb, now: u32): void {
  if (!synchronized(t.state) || (t.flags & TF.FIN_RCVD)) return;
  if (<i32>rcvWindow(t) <= <i32>(t.rcvAdv - t.rcvNxt)) return;
  t.flags |= TF.ACK_NOW;
  tcpOutput(t, now);
}

/** CLOSE of the sending side (RFC 9293 3.10.4): FIN after the queued data. */
export function shutdown(h: i32, now: u32): i32 {
  const t = owned(h);
  if (t == null) return Err.EBADF;
  return closeSending(t, now);
}

function closeSending(t: Tcb, now: u32): i32 {
  if (t.flags & TF.FIN_QUEUED) return 0;
  const s = t.state;
  if (s == State.SYN_SENT || (s == State.SYN_RECEIVED && ringLen(t.tx) > 0)) {
    t.flags |= TF.FIN_QUEUED;       // queued until ESTABLISHED (then FIN-WAIT-1)
    return 0;
  }
  // SYN-RECEIVED with nothing to send: FIN now, FIN-WAIT-1 (RFC 9293 3.10.4)
  if (s == State.ESTABLISHED || s == State.SYN_RECEIVED) setState(t, State.FIN_WAIT_1);
  else if (s == State.CLOSE_WAIT) setState(t, State.LAST_ACK);
  else return Err.ENOTCONN;
  t.flags |= TF.FIN_QUEUED;
  t.flags &= ~TF.WANT_WRITE;
  tcpOutput(t, now);
  return 0;
}

/** tcp_close: the app gives the handle back; the core finishes the close by itself. */
export function close(h: i32, now: u32): i32 {
  if (isListenerHandle(h)) {
    const l = listenerFromHandle(h);
    if (l < 0) return Err.EBADF;
    unlisten(l, now);
    return 0;
  }
  const t = owned(h);
  if (t == null) return Err.EBADF;
  const s = t.state;
  t.flags &= ~TF.APP_OWNED;
  if (s == State.CLOSED || s == State.SYN_SENT) {
    // SYN-SENT: delete the TCB (RFC 9293 3.10.4); a late SYN-ACK is answered with RST as CLOSED
    setState(t, State.CLOSED);
    tcbRelease(t);
    return 0;
  }
  t.flags |= TF.ORPHAN;
  if (ringLen(t.rx) > 0 && synchronized(s) && s != State.TIME_WAIT) {
    // unread data is lost: say so with RST (RFC 1122 4.2.2.13)
    count(C.DROP_TCP_ORPHAN_DATA);
    sendRst(t, now);
    tcbClose(t, Err.ECONNABORTED);
    return 0;
  }
  if (s == State.FIN_WAIT_2) armClose(t, now, FIN_WAIT2_MS);
  closeSending(t, now);
  return 0;
}

/** ABORT (RFC 9293 3.10.5): RST in the states that have a peer, then the TCB goes. */
export function abort(h: i32, now: u32): i32 {
  if (isListenerHandle(h)) return close(h, now);
  const t = owned(h);
  if (t == null) return Err.EBADF;
  const s = t.state;
  if (s == State.SYN_RECEIVED || s == State.ESTABLISHED || s == State.FIN_WAIT_1 || s == State.FIN_WAIT_2 || s == State.CLOSE_WAIT) {
    sendRst(t, now);
  }
  t.flags &= ~TF.APP_OWNED;
  tcbClose(t, Err.ECONNABORTED);
  return 0;
}

// state, error and info answer for every live connection handle, also one not yet accepted (its
// handle appears in STATE events), so that a host can name it in a trace; they change nothing.
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
    if (value < 0 || <u32>value > USER_TIMEOUT_MAX_MS) return Err.EINVAL;
    setPersistLimit(<u32>value);
    return 0;
  }
  if (value < 0 || value > 1) return Err.EINVAL;
  if (opt == Opt.SACK) setOffered(TF.SACK_OK, value != 0);
  else if (opt == Opt.TIMESTAMPS) setOffered(TF.TS_OK, value != 0);
  else if (opt == Opt.WINDOW_SCALING) setOffered(TF.WS_OK, value != 0);
  else return Err.EINVAL;
  return 0;
}

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
  return (t.flags & TF.FIN_QUEUED) ? 0 : ringFree(t.tx);
}

@inline const INFO_WORDS: i32 = 28;

/** tcp_info: 28 u32 (docs/abi.md). Returns the bytes written. */
export function info(h: i32, ptr: i32): i32 {
  const t = tcbFromHandle(h);
  if (t == null) return Err.EBADF;
  if (!ioRange(ptr, INFO_WORDS * 4)) return Err.EINVAL;
  const p = <usize>ptr;
  store<u32>(p, t.lip); store<u32>(p, t.lport, 4); store<u32>(p, t.rip, 8); store<u32>(p, t.rport, 12);
  store<u32>(p, <u32>t.state, 16); store<u32>(p, t.sndUna, 20); store<u32>(p, t.sndNxt, 24);
  store<u32>(p, t.sndWnd, 28); store<u32>(p, t.rcvNxt, 32); store<u32>(p, rcvWindow(t), 36);
  store<u32>(p, t.mss, 40); store<u32>(p, t.rto, 44); store<u32>(p, t.retransmits, 48);
  store<u32>(p, <u32>ringLen(t.rx), 52); store<u32>(p, <u32>ringLen(t.tx), 56);
  store<u32>(p, t.cwnd, 60); store<u32>(p, t.ssthresh, 64);
  store<u32>(p, t.srtt8 >> 3, 68); store<u32>(p, t.rttvar4 >> 2, 72);
  store<u32>(p, t.sndShift, 76); store<u32>(p, t.rcvShift, 80);
  store<u32>(p, t.fastRetransmits, 84); store<u32>(p, t.timeouts, 88);
  store<u32>(p, t.sackRecoveries, 92);
  store<u32>(p, t.dupAcksTotal, 96); store<u32>(p, oooBytes(t), 100);
  store<u32>(p, ((t.flags & TF.SACK_OK) ? 1 : 0) | ((t.flags & TF.TS_OK) ? 2 : 0) | ((t.flags & TF.WS_OK) ? 4 : 0)
    | ((t.flags & TF.RECOVERY) ? 8 : 0), 104);
  store<u32>(p, t.sndMax, 108);
  return INFO_WORDS * 4;
}

/** Number of connection slots in use (for tests and the status page). */
export function connectionsInUse(): i32 {
  let n = 0;
  for (let i = 0; i < MAX_CONNS; i++) if (tcbAt(i).flags & TF.IN_USE) n++;
  return n;
}
