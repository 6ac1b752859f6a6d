// A connection of a Stack: write/read/shutdown/close/abort over the core's socket calls, with
// events (connect, data, end, close, error, state, drain). The Stack calls the `_` methods on the
// core's events.
import type { Core, SocketOption, TcpInfo } from "../core.ts";
import { Emitter } from "../emitter.ts";
import { concat, toBytes } from "../packet/packet.ts";
import { ByteQueue } from "./byte-queue.ts";
import { PetrelError, type StateTransition } from "./transition.ts";

/** What a connection needs from its stack (Stack implements it). */
export interface ConnHost {
  readonly name: string;
  readonly core: Core;
  readonly now: number;
  /** A core call, after which the stack drains, polls and dispatches the core's events. */
  call<T>(fn: (core: Core) => T): T;
}

type ConnEvents = {
  connect: () => void;
  data: (chunk: Uint8Array) => void;
  end: () => void;
  /** The connection is over; `error` is the name of the error that ended it, or null. */
  close: (error: string | null) => void;
  error: (code: string, errno: number) => void;
  /** A soft error (ICMP unreachable, time exceeded, parameter problem, ARP failure) reported when
   *  the retransmissions reach R1 (RFC 1122 4.2.3.5, 4.2.3.9): the connection goes on. */
  softerror: (code: string, errno: number) => void;
  state: (t: StateTransition) => void;
  /** Everything written has been handed to the core's send ring. */
  drain: () => void;
};

/** The largest chunk one read hands the app (a receive ring is usually smaller: all of it). */
const MAX_CHUNK = 256 * 1024;

export class Conn extends Emitter<ConnEvents> {
  readonly transitions: StateTransition[] = [];
  connected = false;
  /** The peer's FIN was read (recv returned 0). */
  ended = false;
  /** The core reported CLOSED (or the handle was aborted). */
  closed = false;
  /** tcp_close/tcp_abort was called: the handle is no longer ours. */
  freed = false;
  /** Name of the error that ended the connection ("ECONNRESET"…), or null. */
  error: string | null = null;
  errno = 0;
  /** The last soft error the core reported (SOFT_ERROR event), or null; it does not end the connection. */
  softError: string | null = null;
  /** Total bytes received / accepted by the core's send ring. */
  bytesRead = 0;
  bytesWritten = 0;
  /** When true, READABLE does not recv: data stays in the core (its window closes). */
  paused = false;
  /** Free the handle (tcp_close) automatically when the core reports CLOSED. */
  autoFree = true;
  private buffered: Uint8Array[] = [];
  private pending = new ByteQueue();
  private shutdownPending = false;
  private closePending = false;
  private lastState = "CLOSED";
  private endpoint: { local: string; remote: string } | null = null;

  constructor(readonly stack: ConnHost, readonly handle: number, readonly role: "active" | "passive") {
    super();
    this.lastState = role === "active" ? "SYN_SENT" : "ESTABLISHED";
    this.fillEndpoint();
  }

  private fillEndpoint(): void {
    const e = this.stack.core.endpoints(this.handle);
    if (typeof e !== "number") this.endpoint = e;
  }

  get local(): string {
    return this.endpoint?.local ?? "";
  }
  get remote(): string {
    return this.endpoint?.remote ?? "";
  }
  get localPort(): number {
    return Number(this.local.split(":")[1] ?? 0);
  }

  /** Current state name (from the core while the handle is ours, else the last transition seen). */
  get state(): string {
    if (!this.freed) {
      const s = this.stack.core.state(this.handle);
      if (s >= 0) return this.stack.core.stateName(s);
    }
    return this.lastState;
  }

  /** The sequence of states this connection went through, e.g. ["SYN_SENT","ESTABLISHED",…]. */
  get states(): string[] {
    return this.transitions.length ? [this.transitions[0]!.from, ...this.transitions.map((t) => t.to)] : [this.state];
  }

  info(): TcpInfo | null {
    if (this.freed) return null;
    const i = this.stack.core.info(this.handle);
    return typeof i === "number" ? null : i;
  }

  /** Bytes queued on the host side, not yet taken by the core's send ring. */
  get pendingBytes(): number {
    return this.pending.length;
  }

  /**
   * Write data: what the send ring takes now goes to the core, the rest is queued here and
   * retried on WRITABLE. Returns the bytes the core took now. Throws PetrelError for EPIPE etc.
   */
  write(data: Uint8Array | string): number {
    if (this.freed || this.shutdownPending || this.closePending) throw new PetrelError("EPIPE", -32, "write after end");
    const bytes = toBytes(data);
    if (bytes.length === 0) return 0;
    const before = this.bytesWritten;
    this.pending.push(bytes); // borrowed when nothing is queued ahead of it
    if (this.connected) this._flush();
    this.pending.own(); // what the ring did not take is copied before the caller has its array back
    return this.bytesWritten - before;
  }

  /** Write then shutdown (Node's end()). */
  end(data?: Uint8Array | string): void {
    if (data !== undefined) this.write(data);
    this.shutdown();
  }

  /** Close the sending side (FIN) once everything queued is in the send ring. */
  shutdown(): void {
    if (this.freed) return;
    this.shutdownPending = true;
    this.afterFlush();
  }

  /** Done with the connection: FIN after queued data; the core finishes the close alone. */
  close(opts: { discard?: boolean } = {}): void {
    if (this.freed) return;
    this.closePending = true;
    if (this.closed || this.error || opts.discard) this.pending.clear();
    this.afterFlush();
  }

  /**
   * tcp_set_option (docs/abi.md): NODELAY 0/1; KEEPALIVE idle ms (0 = off), KEEPINTVL ms, KEEPCNT
   * probes; USER_TIMEOUT ms (0 = the retry count). Through call(), so the poll deadline is
   * recomputed at once (a keepalive or user-timeout deadline may now be the earliest). Throws
   * PetrelError (EINVAL for an unknown option or a value out of range).
   */
  setOption(opt: SocketOption, value: number): void {
    if (this.freed) return;
    const rc = this.stack.call((c) => c.setOption(this.handle, opt, value));
    if (rc < 0) throw new PetrelError(this.stack.core.errorName(rc), rc, `setOption(${opt}, ${value})`);
  }

  /** RST (in synchronized states) and free the handle at once. */
  abort(): void {
    if (this.freed) return;
    this.freed = true;
    this.pending.clear();
    const rc = this.stack.call((c) => c.abort(this.handle, this.stack.now));
    if (rc < 0) throw new PetrelError(this.stack.core.errorName(rc), rc, "abort");
    if (!this.closed) {
      this.closed = true;
      this.emit("close", this.error);
    }
  }

  /** Data received and not yet consumed; when paused, also recv from the core (up to `max`). */
  read(max = Infinity): Uint8Array {
    if (this.paused && !this.freed) {
      for (let i = 0; i < 1_000_000 && this.bufferedBytes < max; i++) {
        const r = this.stack.call((c) => c.recv(this.handle, this.stack.now, max - this.bufferedBytes));
        if (typeof r === "number") {
          if (r === 0) this.markEnded();
          break;
        }
        this.bytesRead += r.length;
        this.buffered.push(r);
      }
    }
    const all = concat(...this.buffered);
    const out = all.subarray(0, Math.min(max, all.length));
    const rest = all.subarray(out.length);
    this.buffered = rest.length ? [rest.slice()] : [];
    return out.slice();
  }

  get bufferedBytes(): number {
    let n = 0;
    for (const b of this.buffered) n += b.length;
    return n;
  }

  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
    this._readable();
  }

  // ── called by Stack on events ────────────────────────────────────────────────────────────
  /** @internal */
  _markConnected(): void {
    this.connected = true;
  }
  /** @internal */
  _state(t: StateTransition): void {
    if (!this.transitions.includes(t)) this.transitions.push(t);
    this.lastState = t.to;
    if (!this.endpoint || !this.endpoint.local) this.fillEndpoint();
    if (!this.endpoint?.local && t.local) this.endpoint = { local: t.local, remote: t.remote };
    this.emit("state", t);
    if (t.to === "CLOSED") this._closed(0);
  }
  /** @internal */
  _connected(): void {
    if (this.connected) return;
    this.connected = true;
    this.fillEndpoint();
    this.emit("connect");
    this._flush();
  }
  /** @internal read until recv says EAGAIN, end of stream or an error. `dataOnly` (a READABLE
   *  event): stop once nothing is readable instead of asking recv again: the EOF event that
   *  follows a FIN does that. */
  _readable(dataOnly = false): void {
    if (this.paused || this.freed || this.ended) return;
    for (let i = 0; i < 1_000_000 && !this.paused && !this.freed; i++) {
      // everything readable in one chunk (one allocation, one 'data' event), else recv's own
      // answer (EAGAIN, end of stream, an error)
      const ready = this.stack.core.readable(this.handle);
      if (ready <= 0 && dataOnly) return;
      const r = this.stack.call((c) => (ready > 0 ? c.recvAll(this.handle, this.stack.now, Math.min(ready, MAX_CHUNK)) : c.recv(this.handle, this.stack.now)));
      if (typeof r === "number") {
        if (r === 0) this.markEnded();
        return;
      }
      this.bytesRead += r.length;
      if (this.listenerCount("data") > 0) this.emit("data", r);
      else this.buffered.push(r);
    }
  }
  private markEnded(): void {
    if (this.ended) return;
    this.ended = true;
    this.emit("end");
  }
  /** @internal push queued writes into the send ring */
  _flush(): void {
    if (this.freed || !this.connected) return;
    for (let i = 0; this.pending.length && i < 1_000_000; i++) {
      const head = this.pending.peek();
      const n = this.stack.call((c) => c.send(this.handle, head, this.stack.now));
      if (n < 0) {
        const name = this.stack.core.errorName(n);
        if (name === "EAGAIN" || name === "ENOTCONN") return; // retried on WRITABLE / CONNECTED
        this.pending.clear();
        this._error(n);
        return;
      }
      if (n === 0) return;
      this.bytesWritten += n;
      this.pending.consume(n);
    }
    if (this.pending.length === 0) {
      this.emit("drain");
      this.afterFlush();
    }
  }
  private afterFlush(): void {
    if (this.freed || this.pending.length) return;
    if (this.closePending) {
      this.freed = true;
      const rc = this.stack.call((c) => c.close(this.handle, this.stack.now));
      if (rc < 0 && this.stack.core.errorName(rc) !== "EBADF") throw new PetrelError(this.stack.core.errorName(rc), rc, "close");
      return;
    }
    if (this.shutdownPending && this.connected) {
      this.shutdownPending = false;
      const rc = this.stack.call((c) => c.shutdown(this.handle, this.stack.now));
      if (rc < 0) this._error(rc);
      this.shutdownPending = true; // further writes are EPIPE
    }
  }
  /** @internal */
  _softError(errno: number): void {
    this.softError = this.stack.core.errorName(errno);
    this.emit("softerror", this.softError, errno);
  }
  /** @internal */
  _error(errno: number): void {
    if (this.error) return;
    this.errno = errno;
    this.error = this.stack.core.errorName(errno);
    this.emit("error", this.error, errno);
  }
  /** @internal */
  _closed(arg: number): void {
    if (arg < 0) this._error(arg);
    if (!this.paused) this._readable();
    if (this.closed) return;
    this.closed = true;
    this.emit("close", this.error);
    if (this.autoFree && !this.freed) {
      this.freed = true;
      this.pending.clear();
      this.stack.call((c) => c.close(this.handle, this.stack.now));
    }
  }
}
