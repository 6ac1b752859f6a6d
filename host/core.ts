// The wasm core, wrapped: instantiates a petrel module (given as bytes or a compiled
// WebAssembly.Module, or found through #wasm-source), provides the two imports (tx, panic), and gives
// every export of docs/abi.md a typed method. IPv4 addresses are dotted strings at this edge and
// u32 inside; `now` is passed as `now >>> 0` (virtual ms may exceed 2^32 and wraps like the ABI says).
// Runs in a browser as in Node: file loading is host/node/wasm-source.ts's.
import { defaultModule } from "#wasm-source";
import { ABI, CONFIG_NAMES, Opt, type ConfigName, type EvName } from "./abi.ts";
import { ipToU32, macToBytes, u32ToIp, type Ip, type Mac } from "./packet/packet.ts";
import { Arena } from "./stack/arena.ts";
import type { Profile } from "./wasm-source.ts";

export { provideModule, type Profile } from "./wasm-source.ts";

export const ABI_VERSION = 1;
/** tcp_set_option names (docs/abi.md). */
export type SocketOption = "NODELAY" | "KEEPALIVE" | "KEEPINTVL" | "KEEPCNT" | "USER_TIMEOUT";

export interface CoreEvent {
  kind: number;
  name: EvName | `EV_${number}`;
  handle: number;
  arg: number;
}

export interface TcpInfo {
  localIp: string;
  localPort: number;
  remoteIp: string;
  remotePort: number;
  state: number;
  stateName: string;
  sndUna: number;
  sndNxt: number;
  sndWnd: number;
  rcvNxt: number;
  rcvWnd: number;
  mss: number;
  rtoMs: number;
  retransmits: number;
  rxQueued: number;
  txQueued: number;
  /** Words 0..words-1 were written by the core: 15 from a core that writes 60 bytes, 28 from the full
   *  layout. The fields below are undefined when their word was not written (unavailable, not 0). */
  words: number;
  cwnd?: number;
  ssthresh?: number;
  /** 0 until the first RTT sample. */
  srttMs?: number;
  rttvarMs?: number;
  /** Shift applied to the peer's window / shift we announced (0 = none). */
  sndWscale?: number;
  rcvWscale?: number;
  fastRetransmits?: number;
  /** RTO expirations. */
  timeouts?: number;
  sackRecoveries?: number;
  dupAcks?: number;
  oooBytes?: number;
  /** 1 SACK permitted, 2 timestamps, 4 window scaling, 8 in recovery (TCP_INFO_FLAGS). */
  flags?: number;
  /** Highest sequence number sent + 1. */
  sndMax?: number;
  /** The pending soft error (an ICMP unreachable, time exceeded or parameter problem, or an ARP
   *  failure, RFC 1122 4.2.3.9) by its errno name, null when none; the connection goes on. */
  softError?: string | null;
}

/** Bits of TcpInfo.flags (docs/abi.md, tcp_info word 26). */
export const TCP_INFO_FLAGS = { SACK: 1, TIMESTAMPS: 2, WSCALE: 4, RECOVERY: 8 } as const;
/** Words of the full tcp_info layout (docs/abi.md). */
export const TCP_INFO_WORDS = 29;

/** dhcp_info (docs/abi.md): the DHCP client's state and lease; times are ms from now (Infinity:
 *  an infinite lease or none). */
export interface DhcpInfo {
  state: number;
  stateName: string;
  address: string;
  prefix: number;
  gateway: string;
  server: string;
  dns: string[];
  t1Ms: number;
  t2Ms: number;
  leaseLeftMs: number;
  leaseSeconds: number;
}
/** DhcpState of build/abi.json, by number. */
export const DHCP_STATE_NAMES = ["STOPPED", "INIT", "SELECTING", "REQUESTING", "PROBING", "BOUND", "RENEWING", "REBINDING", "REBOOTING"];

/** One received UDP datagram (udp_recvfrom). */
export interface UdpDatagram {
  data: Uint8Array;
  address: string;
  port: number;
  /** The datagram was longer than the buffer: `size` is its full length. */
  truncated: boolean;
  size: number;
}

export interface MemRegion {
  id: number;
  name: string;
  start: number;
  size: number;
}

export interface InitOptions {
  mac: Mac;
  ip: Ip;
  prefix?: number;
  /** 0 / undefined = none */
  gateway?: Ip;
  /** Keys the ISN hash and ephemeral ports. A number up to 2^53 or a bigint. */
  seed?: number | bigint;
}

export interface CoreOptions {
  /** The module, as bytes or compiled (default: #wasm-source's module for `profile`). */
  wasm?: WebAssembly.Module | Uint8Array;
  profile?: Profile;
  /** Called for every frame the core sends; the array is a copy the callee may keep. */
  onTx?: (frame: Uint8Array) => void;
}

/** An error raised by the core's panic import. */
export class CorePanic extends Error {
  constructor(readonly code: number, readonly line: number) {
    super(`petrel core panic: code ${code}${code === 1 ? " (abort)" : ""} at line ${line}`);
    this.name = "CorePanic";
  }
}

interface Exports {
  memory: WebAssembly.Memory;
  abi_version(): number;
  init(macHi: number, macLo: number, ip: number, prefix: number, gw: number, seedLo: number, seedHi: number): number;
  rx_buffer(): number;
  rx_buffer_size(): number;
  rx(len: number, now: number): number;
  poll(now: number): number;
  io_buffer(): number;
  io_buffer_size(): number;
  tcp_listen(port: number, backlog: number): number;
  tcp_accept(lh: number): number;
  tcp_connect(ip: number, port: number, localPort: number, now: number): number;
  tcp_send(h: number, ptr: number, len: number, now: number): number;
  tcp_recv(h: number, ptr: number, len: number, now: number): number;
  tcp_shutdown(h: number, now: number): number;
  tcp_close(h: number, now: number): number;
  tcp_abort(h: number, now: number): number;
  tcp_state(h: number): number;
  tcp_error(h: number): number;
  tcp_info(h: number, ptr: number): number;
  tcp_readable(h: number): number;
  tcp_writable(h: number): number;
  tcp_connections(): number;
  tcp_set_option(h: number, opt: number, value: number): number;
  tcp_set_default(opt: number, value: number): number;
  udp_open(): number;
  udp_bind(h: number, port: number): number;
  udp_sendto(h: number, ip: number, port: number, ptr: number, len: number, now: number): number;
  udp_recvfrom(h: number, ptr: number, cap: number, meta: number): number;
  udp_close(h: number): number;
  dns_server(i: number, ip: number): number;
  dns_server_get(i: number): number;
  dns_query(ptr: number, len: number, now: number): number;
  dns_result(q: number, ptr: number, cap: number): number;
  dns_close(q: number): number;
  iface_set?(ip: number, prefix: number, gw: number): number;
  dhcp_start?(requestedIp: number, now: number): number;
  dhcp_init_delay?(ms: number): number;
  dhcp_stop?(now: number): number;
  dhcp_release?(now: number): number;
  dhcp_info?(ptr: number, now: number): number;
  dhcp_dns_server?(i: number): number;
  local_ip(): number;
  ev_pop(): number;
  ev_handle(): number;
  ev_arg(): number;
  counter_count(): number;
  counter(id: number): number;
  mem_region_count(): number;
  mem_region_start(id: number): number;
  mem_region_size(id: number): number;
  mem_end(): number;
  mem_pages(): number;
  config(id: number): number;
}

export class Core {
  readonly x: Exports;
  /** The ABI's names (build/abi.json). */
  readonly names = ABI;
  onTx: (frame: Uint8Array) => void;
  /**
   * Optional (a Stack sets it): gets each frame the core sends where it lies in linear memory,
   * valid only until it returns, and returns true when it took the frame (copied what it keeps);
   * false hands the frame to onTx as a copy, as without it.
   */
  txFrom: ((buffer: ArrayBufferLike, offset: number, length: number) => boolean) | null = null;
  private errorNames = new Map<number, string>();
  private stateNames: string[] = [];
  private evNames = new Map<number, EvName>();
  private counterNames: string[] = [];
  private regionNames = new Map<number, string>();
  /** Frames sent through the tx import. */
  txCount = 0;
  /** A view of linear memory (which never grows: docs/abi.md), and the fixed buffers' addresses. */
  private mem: Uint8Array;
  private rxPtr: number;
  private rxSize: number;
  private ioPtr: number;
  private ioSize: number;
  private eventBound: number;
  /** Where copies of sent frames and received data live (views the callee may keep). */
  private arena = new Arena();
  /**
   * Allocates the arrays recvAll() fills (the caller keeps them; recvAll writes every byte of what
   * it returns, so they need not be zeroed). A host may swap in a cheaper allocator: the Node host
   * uses Buffer.allocUnsafe (no zero fill, and the app gets a Buffer as from a net.Socket).
   */
  alloc: (length: number) => Uint8Array = (length) => new Uint8Array(length);

  constructor(opts: CoreOptions = {}) {
    const w = opts.wasm;
    const mod = w === undefined ? defaultModule(opts.profile) : w instanceof WebAssembly.Module ? w : new WebAssembly.Module(w as Uint8Array<ArrayBuffer>);
    this.onTx = opts.onTx ?? (() => {});
    const instance = new WebAssembly.Instance(mod, {
      petrel: {
        tx: (ptr: number, len: number) => {
          this.txCount++;
          const buffer = this.memory().buffer;
          if (this.txFrom?.(buffer, ptr >>> 0, len >>> 0)) return;
          this.onTx(this.arena.copy(buffer, ptr >>> 0, len >>> 0));
        },
        panic: (code: number, line: number) => {
          throw new CorePanic(code, line);
        },
      },
    });
    this.x = instance.exports as unknown as Exports;
    for (const [n, v] of Object.entries(this.names.errors)) this.errorNames.set(v, n);
    for (const [n, v] of Object.entries(this.names.State)) this.stateNames[v] = n;
    for (const [n, v] of Object.entries(this.names.Ev)) this.evNames.set(v, n as EvName);
    for (const [n, v] of Object.entries(this.names.counters)) if (n !== "COUNT") this.counterNames[v] = n;
    for (const [n, v] of Object.entries(this.names.regions)) if (n !== "COUNT") this.regionNames.set(v, n);
    const v = this.x.abi_version();
    if (v !== ABI_VERSION) throw new Error(`module ABI version ${v}, host expects ${ABI_VERSION}`);
    this.mem = new Uint8Array(this.x.memory.buffer);
    this.rxPtr = this.rxSize = this.ioPtr = this.ioSize = 0;
    this.eventBound = Math.max(this.x.config(ABI.Cfg.EVENT_RING!), 1) + 1;
    this.readLayout();
  }

  /** The rx and io buffers are regions that init lays out: read their place again after it. */
  private readLayout(): void {
    this.rxPtr = this.x.rx_buffer() >>> 0;
    this.rxSize = this.x.rx_buffer_size();
    this.ioPtr = this.x.io_buffer() >>> 0;
    this.ioSize = this.x.io_buffer_size();
  }

  /** Linear memory as bytes (a new view only if the memory ever grew, which the core never does). */
  memory(): Uint8Array {
    if (this.mem.byteLength === 0) this.mem = new Uint8Array(this.x.memory.buffer);
    return this.mem;
  }

  // ── names ──────────────────────────────────────────────────────────────────────────────
  /** -111 → "ECONNREFUSED"; ≥ 0 → "OK"; unknown → "E<n>". */
  errorName(code: number): string {
    if (code >= 0) return "OK";
    return this.errorNames.get(code) ?? `E${-code}`;
  }
  errorCode(name: string): number {
    const v = this.names.errors[name];
    if (v === undefined) throw new Error(`unknown error name ${name}`);
    return v;
  }
  stateName(s: number): string {
    return this.stateNames[s] ?? `STATE_${s}`;
  }
  evName(kind: number): CoreEvent["name"] {
    return this.evNames.get(kind) ?? `EV_${kind}`;
  }

  // ── lifecycle and frames ─────────────────────────────────────────────────────────────────
  abiVersion(): number {
    return this.x.abi_version();
  }

  init(o: InitOptions): number {
    const mac = macToBytes(o.mac);
    const macHi = (mac[0]! << 8) | mac[1]!;
    const macLo = ((mac[2]! << 24) | (mac[3]! << 16) | (mac[4]! << 8) | mac[5]!) | 0;
    const seed = BigInt(o.seed ?? 0) & 0xffffffffffffffffn;
    const seedLo = Number(seed & 0xffffffffn) | 0;
    const seedHi = Number(seed >> 32n) | 0;
    const gw = o.gateway === undefined || o.gateway === 0 || o.gateway === "" ? 0 : ipToU32(o.gateway);
    const rc = this.x.init(macHi, macLo, ipToU32(o.ip) | 0, o.prefix ?? 24, gw | 0, seedLo, seedHi);
    this.readLayout();
    return rc;
  }

  /** Copy `frame` into the rx buffer and process it. Frames longer than the buffer → -EMSGSIZE without copying. */
  rx(frame: Uint8Array, now: number): number {
    if (frame.length > this.rxSize) return this.x.rx(frame.length, now >>> 0); // the core counts and rejects it
    this.memory().set(frame, this.rxPtr);
    return this.x.rx(frame.length, now >>> 0);
  }

  /** ms until the next deadline, or -1 when nothing is pending. */
  poll(now: number): number {
    return this.x.poll(now >>> 0);
  }

  rxBufferSize(): number {
    return this.rxSize;
  }
  ioBufferSize(): number {
    return this.ioSize;
  }

  // ── TCP ──────────────────────────────────────────────────────────────────────────────────
  listen(port: number, backlog: number): number {
    return this.x.tcp_listen(port, backlog);
  }
  accept(lh: number): number {
    return this.x.tcp_accept(lh);
  }
  connect(ip: Ip, port: number, localPort: number, now: number): number {
    return this.x.tcp_connect(ipToU32(ip) | 0, port, localPort, now >>> 0);
  }
  /** Copy up to io_buffer_size bytes of data into the send ring; returns n or -errno. */
  send(h: number, data: Uint8Array, now: number): number {
    // Copy at most one byte more than the ring has room for: tcp_send takes no more, and a short
    // write (n < len) is what arms its WRITABLE event. A bad handle (room < 0) still gets the
    // core's own answer from a one-byte send.
    const room = this.x.tcp_writable(h);
    const len = Math.min(data.length, this.ioSize, room >= 0 ? room + 1 : 1);
    this.memory().set(len === data.length ? data : data.subarray(0, len), this.ioPtr);
    return this.x.tcp_send(h, this.ioPtr, len, now >>> 0);
  }
  /** Up to `max` bytes (default: the io buffer) as an array the caller may keep (a view of an Arena
   *  chunk, written by no one else); 0 = end of stream; < 0 = -errno. */
  recv(h: number, now: number, max = Infinity): Uint8Array | number {
    const len = Math.min(max, this.ioSize);
    const n = this.x.tcp_recv(h, this.ioPtr, len, now >>> 0);
    if (n <= 0) return n;
    return this.arena.copy(this.memory().buffer, this.ioPtr, n);
  }
  /**
   * Up to `max` bytes in one new array (Core.alloc) the caller keeps, read with as many tcp_recv
   * calls as the io buffer's size needs: one chunk for everything readable instead of one per io
   * buffer. The first call's result when it is ≤ 0 (0 = end of stream, < 0 = -errno); a shorter
   * array when the core had fewer bytes than `max`.
   */
  recvAll(h: number, now: number, max: number): Uint8Array | number {
    if (!(max > 0)) return this.recv(h, now, 1); // the core's own answer (EAGAIN, EOF, an error)
    const out = this.alloc(max);
    const mem = this.memory();
    let at = 0;
    while (at < max) {
      const n = this.x.tcp_recv(h, this.ioPtr, Math.min(max - at, this.ioSize), now >>> 0);
      if (n <= 0) {
        if (at === 0) return n;
        break;
      }
      out.set(new Uint8Array(mem.buffer, this.ioPtr, n), at);
      at += n;
    }
    return at === max ? out : out.subarray(0, at);
  }
  shutdown(h: number, now: number): number {
    return this.x.tcp_shutdown(h, now >>> 0);
  }
  close(h: number, now: number): number {
    return this.x.tcp_close(h, now >>> 0);
  }
  abort(h: number, now: number): number {
    return this.x.tcp_abort(h, now >>> 0);
  }
  state(h: number): number {
    return this.x.tcp_state(h);
  }
  error(h: number): number {
    return this.x.tcp_error(h);
  }
  readable(h: number): number {
    return this.x.tcp_readable(h);
  }
  writable(h: number): number {
    return this.x.tcp_writable(h);
  }
  /** tcp_set_option: 1 NODELAY, 2 KEEPALIVE (idle ms), 3 KEEPINTVL, 4 KEEPCNT, 5 USER_TIMEOUT (docs/abi.md). */
  setOption(h: number, opt: SocketOption, value: number): number {
    return this.x.tcp_set_option(h, Opt[opt], value);
  }
  /** tcp_set_default: whether connections opened from now on offer SACK (6), timestamps (7) and
   *  window scaling (8) on their SYN; all on by default (docs/abi.md). */
  setDefault(opt: "SACK" | "TIMESTAMPS" | "WINDOW_SCALING", on: boolean): number {
    return this.x.tcp_set_default(Opt[opt], on ? 1 : 0);
  }
  /** tcp_set_default PERSIST_TIMEOUT (9): ms a peer may keep its window shut on data we have for it
   *  before the connection ends with ETIMEDOUT; 0 = no limit, the default (docs/abi.md). */
  setPersistTimeout(ms: number): number {
    return this.x.tcp_set_default(Opt.PERSIST_TIMEOUT, ms);
  }
  /** Connection slots in use (every state but CLOSED-and-freed, TIME-WAIT included). */
  connections(): number {
    return this.x.tcp_connections();
  }

  /** A connection's endpoints ("198.18.0.2:7") from tcp_info's first four words, or the negative
   *  error code: what naming a connection needs, without building info()'s 30-field object. */
  endpoints(h: number): { local: string; remote: string } | number {
    const ptr = this.ioPtr;
    const n = this.x.tcp_info(h, ptr);
    if (n < 0) return n;
    if (n < 16) return this.errorCode("EINVAL");
    const v = new DataView(this.x.memory.buffer, ptr, 16);
    return { local: `${u32ToIp(v.getUint32(0, true))}:${v.getUint32(4, true)}`, remote: `${u32ToIp(v.getUint32(8, true))}:${v.getUint32(12, true)}` };
  }

  /** tcp_info as an object, or the negative error code. Reads the 28-word layout of docs/abi.md;
   *  words the core did not write (an older core writes 60 bytes = words 0–14) are left undefined. */
  info(h: number): TcpInfo | number {
    const ptr = this.x.io_buffer();
    const n = this.x.tcp_info(h, ptr);
    if (n < 0) return n;
    const words = Math.min(Math.floor(n / 4), TCP_INFO_WORDS);
    const v = new DataView(this.x.memory.buffer, ptr, words * 4);
    const u = (i: number): number => (i < words ? v.getUint32(i * 4, true) : 0);
    const opt = (i: number): number | undefined => (i < words ? v.getUint32(i * 4, true) : undefined);
    return {
      localIp: u32ToIp(u(0)), localPort: u(1), remoteIp: u32ToIp(u(2)), remotePort: u(3), state: u(4), stateName: this.stateName(u(4)),
      sndUna: u(5), sndNxt: u(6), sndWnd: u(7), rcvNxt: u(8), rcvWnd: u(9), mss: u(10), rtoMs: u(11), retransmits: u(12), rxQueued: u(13), txQueued: u(14),
      words,
      cwnd: opt(15), ssthresh: opt(16), srttMs: opt(17), rttvarMs: opt(18), sndWscale: opt(19), rcvWscale: opt(20),
      fastRetransmits: opt(21), timeouts: opt(22), sackRecoveries: opt(23), dupAcks: opt(24), oooBytes: opt(25), flags: opt(26), sndMax: opt(27),
      softError: words > 28 ? (u(28) === 0 ? null : this.errorName(u(28) | 0)) : undefined,
    };
  }

  // ── UDP (docs/abi.md "UDP") ────────────────────────────────────────────────────────────────
  udpOpen(): number {
    return this.x.udp_open();
  }
  /** The port bound (port 0: an ephemeral one), or -errno. */
  udpBind(h: number, port: number): number {
    return this.x.udp_bind(h, port);
  }
  /** Send one datagram (at most io_buffer_size bytes: longer is -EMSGSIZE without copying). */
  udpSendTo(h: number, ip: Ip, port: number, data: Uint8Array, now: number): number {
    if (data.length > this.ioSize) return this.errorCode("EMSGSIZE");
    this.memory().set(data, this.ioPtr);
    return this.x.udp_sendto(h, ipToU32(ip) | 0, port, this.ioPtr, data.length, now >>> 0);
  }
  /** The oldest datagram (a copy the caller may keep), or -errno (-EAGAIN: none). The io buffer's
   *  last 12 bytes take the meta record; a datagram longer than the rest is returned truncated. */
  udpRecvFrom(h: number): UdpDatagram | number {
    const meta = this.ioPtr + this.ioSize - 12;
    const n = this.x.udp_recvfrom(h, this.ioPtr, this.ioSize - 12, meta);
    if (n < 0) return n;
    const v = new DataView(this.x.memory.buffer, meta, 12);
    const data = this.arena.copy(this.memory().buffer, this.ioPtr, n);
    return { data, address: u32ToIp(v.getUint32(0, true)), port: v.getUint16(4, true), truncated: (v.getUint16(6, true) & 1) !== 0, size: v.getUint32(8, true) };
  }
  udpClose(h: number): number {
    return this.x.udp_close(h);
  }

  // ── DNS resolver (docs/abi.md "DNS") ───────────────────────────────────────────────────────
  /** Set DNS server i (0..2) to ip (0 or "0.0.0.0" removes it; the DHCP lease's servers fill in). */
  dnsServer(i: number, ip: Ip): number {
    return this.x.dns_server(i, ipToU32(ip) | 0);
  }
  dnsServerGet(i: number): string {
    return u32ToIp(this.x.dns_server_get(i) >>> 0);
  }
  /** Start resolving `name` (ASCII): a query handle; the result comes as a DNS_RESULT event. */
  dnsQuery(name: string, now: number): number {
    const bytes = Uint8Array.from(name, (c) => c.charCodeAt(0) & 0xff);
    if (bytes.length === 0 || bytes.length > 254 || bytes.length > this.ioSize || !/^[\x21-\x7e]+$/.test(name)) return this.errorCode("EINVAL");
    this.memory().set(bytes, this.ioPtr);
    return this.x.dns_query(this.ioPtr, bytes.length, now >>> 0);
  }
  /** A finished query's addresses and TTL (s), or -errno (-EAGAIN while it runs). */
  dnsResult(q: number): { addresses: string[]; ttl: number } | number {
    const cap = Math.min(this.ioSize, 4 + 4 * 32);
    const n = this.x.dns_result(q, this.ioPtr, cap);
    if (n < 0) return n;
    const v = new DataView(this.x.memory.buffer, this.ioPtr, 4 + 4 * n);
    const addresses: string[] = [];
    for (let i = 0; i < n; i++) addresses.push(u32ToIp(v.getUint32(4 + 4 * i, true)));
    return { addresses, ttl: v.getUint32(0, true) };
  }
  dnsClose(q: number): number {
    return this.x.dns_close(q);
  }

  // ── addresses and the DHCP client (docs/abi.md "Addresses and DHCP") ───────────────────────
  /** Our address now ("0.0.0.0" while unconfigured). */
  localIp(): string {
    return u32ToIp(this.x.local_ip() >>> 0);
  }
  /** Set address, prefix and gateway at run time ("0.0.0.0": none). */
  ifaceSet(ip: Ip, prefix: number, gateway: Ip | 0 = 0): number {
    if (!this.x.iface_set) return ABI.errors.EOPNOTSUPP!;
    return this.x.iface_set(ipToU32(ip) | 0, prefix, gateway === 0 ? 0 : ipToU32(gateway) | 0);
  }
  /** Start the DHCP client (INIT-REBOOT when `requestedIp` is a remembered address). */
  /** The longest random wait before the first DISCOVER (RFC 2131 4.4.1), ms; 0 = at once. */
  dhcpInitDelay(ms: number): number {
    return this.x.dhcp_init_delay ? this.x.dhcp_init_delay(ms | 0) : ABI.errors.EOPNOTSUPP!;
  }
  dhcpStart(now: number, requestedIp?: Ip): number {
    if (!this.x.dhcp_start) return ABI.errors.EOPNOTSUPP!;
    return this.x.dhcp_start(requestedIp ? ipToU32(requestedIp) | 0 : 0, now >>> 0);
  }
  dhcpStop(now: number): number {
    return this.x.dhcp_stop ? this.x.dhcp_stop(now >>> 0) : ABI.errors.EOPNOTSUPP!;
  }
  dhcpRelease(now: number): number {
    return this.x.dhcp_release ? this.x.dhcp_release(now >>> 0) : ABI.errors.EOPNOTSUPP!;
  }
  /** The client's state and lease (dhcp_info), or null when the module has no DHCP client. */
  dhcpInfo(now: number): DhcpInfo | null {
    if (!this.x.dhcp_info || this.x.dhcp_info(this.ioPtr, now >>> 0) !== 0) return null;
    const v = new DataView(this.x.memory.buffer, this.ioPtr, 52);
    const u = (i: number) => v.getUint32(i * 4, true);
    const ms = (x: number) => (x === 0xffffffff ? Infinity : x);
    const state = u(0);
    return {
      state, stateName: DHCP_STATE_NAMES[state] ?? `DHCP_${state}`, address: u32ToIp(u(1)), prefix: u(2),
      gateway: u32ToIp(u(3)), server: u32ToIp(u(4)), dns: [u(6), u(7), u(8)].slice(0, u(5)).map(u32ToIp),
      t1Ms: ms(u(9)), t2Ms: ms(u(10)), leaseLeftMs: ms(u(11)), leaseSeconds: u(12),
    };
  }

  // ── events ───────────────────────────────────────────────────────────────────────────────
  /** Pop every pending event (bounded by the ring size + 1). */
  events(): CoreEvent[] {
    const out: CoreEvent[] = [];
    this.drainEvents(out);
    return out;
  }

  /** Pop every pending event onto `out` (bounded by the ring size + 1); returns how many. */
  drainEvents(out: CoreEvent[]): number {
    for (let i = 0; i < this.eventBound; i++) {
      const kind = this.x.ev_pop();
      if (kind === 0) return i;
      out.push({ kind, name: this.evName(kind), handle: this.x.ev_handle(), arg: this.x.ev_arg() });
    }
    return this.eventBound;
  }

  // ── counters, config, memory ─────────────────────────────────────────────────────────────
  counterList(): number[] {
    const n = this.x.counter_count();
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(this.x.counter(i) >>> 0);
    return out;
  }
  /** name → value for every counter. */
  counters(): Record<string, number> {
    const out: Record<string, number> = {};
    this.counterList().forEach((v, i) => (out[this.counterNames[i] ?? `COUNTER_${i}`] = v));
    return out;
  }
  /** Only the counters that are not zero. */
  nonZeroCounters(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.counters()).filter(([, v]) => v !== 0));
  }
  config(): Record<ConfigName, number> {
    const out = {} as Record<ConfigName, number>;
    for (const n of CONFIG_NAMES) out[n] = this.x.config(ABI.Cfg[n]!);
    return out;
  }
  memoryMap(): { regions: MemRegion[]; end: number; pages: number } {
    const regions: MemRegion[] = [];
    for (let id = 0; id < this.x.mem_region_count(); id++) {
      regions.push({ id, name: this.regionNames.get(id) ?? `REGION_${id}`, start: this.x.mem_region_start(id) >>> 0, size: this.x.mem_region_size(id) >>> 0 });
    }
    return { regions, end: this.x.mem_end() >>> 0, pages: this.x.mem_pages() };
  }
  /** Current size of linear memory in 64 KiB pages (must never change after init). */
  memoryPages(): number {
    return this.x.memory.buffer.byteLength / 65536;
  }
}
