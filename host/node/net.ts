// A `net`-compatible API over a Petrel stack: code written for Node's `net` module runs after
// changing the import from `net.createServer(...)` to `stack.createServer(...)`.
//
//   const stack = new PetrelStack({ ip: "198.18.0.2/24", link: await TapLink.open("petrel0") });
//   stack.createServer((s) => s.pipe(s)).listen(7);
//   const s = stack.connect({ host: "198.18.0.1", port: 7 }, () => s.end("hello"));
//
// Sockets are real stream.Duplex objects built on host/stack.ts's Conn: writes go into the core's
// send ring (the Writable's buffer is the small host-side high-water mark on top of it, so write()
// returns false once both are full and 'drain' follows when the ring takes the data); reads pull
// from the core only while the Readable wants data (a paused reader closes the TCP window).
// Errors carry Node's `code`/`errno`/`syscall`: ECONNREFUSED, ECONNRESET, ETIMEDOUT, EADDRINUSE,
// ENETUNREACH, and EMFILE when the core's connection (or listener) table is full.
// Time comes from the stack's Scheduler: a RealClock (wall clock) for real links, the simulator's
// virtual Clock for SimNet hosts (then timeouts and keepalive delays are virtual too).
import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import { isIPv4 } from "node:net";
import { Duplex } from "node:stream";
import type { Scheduler, Timer } from "../time/clock.ts";
import type { Core, CoreEvent, CoreOptions, DhcpInfo, Profile, SocketOption } from "../core.ts";
import type { Link } from "../link/link.ts";
import { Prng } from "../time/prng.ts";
import { RealClock } from "./realtime.ts";
import { PetrelError, Stack, type Conn, type Listener } from "../stack/stack.ts";
import { createSocket, type DgramSocket, type RemoteInfo, type SocketOptions as DgramOptions, type SocketType } from "./dgram.ts";

export const errnoOf: Record<string, number> = {
  ECONNREFUSED: -111, ECONNRESET: -104, ETIMEDOUT: -110, EADDRINUSE: -98, EMFILE: -24, ENETUNREACH: -101, EHOSTUNREACH: -113, EPIPE: -32,
  EINVAL: -22, EADDRNOTAVAIL: -99, ECONNABORTED: -103,
};
const describe: Record<string, string> = { EADDRINUSE: "address already in use", EMFILE: "connection table full", EADDRNOTAVAIL: "address not available" };

/** An Error shaped like Node's system errors (`connect ECONNREFUSED 198.18.0.1:7`). */
export function netError(code: string, syscall: string, address?: string, port?: number, errno = errnoOf[code] ?? -1): NodeJS.ErrnoException & { address?: string; port?: number } {
  const where = address !== undefined ? ` ${address}${port !== undefined ? `:${port}` : ""}` : "";
  const e = new Error(`${syscall} ${code}${describe[code] && syscall === "listen" ? `: ${describe[code]}` : ""}${where}`) as NodeJS.ErrnoException & { address?: string; port?: number };
  e.code = code;
  e.errno = errno;
  e.syscall = syscall;
  if (address !== undefined) e.address = address;
  if (port !== undefined) e.port = port;
  return e;
}

export interface PetrelStackOptions {
  /** "198.18.0.2" or "198.18.0.2/24" (the prefix then overrides `prefix`). Not with `dhcp`. */
  ip?: string;
  /** Get the address, gateway and DNS servers by DHCP (the core's client); `requestedIp`: a
   *  remembered address to ask for first (INIT-REBOOT). Wait for it with `waitForAddress()`. */
  dhcp?: boolean | { requestedIp?: string };
  prefix?: number;
  gateway?: string;
  /** Default: a random locally administered address. */
  mac?: string;
  /** ISN / ephemeral-port key. Default: random. */
  seed?: number | bigint;
  name?: string;
  link: Link;
  /** Default: a new RealClock (wall clock), stopped by close(). */
  clock?: Scheduler;
  profile?: Profile;
  core?: Core | CoreOptions;
}

export interface ServerOptions {
  allowHalfOpen?: boolean;
  pauseOnConnect?: boolean;
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
  /** Host-side write buffer of accepted sockets (bytes, default 16 KiB). */
  highWaterMark?: number;
}

export interface ConnectOptions {
  host?: string;
  port: number;
  localPort?: number;
  allowHalfOpen?: boolean;
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
  timeout?: number;
  highWaterMark?: number;
}

export interface AddressInfo {
  address: string;
  family: "IPv4";
  port: number;
}

/** A duration argument checked as Node's own net does: a number (ERR_INVALID_ARG_TYPE), not
 *  negative, not NaN and at most 2^31 − 1 ms (ERR_OUT_OF_RANGE). Returns it unchanged. */
export function checkMs(name: string, value: unknown): number {
  if (typeof value !== "number") {
    throw Object.assign(new TypeError(`The "${name}" argument must be of type number. Received ${value === null ? "null" : typeof value === "string" ? `type string (${JSON.stringify(value)})` : typeof value}`), { code: "ERR_INVALID_ARG_TYPE" });
  }
  if (!(value >= 0 && value <= 2 ** 31 - 1)) {
    throw Object.assign(new RangeError(`The value of "${name}" is out of range. It must be >= 0 && <= ${2 ** 31 - 1}. Received ${value}`), { code: "ERR_OUT_OF_RANGE" });
  }
  return value;
}

function splitEndpoint(s: string): { address: string; port: number } | null {
  const i = s.lastIndexOf(":");
  if (i <= 0) return null;
  return { address: s.slice(0, i), port: Number(s.slice(i + 1)) };
}

/** One Petrel stack (one wasm core) on one link, with net's createServer/connect. */
export class PetrelStack extends EventEmitter {
  readonly stack: Stack;
  readonly clock: Scheduler;
  private readonly staticPrefix: number;
  private ownClock: RealClock | null = null;
  private sockets_ = new Set<Socket>();
  private servers_ = new Set<Server>();
  private dgrams_ = new Set<DgramSocket>();
  private closed = false;
  private portRng: Prng | null = null;

  constructor(o: PetrelStackOptions | { stack: Stack }) {
    super();
    if ("stack" in o) {
      this.stack = o.stack;
      this.clock = o.stack.clock;
      this.staticPrefix = 0;
      return;
    }
    if (o.dhcp && o.ip) throw new Error("give either ip or dhcp, not both");
    const [ip, pfx] = o.dhcp ? ["0.0.0.0", "0"] : (o.ip ?? "").split("/");
    if (!ip || !isIPv4(ip)) throw new Error(`bad IPv4 address ${JSON.stringify(o.ip)} (expected e.g. 198.18.0.2/24)`);
    const prefix = pfx !== undefined ? Number(pfx) : (o.prefix ?? 24);
    if (!o.dhcp && (!Number.isInteger(prefix) || prefix < 1 || prefix > 32)) throw new Error(`bad prefix length in ${JSON.stringify(o.ip)}`);
    if (o.gateway && !isIPv4(o.gateway)) throw new Error(`bad gateway address ${JSON.stringify(o.gateway)}`);
    if (!o.clock) this.ownClock = new RealClock();
    this.clock = o.clock ?? this.ownClock!;
    this.staticPrefix = prefix;
    const mac = o.mac ?? ["02", ...Array.from(randomBytes(5), (b) => b.toString(16).padStart(2, "0"))].join(":");
    const seed = o.seed ?? randomBytes(8).readBigUInt64LE();
    this.stack = new Stack({
      name: o.name ?? `petrel ${o.dhcp ? "dhcp" : ip}`, mac, ip, prefix, gateway: o.gateway, seed, clock: this.clock,
      core: o.core ?? (o.profile ? { profile: o.profile } : undefined), link: o.link, dhcp: o.dhcp,
    });
  }

  /** Our address now ("0.0.0.0" while DHCP has none). */
  get ip(): string {
    return this.stack.ip;
  }

  /** The prefix length: the DHCP lease's, else the configured one (0 when unknown). */
  get prefix(): number {
    return this.dhcp()?.prefix || this.staticPrefix;
  }

  /** The DHCP client's state and lease (null without DHCP in the core). */
  dhcp(): DhcpInfo | null {
    const info = this.stack.core.dhcpInfo(this.clock.now);
    return info && info.stateName !== "STOPPED" ? info : null;
  }

  /** Resolves once we hold an address (at once with a static one); rejects after `timeoutMs`. */
  waitForAddress(timeoutMs = 30_000): Promise<string> {
    if (this.stack.ip !== "0.0.0.0") return Promise.resolve(this.stack.ip);
    return new Promise((resolve, reject) => {
      const done = (e: CoreEvent): void => {
        if (e.name !== "ADDRESS" || e.arg === 0) return;
        clearTimeout(timer);
        this.stack.off("event", done);
        resolve(this.stack.ip);
      };
      const timer = setTimeout(() => { this.stack.off("event", done); reject(new Error(`no DHCP lease within ${timeoutMs} ms`)); }, timeoutMs);
      this.stack.on("event", done);
    });
  }

  /** A port for listen(0) from the dynamic range (RFC 6335: 49152–65535), drawn from the stack's seed
   *  so that a simulator run with the same seed listens on the same ports. */
  ephemeralPort(): number {
    this.portRng ??= new Prng(Number(BigInt.asUintN(32, BigInt(this.stack.seed))), 0x6c73);
    return 49152 + this.portRng.int(16384);
  }

  /** Wrap an existing Stack (e.g. a SimNet host): sockets then run on the simulator's virtual clock. */
  static over(stack: Stack): PetrelStack {
    return new PetrelStack({ stack });
  }

  get mac(): string {
    return String(this.stack.mac);
  }

  createServer(listener?: (s: Socket) => void): Server;
  createServer(opts: ServerOptions, listener?: (s: Socket) => void): Server;
  createServer(a?: ServerOptions | ((s: Socket) => void), b?: (s: Socket) => void): Server {
    const opts = typeof a === "object" ? a : {};
    const listener = typeof a === "function" ? a : b;
    const server = new Server(this, opts);
    if (listener) server.on("connection", listener);
    return server;
  }

  /** A dgram-compatible UDP socket (host/node/dgram.ts), like dgram.createSocket("udp4"). */
  createSocket(type: SocketType | DgramOptions, listener?: (msg: Buffer, rinfo: RemoteInfo) => void): DgramSocket {
    const s = createSocket(this.stack, type, listener);
    this.dgrams_.add(s);
    s.once("close", () => this.dgrams_.delete(s));
    return s;
  }

  connect(opts: ConnectOptions, cb?: () => void): Socket;
  connect(port: number, host?: string, cb?: () => void): Socket;
  connect(...args: unknown[]): Socket {
    const opts = typeof args[0] === "object" ? (args[0] as ConnectOptions) : { port: args[0] as number };
    if (opts.timeout !== undefined) checkMs("timeout", opts.timeout); // before a socket exists
    const s = new Socket(this, { allowHalfOpen: opts.allowHalfOpen, highWaterMark: opts.highWaterMark });
    return s.connect(...(args as [ConnectOptions, (() => void)?]));
  }

  /** Alias of connect(), like net.createConnection. */
  createConnection(opts: ConnectOptions, cb?: () => void): Socket;
  createConnection(port: number, host?: string, cb?: () => void): Socket;
  createConnection(...args: unknown[]): Socket {
    return (this.connect as (...a: unknown[]) => Socket)(...args);
  }

  /** Open sockets (connecting, open or half-closed). */
  get sockets(): Socket[] {
    return [...this.sockets_];
  }
  get servers(): Server[] {
    return [...this.servers_];
  }

  /**
   * Graceful shutdown: stop every server, end() every socket, wait (bounded by `timeoutMs` on the
   * stack's clock) for them to close, destroy what is left, then stop the stack's own clock.
   */
  async close(timeoutMs = 2000): Promise<void> {
    checkMs("timeoutMs", timeoutMs);
    if (this.closed) return;
    this.closed = true;
    for (const s of this.servers_) if (s.listening) s.close();
    for (const s of [...this.dgrams_]) s.close();
    for (const s of this.sockets_) if (!s.destroyed) s.end();
    const done = (): boolean => [...this.sockets_].every((s) => s.destroyed);
    if (!done()) {
      await new Promise<void>((resolve) => {
        const t = this.clock.after(timeoutMs, () => resolve());
        const check = (): void => {
          if (done()) {
            this.clock.cancel(t);
            resolve();
          }
        };
        for (const s of this.sockets_) s.once("close", check);
      });
    }
    for (const s of this.sockets_) if (!s.destroyed) s.destroy();
    // let the core send what it still owes (FINs, RSTs) on a real link before the clock stops
    await new Promise<void>((r) => setImmediate(r));
    this.ownClock?.stop();
    this.emit("close");
  }

  /** @internal */
  _track(s: Socket): void {
    this.sockets_.add(s);
    s.once("close", () => this.sockets_.delete(s));
  }
  /** @internal */
  _trackServer(s: Server, on: boolean): void {
    if (on) this.servers_.add(s);
    else this.servers_.delete(s);
  }
}

export class Server extends EventEmitter {
  private listener: Listener | null = null;
  private conns = new Set<Socket>();
  private closing = false;
  maxConnections = Infinity;

  constructor(readonly petrel: PetrelStack, readonly opts: ServerOptions = {}) {
    super();
    if (opts.keepAliveInitialDelay !== undefined) checkMs("keepAliveInitialDelay", opts.keepAliveInitialDelay);
  }

  get listening(): boolean {
    return this.listener !== null && !this.listener.closed;
  }

  /** listen(port[, host][, backlog][, cb]) or listen({ port, host, backlog }[, cb]). Port 0 picks a free ephemeral port. */
  listen(...args: unknown[]): this {
    let port = 0;
    let host: string | undefined;
    let backlog = 511;
    let cb: (() => void) | undefined;
    const rest = [...args];
    if (typeof rest[rest.length - 1] === "function") cb = rest.pop() as () => void;
    if (typeof rest[0] === "object" && rest[0] !== null) {
      const o = rest[0] as { port?: number; host?: string; backlog?: number };
      port = o.port ?? 0;
      host = o.host;
      backlog = o.backlog ?? backlog;
    } else {
      port = Number(rest[0] ?? 0);
      if (typeof rest[1] === "string") host = rest[1];
      const b = rest.find((x, i) => i > 0 && typeof x === "number");
      if (typeof b === "number") backlog = b;
    }
    if (cb) this.once("listening", cb);
    const fail = (e: Error): this => {
      process.nextTick(() => this.emit("error", e));
      return this;
    };
    if (this.listening) return fail(Object.assign(new Error("Listen method has been called more than once without closing."), { code: "ERR_SERVER_ALREADY_LISTEN" }));
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`options.port should be >= 0 and < 65536. Received ${port}.`);
    const ip = this.petrel.ip;
    if (host !== undefined && host !== ip && host !== "0.0.0.0" && host !== "::") return fail(netError("EADDRNOTAVAIL", "listen", host, port));
    const cap = this.petrel.stack.core.config().MAX_BACKLOG || 16;
    const bl = Math.max(1, Math.min(backlog, cap));
    const tryPort = (p: number): Listener | PetrelError => {
      try {
        return this.petrel.stack.listen(p, bl, (c) => this.onConn(c));
      } catch (e) {
        if (e instanceof PetrelError) return e;
        throw e;
      }
    };
    let got: Listener | PetrelError;
    if (port === 0) {
      got = new PetrelError("EADDRINUSE", -98, "listen");
      for (let i = 0; i < 64 && got instanceof PetrelError && got.code === "EADDRINUSE"; i++) got = tryPort(this.petrel.ephemeralPort());
    } else got = tryPort(port);
    if (got instanceof PetrelError) return fail(netError(got.code, "listen", ip, port, got.errno));
    this.listener = got;
    this.closing = false;
    this.petrel._trackServer(this, true);
    process.nextTick(() => this.emit("listening"));
    return this;
  }

  private onConn(c: Conn): void {
    const s = new Socket(this.petrel, { allowHalfOpen: this.opts.allowHalfOpen, highWaterMark: this.opts.highWaterMark });
    s.server = this;
    s._attach(c);
    if (this.conns.size >= this.maxConnections) {
      s.destroy();
      return;
    }
    this.conns.add(s);
    s.once("close", () => {
      this.conns.delete(s);
      this.maybeClosed();
    });
    if (this.opts.noDelay) s.setNoDelay(true);
    if (this.opts.keepAlive) s.setKeepAlive(true, this.opts.keepAliveInitialDelay);
    if (this.opts.pauseOnConnect) s.pause();
    this.emit("connection", s);
  }

  /** Stop accepting; 'close' follows once every accepted connection has closed. */
  close(cb?: (err?: Error) => void): this {
    if (!this.listening) {
      if (cb) process.nextTick(() => cb(Object.assign(new Error("Server is not running."), { code: "ERR_SERVER_NOT_RUNNING" })));
      return this;
    }
    if (cb) this.once("close", () => cb());
    this.listener!.close();
    this.closing = true;
    this.petrel._trackServer(this, false);
    this.maybeClosed();
    return this;
  }

  private maybeClosed(): void {
    if (this.closing && this.conns.size === 0) {
      this.closing = false;
      process.nextTick(() => this.emit("close"));
    }
  }

  address(): AddressInfo | null {
    return this.listening ? { address: this.petrel.ip, family: "IPv4", port: this.listener!.port } : null;
  }

  getConnections(cb: (err: Error | null, count: number) => void): this {
    process.nextTick(() => cb(null, this.conns.size));
    return this;
  }

  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
}

export interface SocketOptions {
  allowHalfOpen?: boolean;
  highWaterMark?: number;
}

const DEFAULT_HWM = 16 * 1024;

export class Socket extends Duplex {
  conn: Conn | null = null;
  connecting = false;
  server?: Server;
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

  constructor(readonly petrel: PetrelStack, opts: SocketOptions = {}) {
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
      // the core has no resolver and no loopback: only IPv4 literals are reachable
      process.nextTick(() => this.destroy(netError("ENOTFOUND", "getaddrinfo", host, undefined, -3008)));
      return this;
    }
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
    const early = conn.read();
    if (early.length) this.onData(early);
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
    if (!this.push(Buffer.from(d.buffer, d.byteOffset, d.byteLength))) this.conn?.pause();
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
