// A `net`-compatible API over a Petrel stack: code written for Node's `net` module runs after
// changing the import from `net.createServer(...)` to `stack.createServer(...)`.
//
//   const stack = new PetrelStack({ ip: "198.18.0.2/24", link: await TapLink.open("petrel0") });
//   stack.createServer((s) => s.pipe(s)).listen(7);
//   const s = stack.connect({ host: "198.18.0.1", port: 7 }, () => s.end("hello"));
//
// Sockets are real stream.Duplex objects built on host/stack/conn.ts's Conn: writes go into the core's
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
import { resolve as resolveName, type DnsAnswer } from "../stack/dns.ts";
import type { Core, CoreEvent, CoreOptions, DhcpInfo, Profile } from "../core.ts";
import type { Link } from "../link/link.ts";
import { cidrOrThrow } from "../packet/cidr.ts";
import { Stack } from "../stack/stack.ts";
import type { Scheduler } from "../time/clock.ts";
import { Prng } from "../time/prng.ts";
import { checkMs, type ConnectOptions, type ServerOptions } from "./net-common.ts";
import { Server } from "./net-server.ts";
import { Socket } from "./net-socket.ts";
import { RealClock } from "./realtime.ts";
import { createSocket, type DgramSocket, type RemoteInfo, type SocketOptions as DgramOptions, type SocketType } from "./dgram.ts";

export { checkMs, errnoOf, netError, type AddressInfo, type ConnectOptions, type ServerOptions } from "./net-common.ts";
export { Server } from "./net-server.ts";
export { Socket, type SocketOptions } from "./net-socket.ts";

export interface PetrelStackOptions {
  /** "198.18.0.2" or "198.18.0.2/24" (the prefix then overrides `prefix`). Not with `dhcp`. */
  ip?: string;
  /** Get the address, gateway and DNS servers by DHCP (the core's client); `requestedIp`: a
   *  remembered address to ask for first (INIT-REBOOT); `initDelayMs`: the longest random wait before
   *  the first DISCOVER (RFC 2131 4.4.1; default 10 000: 1–10 s; 0: at once). Wait for the address
   *  with `waitForAddress()`. */
  dhcp?: boolean | { requestedIp?: string; initDelayMs?: number };
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
  /** DNS servers for connect({ host: "name" }) and resolve() (at most 3; default: the DHCP lease's). */
  dns?: string[];
}

const allocUnsafe = (length: number): Uint8Array => Buffer.allocUnsafe(length);

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
    const { ip, prefix } = o.dhcp ? { ip: "0.0.0.0", prefix: 0 } : cidrOrThrow(o.ip ?? "", { defaultPrefix: o.prefix ?? 24 });
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
    // received data as Buffers, without the zero fill a new Uint8Array pays (every byte is written)
    this.stack.core.alloc = allocUnsafe;
    if (o.dns) this.setDnsServers(o.dns);
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

  /** Use these DNS servers (at most 3, IPv4 literals) for resolve() and connect by name. */
  setDnsServers(servers: string[]): void {
    if (servers.length > 3 || servers.some((s) => !isIPv4(s))) throw new Error(`bad DNS servers ${JSON.stringify(servers)} (at most 3 IPv4 addresses)`);
    for (let i = 0; i < 3; i++) this.stack.call((c) => c.dnsServer(i, servers[i] ?? 0));
  }

  /** Resolve a name through Petrel's own resolver (not the OS): its IPv4 addresses and TTL. */
  resolve(name: string): Promise<DnsAnswer> {
    return resolveName(this.stack, name);
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
    for (const s of [...this.dgrams_]) if (!s.closed) s.close(); // closed by the app, its "close" event not yet emitted
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
