// net.Server over a Petrel stack (PetrelStack.createServer): listen, accept into Sockets, close.
import { EventEmitter } from "node:events";
import { PetrelError, type Conn, type Listener } from "../stack/stack.ts";
import { checkMs, netError, type AddressInfo, type NetHost, type ServerOptions } from "./net-common.ts";
import { Socket } from "./net-socket.ts";

export class Server extends EventEmitter {
  private listener: Listener | null = null;
  private conns = new Set<Socket>();
  private closing = false;
  maxConnections = Infinity;

  constructor(readonly petrel: NetHost, readonly opts: ServerOptions = {}) {
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
