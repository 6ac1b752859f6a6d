// A `dgram`-compatible UDP socket over a Petrel stack (docs/abi.md "UDP calls"): code written for
// Node's `dgram` module runs after changing `dgram.createSocket("udp4")` to
// `stack.createSocket("udp4")` (host/net.ts PetrelStack).
//
//   const s = stack.createSocket("udp4", (msg, rinfo) => s.send(msg, rinfo.port, rinfo.address));
//   s.bind(7);
//
// Datagrams are read from the core when it reports UDP_READABLE (until -EAGAIN) and emitted as
// 'message' (msg, { address, family, port, size }) during the stack's dispatch; an ICMP error the
// core reports for the socket (UDP_ERROR: port unreachable → ECONNREFUSED, …) is an 'error'.
// connect() is kept here: the peer becomes the default destination and the filter of 'message'.
// Errors carry Node's `code`/`errno`/`syscall`. IPv4 only ("udp4"), addresses as dotted strings.
import { EventEmitter } from "node:events";
import { isIPv4 } from "node:net";
import type { CoreEvent } from "../core.ts";
import type { Stack } from "../stack/stack.ts";
import { netError } from "./net-common.ts";

export type SocketType = "udp4";
export interface SocketOptions {
  type: SocketType;
}
export interface RemoteInfo {
  address: string;
  family: "IPv4";
  port: number;
  size: number;
}
export interface BindOptions {
  port?: number;
  address?: string;
  exclusive?: boolean;
}
type Message = string | Uint8Array | ReadonlyArray<string | Uint8Array>;
type SendCallback = (error: Error | null, bytes: number) => void;

/** errnos only this layer raises (the core never returns them). */
const HOST_ERRNOS: Record<string, number> = { EACCES: -13, EADDRNOTAVAIL: -99, ENOTFOUND: -3008 };

/** Node's shape of a system error (`send EACCES 255.255.255.255:9`), with the core's or the host's errno. */
function dgramError(code: string, errno: number, syscall: string, address?: string, port?: number): NodeJS.ErrnoException & { address?: string; port?: number } {
  return netError(code, syscall, address, port, errno);
}

function nodeError(code: string, message: string, Kind: ErrorConstructor = Error): Error {
  return Object.assign(new Kind(message), { code });
}

function checkPort(port: unknown, allowZero: boolean): number {
  if (typeof port !== "number" || !Number.isInteger(port) || port < (allowZero ? 0 : 1) || port > 65535) {
    throw nodeError("ERR_SOCKET_BAD_PORT", `Port should be ${allowZero ? ">= 0" : "> 0"} and < 65536. Received ${String(port)}.`, RangeError);
  }
  return port;
}

/** The sockets of each stack by handle, and the one event listener that feeds them. */
const registry = new WeakMap<Stack, Map<number, DgramSocket>>();

function socketsOf(stack: Stack): Map<number, DgramSocket> {
  let m = registry.get(stack);
  if (!m) {
    const map = new Map<number, DgramSocket>();
    m = map;
    registry.set(stack, map);
    stack.on("event", (e: CoreEvent) => {
      if (e.name === "UDP_READABLE" || e.name === "UDP_ERROR") map.get(e.handle)?._readable();
    });
  }
  return m;
}

export function createSocket(stack: Stack, type: SocketType | SocketOptions, listener?: (msg: Buffer, rinfo: RemoteInfo) => void): DgramSocket {
  const t = typeof type === "string" ? type : type?.type;
  if (t !== "udp4") throw nodeError("ERR_SOCKET_BAD_TYPE", `Bad socket type specified. Valid types are: udp4 (Petrel is IPv4 only). Received ${String(t)}`, TypeError);
  const s = new DgramSocket(stack);
  if (listener) s.on("message", listener);
  return s;
}

export class DgramSocket extends EventEmitter {
  private handle = -1;
  private port = 0;
  private state: "unbound" | "bound" | "closed" = "unbound";
  private peer: { address: string; port: number } | null = null;
  private broadcast = false;
  private readonly sockets: Map<number, DgramSocket>;

  constructor(readonly stack: Stack) {
    super();
    this.sockets = socketsOf(stack);
    const h = stack.call((c) => c.udpOpen());
    if (h < 0) throw dgramError(stack.core.errorName(h), h, "socket");
    this.handle = h;
    this.sockets.set(h, this);
  }

  /** close() was called (a second close() throws, as Node's does). */
  get closed(): boolean {
    return this.state === "closed";
  }

  private get now(): number {
    return this.stack.clock.now;
  }
  private fail(rc: number, syscall: string, address?: string, port?: number): Error {
    return dgramError(this.stack.core.errorName(rc), rc, syscall, address, port);
  }
  private later(fn: () => void): void {
    process.nextTick(fn);
  }
  private checkOpen(): void {
    if (this.state === "closed") throw nodeError("ERR_SOCKET_DGRAM_NOT_RUNNING", "Not running");
  }

  bind(port?: number | BindOptions | (() => void), address?: string | (() => void), cb?: () => void): this {
    this.checkOpen();
    if (this.state === "bound") throw nodeError("ERR_SOCKET_ALREADY_BOUND", "Socket is already bound");
    let p = 0;
    let addr: string | undefined;
    if (typeof port === "function") cb = port;
    else if (typeof port === "object" && port !== null) ({ port: p = 0, address: addr } = port);
    else if (port !== undefined) p = port;
    if (typeof address === "function") cb = address;
    else if (address !== undefined) addr = address;
    checkPort(p, true);
    if (cb) this.once("listening", cb);
    if (addr !== undefined && addr !== "0.0.0.0" && addr !== this.stack.ip) {
      this.later(() => this.emit("error", dgramError("EADDRNOTAVAIL", HOST_ERRNOS.EADDRNOTAVAIL!, "bind", addr, p)));
      return this;
    }
    const rc = this.stack.call((c) => c.udpBind(this.handle, p));
    if (rc < 0) {
      const e = this.fail(rc, "bind", addr ?? "0.0.0.0", p);
      this.later(() => this.emit("error", e));
      return this;
    }
    this.bound(rc);
    return this;
  }

  private bound(port: number): void {
    this.state = "bound";
    this.port = port;
    this.later(() => this.emit("listening"));
  }

  /** A first send or connect binds an ephemeral port, and Node emits 'listening' then too.
   *  0, or the core's error (-EADDRINUSE when no ephemeral port is free). */
  private implicitBind(): number {
    if (this.state !== "unbound") return 0;
    const rc = this.stack.call((c) => c.udpBind(this.handle, 0));
    if (rc < 0) return rc;
    this.bound(rc);
    return 0;
  }

  address(): { address: string; family: "IPv4"; port: number } {
    if (this.state !== "bound") throw nodeError("ERR_SOCKET_DGRAM_NOT_RUNNING", "Not running");
    return { address: "0.0.0.0", family: "IPv4", port: this.port };
  }

  connect(port: number, address?: string | (() => void), cb?: () => void): void {
    this.checkOpen();
    if (typeof address === "function") {
      cb = address;
      address = undefined;
    }
    if (this.peer) throw nodeError("ERR_SOCKET_DGRAM_IS_CONNECTED", "Already connected");
    checkPort(port, false);
    const addr = address ?? "127.0.0.1";
    if (cb) this.once("connect", cb);
    if (!isIPv4(addr)) {
      this.later(() => this.emit("error", dgramError("ENOTFOUND", HOST_ERRNOS.ENOTFOUND!, "connect", addr)));
      return;
    }
    const rc = this.implicitBind();
    if (rc < 0) {
      const e = this.fail(rc, "connect", addr, port);
      this.later(() => this.emit("error", e));
      return;
    }
    this.peer = { address: addr, port };
    this.later(() => this.emit("connect"));
  }

  disconnect(): void {
    this.checkOpen();
    if (!this.peer) throw nodeError("ERR_SOCKET_DGRAM_NOT_CONNECTED", "Not connected");
    this.peer = null;
  }

  remoteAddress(): { address: string; family: "IPv4"; port: number } {
    if (!this.peer) throw nodeError("ERR_SOCKET_DGRAM_NOT_CONNECTED", "Not connected");
    return { address: this.peer.address, family: "IPv4", port: this.peer.port };
  }

  /** As Linux: sending to the limited broadcast 255.255.255.255 needs SO_BROADCAST (EACCES
   *  otherwise). A subnet's directed broadcast is not checked here (the core sends it). */
  setBroadcast(flag: boolean): void {
    this.checkOpen();
    this.broadcast = !!flag;
  }

  send(msg: Message, port?: number, address?: string, callback?: SendCallback): void;
  send(msg: Message, port: number, callback?: SendCallback): void;
  send(msg: Message, offset: number, length: number, port?: number, address?: string, callback?: SendCallback): void;
  send(msg: Message, callback?: SendCallback): void;
  send(msg: Message, ...args: unknown[]): void {
    this.checkOpen();
    let cb: SendCallback | undefined;
    if (typeof args[args.length - 1] === "function") cb = args.pop() as SendCallback;
    let data = toBuffer(msg);
    // send(msg, offset, length, port?, address?)
    if (args.length >= 2 && typeof args[0] === "number" && typeof args[1] === "number" && (args.length > 2 || this.peer)) {
      const [offset, length] = args.splice(0, 2) as [number, number];
      if (offset < 0 || length < 0 || offset + length > data.length) throw nodeError("ERR_OUT_OF_RANGE", `offset ${offset} + length ${length} out of range`, RangeError);
      data = data.subarray(offset, offset + length);
    }
    let port: number | undefined = args[0] as number | undefined;
    let address = args[1] as string | undefined;
    if (this.peer) {
      if (port !== undefined) throw nodeError("ERR_SOCKET_DGRAM_IS_CONNECTED", "Already connected");
      ({ port, address } = this.peer);
    } else {
      checkPort(port, false);
      address ??= "127.0.0.1";
    }
    const done = (err: Error | null, n: number): void => {
      if (cb) this.later(() => cb!(err, n));
      else if (err) this.later(() => this.emit("error", err));
    };
    if (!isIPv4(address!)) return done(dgramError("ENOTFOUND", HOST_ERRNOS.ENOTFOUND!, "getaddrinfo", address), 0);
    if (!this.broadcast && address === "255.255.255.255") return done(dgramError("EACCES", HOST_ERRNOS.EACCES!, "send", address, port), 0);
    const bound = this.implicitBind();
    const rc = bound < 0 ? bound : this.stack.call((c) => c.udpSendTo(this.handle, address!, port!, data, this.now));
    if (rc < 0) return done(this.fail(rc, "send", address, port), 0);
    done(null, rc);
  }

  close(cb?: () => void): this {
    this.checkOpen();
    if (cb) this.once("close", cb);
    this.stack.call((c) => c.udpClose(this.handle));
    this.sockets.delete(this.handle);
    this.state = "closed";
    this.later(() => this.emit("close"));
    return this;
  }

  /** Node's ref/unref: the stack's clock decides what keeps the process alive; accepted, no effect. */
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }

  /** @internal Read every queued datagram (the core's UDP_READABLE / UDP_ERROR). Bounded by the
   *  queue: each read removes one datagram or ends the loop. */
  _readable(): void {
    for (let i = 0; i < 1_000_000 && this.state !== "closed"; i++) {
      const d = this.stack.core.udpRecvFrom(this.handle);
      if (typeof d === "number") {
        if (d === this.stack.core.errorCode("EAGAIN")) return;
        this.emit("error", this.fail(d, "recvmsg", this.peer?.address, this.peer?.port));
        continue;
      }
      // connected (kept here, not in the core): only the peer's datagrams, as Linux filters them
      if (this.peer && (d.address !== this.peer.address || d.port !== this.peer.port)) continue;
      const rinfo: RemoteInfo = { address: d.address, family: "IPv4", port: d.port, size: d.size };
      this.emit("message", Buffer.from(d.data.buffer, d.data.byteOffset, d.data.length), rinfo);
    }
  }
}

function toBuffer(msg: Message): Buffer {
  if (typeof msg === "string") return Buffer.from(msg);
  if (msg instanceof Uint8Array) return Buffer.from(msg.buffer, msg.byteOffset, msg.byteLength);
  if (Array.isArray(msg)) return Buffer.concat(msg.map((m) => (typeof m === "string" ? Buffer.from(m) : Buffer.from(m.buffer, m.byteOffset, m.byteLength))));
  throw nodeError("ERR_INVALID_ARG_TYPE", `The "buffer" argument must be of type string or an instance of Buffer, TypedArray, or DataView. Received ${typeof msg}`, TypeError);
}
