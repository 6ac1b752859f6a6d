// net.Socket over a Petrel connection: a stream.Duplex whose writes go into the core's send ring
// and whose reads pull from the core only while the Readable wants data.
import type { EventEmitter } from "node:events";
import { isIPv4 } from "node:net";
import { resolve as resolveName, type DnsError } from "../stack/dns.ts";
import { Duplex } from "node:stream";
import type { SocketOption } from "../core.ts";
import { PetrelError, type Conn } from "../stack/stack.ts";
import type { Scheduler, Timer } from "../time/clock.ts";
import { checkMs, netError, splitEndpoint, type AddressInfo, type ConnectOptions, type NetHost } from "./net-common.ts";

export interface SocketOptions {
  allowHalfOpen?: boolean;
  highWaterMark?: number;
}

const DEFAULT_HWM = 16 * 1024;

export class Socket extends Duplex {
  conn: Conn | null = null;
  connecting = false;
  /** The Server that accepted it. */
  server?: EventEmitter;
  /** Milliseconds of inactivity before 'timeout' (0 = off), like net.Socket.timeout. */
  timeout = 0;
  private writeCb: ((err?: Error | null) => void) | null = null;
  private local: { address: string; port: number } | null = null;
  private remote: { address: string; port: number } | null = null;
  private target: { address: string; port: number } | null = null;
  private timer: Timer | null = null;
  private lastActivity = 0;
  private resetOnDestroy = false;
  private readonly clock: Scheduler;

  constructor(readonly petrel: NetHost, opts: SocketOptions = {}) {
    super({ allowHalfOpen: opts.allowHalfOpen ?? false, emitClose: false, highWaterMark: opts.highWaterMark ?? DEFAULT_HWM });
    this.clock = petrel.stack.clock;
    petrel._track(this);
  }

  // ── connect ──────────────────────────────────────────────────────────────────────────────
  connect(opts: ConnectOptions, cb?: () => void): this;
  connect(port: number, host?: string, cb?: () => void): this;
  connect(...args: unknown[]): this {
    let o: ConnectOptions;
    let cb: (() => void) | undefined;
    if (typeof args[0] === "object" && args[0] !== null) {
      o = args[0] as ConnectOptions;
      cb = args[1] as (() => void) | undefined;
    } else {
      o = { port: Number(args[0]), host: typeof args[1] === "string" ? args[1] : undefined };
      cb = (typeof args[1] === "function" ? args[1] : args[2]) as (() => void) | undefined;
    }
    if (cb) this.once("connect", cb);
    if (this.conn) throw Object.assign(new Error("Socket is already connected"), { code: "ERR_SOCKET_CONNECTION_ALREADY_CONNECTED" });
    const host = o.host ?? "localhost";
    const port = o.port;
    if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new RangeError(`Port should be > 0 and < 65536. Received ${port}.`);
    if (o.timeout !== undefined) checkMs("timeout", o.timeout);
    this.target = { address: host, port };
    this.connecting = true;
    if (o.timeout) this.setTimeout(o.timeout);
    if (!isIPv4(host)) {
      // a name: Petrel's own resolver (no loopback: "localhost" is a name like any other)
      resolveName(this.petrel.stack, host).then(
        (a) => {
          if (this.destroyed) return;
          this.target = { address: a.addresses[0]!, port };
          this.connectTo(a.addresses[0]!, port, o);
        },
        (e: DnsError) => {
          // no DNS server configured: Node's getaddrinfo would say ENOTFOUND too (the message says why)
          const code = e.code === "ENOTCONN" ? "ENOTFOUND" : e.code;
          if (!this.destroyed) this.destroy(Object.assign(netError(code, "getaddrinfo", host, undefined, e.errno), { message: e.message, hostname: host }));
        },
      );
      return this;
    }
    return this.connectTo(host, port, o);
  }

  private connectTo(host: string, port: number, o: ConnectOptions): this {
    let conn: Conn;
    try {
      conn = this.petrel.stack.connect(host, port, { localPort: o.localPort });
    } catch (e) {
      if (!(e instanceof PetrelError)) throw e;
      process.nextTick(() => this.destroy(netError(e.code, "connect", host, port, e.errno)));
      return this;
    }
    this._attach(conn);
    if (o.noDelay) this.setNoDelay(true);
    if (o.keepAlive) this.setKeepAlive(true, o.keepAliveInitialDelay);
    return this;
  }

  /** @internal bind to a Conn (an accepted one is already connected; catch up with what it buffered). */
  _attach(conn: Conn): void {
    this.conn = conn;
    this.connecting = !conn.connected;
    this.fillEndpoints();
    this.touch();
    conn.on("connect", () => this.onConnect());
    conn.on("data", (d) => this.onData(d));
    conn.on("end", () => this.onEnd());
    conn.on("drain", () => this.onDrain());
    conn.on("error", (code, errno) => this.onError(code, errno));
    // RFC 1122 4.2.3.9: a soft error (ICMP, ARP) reported at R1; the socket stays open and retrying
    conn.on("softerror", (code, errno) => this.emit("softError", Object.assign(new Error(`${code} (soft error: the connection goes on retrying)`), { code, errno })));
    // what the Conn buffered before it had a Socket (an accepted one usually has nothing: no read,
    // whose concatenation allocates even then)
    if (conn.bufferedBytes > 0 || conn.paused) {
      const early = conn.read();
      if (early.length) this.onData(early);
    }
    if (conn.ended) this.onEnd();
    if (conn.error) this.onError(conn.error, conn.errno);
  }

  private fillEndpoints(): void {
    const c = this.conn;
    if (!c) return;
    const l = splitEndpoint(c.local);
    const r = splitEndpoint(c.remote);
    if (l && l.port) this.local = l;
    if (r && r.port) this.remote = r;
  }

  private onConnect(): void {
    if (this.destroyed) return;
    this.connecting = false;
    this.fillEndpoints();
    this.touch();
    this.emit("connect");
    this.emit("ready");
  }

  private onData(d: Uint8Array): void {
    if (this.destroyed) return;
    this.touch();
    if (!this.push(Buffer.isBuffer(d) ? d : Buffer.from(d.buffer, d.byteOffset, d.byteLength))) this.conn?.pause();
  }

  private onEnd(): void {
    if (this.destroyed) return;
    this.push(null);
  }

  private onDrain(): void {
    this.touch();
    const cb = this.writeCb;
    this.writeCb = null;
    cb?.();
  }

  private onError(code: string, errno: number): void {
    if (this.destroyed) return;
    const syscall = this.connecting ? "connect" : "read";
    const where = this.connecting ? this.target ?? this.remote : null;
    this.destroy(netError(code, syscall, where?.address, where?.port, errno));
  }

  // ── stream.Duplex ────────────────────────────────────────────────────────────────────────
  override _read(): void {
    const c = this.conn;
    if (c && c.paused && !c.freed) c.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    const c = this.conn;
    if (!c) return cb(netError("EPIPE", "write"));
    try {
      c.write(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    } catch (e) {
      return cb(e instanceof PetrelError ? netError(e.code, "write", undefined, undefined, e.errno) : (e as Error));
    }
    this.touch();
    // done once the core's send ring holds all of it; until then the Writable buffers (backpressure)
    if (c.pendingBytes === 0) cb();
    else this.writeCb = cb;
  }

  override _final(cb: (err?: Error | null) => void): void {
    const c = this.conn;
    if (c && !c.freed) c.shutdown();
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.clock.cancel(this.timer);
    this.timer = null;
    this.connecting = false;
    const c = this.conn;
    if (c && !c.freed) {
      // like close(2): FIN after what the core already holds (RST if unread data is left);
      // resetAndDestroy(): RST now
      if (this.resetOnDestroy) c.abort();
      else c.close({ discard: true });
    }
    this.writeCb = null;
    cb(err);
    process.nextTick(() => this.emit("close", err != null));
  }

  /** Close with RST (SO_LINGER 0), like net.Socket.resetAndDestroy(). */
  resetAndDestroy(): this {
    this.resetOnDestroy = true;
    return this.destroy();
  }

  // ── options ──────────────────────────────────────────────────────────────────────────────
  private option(name: SocketOption, value: number): void {
    const c = this.conn;
    if (!c || c.freed) return;
    c.setOption(name, value);     // through the stack: the poll deadline follows the new setting
  }

  setNoDelay(noDelay = true): this {
    this.option("NODELAY", noDelay ? 1 : 0);
    return this;
  }

  /** KEEPALIVE idle time in ms; initialDelay 0 keeps the default (2 h, as on Linux). Probes then
   *  follow every 75 s, and 9 unanswered ones end the connection with ETIMEDOUT (the core's
   *  KEEPINTVL/KEEPCNT defaults; Conn.setOption changes them). */
  setKeepAlive(enable = false, initialDelay = 0): this {
    checkMs("initialDelay", initialDelay);
    // the core accepts up to 32767 s (Linux's limit)
    this.option("KEEPALIVE", enable ? (initialDelay > 0 ? Math.min(Math.floor(initialDelay), 32_767_000) : 7_200_000) : 0);
    return this;
  }

  /** Not in Node's net: TCP_USER_TIMEOUT. Data unacknowledged for `ms` ends the connection with
   *  ETIMEDOUT (an 'error'); 0 restores the retry-count limit. */
  setUserTimeout(ms: number): this {
    checkMs("ms", ms);
    this.option("USER_TIMEOUT", Math.min(Math.max(0, Math.floor(ms)), 24 * 86_400_000));  // core limit: 24 days
    return this;
  }

  /** Emit 'timeout' after `ms` without reads or writes (0 disables), like net.Socket.setTimeout. */
  setTimeout(ms: number, cb?: () => void): this {
    checkMs("msecs", ms);
    this.timeout = ms;
    this.clock.cancel(this.timer);
    this.timer = null;
    if (cb) {
      if (ms === 0) this.off("timeout", cb);
      else this.once("timeout", cb);
    }
    if (ms > 0) this.touch();
    return this;
  }

  private touch(): void {
    this.lastActivity = this.clock.now;
    if (this.timeout > 0 && !this.timer && !this.destroyed) this.armTimer();
  }

  private armTimer(): void {
    this.timer = this.clock.at(this.lastActivity + this.timeout, () => {
      this.timer = null;
      if (this.destroyed || this.timeout <= 0) return;
      if (this.clock.now - this.lastActivity >= this.timeout) this.emit("timeout"); // re-armed by the next activity
      else this.armTimer();
    });
  }

  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }

  // ── addresses and counters ───────────────────────────────────────────────────────────────
  address(): AddressInfo | Record<string, never> {
    return this.local ? { address: this.local.address, family: "IPv4", port: this.local.port } : {};
  }
  get localAddress(): string | undefined {
    return this.local?.address;
  }
  get localPort(): number | undefined {
    return this.local?.port;
  }
  get remoteAddress(): string | undefined {
    return this.remote?.address;
  }
  get remotePort(): number | undefined {
    return this.remote?.port;
  }
  get remoteFamily(): string | undefined {
    return this.remote ? "IPv4" : undefined;
  }
  get localFamily(): string | undefined {
    return this.local ? "IPv4" : undefined;
  }
  get bytesRead(): number {
    return this.conn?.bytesRead ?? 0;
  }
  get bytesWritten(): number {
    return (this.conn?.bytesWritten ?? 0) + (this.conn?.pendingBytes ?? 0);
  }
  get pending(): boolean {
    return !this.conn || this.connecting;
  }
  get readyState(): "opening" | "open" | "readOnly" | "writeOnly" | "closed" {
    if (this.connecting) return "opening";
    if (this.readable && this.writable) return "open";
    if (this.readable) return "readOnly";
    if (this.writable) return "writeOnly";
    return "closed";
  }
  /** The connection's TCP state name (ESTABLISHED, FIN_WAIT_2…), or CLOSED. */
  get tcpState(): string {
    return this.conn?.state ?? "CLOSED";
  }
}
